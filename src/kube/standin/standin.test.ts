/**
 * The stand-in's own semantics, on the wire, each from the Kubernetes API documentation
 * ("API Concepts", https://kubernetes.io/docs/reference/using-api/api-concepts/) or the
 * apiserver's behaviour as kubectl v1.32 shows it.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type KubeObject, type StandIn, startStandIn } from "./standin.js";
import { call, watch } from "./testing.js";

const ns = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });
const pod = (namespace: string, name: string, labels: Record<string, string> = {}, nodeName = "n1"): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace, labels },
  spec: { nodeName, containers: [{ name: "c", image: "x" }] },
  status: { phase: "Running", podIP: "10.0.0.1" },
});
const names = (body: Record<string, unknown>): string[] => (body["items"] as KubeObject[]).map((o) => o.metadata.name);
const meta = (body: Record<string, unknown>): Record<string, unknown> => body["metadata"] as Record<string, unknown>;

describe("stand-in API server", () => {
  let api: StandIn;
  before(async () => {
    api = await startStandIn({
      users: [
        { name: "admin" },
        { name: "prod-reader", groups: ["readers"], rules: [{ verbs: ["get", "list", "watch"], resources: ["pods"], namespaces: ["prod"] }] },
        { name: "revoked" },
      ],
      bookmarkIntervalMs: 50,
      objects: [ns("prod"), ns("dev"), pod("prod", "web-1", { app: "web" }), pod("prod", "db-1", { app: "db" }, "n2"), pod("dev", "web-1", { app: "web" })],
    });
  });
  after(() => api.close());

  describe("authentication and RBAC", () => {
    test("no credentials: 401 with the apiserver's Status (message and reason Unauthorized, no details)", async () => {
      const r = await call(api, "/api/v1/pods", {});
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 });
    });

    test("a revoked token (an expired or deleted service account token): 401, where it worked before", async () => {
      const token = api.token("revoked");
      assert.equal((await call(api, "/api/v1/pods", { token })).status, 200);
      api.revokeToken("revoked");
      assert.equal((await call(api, "/api/v1/pods", { token })).status, 401);
    });

    test("a client certificate authenticates its CN; RBAC then applies to that user", async () => {
      assert.equal((await call(api, "/api/v1/pods", { user: "admin", cert: true })).status, 200);
      const r = await call(api, "/api/v1/namespaces/prod/pods", { user: "prod-reader", cert: true });
      assert.equal(r.status, 200);
      assert.equal(api.requests.at(-1)?.user, "prod-reader");
    });

    test('403 Forbidden as the apiserver words it: `pods is forbidden: User "x" cannot list resource "pods" in API group "" at the cluster scope`', async () => {
      const r = await call(api, "/api/v1/pods", { user: "prod-reader" });
      assert.equal(r.status, 403);
      assert.deepEqual(r.body, {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: 'pods is forbidden: User "prod-reader" cannot list resource "pods" in API group "" at the cluster scope',
        reason: "Forbidden",
        details: { kind: "pods" },
        code: 403,
      });
    });

    test("a RoleBinding's rules hold in its namespace only; a named get is forbidden naming the group-qualified resource, the object and its namespace", async () => {
      assert.equal((await call(api, "/api/v1/namespaces/prod/pods", { user: "prod-reader" })).status, 200);
      const r = await call(api, "/apis/networking.k8s.io/v1/namespaces/dev/networkpolicies/x", { user: "prod-reader" });
      assert.equal(r.status, 403);
      assert.equal(r.body["message"], 'networkpolicies.networking.k8s.io "x" is forbidden: User "prod-reader" cannot get resource "networkpolicies" in API group "networking.k8s.io" in the namespace "dev"');
      assert.deepEqual(r.body["details"], { name: "x", group: "networking.k8s.io", kind: "networkpolicies" });
    });

    test("rotateToken: a new current token; the old one works until revoked (a projected service account token's rotation)", async () => {
      api.addUser({ name: "rotating" });
      const old = api.token("rotating");
      const fresh = api.rotateToken("rotating");
      assert.notEqual(fresh, old);
      assert.equal(api.token("rotating"), fresh);
      assert.equal((await call(api, "/api/v1/pods", { token: old })).status, 200);
      api.revokeToken("rotating", old);
      assert.equal((await call(api, "/api/v1/pods", { token: old })).status, 401);
      assert.equal((await call(api, "/api/v1/pods", { token: fresh })).status, 200);
    });

    test("writeServiceAccount: a pod's token, ca.crt and namespace files, rewritten after a rotation, and KUBERNETES_SERVICE_HOST/PORT", async () => {
      const dir = mkdtempSync(join(tmpdir(), "standin-sa-"));
      try {
        const env = api.writeServiceAccount(dir, "admin", "portcullis");
        assert.deepEqual(env, { KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: String(new URL(api.url).port) });
        assert.equal(readFileSync(join(dir, "token"), "utf8"), api.token("admin"));
        assert.equal(readFileSync(join(dir, "ca.crt"), "utf8"), api.caPem);
        assert.equal(readFileSync(join(dir, "namespace"), "utf8"), "portcullis");
        const token = readFileSync(join(dir, "token"), "utf8");
        assert.equal((await call(api, "/api/v1/namespaces", { token })).status, 200);
        const fresh = api.rotateToken("admin");
        api.writeServiceAccount(dir, "admin", "portcullis");
        assert.equal(readFileSync(join(dir, "token"), "utf8"), fresh);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('a namespace object is "in" its own namespace for RBAC: `namespaces "dev" is forbidden: … in the namespace "dev"`; a RoleBinding in prod lets its holder get namespace prod', async () => {
      api.addUser({ name: "ns-reader", rules: [{ verbs: ["get"], resources: ["namespaces"], namespaces: ["prod"] }] });
      assert.equal((await call(api, "/api/v1/namespaces/prod", { user: "ns-reader" })).status, 200);
      const r = await call(api, "/api/v1/namespaces/dev", { user: "ns-reader" });
      assert.equal(r.status, 403);
      assert.equal(r.body["message"], 'namespaces "dev" is forbidden: User "ns-reader" cannot get resource "namespaces" in API group "" in the namespace "dev"');
    });

    test("setRules changes what a user may do at once (a ClusterRoleBinding added)", async () => {
      api.addUser({ name: "late", rules: [] });
      assert.equal((await call(api, "/api/v1/nodes", { user: "late" })).status, 403);
      api.setRules("late", [{ verbs: ["list"], resources: ["nodes"], apiGroups: [""] }]);
      assert.equal((await call(api, "/api/v1/nodes", { user: "late" })).status, 200);
    });
  });

  describe("discovery", () => {
    test("/api, /apis and the group-versions the reader needs: core v1, networking.k8s.io/v1, policy.networking.k8s.io v1alpha1 (ANP, BANP) and v1alpha2 (ClusterNetworkPolicy)", async () => {
      assert.deepEqual((await call(api, "/api")).body["versions"], ["v1"]);
      const groups = (await call(api, "/apis")).body["groups"] as { name: string; versions: { groupVersion: string }[]; preferredVersion: { version: string } }[];
      const policy = groups.find((g) => g.name === "policy.networking.k8s.io");
      assert.deepEqual(policy?.versions.map((v) => v.groupVersion), ["policy.networking.k8s.io/v1alpha2", "policy.networking.k8s.io/v1alpha1"]);
      assert.ok(groups.some((g) => g.name === "networking.k8s.io"));
      const v1alpha1 = (await call(api, "/apis/policy.networking.k8s.io/v1alpha1")).body;
      assert.equal(v1alpha1["kind"], "APIResourceList");
      assert.deepEqual((v1alpha1["resources"] as { kind: string; namespaced: boolean }[]).map((r) => [r.kind, r.namespaced]), [
        ["AdminNetworkPolicy", false],
        ["BaselineAdminNetworkPolicy", false],
      ]);
      const v1alpha2 = (await call(api, "/apis/policy.networking.k8s.io/v1alpha2")).body;
      assert.deepEqual((v1alpha2["resources"] as { name: string }[]).map((r) => r.name), ["clusternetworkpolicies"]);
      const core = (await call(api, "/api/v1")).body["resources"] as { name: string; verbs: string[] }[];
      assert.ok(core.find((r) => r.name === "pods")?.verbs.includes("watch"));
      assert.equal((await call(api, "/version")).body["major"], "1");
    });

    test("an API the server does not serve: 404 NotFound Status (as for admin policy CRDs not installed)", async () => {
      const r = await call(api, "/apis/example.com/v1/widgets");
      assert.equal(r.status, 404);
      assert.equal(r.body["reason"], "NotFound");
      assert.equal(r.body["message"], "the server could not find the requested resource");
    });
  });

  describe("list", () => {
    test("a list has metadata.resourceVersion; built-in items carry no kind/apiVersion on the wire, custom resources' items do", async () => {
      api.apply({ apiVersion: "policy.networking.k8s.io/v1alpha1", kind: "BaselineAdminNetworkPolicy", metadata: { name: "default" }, spec: {} });
      const pods = (await call(api, "/api/v1/namespaces/prod/pods")).body;
      assert.equal(pods["kind"], "PodList");
      assert.equal(meta(pods)["resourceVersion"], String(api.resourceVersion));
      assert.deepEqual(names(pods), ["db-1", "web-1"]);
      const item = (pods["items"] as Record<string, unknown>[])[0] ?? {};
      assert.equal(item["kind"], undefined);
      assert.equal(item["apiVersion"], undefined);
      const banp = (await call(api, "/apis/policy.networking.k8s.io/v1alpha1/baselineadminnetworkpolicies")).body;
      assert.equal((banp["items"] as KubeObject[])[0]?.kind, "BaselineAdminNetworkPolicy");
    });

    test('"all namespaces" is the path without /namespaces/NS; a namespaced list holds only that namespace', async () => {
      assert.deepEqual(names((await call(api, "/api/v1/pods")).body), ["web-1", "db-1", "web-1"]);
      assert.deepEqual(names((await call(api, "/api/v1/namespaces/dev/pods")).body), ["web-1"]);
    });

    test("labelSelector and fieldSelector (spec.nodeName) on a list; an unsupported field is a 400 BadRequest", async () => {
      assert.deepEqual(names((await call(api, "/api/v1/pods?labelSelector=app%3Dweb")).body), ["web-1", "web-1"]);
      assert.deepEqual(names((await call(api, "/api/v1/pods?labelSelector=app%20notin%20(web)")).body), ["db-1"]);
      assert.deepEqual(names((await call(api, "/api/v1/pods?fieldSelector=spec.nodeName%3Dn2")).body), ["db-1"]);
      const bad = await call(api, "/api/v1/pods?fieldSelector=spec.foo%3D1");
      assert.equal(bad.status, 400);
      assert.equal(bad.body["reason"], "BadRequest");
      assert.equal(bad.body["message"], "field label not supported: spec.foo");
    });

    test('"limit" and "continue": pages of a consistent snapshot — "changes made after the first chunk are not visible" — with remainingItemCount', async () => {
      for (let i = 0; i < 5; i++) api.apply(pod("paged", `p${i}`));
      const first = (await call(api, "/api/v1/namespaces/paged/pods?limit=2")).body;
      assert.deepEqual(names(first), ["p0", "p1"]);
      assert.equal(meta(first)["remainingItemCount"], 3);
      const rv = meta(first)["resourceVersion"];
      api.remove("Pod", "paged", "p2");
      api.apply(pod("paged", "p3", { changed: "yes" }));
      api.apply(pod("paged", "p9"));
      const second = (await call(api, `/api/v1/namespaces/paged/pods?limit=2&continue=${String(meta(first)["continue"])}`)).body;
      assert.deepEqual(names(second), ["p2", "p3"]);
      assert.deepEqual((second["items"] as KubeObject[])[1]?.metadata.labels, {});
      assert.equal(meta(second)["resourceVersion"], rv, "every page is at the first page's resourceVersion");
      const third = (await call(api, `/api/v1/namespaces/paged/pods?limit=2&continue=${String(meta(second)["continue"])}`)).body;
      assert.deepEqual(names(third), ["p4"]);
      assert.equal(meta(third)["continue"], undefined);
      const now = (await call(api, "/api/v1/namespaces/paged/pods")).body;
      assert.deepEqual(names(now), ["p0", "p1", "p3", "p4", "p9"]);
    });

    test("a page filtered by a selector may come back short or empty with a continue token (the server pages keys, then filters)", async () => {
      const first = (await call(api, "/api/v1/pods?limit=1&labelSelector=app%3Ddb")).body;
      assert.deepEqual(names(first), ["db-1"]);
      assert.equal(meta(first)["remainingItemCount"], undefined, "no remainingItemCount with a selector");
      let token = meta(first)["continue"];
      const seen: string[] = [];
      while (typeof token === "string") {
        const page = (await call(api, `/api/v1/pods?limit=1&labelSelector=app%3Ddb&continue=${token}`)).body;
        seen.push(...names(page));
        token = meta(page)["continue"];
      }
      assert.deepEqual(seen, []);
    });

    test('"the continue token … will expire after a period of time … 410 Gone": after compaction, the apiserver\'s Expired Status with a fresh token', async () => {
      for (let i = 0; i < 3; i++) api.apply(pod("compacted", `c${i}`));
      const first = (await call(api, "/api/v1/namespaces/compacted/pods?limit=1")).body;
      api.apply(pod("compacted", "c9"));
      api.compact();
      const r = await call(api, `/api/v1/namespaces/compacted/pods?limit=1&continue=${String(meta(first)["continue"])}`);
      assert.equal(r.status, 410);
      assert.equal(r.body["reason"], "Expired");
      assert.match(String(r.body["message"]), /^The provided continue parameter is too old to display a consistent list result\./);
      const fresh = await call(api, `/api/v1/namespaces/compacted/pods?limit=10&continue=${String(meta(r.body)["continue"])}`);
      assert.deepEqual(names(fresh.body), ["c1", "c2", "c9"], "the inconsistent continuation: the rest of the list as it is now");
    });

    test("a garbled continue token is a 400; continue with resourceVersion is a 400", async () => {
      assert.equal((await call(api, "/api/v1/pods?continue=garbage")).status, 400);
      const first = (await call(api, "/api/v1/pods?limit=1")).body;
      assert.equal((await call(api, `/api/v1/pods?limit=1&resourceVersion=1&continue=${String(meta(first)["continue"])}`)).status, 400);
    });
  });

  describe("get, create, update, patch, delete", () => {
    test("get: the object with kind and apiVersion; a missing one is 404 with the apiserver's message and details", async () => {
      const r = await call(api, "/api/v1/namespaces/prod/pods/web-1");
      assert.equal(r.body["kind"], "Pod");
      const missing = await call(api, "/api/v1/namespaces/prod/pods/nope");
      assert.equal(missing.status, 404);
      assert.equal(missing.body["message"], 'pods "nope" not found');
      assert.deepEqual(missing.body["details"], { name: "nope", kind: "pods" });
    });

    test("create (201, then 409 AlreadyExists), update with a stale resourceVersion (409 Conflict), merge patch, delete, dryRun=All persists nothing", async () => {
      const obj = pod("prod", "made");
      const dry = await call(api, "/api/v1/namespaces/prod/pods?dryRun=All", { user: "admin" }, "POST", obj);
      assert.equal(dry.status, 201);
      assert.equal(api.get("Pod", "prod", "made"), undefined);
      const created = await call(api, "/api/v1/namespaces/prod/pods", { user: "admin" }, "POST", obj);
      assert.equal(created.status, 201);
      const again = await call(api, "/api/v1/namespaces/prod/pods", { user: "admin" }, "POST", obj);
      assert.equal(again.status, 409);
      assert.equal(again.body["reason"], "AlreadyExists");
      const stale = { ...obj, metadata: { ...obj.metadata, resourceVersion: "1" } };
      const conflict = await call(api, "/api/v1/namespaces/prod/pods/made", { user: "admin" }, "PUT", stale);
      assert.equal(conflict.status, 409);
      assert.equal(conflict.body["reason"], "Conflict");
      const patched = await call(api, "/api/v1/namespaces/prod/pods/made", { user: "admin" }, "PATCH", { metadata: { labels: { x: "y" } } }, "application/merge-patch+json");
      assert.equal(patched.status, 200);
      assert.deepEqual(api.get("Pod", "prod", "made")?.metadata.labels, { x: "y" });
      const deleted = await call(api, "/api/v1/namespaces/prod/pods/made", { user: "admin" }, "DELETE");
      assert.equal(deleted.status, 200);
      assert.equal(api.get("Pod", "prod", "made"), undefined);
    });

    test('create with generateName: "a unique suffix" appended (an agent\'s Events)', async () => {
      const event = { apiVersion: "v1", kind: "Event", metadata: { generateName: "portcullis-agent." }, reason: "Applied" };
      const r = await call(api, "/api/v1/namespaces/prod/events", { user: "admin" }, "POST", event);
      assert.equal(r.status, 201);
      const name = (r.body["metadata"] as { name: string }).name;
      assert.match(name, /^portcullis-agent\.[a-z0-9]{5}$/);
      assert.equal(api.get("Event", "prod", name)?.["reason"], "Applied");
    });

    test('create in a namespace that does not exist: 404 `namespaces "x" not found`', async () => {
      const r = await call(api, "/api/v1/namespaces/ghost/pods", { user: "admin" }, "POST", pod("ghost", "p"));
      assert.equal(r.status, 404);
      assert.equal(r.body["message"], 'namespaces "ghost" not found');
    });
  });

  describe("watch", () => {
    test("without resourceVersion: an ADDED per existing object, then the changes as they happen (ADDED, MODIFIED, DELETED), each with its resourceVersion", async () => {
      api.apply(ns("w1"));
      api.apply(pod("w1", "a"));
      const w = await watch(api, "/api/v1/namespaces/w1/pods?watch=1");
      assert.equal(w.status, 200);
      await w.waitFor(1);
      api.apply(pod("w1", "b"));
      api.apply(pod("w1", "a", { v: "2" }));
      api.remove("Pod", "w1", "b");
      const events = await w.waitFor(4);
      assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name]), [["ADDED", "a"], ["ADDED", "b"], ["MODIFIED", "a"], ["DELETED", "b"]]);
      assert.equal(events[3]?.object.kind, "Pod", "watch objects carry kind and apiVersion");
      assert.equal(events[3]?.object.metadata.resourceVersion, String(api.resourceVersion), "a DELETED object carries the deletion's resourceVersion");
      w.close();
    });

    test("from a resourceVersion: only the changes after it", async () => {
      api.apply(pod("w2", "a"));
      const rv = api.resourceVersion;
      api.apply(pod("w2", "b"));
      const w = await watch(api, `/api/v1/namespaces/w2/pods?watch=true&resourceVersion=${rv}`);
      const events = await w.waitFor(1);
      assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name]), [["ADDED", "b"]]);
      w.close();
    });

    test("a selector watch: an object that stops matching arrives as DELETED, one that starts matching as ADDED", async () => {
      api.apply(pod("w3", "a", { app: "web" }));
      const w = await watch(api, "/api/v1/namespaces/w3/pods?watch=1&labelSelector=app%3Dweb");
      await w.waitFor(1);
      api.apply(pod("w3", "a", { app: "db" }));
      api.apply(pod("w3", "a", { app: "web" }));
      const events = await w.waitFor(3);
      assert.deepEqual(events.map((e) => e.type), ["ADDED", "DELETED", "ADDED"]);
      w.close();
    });

    test('"410 Gone … the client must … perform a new list": a watch from a compacted resourceVersion is a 200 with one ERROR event carrying the Expired Status, then the end', async () => {
      api.apply(pod("w4", "a"));
      const rv = api.resourceVersion;
      api.apply(pod("w4", "b"));
      api.compact();
      const w = await watch(api, `/api/v1/namespaces/w4/pods?watch=1&resourceVersion=${rv}`);
      assert.equal(w.status, 200);
      assert.equal(await w.ended, "end");
      assert.equal(w.events.length, 1);
      assert.equal(w.events[0]?.type, "ERROR");
      assert.deepEqual(w.events[0]?.object, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: `too old resource version: ${rv} (${api.resourceVersion})`, reason: "Expired", code: 410 });
    });

    test("allowWatchBookmarks: BOOKMARK events with only the latest resourceVersion; none without it", async () => {
      const rv = api.resourceVersion;
      const w = await watch(api, `/api/v1/pods?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true`);
      const [bookmark] = await w.waitFor(1);
      assert.deepEqual(bookmark, { type: "BOOKMARK", object: { kind: "Pod", apiVersion: "v1", metadata: { resourceVersion: String(rv), creationTimestamp: null } } });
      w.close();
      const plain = await watch(api, `/api/v1/pods?watch=1&resourceVersion=${rv}`);
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(plain.events, []);
      plain.close();
    });

    test("timeoutSeconds ends the stream cleanly (the end of the chunked body, no error)", async () => {
      const started = Date.now();
      const w = await watch(api, `/api/v1/pods?watch=1&resourceVersion=${api.resourceVersion}&timeoutSeconds=1`);
      assert.equal(await w.ended, "end");
      assert.ok(Date.now() - started >= 900);
    });

    test("a watch on a named object (the path with NAME) sees that object only", async () => {
      api.apply(pod("w5", "a"));
      const w = await watch(api, `/api/v1/namespaces/w5/pods/a?watch=1&resourceVersion=${api.resourceVersion}`);
      api.apply(pod("w5", "b"));
      api.apply(pod("w5", "a", { v: "2" }));
      const events = await w.waitFor(1);
      assert.deepEqual(events.map((e) => [e.type, e.object.metadata.name]), [["MODIFIED", "a"]]);
      w.close();
    });
  });

  describe("faults", () => {
    test("closeWatchAfter(2): the next watch's connection drops after 2 events (no clean end); the one after is whole", async () => {
      for (let i = 0; i < 4; i++) api.apply(pod("f1", `p${i}`));
      api.faults.closeWatchAfter(2, { path: "/api/v1/namespaces/f1/pods" });
      const w = await watch(api, "/api/v1/namespaces/f1/pods?watch=1");
      assert.equal(await w.ended, "aborted");
      assert.equal(w.events.length, 2);
      const again = await watch(api, "/api/v1/namespaces/f1/pods?watch=1");
      await again.waitFor(4);
      again.close();
    });

    test("closeWatchAfter(0, every): every watch answers 200 and drops at once, until the faults are cleared", async () => {
      api.faults.closeWatchAfter(0, { path: "/api/v1/namespaces/f1/pods", every: true });
      for (let i = 0; i < 2; i++) {
        const w = await watch(api, "/api/v1/namespaces/f1/pods?watch=1");
        assert.equal(w.status, 200);
        assert.equal(await w.ended, "aborted");
        assert.deepEqual(w.events, []);
      }
      api.faults.clear();
      const whole = await watch(api, "/api/v1/namespaces/f1/pods?watch=1");
      await whole.waitFor(4);
      whole.close();
    });

    test("stallWatch: 200, then nothing — not even bookmarks — while the connection stays open", async () => {
      api.faults.stallWatch({ path: "/api/v1/pods" });
      const w = await watch(api, `/api/v1/pods?watch=1&allowWatchBookmarks=true&resourceVersion=${api.resourceVersion}`);
      assert.equal(w.status, 200);
      api.apply(pod("f2", "a"));
      const state = await Promise.race([w.ended, new Promise((r) => setTimeout(() => r("open"), 300))]);
      assert.equal(state, "open");
      assert.deepEqual(w.events, []);
      w.close();
    });

    test("fail(2): the next 2 requests of the path are 500 InternalError, then it answers", async () => {
      api.faults.fail(2, { path: "/api/v1/nodes" });
      const first = await call(api, "/api/v1/nodes");
      assert.equal(first.status, 500);
      assert.equal(first.body["reason"], "InternalError");
      assert.equal((await call(api, "/api/v1/namespaces")).status, 200, "other paths are unaffected");
      assert.equal((await call(api, "/api/v1/nodes")).status, 500);
      assert.equal((await call(api, "/api/v1/nodes")).status, 200);
    });

    test("throttle: 429 TooManyRequests with a Retry-After header and details.retryAfterSeconds", async () => {
      api.faults.throttle(1, 3);
      const r = await call(api, "/api/v1/pods");
      assert.equal(r.status, 429);
      assert.equal(r.headers["retry-after"], "3");
      assert.deepEqual(r.body["details"], { retryAfterSeconds: 3 });
      assert.equal((await call(api, "/api/v1/pods")).status, 200);
      assert.deepEqual(api.requests.slice(-2).map((q) => q.status), [429, 200], "the log has each answer's status");
    });

    test("slowBodies: a body arrives in many small chunks and still parses", async () => {
      api.faults.slowBodies(50, 1);
      try {
        const r = await call(api, "/api/v1/namespaces/prod/pods");
        assert.deepEqual(names(r.body), ["db-1", "web-1"]);
        assert.ok(r.chunks > 5, `${r.chunks} chunks`);
      } finally {
        api.faults.clear();
      }
    });
  });

  test("the request log: method, path, query and user, for tests to assert what a client asked", async () => {
    await call(api, "/api/v1/pods?limit=2&labelSelector=app%3Dweb", { user: "admin" });
    const last = api.requests.at(-1);
    assert.deepEqual(last, { method: "GET", path: "/api/v1/pods", query: { limit: "2", labelSelector: "app=web" }, user: "admin", status: 200 });
  });
});

/**
 * The client's writes (create, delete, delete by label) and pod logs, against the stand-in API
 * server over TLS, and the log route of a small HTTP server (the apiserver's text/plain answer).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type StandIn, startStandIn } from "./standin/standin.js";
import { KubeClient } from "./client.js";
import { loadClusterConfig } from "./config-load.js";
import type { ClusterConfig } from "./kubeconfig.js";
import type { LiveResource } from "./live.js";
import { Transport } from "./transport.js";

const dir = mkdtempSync(join(tmpdir(), "kube-writes-"));
let counter = 0;
const PODS: LiveResource = { group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true };
const CONFIGMAPS: LiveResource = { group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true };

function configFrom(text: string): ClusterConfig {
  const path = join(dir, `kubeconfig-${++counter}`);
  writeFileSync(path, text);
  const r = loadClusterConfig({ kubeconfig: path, env: {} });
  assert.ok(r.ok, JSON.stringify(r));
  return r.value;
}

const pod = (name: string, labels: Record<string, string>) => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "prod", labels }, spec: { containers: [{ name: "c", image: "x" }] } });

describe("client writes against the stand-in", () => {
  let api: StandIn;
  let client: KubeClient;
  before(async () => {
    api = await startStandIn({ users: [{ name: "admin" }] });
    api.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "prod" } });
    client = new KubeClient(new Transport(configFrom(api.kubeconfig("admin"))));
  });
  after(async () => {
    client.transport.close();
    await api.close();
  });

  test("create answers the object as stored: kind set, a uid (what an ownerReference names) and a resourceVersion", async () => {
    const r = await client.create(CONFIGMAPS, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "run-1", labels: { run: "1" } }, data: {} }, "prod");
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.value.kind, "ConfigMap");
    assert.equal(r.value.metadata.namespace, "prod");
    assert.equal(typeof r.value.metadata["uid"], "string");
    assert.ok(api.get("ConfigMap", "prod", "run-1") !== undefined);
  });

  test("create of a name that exists: the server's 409 AlreadyExists as an http error, not a throw", async () => {
    const r = await client.create(CONFIGMAPS, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "run-1" } }, "prod");
    assert.ok(!r.ok);
    assert.equal(r.error.kind, "http");
    assert.match(r.error.message, /already exists/);
  });

  test("delete with propagationPolicy and gracePeriodSeconds: sent in the query as kubectl --cascade/--grace-period do; a second delete is `gone`, not an error", async () => {
    api.apply(pod("a", { run: "x" }) as never);
    const first = await client.delete(PODS, "a", "prod", { propagationPolicy: "Background", gracePeriodSeconds: 0 });
    assert.deepEqual(first, { ok: true, value: "deleted" });
    const sent = api.requests.filter((q) => q.method === "DELETE" && q.path.endsWith("/pods/a")).at(-1);
    assert.deepEqual(sent?.query, { propagationPolicy: "Background", gracePeriodSeconds: "0" });
    assert.deepEqual(await client.delete(PODS, "a", "prod"), { ok: true, value: "gone" });
  });

  test("deleteSelected removes exactly the objects of the label selector, in every namespace when none is given", async () => {
    api.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "dev" } });
    api.apply(pod("t1", { "portcullis.dev/verify-run": "r1" }) as never);
    api.apply({ ...pod("t2", { "portcullis.dev/verify-run": "r1" }), metadata: { name: "t2", namespace: "dev", labels: { "portcullis.dev/verify-run": "r1" } } } as never);
    api.apply(pod("real", { app: "web" }) as never);
    const r = await client.deleteSelected(PODS, "portcullis.dev/verify-run=r1");
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual([...r.value].sort(), ["dev/t2", "prod/t1"]);
    assert.deepEqual(api.list("Pod").map((p) => p.metadata.name), ["real"]);
  });

  test("a forbidden delete is the server's 403 (RBAC without delete on pods)", async () => {
    api.addUser({ name: "reader", rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }] });
    const reader = new KubeClient(new Transport(configFrom(api.kubeconfig("reader"))));
    const r = await reader.delete(PODS, "real", "prod");
    reader.transport.close();
    assert.ok(!r.ok);
    assert.equal(r.error.kind === "http" && r.error.status, "forbidden");
  });
});

describe("pod logs", () => {
  test("GET /api/v1/namespaces/NS/pods/NAME/log?container=C: the text/plain body as is (JSON lines stay lines); a 400 Status (container waiting to start) is an http error with its message", async () => {
    const seen: string[] = [];
    const server = createHttpServer((req, res) => {
      seen.push(req.url ?? "");
      if ((req.url ?? "").startsWith("/api/v1/namespaces/prod/pods/twin/log")) {
        res.writeHead(200, { "Content-Type": "text/plain" });
        res.end('{"portcullis-probe":1,"ready":true}\n{"done":true,"probes":0}\n');
        return;
      }
      res.writeHead(400, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", message: 'container "agent" in pod "pending" is waiting to start: ContainerCreating', reason: "BadRequest", code: 400 }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const client = new KubeClient(new Transport(configFrom(`clusters: [{name: p, cluster: {server: "http://127.0.0.1:${port}"}}]\ncontexts: [{name: p, context: {cluster: p}}]\ncurrent-context: p\n`)));
    const text = await client.logs("prod", "twin", { container: "agent" });
    const waiting = await client.logs("prod", "pending");
    client.transport.close();
    server.close();
    assert.deepEqual(text, { ok: true, value: '{"portcullis-probe":1,"ready":true}\n{"done":true,"probes":0}\n' });
    assert.ok(!waiting.ok);
    assert.match(waiting.error.message, /is waiting to start: ContainerCreating/);
    assert.deepEqual(seen, ["/api/v1/namespaces/prod/pods/twin/log?container=agent", "/api/v1/namespaces/prod/pods/pending/log"]);
  });
});

/**
 * The client against the stand-in API server (src/kube/standin): the real wire protocol over TLS,
 * with its faults. No kube-apiserver runs on these machines; the stand-in is kept honest by kubectl
 * in its own tests.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { type Socket, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type StandIn, startStandIn } from "./standin/standin.js";
import { KubeClient, type WatchEvent } from "./client.js";
import { loadClusterConfig } from "./config-load.js";
import type { ClusterConfig } from "./kubeconfig.js";
import type { LiveObject, LiveResource } from "./live.js";
import { readLiveCluster } from "./read.js";
import { LIVE_RESOURCES } from "./resources.js";
import { Transport } from "./transport.js";

const dir = mkdtempSync(join(tmpdir(), "kube-client-"));
const PODS = LIVE_RESOURCES.find((r) => r.kind === "Pod")!;
let counter = 0;

/** A kubeconfig file for the stand-in, loaded as a command would (`--kubeconfig`). */
function configFrom(text: string): ClusterConfig {
  const path = join(dir, `kubeconfig-${++counter}`);
  writeFileSync(path, text);
  const r = loadClusterConfig({ kubeconfig: path, env: {} });
  assert.ok(r.ok, JSON.stringify(r));
  return r.value;
}

const pod = (namespace: string, name: string, labels: Record<string, string> = {}, ip?: string): LiveObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace, labels, managedFields: [{ manager: "kubectl" }] },
  spec: { nodeName: "n1", containers: [{ name: "c", image: "x", env: [{ name: "A", value: "b" }] }] },
  status: ip === undefined ? { phase: "Pending" } : { phase: "Running", podIP: ip, podIPs: [{ ip }] },
});

function seed(api: StandIn): void {
  api.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "prod", labels: { env: "prod" } } });
  api.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "dev" } });
  api.apply({ apiVersion: "v1", kind: "Node", metadata: { name: "n1" }, spec: { podCIDR: "10.244.1.0/24" } });
  api.apply(pod("prod", "web-1", { app: "web" }, "10.244.1.5") as never);
  api.apply(pod("dev", "web-1", { app: "web" }, "10.244.1.6") as never);
  api.apply({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "deny", namespace: "prod" }, spec: { podSelector: {}, policyTypes: ["Egress"] } });
  api.apply({ apiVersion: "policy.networking.k8s.io/v1alpha1", kind: "BaselineAdminNetworkPolicy", metadata: { name: "default" }, spec: { subject: { namespaces: {} }, egress: [] } });
}

const kinds = (objects: readonly LiveObject[]): string[] => objects.map((o) => `${o.kind} ${o.metadata.namespace === undefined ? "" : `${o.metadata.namespace}/`}${o.metadata.name}`).sort();

describe("the client against the stand-in", () => {
  let api: StandIn;
  before(async () => {
    api = await startStandIn({ users: [{ name: "admin" }] });
    seed(api);
  });
  after(() => api.close());

  test("TLS + bearer token (a kubeconfig as kind writes one): every modelled kind read, kind/apiVersion set on list items, objects trimmed, source named", async () => {
    const config = configFrom(api.kubeconfig("admin"));
    const r = await readLiveCluster(config, { namespace: null });
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(kinds(r.value.objects), ["BaselineAdminNetworkPolicy default", "Namespace dev", "Namespace prod", "NetworkPolicy prod/deny", "Node n1", "Pod dev/web-1", "Pod prod/web-1"]);
    assert.deepEqual(r.value.missing, []);
    const web = r.value.objects.find((o) => o.kind === "Pod" && o.metadata.namespace === "prod")!;
    assert.equal(web.apiVersion, "v1");
    assert.equal(web.metadata["managedFields"], undefined);
    assert.deepEqual(web["spec"], { nodeName: "n1", containers: [{ name: "c" }] });
    assert.match(r.value.source, new RegExp(`^cluster ${api.url} \\(context standin, kubeconfig .*kubeconfig-\\d+\\)$`));
    const listed = api.requests.filter((q) => q.path === "/api/v1/pods");
    assert.equal(listed.at(-1)?.query["limit"], "500");
  });

  test("client certificate (CN=admin) authenticates; -n prod lists namespaced kinds in prod only and still reads Namespaces and Nodes", async () => {
    const config = configFrom(api.kubeconfig("admin", "cert"));
    const r = await readLiveCluster(config, { namespace: "prod" });
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(kinds(r.value.objects), ["BaselineAdminNetworkPolicy default", "Namespace dev", "Namespace prod", "NetworkPolicy prod/deny", "Node n1", "Pod prod/web-1"]);
    assert.ok(api.requests.some((q) => q.path === "/api/v1/namespaces/prod/pods" && q.user === "admin"));
  });

  test("RBAC: a 403 becomes MissingAccess naming the verb and resource (never a silent drop); a Namespace list refused falls back to getting the -n namespace", async () => {
    // A namespace-scoped viewer, as a RoleBinding in prod grants: the apiserver authorizes get namespaces/prod in prod.
    api.addUser({ name: "viewer", rules: [{ verbs: ["list", "get"], resources: ["pods", "services", "networkpolicies", "namespaces"], namespaces: ["prod"] }] });
    const config = configFrom(api.kubeconfig("viewer"));
    const r = await readLiveCluster(config, { namespace: "prod" });
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(kinds(r.value.objects), ["Namespace prod", "NetworkPolicy prod/deny", "Pod prod/web-1"]);
    const missing = r.value.missing.map((m) => `${m.verb} ${m.resource.resource} ${m.namespace ?? "(cluster)"} ${m.reason}`).sort();
    assert.deepEqual(missing, [
      "list baselineadminnetworkpolicies (cluster) forbidden",
      "list adminnetworkpolicies (cluster) forbidden",
      "list clusternetworkpolicies (cluster) forbidden",
      "list cronjobs prod forbidden",
      "list daemonsets prod forbidden",
      "list deployments prod forbidden",
      "list jobs prod forbidden",
      "list namespaces (cluster) forbidden",
      "list nodes (cluster) forbidden",
      "list replicasets prod forbidden",
      "list replicationcontrollers prod forbidden",
      "list statefulsets prod forbidden",
    ].sort());
    const deployments = r.value.missing.find((m) => m.resource.resource === "deployments")!;
    assert.match(deployments.message, /deployments.apps is forbidden: User "viewer" cannot list resource "deployments" in API group "apps" in the namespace "prod"/);
    // Without get on namespaces either: both refusals are said.
    api.addUser({ name: "pods-only", rules: [{ verbs: ["list"], resources: ["pods"], namespaces: ["prod"] }] });
    const narrow = await readLiveCluster(configFrom(api.kubeconfig("pods-only")), { namespace: "prod" });
    assert.ok(narrow.ok);
    assert.deepEqual(kinds(narrow.value.objects), ["Pod prod/web-1"]);
    const ns = narrow.value.missing.filter((m) => m.resource.kind === "Namespace").map((m) => `${m.verb} ${m.message}`);
    assert.deepEqual(ns, [
      `list ${api.url}/api/v1/namespaces: namespaces is forbidden: User "pods-only" cannot list resource "namespaces" in API group "" at the cluster scope (HTTP 403)`,
      `get ${api.url}/api/v1/namespaces/prod: namespaces "prod" is forbidden: User "pods-only" cannot get resource "namespaces" in API group "" in the namespace "prod" (HTTP 403)`,
    ]);
  });

  test("a resource the server does not serve (404 on an optional kind, as admin policy CRDs not installed) is MissingAccess not-served", async () => {
    const widgets: LiveResource = { group: "example.com", version: "v1", resource: "widgets", kind: "Widget", namespaced: false, optional: true };
    const r = await readLiveCluster(configFrom(api.kubeconfig("admin")), { namespace: null, resources: [widgets, PODS] });
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.value.missing.map((m) => [m.resource.kind, m.reason, m.message]), [["Widget", "not-served", `${api.url}/apis/example.com/v1/widgets: the server could not find the requested resource (HTTP 404)`]]);
  });

  test("expired or revoked credentials: the read fails with a message saying so and naming the kubeconfig context", async () => {
    api.addUser({ name: "leaver" });
    const config = configFrom(api.kubeconfig("leaver"));
    api.revokeToken("leaver");
    const r = await readLiveCluster(config, { namespace: null });
    assert.ok(!r.ok);
    assert.equal(r.error.kind, "http");
    assert.match(r.error.message, /^the cluster rejected the credentials \(expired or revoked\?\) of context standin, kubeconfig .*: Unauthorized \(HTTP 401 from https:\/\/127\.0\.0\.1:\d+\/api\/v1\/\w+\)$/);
  });

  test("pagination: 1234 pods at limit 500 come in 3 pages, continue followed to the end, one resourceVersion", async () => {
    for (let i = 0; i < 1234; i++) api.apply(pod("bulk", `p-${String(i).padStart(4, "0")}`) as never);
    const client = new KubeClient(new Transport(configFrom(api.kubeconfig("admin"))));
    const before = api.requests.length;
    const r = await client.list(PODS, { namespace: "bulk" });
    client.transport.close();
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.value.items.length, 1234);
    assert.equal(r.value.pages, 3);
    assert.equal(new Set(r.value.items.map((o) => o.metadata.name)).size, 1234);
    assert.equal(r.value.resourceVersion, String(api.resourceVersion));
    const pages = api.requests.slice(before).filter((q) => q.path === "/api/v1/namespaces/bulk/pods");
    assert.deepEqual(pages.map((q) => q.query["continue"] !== undefined), [false, true, true]);
  });

  test("continue token expired (410 after compaction between pages): the list starts over once and returns the current state", async () => {
    const config = configFrom(api.kubeconfig("admin"));
    /** A transport that, after the first page, changes the store and compacts it (as etcd compaction every 5 min would). */
    class CompactingTransport extends Transport {
      private pages = 0;
      override async getJson(path: string, signal?: AbortSignal) {
        const r = await super.getJson(path, signal);
        if (++this.pages === 1) {
          api.apply(pod("bulk", "zz-late") as never);
          api.compact();
        }
        return r;
      }
    }
    const client = new KubeClient(new CompactingTransport(config));
    const r = await client.list(PODS, { namespace: "bulk", limit: 1000 });
    client.transport.close();
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.value.restarted, true);
    assert.equal(r.value.items.length, 1235);
    assert.ok(r.value.items.some((o) => o.metadata.name === "zz-late"));
  });

  test("500s and 429 Retry-After: the read retries (honouring Retry-After) and succeeds; a 500 that persists fails the read", async () => {
    const config = configFrom(api.kubeconfig("admin"));
    api.faults.throttle(1, 1, { path: "/api/v1/nodes" });
    api.faults.fail(1, { path: "/api/v1/services" });
    const start = Date.now();
    const r = await readLiveCluster(config, { namespace: null });
    assert.ok(r.ok, JSON.stringify(r));
    assert.ok(Date.now() - start >= 1000, `Retry-After: 1 honoured (took ${Date.now() - start} ms)`);
    api.faults.fail(5, { path: "/api/v1/nodes" });
    const failed = await readLiveCluster(config, { namespace: null, attempts: 2 });
    api.faults.clear();
    assert.ok(!failed.ok);
    assert.match(failed.error.message, /\/api\/v1\/nodes: Internal error occurred: injected by the stand-in \(HTTP 500\)/);
  });
});

describe("the wire, slowly", () => {
  let api: StandIn;
  before(async () => {
    api = await startStandIn({ users: [{ name: "admin" }] });
    seed(api);
  });
  after(() => api.close());

  test("bodies trickled 7 bytes at a time (chunk boundaries anywhere on the real wire): a list and a watch read the same as whole", async () => {
    const config = configFrom(api.kubeconfig("admin"));
    const whole = await readLiveCluster(config, { namespace: null });
    api.faults.slowBodies(7, 0);
    const slow = await readLiveCluster(config, { namespace: null });
    assert.ok(whole.ok && slow.ok);
    assert.deepEqual(slow.value.objects, whole.value.objects);
    const client = new KubeClient(new Transport(config));
    const listed = await client.list(PODS, { namespace: "prod" });
    assert.ok(listed.ok);
    const events: WatchEvent[] = [];
    const watching = client.watch(PODS, { namespace: "prod", resourceVersion: listed.value.resourceVersion, timeoutSeconds: 1 }, (e) => events.push(e));
    api.apply(pod("prod", "web-2", { app: "web" }, "10.244.1.8") as never);
    api.apply(pod("prod", "web-2", { app: "web", v: "2" }, "10.244.1.8") as never);
    api.remove("Pod", "prod", "web-2");
    const end = await watching;
    client.transport.close();
    api.faults.clear();
    assert.deepEqual(end, { kind: "closed" });
    assert.deepEqual(events.map((e) => (e.type === "BOOKMARK" ? e.type : `${e.type} ${e.object.metadata.name} ${(e.object.metadata["labels"] as Record<string, string>)["v"] ?? ""}`)), ["ADDED web-2 ", "MODIFIED web-2 2", "DELETED web-2 2"]);
  });

  test("a server URL with a path (Rancher's kubeconfig: server: https://rancher.example/k8s/clusters/c-m-xyz): requests go under that path, as client-go joins host path and API path", async () => {
    const seen: string[] = [];
    const proxy = createHttpServer((req, res) => {
      seen.push(req.url ?? "");
      const path = (req.url ?? "").split("?")[0]!;
      if (!path.startsWith("/k8s/clusters/c-1/")) {
        res.writeHead(404, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", message: "the server could not find the requested resource", code: 404 }));
        return;
      }
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: "7" }, items: [pod("prod", "web-1")] }));
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const port = (proxy.address() as { port: number }).port;
    const config = configFrom(`clusters: [{name: r, cluster: {server: "http://127.0.0.1:${port}/k8s/clusters/c-1"}}]\ncontexts: [{name: r, context: {cluster: r}}]\ncurrent-context: r\n`);
    const r = await readLiveCluster(config, { namespace: null, resources: [PODS] });
    proxy.close();
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(kinds(r.value.objects), ["Pod prod/web-1"]);
    assert.deepEqual(seen, ["/k8s/clusters/c-1/api/v1/pods?limit=500"]);
  });

  test("a watch answered 503 whose body never ends (an overloaded proxy): the watch fails after the request timeout instead of hanging for good (the timeout is lifted only for a 200 stream)", async () => {
    const sockets = new Set<Socket>();
    const proxy = createHttpServer((_req, res) => {
      res.writeHead(503, { "Content-Type": "application/json" });
      res.write('{"kind":"Status","message":"overl');
    });
    proxy.on("connection", (s) => sockets.add(s));
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const port = (proxy.address() as { port: number }).port;
    const config = configFrom(`clusters: [{name: p, cluster: {server: "http://127.0.0.1:${port}"}}]\ncontexts: [{name: p, context: {cluster: p}}]\ncurrent-context: p\n`);
    const transport = new Transport(config, { requestTimeoutMs: 300 });
    const stop = new AbortController();
    const hung = new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 3000).unref());
    const end = await Promise.race([new KubeClient(transport).watch(PODS, { resourceVersion: "1" }, () => undefined, stop.signal), hung]);
    stop.abort();
    transport.close();
    for (const s of sockets) s.destroy();
    proxy.close();
    assert.notEqual(end, "hung");
    assert.deepEqual(end, { kind: "error", error: { kind: "unreachable", message: `http://127.0.0.1:${port}/api/v1/pods?watch=1&allowWatchBookmarks=true&resourceVersion=1: the response stopped: no data for 300 ms` } });
  });

  test("a 404 on a built-in kind (pods: always served) fails the read: only an optional kind (admin policy CRDs) may be not-served, else the answer would silently miss every pod", async () => {
    const proxy = createHttpServer((_req, res) => {
      res.writeHead(404, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", message: "the server could not find the requested resource", code: 404 }));
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const port = (proxy.address() as { port: number }).port;
    const config = configFrom(`clusters: [{name: p, cluster: {server: "http://127.0.0.1:${port}"}}]\ncontexts: [{name: p, context: {cluster: p}}]\ncurrent-context: p\n`);
    const anp = LIVE_RESOURCES.find((x) => x.kind === "AdminNetworkPolicy")!;
    const optionalOnly = await readLiveCluster(config, { namespace: null, resources: [anp] });
    const withPods = await readLiveCluster(config, { namespace: null, resources: [anp, PODS] });
    proxy.close();
    assert.ok(optionalOnly.ok, JSON.stringify(optionalOnly));
    assert.deepEqual(optionalOnly.value.missing.map((m) => [m.resource.kind, m.reason]), [["AdminNetworkPolicy", "not-served"]]);
    assert.ok(!withPods.ok);
    assert.equal(withPods.error.kind, "http");
    assert.match(withPods.error.message, /^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/pods: the server could not find the requested resource \(HTTP 404\)$/);
  });

  test("a body that is not JSON (a proxy's HTML error page over http://) is a decode error value", async () => {
    const proxy = createHttpServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end("<html><body>Gateway login</body></html>");
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const port = (proxy.address() as { port: number }).port;
    const config = configFrom(`clusters: [{name: p, cluster: {server: "http://127.0.0.1:${port}"}}]\ncontexts: [{name: p, context: {cluster: p}}]\ncurrent-context: p\n`);
    const r = await readLiveCluster(config, { namespace: null });
    proxy.close();
    assert.ok(!r.ok);
    assert.equal(r.error.kind, "decode");
    assert.match(r.error.message, /^http:\/\/127\.0\.0\.1:\d+\/\S+: the response is not JSON \(.*\); it starts with "<html><body>Gateway login/);
  });

  test("a server that accepts and never answers: the request times out with a message saying so", async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    const config = configFrom(api.kubeconfig("admin").replace(api.url, `https://127.0.0.1:${port}`));
    const r = await readLiveCluster(config, { namespace: null, transport: { requestTimeoutMs: 200 } });
    silent.close();
    assert.ok(!r.ok);
    assert.match(r.error.message, /^https:\/\/127\.0\.0\.1:\d+\/\S+: no answer within 200 ms$/);
  });
});

describe("credentials against the stand-in", () => {
  let api: StandIn;
  before(async () => {
    api = await startStandIn({ users: [{ name: "admin" }] });
    seed(api);
  });
  after(() => api.close());

  test("exec plugin (a real script, ExecCredential v1 on stdout): the token it prints is used; after the token is rotated, the 401 re-runs the plugin once", async () => {
    const tokenFile = join(dir, "exec-token");
    const runs = join(dir, "exec-runs");
    writeFileSync(tokenFile, api.token("admin"));
    writeFileSync(runs, "");
    const plugin = join(dir, "token-plugin");
    writeFileSync(
      plugin,
      `#!${process.execPath}
const fs = require("fs");
fs.appendFileSync(process.env.RUNS, "run\\n");
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
if (info.spec.interactive !== false) process.exit(3);
process.stdout.write(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: fs.readFileSync(process.env.TOKEN_FILE, "utf8") } }));
`,
    );
    chmodSync(plugin, 0o755);
    const config = configFrom(`clusters: [{name: s, cluster: {server: "${api.url}", certificate-authority-data: ${Buffer.from(api.caPem).toString("base64")}}}]
users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: ${plugin}, interactiveMode: Never, env: [{name: TOKEN_FILE, value: ${tokenFile}}, {name: RUNS, value: ${runs}}]}}}]
contexts: [{name: s, context: {cluster: s, user: u}}]
current-context: s
`);
    const client = new KubeClient(new Transport(config));
    const first = await client.list(PODS);
    assert.ok(first.ok, JSON.stringify(first));
    const second = await client.list(PODS);
    assert.ok(second.ok);
    assert.equal(readFileSync(runs, "utf8"), "run\n", "no expirationTimestamp: cached");
    // Rotated: a new token, and the old one revoked (401).
    const old = api.token("admin");
    writeFileSync(tokenFile, api.rotateToken("admin"));
    api.revokeToken("admin", old);
    const third = await client.list(PODS);
    client.transport.close();
    assert.ok(third.ok, JSON.stringify(third));
    assert.equal(readFileSync(runs, "utf8"), "run\nrun\n");
  });

  test("tls-server-name: the name checked against the server's certificate (SAN DNS:localhost) instead of the address; a name it does not carry is said plainly", async () => {
    const withName = (name: string): ClusterConfig => configFrom(api.kubeconfig("admin").replace("      server:", `      tls-server-name: ${name}\n      server:`));
    const good = await readLiveCluster(withName("localhost"), { namespace: null });
    assert.ok(good.ok, JSON.stringify(good));
    const bad = await readLiveCluster(withName("api.example.com"), { namespace: null });
    assert.ok(!bad.ok);
    assert.equal(bad.error.kind, "tls");
    assert.match(bad.error.message, /the server's certificate does not name this host \(.*api\.example\.com.*\); set tls-server-name to a name it carries/);
  });

  test("exec plugin that prints a client certificate (status.clientCertificateData/clientKeyData): TLS client authentication with it", async () => {
    const cert = api.clientCert("admin");
    const plugin = join(dir, "cert-plugin");
    writeFileSync(
      plugin,
      `#!${process.execPath}
process.stdout.write(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1beta1", kind: "ExecCredential", status: { clientCertificateData: ${JSON.stringify(cert.certPem)}, clientKeyData: ${JSON.stringify(cert.keyPem)} } }));
`,
    );
    chmodSync(plugin, 0o755);
    const config = configFrom(`clusters: [{name: s, cluster: {server: "${api.url}", certificate-authority-data: ${Buffer.from(api.caPem).toString("base64")}}}]
users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: ${plugin}}}}]
contexts: [{name: s, context: {cluster: s, user: u}}]
current-context: s
`);
    const before = api.requests.length;
    const r = await readLiveCluster(config, { namespace: null });
    assert.ok(r.ok, JSON.stringify(r));
    assert.ok(api.requests.slice(before).every((q) => q.user === "admin"));
  });

  test("in-cluster (service account dir in a temp dir): token and CA from files; a rotated projected token is re-read after the 401", async () => {
    const sa = mkdtempSync(join(tmpdir(), "sa-"));
    const env = api.writeServiceAccount(sa, "admin", "portcullis-system");
    const config = loadClusterConfig({ env: { HOME: join(sa, "nobody"), ...env }, serviceAccountDir: sa });
    assert.ok(config.ok, JSON.stringify(config));
    assert.equal(config.value.namespace, "portcullis-system");
    const client = new KubeClient(new Transport(config.value));
    assert.ok((await client.list(PODS)).ok);
    // The kubelet rotates the projected token: a new one in the file, the old one expired soon after.
    const old = api.token("admin");
    api.rotateToken("admin");
    api.writeServiceAccount(sa, "admin", "portcullis-system");
    api.revokeToken("admin", old);
    const before = api.requests.length;
    const after = await client.list(PODS);
    client.transport.close();
    assert.ok(after.ok, JSON.stringify(after));
    assert.deepEqual(api.requests.slice(before).map((q) => q.user), [null, "admin"], "a 401 with the old token, then the re-read one");
  });

  test("unreachable and untrusted servers: connection refused, a name that does not resolve, and a CA that did not sign the server's certificate, each said plainly", async () => {
    const other = await startStandIn();
    const wrongCa = configFrom(other.kubeconfig("admin").replace(other.url, api.url));
    await other.close();
    const tls = await readLiveCluster(wrongCa, { namespace: null });
    assert.ok(!tls.ok);
    assert.equal(tls.error.kind, "tls");
    assert.match(tls.error.message, /the server's certificate is not signed by a trusted CA \(\w+\): the cluster CA is kubeconfig .*clusters\[standin\]\.certificate-authority-data/);
    const refused = await readLiveCluster(configFrom(other.kubeconfig("admin")), { namespace: null });
    assert.ok(!refused.ok);
    assert.equal(refused.error.kind, "unreachable");
    assert.match(refused.error.message, /^cannot connect to https:\/\/127\.0\.0\.1:\d+: connection refused/);
    // RFC 2606: .invalid never resolves.
    const dns = await readLiveCluster(configFrom(other.kubeconfig("admin").replace(other.url, "https://api.no-such-cluster.invalid:6443")), { namespace: null, transport: { requestTimeoutMs: 10_000 } });
    assert.ok(!dns.ok);
    assert.equal(dns.error.kind, "unreachable");
    assert.match(dns.error.message, /^cannot connect to https:\/\/api\.no-such-cluster\.invalid:6443: the host name does not resolve \(DNS (ENOTFOUND|EAI_AGAIN); context standin/);
  });
});

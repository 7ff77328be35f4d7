/**
 * The stand-in's controllers and the pod log route without namespaces or processes: an API server
 * with the cluster's hooks, pods bound to no kubelet node (so deleted at once), the controllers fed
 * every change as the cluster feeds them.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:https";
import { Controllers, admission } from "./controllers.js";
import { PodLogs, podLogRoute } from "./log.js";
import { type KubeObject, type StandIn, startStandIn } from "./standin.js";
import { humanDuration } from "./tables.js";
import { call } from "./testing.js";

const pod = (namespace: string, name: string, labels: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace, labels, ...extra },
  spec: { containers: [{ name: "main", image: "x" }] },
});

function getText(api: StandIn, path: string): Promise<{ status: number; text: string; type: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${api.url}${path}`, { ca: api.caPem, headers: { Authorization: `Bearer ${api.token("admin")}` }, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text, type: String(res.headers["content-type"]) }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("stand-in controllers and pod logs (no kubelet)", () => {
  let api: StandIn;
  const logs = new PodLogs();
  before(async () => {
    api = await startStandIn({
      users: [{ name: "admin" }, { name: "reader", rules: [{ verbs: ["get"], resources: ["pods"], namespaces: ["apps"] }] }],
      hooks: { admit: admission(() => api), deletesGracefully: (o) => o.kind === "Namespace" || (o.kind === "Pod" && (o["spec"] as { nodeName?: string }).nodeName === "kubelet-node"), subresources: { "pods/log": podLogRoute(logs) } },
    });
    const controllers = new Controllers(api, []);
    const queue: Parameters<Controllers["observe"]>[0][] = [];
    api.subscribe((e) => {
      queue.push(e);
      setImmediate(() => {
        for (let x = queue.shift(); x !== undefined; x = queue.shift()) controllers.observe(x);
      });
    });
    for (const ns of ["apps", "rs"]) api.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  });
  after(async () => api.close());

  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 30));

  test("admission: a Service gets a ClusterIP of 10.96.0.0/16 and defaulted ports; a taken ClusterIP is 422; a pod is Pending with restartPolicy Always", async () => {
    const r = await call(api, "/api/v1/namespaces/apps/services", { user: "admin" }, "POST", { apiVersion: "v1", kind: "Service", metadata: { name: "web" }, spec: { selector: { app: "web" }, ports: [{ port: 80 }] } });
    assert.equal(r.status, 201);
    const spec = r.body["spec"] as { clusterIP: string; clusterIPs: string[]; ports: unknown[] };
    assert.match(spec.clusterIP, /^10\.96\.\d+\.\d+$/);
    assert.deepEqual(spec.clusterIPs, [spec.clusterIP]);
    assert.deepEqual(spec.ports, [{ port: 80, protocol: "TCP", targetPort: 80 }]);
    const taken = await call(api, "/api/v1/namespaces/apps/services", { user: "admin" }, "POST", { apiVersion: "v1", kind: "Service", metadata: { name: "web2" }, spec: { clusterIP: spec.clusterIP, ports: [{ port: 80 }] } });
    assert.equal(taken.status, 422);
    assert.match(String(taken.body["message"]), /provided IP is already allocated/);
    const p = await call(api, "/api/v1/namespaces/apps/pods", { user: "admin" }, "POST", pod("apps", "p", {}));
    assert.deepEqual([(p.body["spec"] as { restartPolicy: string }).restartPolicy, (p.body["status"] as { phase: string }).phase], ["Always", "Pending"]);
  });

  test("ReplicaSet adoption: orphans matching the selector adopted; surplus deleted, the unscheduled and not-ready first; a pod with a controller ownerReference never adopted; a pod no longer matching released", async () => {
    api.apply(pod("rs", "running-ready", { app: "api" }, { creationTimestamp: "2026-01-01T00:00:00Z" }));
    const readyPod = api.get("Pod", "rs", "running-ready") as KubeObject;
    api.apply({ ...readyPod, spec: { ...(readyPod["spec"] as object), nodeName: "n1" }, status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] } });
    const twin = pod("rs", "twin", { app: "api" }, { ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "run", uid: "u-run", controller: true }] });
    api.apply(twin);
    api.apply({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "api", namespace: "rs" }, spec: { replicas: 1, selector: { matchLabels: { app: "api" } } } });
    await settle();
    const rsUid = api.get("ReplicaSet", "rs", "api")?.metadata["uid"];
    const ctl = (name: string): unknown => (api.get("Pod", "rs", name)?.metadata["ownerReferences"] as { uid: string; controller?: boolean }[] | undefined)?.find((r) => r.controller === true)?.uid;
    assert.equal(ctl("running-ready"), rsUid);
    assert.equal(ctl("twin"), "u-run");
    api.apply(pod("rs", "orphan", { app: "api" }));
    await settle();
    assert.equal(api.get("Pod", "rs", "orphan"), undefined, "the adopted orphan (unscheduled, pending) is the surplus deleted");
    assert.ok(api.get("Pod", "rs", "running-ready") !== undefined);
    assert.ok(api.get("Pod", "rs", "twin") !== undefined);
    const cur = api.get("Pod", "rs", "running-ready") as KubeObject;
    api.apply({ ...cur, metadata: { ...cur.metadata, labels: { app: "other" } } });
    await settle();
    assert.equal(ctl("running-ready"), undefined, "released");
  });

  test("namespace deletion: DELETE answers the namespace Terminating; its objects go, then it does; creating in it meanwhile is 403", async () => {
    api.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "gone" } });
    api.apply(pod("gone", "a", {}));
    api.apply({ ...pod("gone", "on-a-kubelet", {}), spec: { nodeName: "kubelet-node", containers: [] } });
    api.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm", namespace: "gone" } });
    const d = await call(api, "/api/v1/namespaces/gone", { user: "admin" }, "DELETE");
    assert.equal(d.status, 200);
    assert.ok((d.body["metadata"] as Record<string, unknown>)["deletionTimestamp"] !== undefined);
    await settle();
    assert.equal((api.get("Namespace", null, "gone")?.["status"] as { phase?: string }).phase, "Terminating", "while a kubelet's pod is stopping");
    assert.equal(api.get("ConfigMap", "gone", "cm"), undefined);
    assert.equal(api.get("Pod", "gone", "a"), undefined);
    assert.ok(api.get("Pod", "gone", "on-a-kubelet")?.metadata["deletionTimestamp"] !== undefined, "marked for its kubelet");
    const late = await call(api, "/api/v1/namespaces/gone/configmaps", { user: "admin" }, "POST", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "late" } });
    assert.deepEqual([late.status, late.body["message"]], [403, 'configmaps "late" is forbidden: unable to create new content in namespace gone because it is being terminated']);
    api.remove("Pod", "gone", "on-a-kubelet"); // the kubelet's last step
    await settle();
    assert.equal(api.get("Namespace", null, "gone"), undefined);
  });

  test("pods/log: text/plain; tailLines, limitBytes, timestamps; the kubelet's 400s (waiting to start, unknown container); RBAC on pods/log", async () => {
    api.apply(pod("apps", "logger", {}));
    assert.deepEqual(await getText(api, "/api/v1/namespaces/apps/pods/logger/log"), { status: 400, type: "application/json", text: (await getText(api, "/api/v1/namespaces/apps/pods/logger/log")).text });
    assert.match((await getText(api, "/api/v1/namespaces/apps/pods/logger/log")).text, /container \\"main\\" in pod \\"logger\\" is waiting to start: ContainerCreating/);
    const started = api.get("Pod", "apps", "logger") as KubeObject;
    api.apply({ ...started, status: { phase: "Running", containerStatuses: [{ name: "main", state: { running: {} }, containerID: "standin://main-0" }] } });
    const log = logs.start("apps", "logger", "main");
    log.write("one\ntwo\nthr");
    log.write("ee\nfour\n");
    assert.deepEqual(await getText(api, "/api/v1/namespaces/apps/pods/logger/log"), { status: 200, type: "text/plain", text: "one\ntwo\nthree\nfour\n" });
    assert.equal((await getText(api, "/api/v1/namespaces/apps/pods/logger/log?tailLines=2")).text, "three\nfour\n");
    assert.equal((await getText(api, "/api/v1/namespaces/apps/pods/logger/log?limitBytes=6")).text, "one\ntw");
    assert.match((await getText(api, "/api/v1/namespaces/apps/pods/logger/log?timestamps=true&tailLines=1")).text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z four\n$/);
    assert.match((await getText(api, "/api/v1/namespaces/apps/pods/logger/log?container=side")).text, /container side is not valid for pod logger/);
    assert.equal((await getText(api, "/api/v1/namespaces/apps/pods/nothing/log")).status, 404);
    const denied = await call(api, "/api/v1/namespaces/apps/pods/logger/log", { user: "reader" });
    assert.equal(denied.status, 403);
    assert.equal(denied.body["message"], 'pods "logger" is forbidden: User "reader" cannot get resource "pods/log" in API group "" in the namespace "apps"');
  });

  test("pods/log?follow=true streams lines as they come, until the container ends", async () => {
    const log = logs.start("apps", "logger", "main");
    log.write("first\n");
    const reading = getText(api, "/api/v1/namespaces/apps/pods/logger/log?follow=true");
    await settle();
    log.write("second\n");
    log.end();
    assert.deepEqual(await reading, { status: 200, type: "text/plain", text: "first\nsecond\n" });
  });
});

test("AGE as kubectl prints it (apimachinery duration.HumanDuration)", () => {
  assert.deepEqual([5_000, 119_000, 150_000, 600_000, 3 * 3600_000 + 60_000, 9 * 3600_000, 50 * 3600_000, 9 * 86400_000].map(humanDuration), ["5s", "119s", "2m30s", "10m", "3h1m", "9h", "2d2h", "9d"]);
});

/**
 * The agent's Events against the stand-in API server (the real wire protocol, RBAC): what is
 * posted (events.k8s.io/v1 as client-go's recorder writes it), repeats folded into a series, and a
 * 403 said once and then left alone.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadClusterConfig } from "../kube/config-load.js";
import { type StandIn, startStandIn } from "../kube/standin/standin.js";
import { call } from "../kube/standin/testing.js";
import { Transport } from "../kube/transport.js";
import { type AgentEvent, type EventFailure, EventRecorder, REPORTING_CONTROLLER, kubeEventSink, nodeRegarding, regardingObject } from "./events.js";
import { newLogger } from "./log.js";
import { liveNamespace, livePolicy } from "./testkit.js";

type Json = Record<string, unknown>;

describe("node agent Events (events.k8s.io/v1) against the stand-in API server", () => {
  let api: StandIn;
  const dir = mkdtempSync(join(tmpdir(), "pcevents-"));
  const transports: Transport[] = [];

  before(async () => {
    // "default" holds the Events of cluster-scoped objects (a Node), as client-go's recorder puts them.
    api = await startStandIn({
      objects: [liveNamespace("default"), liveNamespace("production")].map((o) => o as unknown as Parameters<StandIn["apply"]>[0]),
      users: [{ name: "admin" }, { name: "reader", rules: [{ verbs: ["get", "list", "watch"], resources: ["*"] }] }],
    });
  });
  after(async () => {
    for (const t of transports) t.close();
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const recorder = (user: string, extra: { seriesPatchMs?: number } = {}): { rec: EventRecorder; lines: Json[]; failures: EventFailure[] } => {
    const path = join(dir, `kubeconfig-${user}`);
    writeFileSync(path, api.kubeconfig(user));
    const config = loadClusterConfig({ kubeconfig: path, env: {} });
    assert.ok(config.ok, config.ok ? "" : config.error.message);
    const transport = new Transport(config.value);
    transports.push(transport);
    const lines: Json[] = [];
    const failures: EventFailure[] = [];
    const rec = new EventRecorder({ sink: kubeEventSink(transport), node: "worker-1", logger: newLogger("json", (l) => lines.push(JSON.parse(l) as Json)), onFailure: (why) => failures.push(why), ...extra });
    return { rec, lines, failures };
  };
  const events = async (namespace: string): Promise<Json[]> => {
    const r = await call(api, `/apis/events.k8s.io/v1/namespaces/${namespace}/events`);
    assert.equal(r.status, 200);
    return r.body["items"] as Json[];
  };

  test("enforcing started: one Event regarding the Node, in namespace default, reportingController portcullis.dev/node-agent, reportingInstance the node", async () => {
    const { rec, failures } = recorder("admin");
    const before = (await events("default")).length;
    rec.record({ type: "Normal", reason: "Enforcing", action: "Apply", note: "enforcing: 12 rules", regarding: nodeRegarding("worker-1", "uid-worker-1") });
    await rec.flush();
    rec.close();
    const items = await events("default");
    assert.equal(items.length, before + 1);
    const e = items.find((i) => i["reason"] === "Enforcing") as Json;
    // List items carry no apiVersion on the wire; the create itself was checked: the server refuses a body of another API version.
    assert.equal(e["reportingController"], REPORTING_CONTROLLER);
    assert.equal(e["reportingInstance"], "worker-1");
    assert.equal(e["type"], "Normal");
    assert.equal(e["action"], "Apply");
    assert.equal(e["note"], "enforcing: 12 rules");
    assert.deepEqual(e["regarding"], { apiVersion: "v1", kind: "Node", name: "worker-1", uid: "uid-worker-1" });
    // metav1.MicroTime: RFC 3339 with microseconds.
    assert.match(String(e["eventTime"]), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.match(String((e["metadata"] as Json)["name"]), /^worker-1\.[0-9a-f]+$/);
    assert.deepEqual(failures, []);
  });

  test("an object refused for decode errors: the Event regards that object, in its namespace", async () => {
    const { rec } = recorder("admin");
    const policy = livePolicy("production", "bad", { podSelector: { matchLabels: "web" } });
    rec.record({ type: "Warning", reason: "ObjectRefused", action: "Decode", note: "spec.podSelector.matchLabels: not a map", regarding: regardingObject(policy) });
    await rec.flush();
    rec.close();
    const [e] = await events("production");
    assert.equal(e?.["reason"], "ObjectRefused");
    assert.deepEqual(e?.["regarding"], { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", name: "bad", namespace: "production", uid: "uid-production-bad" });
  });

  test("repeats of the same reason about the same object (client-go's series): one Event, series.count 2 at the first repeat, the later ones patched by the refresh", async () => {
    const { rec } = recorder("admin", { seriesPatchMs: 100 });
    const drift: AgentEvent = { type: "Warning", reason: "DriftRepaired", action: "Verify", note: "table flushed", regarding: nodeRegarding("worker-2") };
    rec.record(drift);
    rec.record(drift);
    await rec.flush();
    let mine = (await events("default")).filter((i) => i["reason"] === "DriftRepaired");
    assert.equal(mine.length, 1);
    assert.equal((mine[0]?.["series"] as Json | undefined)?.["count"], 2);
    rec.record(drift);
    rec.record(drift);
    await new Promise((r) => setTimeout(r, 350));
    await rec.flush();
    rec.close();
    mine = (await events("default")).filter((i) => i["reason"] === "DriftRepaired");
    assert.equal(mine.length, 1, "still one Event");
    const series = mine[0]?.["series"] as Json;
    assert.equal(series["count"], 4);
    assert.match(String(series["lastObservedTime"]), /\.\d{6}Z$/);
    // Another reason about the same node is an Event of its own.
    const other = recorder("admin");
    other.rec.record({ ...drift, reason: "ApplyFailed", action: "Apply" });
    await other.rec.flush();
    other.rec.close();
    assert.equal((await events("default")).filter((i) => (i["regarding"] as Json)["name"] === "worker-2").length, 2);
  });

  test("no grant to create events (403): one warning, counted once, and no more posts", async () => {
    const { rec, lines, failures } = recorder("reader");
    const posts = (): number => api.requests.filter((r) => r.user === "reader" && r.method !== "GET").length;
    rec.record({ type: "Normal", reason: "Enforcing", action: "Apply", note: "x", regarding: nodeRegarding("worker-3") });
    rec.record({ type: "Warning", reason: "ApplyFailed", action: "Apply", note: "y", regarding: nodeRegarding("worker-3") });
    await rec.flush();
    rec.record({ type: "Warning", reason: "DriftRepaired", action: "Verify", note: "z", regarding: nodeRegarding("worker-3") });
    await rec.flush();
    rec.close();
    assert.equal(posts(), 1, "the first 403 stops every later post");
    assert.deepEqual(failures, ["forbidden"]);
    const warnings = lines.filter((l) => l["level"] === "warn");
    assert.equal(warnings.length, 1);
    assert.match(String(warnings[0]?.["msg"]), /cannot post Events \(forbidden\)/);
    assert.match(String(warnings[0]?.["error"]), /events\.events\.k8s\.io is forbidden: User "reader" cannot create resource "events" in API group "events\.k8s\.io"/);
    assert.equal((await events("default")).filter((i) => (i["regarding"] as Json)["name"] === "worker-3").length, 0);
  });

  test("the API server unreachable: record returns at once, the failure is a log line and a metric (once per distinct error)", async () => {
    const path = join(dir, "kubeconfig-down");
    writeFileSync(path, api.kubeconfig("admin").replace(api.url, "https://127.0.0.1:1"));
    const config = loadClusterConfig({ kubeconfig: path, env: {} });
    assert.ok(config.ok);
    const transport = new Transport(config.value);
    transports.push(transport);
    const lines: Json[] = [];
    const failures: EventFailure[] = [];
    const rec = new EventRecorder({ sink: kubeEventSink(transport), node: "worker-4", logger: newLogger("json", (l) => lines.push(JSON.parse(l) as Json)), onFailure: (why) => failures.push(why) });
    const started = performance.now();
    rec.record({ type: "Warning", reason: "ApplyFailed", action: "Apply", note: "a", regarding: nodeRegarding("worker-4") });
    rec.record({ type: "Warning", reason: "ShrinkRefused", action: "Apply", note: "b", regarding: nodeRegarding("worker-4") });
    assert.ok(performance.now() - started < 50, "record does not wait for the post");
    await rec.flush();
    rec.close();
    assert.deepEqual(failures, ["error", "error"]);
    assert.equal(lines.length, 1);
    assert.match(String(lines[0]?.["error"]), /connection refused/);
  });
});

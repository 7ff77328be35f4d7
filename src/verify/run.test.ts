/**
 * The runner against the plain in-process stand-in API server: no kubelet, so pods stay Pending.
 * What must hold without one: the pod-start timeout ends the run with an error naming the pods and
 * why they wait; whatever ends the run (that error, Ctrl-C) leaves nothing behind; `verify
 * --cleanup` removes the leftovers of killed runs by label and nothing else.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeClient } from "../kube/client.js";
import { loadClusterConfig } from "../kube/config-load.js";
import { Transport } from "../kube/transport.js";
import { type StandIn, startStandIn } from "../kube/standin/standin.js";
import { decodeLive } from "../k8s/live.js";
import type { LiveObject } from "../kube/live.js";
import { AddressSet } from "../net/address-set.js";
import { parseCidr } from "../net/cidr.js";
import { chooseTwins } from "./plan.js";
import { cleanupLeftovers, podState, runSmoke, runVerify } from "./run.js";
import { RUN_LABEL } from "./twin.js";

const dir = mkdtempSync(join(tmpdir(), "verify-run-"));

function clientOf(api: StandIn): KubeClient {
  const path = join(dir, `kubeconfig-${Math.random().toString(16).slice(2)}`);
  writeFileSync(path, api.kubeconfig("admin"));
  const config = loadClusterConfig({ kubeconfig: path, env: {} });
  assert.ok(config.ok);
  return new KubeClient(new Transport(config.value));
}

const OBJECTS = [
  { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } },
  { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "shop" }, spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx", ports: [{ containerPort: 8080, name: "http" }] }] } } } },
  { apiVersion: "v1", kind: "Pod", metadata: { name: "client", namespace: "shop", labels: { app: "client" } }, spec: { containers: [{ name: "c", image: "curl" }] } },
];

/** The objects the stand-in holds that a verify run made (its label), as `Kind ns/name`. */
function leftovers(api: StandIn): string[] {
  return ["Pod", "ConfigMap", "NetworkPolicy", "Namespace"].flatMap((kind) => api.list(kind).filter((o) => o.metadata.labels?.[RUN_LABEL] !== undefined).map((o) => `${kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`));
}

const cluster = () => {
  const decoded = decodeLive({ objects: OBJECTS as unknown as LiveObject[] });
  return decoded.value;
};

const pod16 = parseCidr("10.244.0.0/16");
const engine = { podNetwork: pod16.ok ? AddressSet.fromCidr(pod16.cidr) : AddressSet.EMPTY, ipBlockMatchesPods: true };

describe("verify runner against the stand-in without a kubelet", () => {
  let api: StandIn;
  let client: KubeClient;
  before(async () => {
    api = await startStandIn({ users: [{ name: "admin" }], objects: OBJECTS as never });
    client = clientOf(api);
  });
  after(async () => {
    client.transport.close();
    await api.close();
  });

  test("pods never run (no kubelet: Pending): the run ends with the pod-start error naming the pods and why they wait, and the cleanup leaves nothing", async () => {
    const run = "aaa001";
    const choice = chooseTwins(cluster(), { run, namespace: "shop", sources: null, noTwins: false });
    const progress: string[] = [];
    const r = await runVerify(cluster(), choice, { run, engine, to: [], metadata: [], realDestinations: null }, { run, image: "portcullis:0.1.0", timeoutMs: 500, podStartTimeoutMs: 600, pollMs: 100 }, { client, progress: (l) => progress.push(l), signal: new AbortController().signal });
    assert.ok(!r.ok);
    assert.equal(r.failure.kind, "pod-start");
    assert.match(r.failure.kind === "pod-start" ? r.failure.message : "", /^1 of 1 destination twins not running after 1 s \(--pod-start-timeout\): shop\/pcv-aaa001-d0 \(phase Pending, not scheduled\)$/);
    assert.ok(r.cleanup.deleted.includes("Pod shop/pcv-aaa001-d0"));
    assert.ok(r.cleanup.deleted.includes("ConfigMap shop/portcullis-verify-aaa001"));
    assert.deepEqual(leftovers(api), []);
    assert.ok(progress.some((l) => l.startsWith("waiting for destination twins: 0/1 running")));
  });

  test("Ctrl-C while the pods start: the run stops waiting, deletes what it made, and says interrupted", async () => {
    const run = "aaa002";
    const choice = chooseTwins(cluster(), { run, namespace: "shop", sources: null, noTwins: false });
    const stop = new AbortController();
    const pending = runVerify(cluster(), choice, { run, engine, to: [], metadata: [], realDestinations: null }, { run, image: "portcullis:0.1.0", timeoutMs: 500, podStartTimeoutMs: 60_000, pollMs: 100 }, { client, progress: () => undefined, signal: stop.signal });
    for (let i = 0; i < 100 && api.get("Pod", "shop", "pcv-aaa002-d0") === undefined; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(api.get("Pod", "shop", "pcv-aaa002-d0") !== undefined, "the twin was created before Ctrl-C");
    stop.abort();
    const r = await pending;
    assert.ok(!r.ok);
    assert.equal(r.failure.kind, "interrupted");
    assert.deepEqual(leftovers(api), []);
  });

  test("a pod the kubelet cannot start (ErrImagePull, a wrong --image): fails at once, not after the timeout", async () => {
    const run = "aaa003";
    const choice = chooseTwins(cluster(), { run, namespace: "shop", sources: null, noTwins: false });
    const stop = new AbortController();
    const started = Date.now();
    const pending = runVerify(cluster(), choice, { run, engine, to: [], metadata: [], realDestinations: null }, { run, image: "portcullis:nope", timeoutMs: 500, podStartTimeoutMs: 60_000, pollMs: 50 }, { client, progress: () => undefined, signal: stop.signal });
    for (let i = 0; i < 100 && api.get("Pod", "shop", "pcv-aaa003-d0") === undefined; i++) await new Promise((r) => setTimeout(r, 20));
    const twin = api.get("Pod", "shop", "pcv-aaa003-d0");
    assert.ok(twin !== undefined);
    api.apply({ ...twin, status: { phase: "Pending", containerStatuses: [{ name: "probe", ready: false, restartCount: 0, state: { waiting: { reason: "ErrImagePull", message: 'image "portcullis:nope" not found' } } }] } } as never);
    const r = await pending;
    assert.ok(!r.ok);
    assert.equal(r.failure.kind === "pod-start" && r.failure.message, `probe pod shop/pcv-aaa003-d0 cannot run: ErrImagePull: image "portcullis:nope" not found`);
    assert.ok(Date.now() - started < 10_000);
    assert.deepEqual(leftovers(api), []);
  });

  test("--smoke without a kubelet: its namespace is created (labelled managed-by), the server never runs, and the namespace is deleted with everything in it", async () => {
    const r = await runSmoke({ run: "aaa004", image: "portcullis:0.1.0", timeoutMs: 500, podStartTimeoutMs: 500, pollMs: 100 }, { client, progress: () => undefined, signal: new AbortController().signal });
    assert.ok(!r.ok);
    assert.equal(r.failure.kind, "pod-start");
    assert.ok(r.cleanup.deleted.includes("Namespace portcullis-verify-aaa004"));
    assert.ok(r.cleanup.deleted.includes("Pod portcullis-verify-aaa004/server"));
    assert.equal(api.get("Namespace", null, "portcullis-verify-aaa004"), undefined);
    assert.deepEqual(leftovers(api), []);
  });

  test("verify --cleanup after a killed run: every object of any run's label goes (pods, ConfigMaps, smoke namespaces), the workloads' own pods stay", async () => {
    const labels = { [RUN_LABEL]: "dead01", "app.kubernetes.io/managed-by": "portcullis" };
    api.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "portcullis-verify-dead01", labels } });
    api.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "portcullis-verify-dead01", namespace: "shop", labels } } as never);
    api.apply({ apiVersion: "v1", kind: "Pod", metadata: { name: "pcv-dead01-d0", namespace: "shop", labels: { ...labels, app: "web" } }, spec: { containers: [] } } as never);
    api.apply({ apiVersion: "v1", kind: "Pod", metadata: { name: "web-1", namespace: "shop", labels: { app: "web" } }, spec: { containers: [] } } as never);
    const r = await cleanupLeftovers(client, null, () => undefined);
    assert.ok(r.ok);
    assert.deepEqual([...r.value.deleted].sort(), ["ConfigMap shop/portcullis-verify-dead01", "Namespace portcullis-verify-dead01", "Pod shop/pcv-dead01-d0"]);
    assert.deepEqual(leftovers(api), []);
    assert.ok(api.get("Pod", "shop", "web-1") !== undefined);
  });
});

describe("the CLI stopped by Ctrl-C", () => {
  test("portcullis verify --smoke, SIGINT while its pods start: the run deletes its namespace and pods, then the process ends by SIGINT (130 in a shell)", async () => {
    const api = await startStandIn({ users: [{ name: "admin" }] });
    try {
      const path = join(dir, "kubeconfig-sigint");
      writeFileSync(path, api.kubeconfig("admin"));
      const bin = fileURLToPath(new URL("../../../bin/portcullis.js", import.meta.url));
      const child = spawn(process.execPath, [bin, "verify", "--smoke", "--kubeconfig", path, "--pod-start-timeout", "60s"], { stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
      for (let i = 0; i < 200 && api.list("Pod").length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(api.list("Pod").length, 1, `the smoke server was created: ${stderr}`);
      child.kill("SIGINT");
      const end = await exited;
      assert.deepEqual(end, { code: null, signal: "SIGINT" }, stderr);
      assert.match(stderr, /verify interrupted; 3 objects deleted/);
      assert.deepEqual(leftovers(api), []);
    } finally {
      await api.close();
    }
  });
});

describe("podState: a pod's status read as a kubelet writes it", () => {
  const cases: [string, unknown, string][] = [
    ["Running with podIP", { phase: "Running", podIP: "10.244.1.5" }, "running 10.244.1.5"],
    ["Running, no IP yet", { phase: "Running" }, "waiting phase Running"],
    ["ContainerCreating", { phase: "Pending", containerStatuses: [{ state: { waiting: { reason: "ContainerCreating" } } }] }, "waiting ContainerCreating"],
    ["ImagePullBackOff: hopeless", { phase: "Pending", containerStatuses: [{ state: { waiting: { reason: "ImagePullBackOff", message: "Back-off pulling image" } } }] }, "failed ImagePullBackOff: Back-off pulling image"],
    ["activeDeadlineSeconds passed", { phase: "Failed", reason: "DeadlineExceeded" }, "failed phase Failed (DeadlineExceeded)"],
  ];
  for (const [name, status, want] of cases) {
    test(name, () => {
      const s = podState({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { nodeName: "n1" }, status });
      assert.equal(s.kind === "running" ? `running ${s.ip.family === 4 ? "10.244.1.5" : ""}` : `${s.kind} ${s.why}`, want);
    });
  }
});

/**
 * Pods as they are: replicas that differ are endpoints of their own, terminated pods are none.
 * Each case is shaped like `kubectl get -A -o json` output (a `kind: List` of live objects with
 * the labels controllers write), built here in a compact form.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type Endpoint, endpointsOfOwner } from "../model/cluster.js";
import { formatIp } from "../net/ip.js";
import { formatGonePods, formatPodSplit } from "../render/diagnostics.js";
import type { DecodeResult } from "./decode.js";
import { decodeYaml, errors } from "./testing.js";

type Json = Record<string, unknown>;

interface PodSpec {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly owner?: readonly [kind: string, name: string];
  readonly ip?: string | undefined;
  readonly phase?: string;
  readonly ports?: readonly number[];
  readonly hostNetwork?: boolean;
  readonly deletionTimestamp?: string;
  /** Container states as kubectl prints them (`running`, `terminated`). */
  readonly states?: readonly ("running" | "terminated")[];
}

const NS = "shop";

function pod(p: PodSpec): Json {
  const metadata: Json = { name: p.name, namespace: NS, uid: `uid-${p.name}`, resourceVersion: "1", labels: p.labels };
  if (p.owner !== undefined) metadata["ownerReferences"] = [{ apiVersion: "apps/v1", kind: p.owner[0], name: p.owner[1], uid: "u", controller: true, blockOwnerDeletion: true }];
  if (p.deletionTimestamp !== undefined) metadata["deletionTimestamp"] = p.deletionTimestamp;
  const status: Json = { phase: p.phase ?? "Running", hostIP: "192.168.49.2" };
  if (p.ip !== undefined) Object.assign(status, { podIP: p.ip, podIPs: [{ ip: p.ip }] });
  if (p.states !== undefined) {
    status["containerStatuses"] = p.states.map((s, i) => ({ name: `c${i}`, ready: s === "running", restartCount: 0, state: s === "running" ? { running: { startedAt: "2026-12-01T09:00:00Z" } } : { terminated: { exitCode: 0, reason: "Completed" } } }));
  }
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata,
    spec: { containers: [{ name: "main", image: "registry.example/app:1", ports: (p.ports ?? [8080]).map((containerPort) => ({ containerPort, protocol: "TCP" })) }], ...(p.hostNetwork === true ? { hostNetwork: true } : {}) },
    status,
  };
}

function workload(kind: string, name: string, labels: Record<string, string>, owner?: readonly [string, string], ports: readonly number[] = [8080]): Json {
  const metadata: Json = { name, namespace: NS, uid: `uid-${name}` };
  if (owner !== undefined) metadata["ownerReferences"] = [{ apiVersion: "apps/v1", kind: owner[0], name: owner[1], uid: "u", controller: true }];
  const template = { metadata: { labels }, spec: { containers: [{ name: "main", image: "registry.example/app:1", ports: ports.map((containerPort) => ({ containerPort, protocol: "TCP" })) }] } };
  const spec = kind === "CronJob" ? { schedule: "0 3 * * *", jobTemplate: { spec: { template } } } : { selector: { matchLabels: labels }, template };
  return { apiVersion: kind === "Job" || kind === "CronJob" ? "batch/v1" : "apps/v1", kind, metadata, spec };
}

function policy(name: string, podSelector: Json, types: readonly string[] = ["Ingress", "Egress"]): Json {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: NS }, spec: { podSelector, policyTypes: types } };
}

/** A `kubectl get -A -o json` dump of these objects. */
function dump(items: readonly Json[]): DecodeResult {
  const result = decodeYaml(JSON.stringify({ apiVersion: "v1", kind: "List", items, metadata: { resourceVersion: "" } }, null, 2), "dump.json");
  assert.deepEqual(errors(result.diagnostics), []);
  return result;
}

/** `id kind pods=[..] labels=[..] ips=[..]` plus `owner=` / `split=` when set: what grouping decides. */
function shapes(endpoints: readonly Endpoint[]): string[] {
  return endpoints.map((e) => {
    const labels = [...e.labels].map(([k, v]) => `${k}=${v}`).join(",");
    const owner = e.owner === undefined ? "" : ` owner=${e.owner.kind}/${e.owner.name}`;
    const split = e.splitPods === undefined ? "" : ` split=[${e.splitPods.join(",")}]`;
    return `${e.id} ${e.kind} pods=[${e.pods.join(",")}] labels=[${labels}] ips=[${e.ips.map(formatIp).join(",")}]${owner}${split}`;
  });
}

const stsPod = (i: number, ip: string, extra: Record<string, string> = {}): Json =>
  pod({
    name: `db-${i}`,
    owner: ["StatefulSet", "db"],
    ip,
    ports: [5432],
    labels: { app: "db", "apps.kubernetes.io/pod-index": String(i), "controller-revision-hash": "db-7b9c6d5f4d", "statefulset.kubernetes.io/pod-name": `db-${i}`, ...extra },
  });
const statefulSet = workload("StatefulSet", "db", { app: "db" }, undefined, [5432]);

describe("replicas: an owner's pods share its endpoint only when nothing tells them apart", () => {
  test("kubectl get -A -o json dump: StatefulSet pods carry statefulset.kubernetes.io/pod-name (one per pod): still one endpoint, with the labels all pods share", () => {
    const r = dump([statefulSet, stsPod(0, "10.244.1.10"), stsPod(1, "10.244.1.11"), stsPod(2, "10.244.2.10")]);
    assert.deepEqual(shapes(r.value.endpoints), ["shop/db StatefulSet pods=[db-0,db-1,db-2] labels=[app=db,controller-revision-hash=db-7b9c6d5f4d] ips=[10.244.1.10,10.244.1.11,10.244.2.10]"]);
    assert.deepEqual(r.pods.splits, []);
  });

  test("incident response labels one StatefulSet replica quarantine=true: that pod is its own endpoint (db/db-1 beside StatefulSet db/db), with its own labels", () => {
    const r = dump([statefulSet, stsPod(0, "10.244.1.10"), stsPod(1, "10.244.1.11", { quarantine: "true" }), stsPod(2, "10.244.2.10"), policy("quarantine", { matchLabels: { quarantine: "true" } })]);
    assert.deepEqual(shapes(r.value.endpoints), [
      "shop/db StatefulSet pods=[db-0,db-2] labels=[app=db,controller-revision-hash=db-7b9c6d5f4d] ips=[10.244.1.10,10.244.2.10] split=[db-1]",
      "shop/db-1 Pod pods=[db-1] labels=[app=db,apps.kubernetes.io/pod-index=1,controller-revision-hash=db-7b9c6d5f4d,statefulset.kubernetes.io/pod-name=db-1,quarantine=true] ips=[10.244.1.11] owner=StatefulSet/db",
    ]);
    assert.deepEqual(r.pods.splits.map(formatPodSplit), ["StatefulSet shop/db: pod db-1 is its own endpoint (labels differ: quarantine=true)"]);
    assert.deepEqual(
      endpointsOfOwner(r.value, { kind: "StatefulSet", namespace: NS, name: "db" }).map((e) => e.id),
      ["shop/db", "shop/db-1"],
    );
    assert.deepEqual(endpointsOfOwner(r.value, { kind: "Deployment", namespace: NS, name: "db" }), []);
  });

  test("a pod of its own keeps its owner's annotations (portcullis.dev/ignore on the StatefulSet), its own winning", () => {
    const annotated = { ...statefulSet, metadata: { ...(statefulSet["metadata"] as Json), annotations: { "portcullis.dev/ignore": "egress-not-isolated", team: "data" } } };
    const quarantined = stsPod(1, "10.244.1.11", { quarantine: "true" });
    (quarantined["metadata"] as Json)["annotations"] = { team: "security" };
    const r = dump([annotated, stsPod(0, "10.244.1.10"), quarantined]);
    assert.deepEqual(
      r.value.endpoints.map((e) => [e.id, Object.fromEntries(e.annotations ?? [])]),
      [
        ["shop/db", { "portcullis.dev/ignore": "egress-not-isolated", team: "data" }],
        ["shop/db-1", { "portcullis.dev/ignore": "egress-not-isolated", team: "security" }],
      ],
    );
  });

  test("a policy selecting one replica by statefulset.kubernetes.io/pod-name: that label tells the pods apart, so each is its own endpoint (the first keeps the owner's name)", () => {
    const r = dump([statefulSet, stsPod(0, "10.244.1.10"), stsPod(1, "10.244.1.11"), policy("primary", { matchLabels: { "statefulset.kubernetes.io/pod-name": "db-0" } })]);
    assert.deepEqual(
      shapes(r.value.endpoints).map((s) => s.split(" labels=")[0]),
      ["shop/db StatefulSet pods=[db-0]", "shop/db-1 Pod pods=[db-1]"],
    );
    assert.equal(r.value.endpoints[0]?.labels.get("statefulset.kubernetes.io/pod-name"), "db-0", "the pod's own value, which the policy reads");
    assert.deepEqual(r.pods.splits.map(formatPodSplit), ["StatefulSet shop/db: pod db-1 is its own endpoint (labels differ: statefulset.kubernetes.io/pod-name=db-1)"]);
  });

  const deployment = workload("Deployment", "web", { app: "web" });
  const replicaSet = (hash: string, labels: Record<string, string> = { app: "web" }): Json => workload("ReplicaSet", `web-${hash}`, { ...labels, "pod-template-hash": hash }, ["Deployment", "web"]);
  const webPod = (hash: string, suffix: string, ip: string, labels: Record<string, string> = { app: "web" }): Json =>
    pod({ name: `web-${hash}-${suffix}`, owner: ["ReplicaSet", `web-${hash}`], ip, labels: { ...labels, "pod-template-hash": hash } });

  test("kubectl get -A -o json dump of a Deployment (Deployment, ReplicaSet, pods with pod-template-hash): one endpoint, named as the Deployment, with the pods' labels", () => {
    const r = dump([deployment, replicaSet("5d8f7c9b4"), webPod("5d8f7c9b4", "k2x7q", "10.244.1.12"), webPod("5d8f7c9b4", "p9w4z", "10.244.2.11")]);
    assert.deepEqual(shapes(r.value.endpoints), ["shop/web Deployment pods=[web-5d8f7c9b4-k2x7q,web-5d8f7c9b4-p9w4z] labels=[app=web,pod-template-hash=5d8f7c9b4] ips=[10.244.1.12,10.244.2.11]"]);
  });

  test("a rollout mixing pod-template-hash values (a new image): the hashes change no answer, so the pods stay one endpoint, carrying the labels they share", () => {
    const r = dump([deployment, replicaSet("5d8f7c9b4"), replicaSet("6f9c8d7b5"), webPod("5d8f7c9b4", "k2x7q", "10.244.1.12"), webPod("6f9c8d7b5", "a1b2c", "10.244.2.12")]);
    assert.deepEqual(shapes(r.value.endpoints), ["shop/web Deployment pods=[web-5d8f7c9b4-k2x7q,web-6f9c8d7b5-a1b2c] labels=[app=web] ips=[10.244.1.12,10.244.2.12]"]);
  });

  test("a rollout mixing pod-template-hash values, where a policy selects by pod-template-hash (a canary rule): the revisions are told apart", () => {
    const canary = policy("canary", { matchLabels: { "pod-template-hash": "6f9c8d7b5" } }, ["Egress"]);
    const r = dump([deployment, replicaSet("5d8f7c9b4"), replicaSet("6f9c8d7b5"), webPod("5d8f7c9b4", "k2x7q", "10.244.1.12"), webPod("5d8f7c9b4", "m3n4o", "10.244.1.13"), webPod("6f9c8d7b5", "a1b2c", "10.244.2.12"), canary]);
    assert.deepEqual(
      shapes(r.value.endpoints).map((s) => s.split(" labels=")[0]),
      ["shop/web Deployment pods=[web-5d8f7c9b4-k2x7q,web-5d8f7c9b4-m3n4o]", "shop/web-6f9c8d7b5-a1b2c Pod pods=[web-6f9c8d7b5-a1b2c]"],
    );
  });

  test("a rollout that changes the template's labels (version v1 to v2): the pods matching the Deployment's template keep its name, even when fewer", () => {
    const v1 = { app: "web", version: "v1" };
    const v2 = { app: "web", version: "v2" };
    const r = dump([workload("Deployment", "web", v2), replicaSet("5d8f7c9b4", v1), replicaSet("6f9c8d7b5", v2), webPod("5d8f7c9b4", "k2x7q", "10.244.1.12", v1), webPod("5d8f7c9b4", "m3n4o", "10.244.1.13", v1), webPod("6f9c8d7b5", "a1b2c", "10.244.2.12", v2)]);
    assert.deepEqual(
      shapes(r.value.endpoints).map((s) => s.split(" labels=")[0]),
      ["shop/web Deployment pods=[web-6f9c8d7b5-a1b2c]", "shop/web-5d8f7c9b4-k2x7q Pod pods=[web-5d8f7c9b4-k2x7q]", "shop/web-5d8f7c9b4-m3n4o Pod pods=[web-5d8f7c9b4-m3n4o]"],
    );
    assert.deepEqual(r.pods.splits.map(formatPodSplit), [
      "Deployment shop/web: pod web-5d8f7c9b4-k2x7q is its own endpoint (labels differ: version=v1)",
      "Deployment shop/web: pod web-5d8f7c9b4-m3n4o is its own endpoint (labels differ: version=v1)",
    ]);
  });

  test("pods whose owner is not in the input (kubectl get pods): the largest group of alike pods keeps the owner's name; ties go to the first in the input", () => {
    const rs: [string, string] = ["ReplicaSet", "web-5d8f7c9b4"];
    const alike = (name: string, ip: string, extra: Record<string, string> = {}): Json => pod({ name, owner: rs, ip, labels: { app: "web", "pod-template-hash": "5d8f7c9b4", ...extra } });
    const largest = dump([alike("a", "10.244.1.1", { debug: "on" }), alike("b", "10.244.1.2"), alike("c", "10.244.1.3")]);
    assert.deepEqual(shapes(largest.value.endpoints).map((s) => s.split(" labels=")[0]), ["shop/web-5d8f7c9b4 ReplicaSet pods=[b,c]", "shop/a Pod pods=[a]"]);
    const tie = dump([alike("a", "10.244.1.1", { debug: "on" }), alike("b", "10.244.1.2")]);
    assert.deepEqual(shapes(tie.value.endpoints).map((s) => s.split(" labels=")[0]), ["shop/web-5d8f7c9b4 ReplicaSet pods=[a]", "shop/b Pod pods=[b]"]);
    assert.deepEqual(tie.pods.splits.map(formatPodSplit), ["ReplicaSet shop/web-5d8f7c9b4: pod b is its own endpoint (labels differ: without debug=on)"]);
  });

  const ds = workload("DaemonSet", "agent", { app: "agent" });
  const agent = (name: string, extra: Partial<PodSpec> = {}): Json => pod({ name, owner: ["DaemonSet", "agent"], ip: "10.244.1.30", labels: { app: "agent", "controller-revision-hash": "abc", "pod-template-generation": "1" }, ...extra });
  const splitCases: { name: string; other: Json; why: string }[] = [
    { name: "host network differs", other: agent("agent-2", { hostNetwork: true, ip: "192.168.49.3" }), why: "host network" },
    { name: "declared container ports differ (a pod of an older revision)", other: agent("agent-2", { ports: [8080, 9100], ip: "10.244.2.30" }), why: "ports differ: TCP 8080, TCP 9100" },
    { name: "the pod has no IP yet (Pending): it is anywhere in the pod network, not at its siblings' addresses", other: agent("agent-2", { ip: undefined, phase: "Pending" }), why: "no pod IP yet" },
  ];
  for (const c of splitCases) {
    test(`a DaemonSet pod whose ${c.name} is its own endpoint`, () => {
      const r = dump([ds, agent("agent-1"), c.other]);
      assert.deepEqual(r.value.endpoints.map((e) => `${e.id} ${e.kind}`), ["shop/agent DaemonSet", "shop/agent-2 Pod"]);
      assert.deepEqual(r.pods.splits.map(formatPodSplit), [`DaemonSet shop/agent: pod agent-2 is its own endpoint (${c.why})`]);
    });
  }

  test("a CronJob's runs: job-name and controller-uid differ from Job to Job and change no answer", () => {
    const cron = workload("CronJob", "backup", { app: "backup" });
    const job = (n: string): Json => workload("Job", `backup-${n}`, { app: "backup" }, ["CronJob", "backup"]);
    const jobPod = (n: string, ip: string): Json =>
      pod({ name: `backup-${n}-x`, owner: ["Job", `backup-${n}`], ip, labels: { app: "backup", "job-name": `backup-${n}`, "controller-uid": `u-${n}`, "batch.kubernetes.io/job-name": `backup-${n}`, "batch.kubernetes.io/controller-uid": `u-${n}` } });
    const r = dump([cron, job("1"), job("2"), jobPod("1", "10.244.1.40"), jobPod("2", "10.244.1.41")]);
    assert.deepEqual(shapes(r.value.endpoints), ["shop/backup CronJob pods=[backup-1-x,backup-2-x] labels=[app=backup] ips=[10.244.1.40,10.244.1.41]"]);
  });
});

describe("terminated pods are no endpoints", () => {
  test("kubectl get -A -o json dump: a Job pod Succeeded keeps status.podIP, which a running pod now has: only the running pod holds the address", () => {
    const r = dump([
      pod({ name: "backup-28901-x7k2p", owner: ["Job", "backup-28901"], ip: "10.244.1.12", phase: "Succeeded", labels: { "job-name": "backup-28901" }, states: ["terminated"] }),
      pod({ name: "web-5d8f7c9b4-k2x7q", owner: ["ReplicaSet", "web-5d8f7c9b4"], ip: "10.244.1.12", labels: { app: "web" } }),
    ]);
    assert.deepEqual(shapes(r.value.endpoints), ["shop/web-5d8f7c9b4 ReplicaSet pods=[web-5d8f7c9b4-k2x7q] labels=[app=web] ips=[10.244.1.12]"]);
    assert.equal(formatGonePods(r.pods.gone), "skipped 1 terminated pod (Succeeded 1): not endpoints");
  });

  const cases: { name: string; spec: Partial<PodSpec>; gone: boolean }[] = [
    { name: "phase Succeeded (\"all containers in the Pod have terminated in success\")", spec: { phase: "Succeeded" }, gone: true },
    { name: "phase Failed (\"all containers in the Pod have terminated, and at least one ... in failure\")", spec: { phase: "Failed" }, gone: true },
    { name: "deletionTimestamp set, a container still running (graceful termination: it still sends)", spec: { deletionTimestamp: "2026-12-01T10:00:00Z", states: ["running", "terminated"] }, gone: false },
    { name: "deletionTimestamp set, every container terminated", spec: { deletionTimestamp: "2026-12-01T10:00:00Z", states: ["terminated", "terminated"] }, gone: true },
    { name: "deletionTimestamp set, no container status in the data", spec: { deletionTimestamp: "2026-12-01T10:00:00Z" }, gone: false },
    { name: "phase Running", spec: {}, gone: false },
    { name: "phase Pending", spec: { phase: "Pending" }, gone: false },
  ];
  for (const c of cases) {
    test(`a pod with ${c.name} ${c.gone ? "is no endpoint" : "is an endpoint"}`, () => {
      const r = dump([pod({ name: "p", ip: "10.244.1.5", labels: { app: "p" }, ...c.spec })]);
      assert.equal(r.value.endpoints.length, c.gone ? 0 : 1);
    });
  }

  test("counted per reason for -v", () => {
    const r = dump([
      pod({ name: "a", labels: {}, phase: "Succeeded" }),
      pod({ name: "b", labels: {}, phase: "Failed" }),
      pod({ name: "c", labels: {}, phase: "Succeeded" }),
      pod({ name: "d", labels: {}, deletionTimestamp: "2026-12-01T10:00:00Z", states: ["terminated"] }),
    ]);
    assert.equal(formatGonePods(r.pods.gone), "skipped 4 terminated pods (Succeeded 2, Failed 1, deleted 1): not endpoints");
    assert.equal(formatGonePods(dump([pod({ name: "a", labels: {} })]).pods.gone), null);
  });

  test("a workload whose pods all terminated is its template again when it is in the input (a completed Job), and nothing when it is not", () => {
    const done = pod({ name: "migrate-x", owner: ["Job", "migrate"], ip: "10.244.1.50", phase: "Succeeded", labels: { app: "migrate", "job-name": "migrate" } });
    assert.deepEqual(shapes(dump([workload("Job", "migrate", { app: "migrate" }), done]).value.endpoints), ["shop/migrate Job pods=[] labels=[app=migrate] ips=[]"]);
    assert.deepEqual(dump([done]).value.endpoints, []);
  });
});

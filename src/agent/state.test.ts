import { test } from "node:test";
import assert from "node:assert/strict";
import { formatCidr } from "../net/cidr.js";
import { formatIp } from "../net/ip.js";
import { ClusterView } from "./state.js";
import { bumped, liveNamespace, liveNode, livePod, livePolicy } from "./testkit.js";

const DENY_EGRESS = { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"] };

function seeded(): ClusterView {
  const v = new ClusterView("worker-1");
  v.upsert(liveNamespace("production", { team: "web" }));
  v.upsert(liveNode("worker-1", "10.244.1.0/24"));
  v.upsert(livePod("production", "web-7d9f-a", { labels: { app: "web", "pod-template-hash": "7d9f" }, ip: "10.244.1.5", node: "worker-1", replicaSet: "web-7d9f" }));
  v.upsert(livePod("production", "web-7d9f-b", { labels: { app: "web", "pod-template-hash": "7d9f" }, ip: "10.244.2.7", node: "worker-2", replicaSet: "web-7d9f" }));
  v.upsert(livePolicy("production", "deny-egress", DENY_EGRESS));
  return v;
}

test("kubectl get -o json objects: a ReplicaSet's two pods are one endpoint named as the ownerReference, the namespace keeps its labels", () => {
  const c = seeded().cluster();
  assert.deepEqual(
    c.endpoints.map((e) => [e.id, e.kind, e.ips.map(formatIp)]),
    [["production/web-7d9f", "ReplicaSet", ["10.244.1.5", "10.244.2.7"]]],
  );
  assert.equal(c.namespaces.get("production")?.labels.get("team"), "web");
  assert.deepEqual(c.policies.map((p) => p.name), ["deny-egress"]);
});

test("identity: a status heartbeat (new resourceVersion, nothing the model reads) keeps the same Cluster and objects", () => {
  const v = seeded();
  const before = v.cluster();
  const change = v.upsert(bumped(livePod("production", "web-7d9f-a", { labels: { app: "web", "pod-template-hash": "7d9f" }, ip: "10.244.1.5", node: "worker-1", replicaSet: "web-7d9f" })));
  assert.equal(change.changed, false);
  assert.equal(v.cluster(), before);
});

test("identity: a policy added leaves every other model object the same (===); the endpoint regroups only when its pods change", () => {
  const v = seeded();
  const before = v.cluster();
  v.upsert(livePolicy("production", "allow-dns", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ port: 53, protocol: "UDP" }] }] }));
  const after = v.cluster();
  assert.notEqual(after, before);
  assert.equal(after.endpoints[0], before.endpoints[0]);
  assert.equal(after.policies[0], before.policies[0]);
  assert.equal(after.namespaces.get("production"), before.namespaces.get("production"));
  assert.equal(after.nodes?.[0], before.nodes?.[0]);
  v.upsert(livePod("production", "solo", { labels: { app: "db" }, ip: "10.244.1.9", node: "worker-1" }));
  const third = v.cluster();
  assert.equal(third.endpoints[0], after.endpoints[0], "the ReplicaSet's endpoint is untouched by a bare pod");
  assert.deepEqual(third.endpoints.map((e) => e.id), ["production/web-7d9f", "production/solo"]);
});

test("a selector that reads pod-template-hash splits the ReplicaSet's pods (podLabelKeysRead), and dropping it joins them again", () => {
  const v = seeded();
  v.upsert(livePod("production", "web-8e0a-c", { labels: { app: "web", "pod-template-hash": "8e0a" }, ip: "10.244.1.6", node: "worker-1", replicaSet: "web-7d9f" }));
  assert.equal(v.cluster().endpoints.length, 1);
  const reads = livePolicy("production", "by-hash", { podSelector: { matchLabels: { "pod-template-hash": "8e0a" } }, policyTypes: ["Ingress"] });
  v.upsert(reads);
  assert.deepEqual(v.cluster().endpoints.map((e) => e.id), ["production/web-7d9f", "production/web-8e0a-c"]);
  v.remove(reads);
  assert.deepEqual(v.cluster().endpoints.map((e) => e.id), ["production/web-7d9f"]);
});

test("node scope: spec.nodeName picks the local pods, holding only their own addresses; the Node's spec.podCIDRs are the fail-closed ranges", () => {
  const v = seeded();
  const scope = v.nodeScope();
  assert.ok(typeof scope !== "string");
  assert.deepEqual(scope.localPods?.map((e) => [e.id, e.ips.map(formatIp), e.pods]), [["production/web-7d9f", ["10.244.1.5"], ["web-7d9f-a"]]]);
  assert.deepEqual(scope.podCidrs?.map(formatCidr), ["10.244.1.0/24"]);
  const again = v.nodeScope();
  assert.ok(typeof again !== "string");
  assert.equal(again.localPods?.[0], scope.localPods?.[0], "the local part is kept while the same");
});

test("node scope: no Node object named by --node refuses, naming the node (no guessing)", () => {
  const v = new ClusterView("worker-9");
  v.upsert(livePod("production", "p", { ip: "10.244.1.5", node: "worker-9" }));
  const scope = v.nodeScope();
  assert.equal(typeof scope, "string");
  assert.match(scope as string, /no Node "worker-9"/);
});

test("fail closed: a policy version with an error keeps the last good version, and is reported by name", () => {
  const v = seeded();
  const before = v.cluster().policies[0];
  const change = v.upsert(livePolicy("production", "deny-egress", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/33" } }] }] }));
  assert.equal(change.changed, false);
  assert.ok(change.diagnostics.some((d) => d.severity === "error"));
  assert.equal(v.cluster().policies[0], before);
  assert.deepEqual(v.rejected().map((r) => [r.object, r.keptOlder]), [["NetworkPolicy production/deny-egress", true]]);
  // A new object with errors is left out (a new pod's address is then dropped by fail closed).
  v.upsert(livePolicy("production", "broken", { podSelector: { matchLabels: { app: 7 } } }));
  assert.deepEqual(v.cluster().policies.map((p) => p.name), ["deny-egress"]);
  assert.deepEqual(v.rejected().map((r) => [r.object, r.keptOlder]).sort(), [["NetworkPolicy production/broken", false], ["NetworkPolicy production/deny-egress", true]]);
});

test("pod IP assigned: the event that first carries the address says so, later ones do not", () => {
  const v = seeded();
  assert.equal(v.upsert(livePod("production", "new", { node: "worker-1" })).firstIp, false);
  assert.equal(v.upsert(livePod("production", "new", { node: "worker-1", ip: "10.244.1.20" })).firstIp, true);
  assert.equal(v.upsert(livePod("production", "new", { node: "worker-1", ip: "10.244.1.20", labels: { x: "y" } })).firstIp, false);
});

test("relist (410 Gone) as the reflector sends it (modified for the listed, deleted for the gone): unchanged objects keep their identity", () => {
  const v = seeded();
  const before = v.cluster();
  v.upsert(bumped(livePod("production", "web-7d9f-a", { labels: { app: "web", "pod-template-hash": "7d9f" }, ip: "10.244.1.5", node: "worker-1", replicaSet: "web-7d9f" })));
  assert.equal(v.remove(livePod("production", "web-7d9f-b")).changed, true);
  const after = v.cluster();
  assert.deepEqual(after.endpoints.map((e) => e.ips.map(formatIp)), [["10.244.1.5"]]);
  assert.equal(after.policies, before.policies, "the policies' list is the same array");
  assert.equal(v.remove(livePod("production", "never-seen")).changed, false);
  // A declared namespace stays when its last object goes; one that only existed through its objects goes with them.
  v.upsert(livePod("staging", "solo", { ip: "10.244.1.30" }));
  assert.deepEqual([...v.cluster().namespaces.keys()], ["production", "staging"]);
  v.remove(livePod("staging", "solo"));
  v.remove(livePod("production", "web-7d9f-a"));
  v.remove(livePolicy("production", "deny-egress", {}));
  assert.deepEqual([...v.cluster().namespaces.keys()], ["production"]);
});

test("a bare pod and a ReplicaSet of the same name in one namespace are told apart by kind, as withIds does for files", () => {
  const v = new ClusterView("n");
  v.upsert(livePod("a", "web", { ip: "10.0.0.1" }));
  v.upsert(livePod("a", "web-1", { ip: "10.0.0.2", replicaSet: "web" }));
  assert.deepEqual(v.cluster().endpoints.map((e) => e.id), ["a/web[Pod]", "a/web[ReplicaSet]"]);
});

test("memory: the pods of one ReplicaSet (same labels, pod-template-hash included) hold one labels Map, whatever their number; other labels, or the same in another order, another", () => {
  const v = seeded();
  v.upsert(livePod("production", "api-5c4b-a", { labels: { "pod-template-hash": "5c4b", app: "api" }, ip: "10.244.1.6", node: "worker-1", replicaSet: "api-5c4b" }));
  // Two distinct label maps and the empty annotations.
  assert.equal(v.labels.size, 3);
  for (const k of ["c", "d", "e"]) v.upsert(livePod("production", `web-7d9f-${k}`, { labels: { app: "web", "pod-template-hash": "7d9f" }, ip: `10.244.1.${k.charCodeAt(0)}`, node: "worker-1", replicaSet: "web-7d9f" }));
  assert.equal(v.labels.size, 3);
  const web = new Map([["app", "web"], ["pod-template-hash", "7d9f"]]);
  assert.notEqual(v.labels.intern(web), web, "the pods' Map is held and handed back");
  assert.deepEqual(v.labels.intern(web), web);
  const reordered = new Map([["app", "api"], ["pod-template-hash", "5c4b"]]);
  assert.equal(v.labels.intern(reordered), reordered, "iteration order is part of a Map's content");
  assert.equal(v.labels.size, 4);
});

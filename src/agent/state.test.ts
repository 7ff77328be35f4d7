import { test } from "node:test";
import assert from "node:assert/strict";
import { formatCidr } from "../net/cidr.js";
import { formatIp } from "../net/ip.js";
import type { LiveObject } from "../kube/live.js";
import { ClusterView, liveName } from "./state.js";
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

// Fail closed on objects that cannot be decoded (docs/enforcement.md "The node agent"): "no decode
// error may open traffic that the object, had it decoded, could have closed".

/** Kubernetes 1.32 validates ipBlock.cidr with ParseCIDRSloppy: `010.0.0.0/8` (leading zeros) is accepted; the decoder rejects it. */
const SLOPPY_CIDR = { to: [{ ipBlock: { cidr: "010.0.0.0/8" } }] };
const DNS_RULE = { ports: [{ port: 53, protocol: "UDP" }] };

const liveClusterPolicy = (name: string, egress: unknown[]): LiveObject => ({
  apiVersion: "policy.networking.k8s.io/v1alpha2",
  kind: "ClusterNetworkPolicy",
  metadata: { name, uid: `uid-${name}`, resourceVersion: "1", generation: 1 },
  spec: { tier: "Admin", priority: 20, subject: { namespaces: {} }, egress },
});
/** The v1alpha2 CRD accepts a Deny rule to domainNames; the kernel cannot match a name (an error for enforce). */
const DENY_BY_NAME = { name: "example", action: "Deny", to: [{ domainNames: ["example.com"] }] };
const DENY_NETWORK = { name: "metadata", action: "Deny", to: [{ networks: ["169.254.169.254/32"] }] };

const withLabels = (o: LiveObject, labels: Record<string, string>): LiveObject => ({ ...o, metadata: { ...o.metadata, labels } });

interface BadCase {
  readonly name: string;
  /** The object as it decodes; the same object with errors. */
  readonly good: LiveObject;
  readonly bad: LiveObject;
  /** What the view does with a version with errors when an older one decoded, and when none did. */
  readonly later: "rules-dropped" | "older-kept";
  readonly never: "rules-dropped" | "left-out" | "held";
  /** Objects present before (an admin policy, for the kinds held only when one could select them). */
  readonly before?: readonly LiveObject[];
}

const BAD_CASES: readonly BadCase[] = [
  {
    name: "NetworkPolicy, a rule with ipBlock.cidr 010.0.0.0/8 (accepted by 1.32's ParseCIDRSloppy): taken without that rule, its other rules and selection as written",
    good: livePolicy("production", "egress", { ...DENY_EGRESS, egress: [DNS_RULE] }),
    bad: livePolicy("production", "egress", { ...DENY_EGRESS, egress: [SLOPPY_CIDR, DNS_RULE] }),
    later: "rules-dropped",
    never: "rules-dropped",
  },
  {
    name: "NetworkPolicy, a spec field this decoder does not know (a newer API server's; defence, no such field in 1.32): what it selects is not known, so never decoded holds",
    good: livePolicy("production", "egress", DENY_EGRESS),
    bad: livePolicy("production", "egress", { ...DENY_EGRESS, futureField: true }),
    later: "older-kept",
    never: "held",
  },
  {
    name: "ClusterNetworkPolicy v1alpha2, a Deny rule to domainNames (the CRD accepts it, the kernel cannot match a name): left out, its Deny rules would open",
    good: liveClusterPolicy("deny", [DENY_NETWORK]),
    bad: liveClusterPolicy("deny", [DENY_NETWORK, DENY_BY_NAME]),
    later: "older-kept",
    never: "held",
  },
  {
    name: "Pod, status.podIPs 10.244.2.007 (1.32's IsValidIP reads it sloppily), no admin policy: a remote pod left out is in no NetworkPolicy's allow set",
    good: livePod("production", "api", { ip: "10.244.2.7", node: "worker-2" }),
    bad: livePod("production", "api", { ip: "10.244.2.007", node: "worker-2" }),
    later: "older-kept",
    never: "left-out",
  },
  {
    name: "Pod, status.podIPs 10.244.2.007, with an admin policy: it could be a Deny rule's peer by its labels, so never decoded holds",
    good: livePod("production", "api", { ip: "10.244.2.7", node: "worker-2" }),
    bad: livePod("production", "api", { ip: "10.244.2.007", node: "worker-2" }),
    later: "older-kept",
    never: "held",
    before: [liveClusterPolicy("deny", [DENY_NETWORK])],
  },
  {
    name: "Namespace, a label the decoder rejects (defence: the API server validates labels as the decoder does): left out it would stand with no labels, matched by NotIn, so never decoded holds",
    good: liveNamespace("staging", { team: "web" }),
    bad: withLabels(liveNamespace("staging"), { team: "-web" }),
    later: "older-kept",
    never: "held",
  },
  {
    name: "Node (another node), InternalIP 172.018.0.3 (leading zeros), with an admin policy: a nodes peer of a Deny rule could select it, so never decoded holds",
    good: liveNode("worker-2", "10.244.2.0/24"),
    bad: { ...liveNode("worker-2", "10.244.2.0/24"), status: { addresses: [{ type: "InternalIP", address: "172.018.0.3" }] } },
    later: "older-kept",
    never: "held",
    before: [liveClusterPolicy("deny", [DENY_NETWORK])],
  },
];

/** What the view holds for the object's key: its model value, by kind. */
function taken(v: ClusterView, o: LiveObject): unknown {
  const c = v.cluster();
  const name = o.metadata.name;
  switch (o.kind) {
    case "NetworkPolicy":
      return c.policies.find((p) => p.name === name);
    case "Pod":
      return c.endpoints.find((e) => e.name === name);
    case "Namespace":
      return c.namespaces.get(name)?.labels.get("team");
    case "Node":
      return c.nodes?.find((n) => n.name === name);
    default:
      return c.adminPolicies?.find((p) => p.name === name);
  }
}

for (const k of BAD_CASES) {
  test(`later version bad: ${k.name}`, () => {
    const v = seeded();
    for (const o of k.before ?? []) v.upsert(o);
    v.upsert(k.good);
    const older = taken(v, k.good);
    assert.notEqual(older, undefined);
    const change = v.upsert(bumped(k.bad));
    assert.ok(change.diagnostics.some((d) => d.severity === "error"), "the version has errors");
    assert.equal(change.outcome, k.later);
    const r = v.rejected().find((x) => x.object === liveName(k.bad));
    assert.equal(r?.outcome, k.later);
    if (k.later === "older-kept") assert.equal(taken(v, k.good), older, "the older version stays in force");
    assert.equal(typeof v.nodeScope(), "object", "an older version in force: no hold");
    assert.deepEqual(v.holds(), []);
  });

  test(`never decoded: ${k.name}`, () => {
    const v = seeded();
    for (const o of k.before ?? []) v.upsert(o);
    const before = v.nodeScope();
    assert.equal(typeof before, "object");
    const change = v.upsert(k.bad);
    assert.equal(change.outcome, k.never === "rules-dropped" ? "rules-dropped" : "not-taken");
    assert.equal(v.rejected().find((x) => x.object === liveName(k.bad))?.outcome, k.never);
    const scope = v.nodeScope();
    if (k.never === "held") {
      assert.equal(typeof scope, "string");
      assert.match(scope as string, new RegExp(`^held: ${liveName(k.bad)} has errors \\(`));
      assert.deepEqual(v.holds().map((h) => liveName(h.object)), [liveName(k.bad)]);
      // Fixed (a version that decodes) or deleted: the hold is released.
      v.upsert(bumped(k.good));
      assert.equal(typeof v.nodeScope(), "object", "fixed: released");
      v.upsert(bumped(k.bad));
      assert.equal(typeof v.nodeScope(), "object", "bad again after a good version: the good one stays, no hold");
      const w = seeded();
      for (const o of k.before ?? []) w.upsert(o);
      w.upsert(k.bad);
      assert.equal(typeof w.nodeScope(), "string");
      w.remove(k.bad);
      assert.equal(typeof w.nodeScope(), "object", "deleted: released");
      assert.deepEqual(w.rejected(), []);
    } else {
      assert.equal(typeof scope, "object", "left out (or taken without its bad rules) is closed: no hold");
      if (k.never === "left-out") assert.equal(taken(v, k.bad), undefined);
    }
  });
}

test("NetworkPolicy rules dropped: the rules with errors are left out, the others keep their index and field path, the policy types and selection stay as written", () => {
  const v = seeded();
  v.upsert(livePolicy("production", "mixed", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [SLOPPY_CIDR, DNS_RULE, { to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["010.1.0.0/16"] } }] }] }));
  const p = v.cluster().policies.find((x) => x.name === "mixed");
  assert.deepEqual(p?.egress.map((r) => [r.index, r.at.path]), [[1, "spec.egress[1]"]]);
  assert.deepEqual(p?.affects, { ingress: false, egress: true });
  // policyTypes absent (a manifest; the API server fills it in): "policies that contain an egress
  // section are assumed to affect egress" — still so with every egress rule left out.
  v.upsert(livePolicy("production", "untyped", { podSelector: {}, egress: [SLOPPY_CIDR] }));
  const u = v.cluster().policies.find((x) => x.name === "untyped");
  assert.deepEqual([u?.egress.length, u?.affects], [0, { ingress: true, egress: true }]);
  // An error outside the rules (podSelector): not taken at all, and the node is held.
  v.upsert(livePolicy("production", "bad-selector", { podSelector: { matchLabels: { app: 7 } }, policyTypes: ["Egress"], egress: [SLOPPY_CIDR] }));
  assert.equal(v.cluster().policies.some((x) => x.name === "bad-selector"), false);
  assert.match(v.nodeScope() as string, /^held: NetworkPolicy production\/bad-selector has errors .*spec\.podSelector\.matchLabels\.app/);
});

test("Pod never decoded on this node, whose Node has no spec.podCIDRs (fail closed off): its traffic would pass unfiltered, so it holds", () => {
  const v = new ClusterView("worker-1");
  v.upsert(liveNamespace("production"));
  v.upsert({ ...liveNode("worker-1", "10.244.1.0/24"), spec: {} });
  v.upsert(livePod("production", "local", { ip: "10.244.1.007", node: "worker-1" }));
  assert.match(v.nodeScope() as string, /^held: Pod production\/local .*fail closed is off/);
  v.upsert(livePod("production", "remote", { ip: "10.244.2.007", node: "worker-2" }));
  assert.deepEqual(v.holds().map((h) => liveName(h.object)), ["Pod production/local"], "a remote pod left out is closed without admin policies");
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

// The label keys the selectors read are counted per policy and service as they come, change and go
// (a policy event does not walk every policy): the pods split while any selector reads the key.
test("pod-template-hash read by two policies: the pods stay split until the last one stops reading it (deleted, or changed to another selector)", () => {
  const v = seeded();
  v.upsert(livePod("production", "web-8e0a-c", { labels: { app: "web", "pod-template-hash": "8e0a" }, ip: "10.244.1.6", node: "worker-1", replicaSet: "web-7d9f" }));
  const byHash = (name: string) => livePolicy("production", name, { podSelector: { matchLabels: { "pod-template-hash": "8e0a" } }, policyTypes: ["Ingress"] });
  const split = ["production/web-7d9f", "production/web-8e0a-c"];
  v.upsert(byHash("first"));
  v.upsert(byHash("second"));
  assert.deepEqual(v.cluster().endpoints.map((e) => e.id), split);
  v.remove(byHash("first"));
  assert.deepEqual(v.cluster().endpoints.map((e) => e.id), split, "the second policy still reads the key");
  v.upsert(bumped(livePolicy("production", "second", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Ingress"] })));
  assert.deepEqual(v.cluster().endpoints.map((e) => e.id), ["production/web-7d9f"], "changed: no selector reads the key now");
  v.upsert(livePod("production", "svc-reader", { labels: { app: "db" }, ip: "10.244.1.9", node: "worker-1" }));
  assert.deepEqual(v.cluster().endpoints.map((e) => e.id), ["production/web-7d9f", "production/svc-reader"], "only the changed unit is grouped again");
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

// Issue 10 (node agent at 50k pods / 10k policies): the garbage collector's marking time grows with
// the number of live objects; equal parts of decoded objects are held once.

test("memory: two NetworkPolicies written alike (the same selectors, namespaceSelector, named port, ipBlock) hold one value of each, their rules and peers their own", () => {
  const v = new ClusterView("worker-1");
  const spec = {
    podSelector: { matchLabels: { app: "web" } },
    policyTypes: ["Egress"],
    egress: [
      { to: [{ namespaceSelector: { matchLabels: { team: "db" } }, podSelector: { matchExpressions: [{ key: "tier", operator: "In", values: ["db", "cache"] }] } }], ports: [{ protocol: "TCP", port: "pg" }] },
      { to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } }] },
    ],
  };
  v.upsert(livePolicy("production", "a", spec));
  v.upsert(livePolicy("staging", "b", spec));
  const [a, b] = v.cluster().policies;
  assert.ok(a !== undefined && b !== undefined);
  assert.equal(a.podSelector, b.podSelector);
  assert.equal(a.ingress, b.ingress, "no ingress rules: one shared empty list");
  assert.equal(a.affects, b.affects);
  assert.equal(a.annotations, b.annotations);
  const [pa, pb] = [a.egress[0]?.peers, b.egress[0]?.peers].map((p) => (p === "all" ? undefined : p?.[0]));
  assert.ok(pa?.kind === "pods" && pb?.kind === "pods");
  assert.notEqual(pa, pb, "a peer carries its own location");
  assert.deepEqual([pa.at, pb.at].map((at) => at.object?.namespace), ["production", "staging"]);
  assert.equal(pa.pods, pb.pods);
  assert.equal(pa.namespaces, pb.namespaces);
  const [qa, qb] = [a.egress[0]?.ports, b.egress[0]?.ports].map((p) => (p === "all" ? undefined : p?.[0]?.port));
  assert.ok(qa !== undefined && qa === qb);
  const [ia, ib] = [a.egress[1]?.peers, b.egress[1]?.peers].map((p) => (p === "all" ? undefined : p?.[0]));
  assert.ok(ia?.kind === "ipBlock" && ib?.kind === "ipBlock");
  assert.equal(ia.cidr, ib.cidr);
  assert.equal(ia.except[0], ib.except[0]);
});

test("memory: selectors alike but for the order of their requirements, or a value, are not the same value", () => {
  const v = new ClusterView("worker-1");
  const selector = (matchLabels: Record<string, string>) => ({ podSelector: { matchLabels }, policyTypes: ["Ingress"] });
  v.upsert(livePolicy("production", "a", selector({ app: "web", tier: "front" })));
  v.upsert(livePolicy("production", "b", selector({ tier: "front", app: "web" })));
  v.upsert(livePolicy("production", "c", selector({ app: "web", tier: "back" })));
  const [a, b, c] = v.cluster().policies;
  assert.ok(a !== undefined && b !== undefined && c !== undefined);
  assert.notEqual(a.podSelector, b.podSelector);
  assert.notEqual(a.podSelector, c.podSelector);
  assert.deepEqual(c.podSelector.requirements.map((r) => ("values" in r ? r.values : [])), [["web"], ["back"]]);
});

test("memory: pods that declare the same container ports hold one list; other ports, another", () => {
  const v = new ClusterView("worker-1");
  const http = [{ name: "http", containerPort: 8080, protocol: "TCP" }];
  v.upsert(livePod("production", "web-a", { labels: { app: "web" }, ip: "10.244.1.5", node: "worker-1", ports: http }));
  v.upsert(livePod("production", "web-b", { labels: { app: "web" }, ip: "10.244.1.6", node: "worker-1", ports: http }));
  v.upsert(livePod("production", "db", { labels: { app: "db" }, ip: "10.244.1.7", node: "worker-1", ports: [{ name: "pg", containerPort: 5432, protocol: "TCP" }] }));
  const [a, b, db] = v.cluster().endpoints;
  assert.deepEqual([a?.id, b?.id, db?.id], ["production/web-a", "production/web-b", "production/db"]);
  assert.equal(a?.ports, b?.ports);
  assert.notEqual(a?.ports, db?.ports);
  assert.deepEqual(db?.ports, [{ name: "pg", port: 5432, protocol: "TCP" }]);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ARB_POD_NETWORK, arbCluster, arbClusterWithAdmin } from "../conformance/arbitrary.js";
import type { Cluster, Endpoint, Policy, Rule } from "../model/cluster.js";
import type { Cidr } from "../net/cidr.js";
import { CompileCache } from "./cache.js";
import { compileRuleset, ruleSpecs } from "./compile.js";
import { diffRulesets } from "./diff.js";
import { clusterFamilies } from "./families.js";
import { hashText, stableHashes } from "./ids.js";
import { AT, ENGINE_OPTIONS, LOCAL_PODS, POD_CIDRS as FIXTURE_POD_CIDRS, POLICIES, cidr, ip, namespace, pod, testCluster } from "./fixture.js";

const RUNS = Number(process.env["PROPERTY_RUNS"] ?? 100);

/**
 * One change as the node agent sees it from a watch event: the next Cluster keeps every object the
 * event did not touch (the same JS object) in new arrays; `pool` supplies new objects.
 */
type Op = "add-endpoint" | "remove-endpoint" | "relabel-endpoint" | "readdress-endpoint" | "add-policy" | "remove-policy" | "replace-policy" | "relabel-namespace" | "remove-admin" | "add-v6-endpoint" | "strip-v6";
const OPS: readonly Op[] = ["add-endpoint", "remove-endpoint", "relabel-endpoint", "readdress-endpoint", "add-policy", "remove-policy", "replace-policy", "relabel-namespace", "remove-admin", "add-v6-endpoint", "strip-v6"];

/** A family flip (issue 10: no sets for a family the cluster has no address of): every IPv6 pod address and IPv6 ipBlock gone, IPv6 admin networks too. */
function stripV6(c: Cluster): Cluster {
  const policies = c.policies.map((p) => ({ ...p, ingress: p.ingress.map(v4Rule), egress: p.egress.map(v4Rule) }));
  const adminPolicies = c.adminPolicies?.map((p) => ({
    ...p,
    egress: p.egress.map((r) =>
      r.match.kind !== "as-written" ? r : { ...r, match: { ...r.match, peers: r.match.peers.map((x) => (x.kind === "networks" ? { ...x, networks: x.networks.filter((n) => n.family === 4) } : x)) } },
    ),
  }));
  const endpoints = c.endpoints.map((e) => (e.ips.some((a) => a.family === 6) ? { ...e, ips: e.ips.filter((a) => a.family === 4) } : e));
  const nodes = c.nodes?.map((n) => ({ ...n, addresses: n.addresses.filter((a) => a.ip.family === 4), podCidrs: n.podCidrs.filter((x) => x.family === 4) }));
  return { ...c, endpoints, policies, ...(adminPolicies === undefined ? {} : { adminPolicies }), ...(nodes === undefined ? {} : { nodes }) };
}

/** A rule without its IPv6 ipBlocks (an IPv4 one in their place when none would be left). */
const v4Rule = (r: Rule): Rule => {
  if (r.peers === "all" || !r.peers.some((x) => x.kind === "ipBlock" && x.cidr.family === 6)) return r;
  const kept = r.peers.filter((x) => x.kind !== "ipBlock" || x.cidr.family === 4);
  return { ...r, peers: kept.length > 0 ? kept : [{ kind: "ipBlock", cidr: cidr("10.244.0.0/28"), except: [], at: AT }] };
};

function applyOp(c: Cluster, pool: Cluster, op: Op, pick: number, step: number): Cluster {
  const at = <T>(xs: readonly T[]): T | undefined => xs[pick % Math.max(1, xs.length)];
  const source = at(pool.endpoints);
  const victim = at(c.endpoints);
  const swapEndpoint = (next: Endpoint): Cluster => ({ ...c, endpoints: c.endpoints.map((e) => (e === victim ? next : e)) });
  switch (op) {
    case "add-endpoint":
      return source === undefined ? c : { ...c, endpoints: [...c.endpoints, { ...source, id: `${source.namespace}/n${step}`, name: `n${step}`, pods: [`n${step}`] }] };
    case "remove-endpoint":
      return { ...c, endpoints: c.endpoints.filter((e) => e !== victim) };
    case "relabel-endpoint":
      return victim === undefined || source === undefined ? c : swapEndpoint({ ...victim, labels: source.labels });
    case "readdress-endpoint":
      return victim === undefined || source === undefined ? c : swapEndpoint({ ...victim, ips: source.ips, ports: source.ports, hostNetwork: source.hostNetwork });
    case "add-policy": {
      const p = at(pool.policies);
      return p === undefined ? c : { ...c, policies: [...c.policies, { ...p, id: `${p.namespace}/q${step}`, name: `q${step}` }] };
    }
    case "remove-policy": {
      const gone = at(c.policies);
      return { ...c, policies: c.policies.filter((p) => p !== gone) };
    }
    case "replace-policy": {
      const old = at(c.policies);
      const p = at(pool.policies);
      if (old === undefined || p === undefined) return c;
      const next: Policy = { ...p, id: old.id, namespace: old.namespace, name: old.name };
      return { ...c, policies: c.policies.map((x) => (x === old ? next : x)) };
    }
    case "relabel-namespace": {
      const names = [...c.namespaces.keys()];
      const name = at(names);
      const ns = name === undefined ? undefined : c.namespaces.get(name);
      const labels = at([...pool.namespaces.values()])?.labels;
      if (name === undefined || ns === undefined || labels === undefined) return c;
      const namespaces = new Map(c.namespaces);
      namespaces.set(name, { ...ns, labels: new Map([...labels, ["kubernetes.io/metadata.name", name]]) });
      return { ...c, namespaces };
    }
    case "add-v6-endpoint":
      return source === undefined ? c : { ...c, endpoints: [...c.endpoints, { ...source, id: `${source.namespace}/s${step}`, name: `s${step}`, pods: [`s${step}`], ips: [ip(`fd00::${(pick % 64).toString(16)}`)] }] };
    case "strip-v6":
      return stripV6(c);
    case "remove-admin": {
      const gone = at(c.adminPolicies ?? []);
      return gone === undefined ? c : { ...c, adminPolicies: (c.adminPolicies ?? []).filter((p) => p !== gone) };
    }
  }
}

const POD_CIDRS: readonly Cidr[] = [cidr("10.244.0.0/26")];

/** The node's pods: those of the first two namespaces (a node holds some pods, peers are everywhere). */
const nodeScope = (c: Cluster, everything: boolean) =>
  everything ? {} : { localPods: c.endpoints.filter((e) => e.namespace === "a" || e.namespace === "b"), podCidrs: POD_CIDRS };

const arbOps = fc.array(fc.tuple(fc.constantFrom(...OPS), fc.nat()), { minLength: 1, maxLength: 12 });

/** Sequences that flip IPv6 off and on again (and may flip it more): the families are an input of every cached set and chain. */
const arbFlipOps = fc
  .tuple(arbOps, arbOps)
  .map(([a, b]) => [["strip-v6", 0] as const, ...a, ["strip-v6", 0] as const, ["add-v6-endpoint", 1] as const, ...b] as (readonly [Op, number])[]);

function checkSequence(start: Cluster, pool: Cluster, ops: readonly (readonly [Op, number])[], options: { ipBlockMatchesPods: boolean; audit: boolean; everything: boolean }): void {
  const engineOptions = { ...ENGINE_OPTIONS, podNetwork: ARB_POD_NETWORK, ipBlockMatchesPods: options.ipBlockMatchesPods };
  const cache = new CompileCache();
  let cluster = start;
  let loaded = compileRuleset(cluster, engineOptions, nodeScope(cluster, options.everything), { cache, audit: options.audit }).ruleset;
  ops.forEach(([op, pick], step) => {
    cluster = applyOp(cluster, pool, op, pick, step);
    const scope = nodeScope(cluster, options.everything);
    const incremental = compileRuleset(cluster, engineOptions, scope, { cache, audit: options.audit });
    const fresh = compileRuleset(cluster, engineOptions, scope, { audit: options.audit });
    assert.equal(incremental.text, fresh.text, `after step ${step} (${op} ${pick}) the incremental compile differs from a fresh one`);
    // The diff from the loaded table is the diff a fresh compile gives.
    assert.equal(diffRulesets(loaded, incremental.ruleset).text, diffRulesets(loaded, fresh.ruleset).text, `after step ${step} (${op} ${pick}) the diffs differ`);
    // The ruleset diff relies on it (it compares the lists between their common head and tail).
    for (const set of incremental.ruleset.sets) assert.equal(new Set(set.elements.map((e) => e.key)).size, set.elements.length, `set ${set.name} lists a key twice`);
    // A hash set (no `flags interval`) holds exact keys only: nft refuses a range or a prefix there.
    for (const set of incremental.ruleset.sets) if (!set.interval) for (const e of set.elements) assert.doesNotMatch(e.key, /[-/]/, `hash set ${set.name}: ${e.key}`);
    // The kind of a set depends on its rule only: a change that leaves every rule as it was (pods,
    // namespaces, other policies) keeps every set that stays as it was declared (an element diff).
    if (op !== "replace-policy" && op !== "strip-v6") {
      const before = new Map(loaded.sets.map((s) => [s.name, s]));
      for (const set of incremental.ruleset.sets) {
        const was = before.get(set.name);
        if (was !== undefined) assert.deepEqual([set.type, set.interval], [was.type, was.interval], `after step ${step} (${op} ${pick}) set ${set.name} changed its kind`);
      }
    }
    loaded = incremental.ruleset;
  });
}

test("random clusters, random sequences of watch-event changes (unchanged objects kept): the incremental compile equals a fresh compile after every change", () => {
  fc.assert(
    fc.property(arbCluster, arbCluster, arbOps, fc.boolean(), fc.boolean(), fc.boolean(), (start, pool, ops, ipBlockMatchesPods, audit, everything) => {
      checkSequence(start, pool, ops, { ipBlockMatchesPods, audit, everything });
    }),
    { numRuns: RUNS },
  );
});

test("with admin policies (both tiers, Nodes): the incremental compile equals a fresh compile after every change", () => {
  fc.assert(
    fc.property(arbClusterWithAdmin, arbCluster, arbOps, fc.boolean(), fc.boolean(), (start, pool, ops, ipBlockMatchesPods, everything) => {
      checkSequence(start, pool, ops, { ipBlockMatchesPods, audit: false, everything });
    }),
    { numRuns: RUNS },
  );
});

test("family flips (issue 10): IPv6 goes (every IPv6 address, ipBlock and admin network gone) and comes back (one IPv6 pod): the incremental compile equals a fresh compile after every change", () => {
  fc.assert(
    fc.property(arbClusterWithAdmin, arbCluster, arbFlipOps, fc.boolean(), fc.boolean(), (start, pool, ops, ipBlockMatchesPods, everything) => {
      // The op does flip: no IPv6 left after it (the node's pod CIDRs are IPv4).
      assert.ok(!clusterFamilies(stripV6(start), POD_CIDRS).includes(6));
      checkSequence(start, pool, ops, { ipBlockMatchesPods, audit: false, everything });
    }),
    { numRuns: RUNS },
  );
});

test("fixture cluster, a remote pod that no peer selects comes (outside every ipBlock): the engine is followed, not built again, and every rule keeps its sets", () => {
  const start = testCluster();
  const scope = { localPods: LOCAL_PODS, podCidrs: FIXTURE_POD_CIDRS };
  const cache = new CompileCache();
  compileRuleset(start, ENGINE_OPTIONS, scope, { cache });
  const misses = cache.misses;
  const next = { ...start, endpoints: [...start.endpoints, pod("staging", "batch", { app: "batch" }, ["10.99.0.7"])] };
  const incremental = compileRuleset(next, ENGINE_OPTIONS, scope, { cache });
  assert.equal(cache.followed, 1);
  assert.equal(cache.misses, misses, "no rule's sets were computed again");
  assert.equal(incremental.text, compileRuleset(next, ENGINE_OPTIONS, scope).text);
});

test("fixture cluster, a namespace's labels change: the engine is built again (namespaces are not followed)", () => {
  const start = testCluster();
  const cache = new CompileCache();
  compileRuleset(start, ENGINE_OPTIONS, {}, { cache });
  const namespaces = new Map(start.namespaces);
  namespaces.set("staging", namespace("staging", { env: "prod" }));
  const next = { ...start, namespaces };
  const incremental = compileRuleset(next, ENGINE_OPTIONS, {}, { cache });
  assert.equal(cache.followed, 0);
  assert.equal(incremental.text, compileRuleset(next, ENGINE_OPTIONS, {}).text);
});

/**
 * Each kind of change a watch event makes, from the fixture cluster, compiled through one cache
 * after a first compile: the result is a fresh compile's, and the rule specs (ids and hashes, kept
 * while the looked-up policies are the same objects) are kept exactly when no looked-up policy
 * came, went or changed. `specs`: how many of the two directions keep theirs.
 */
const AUDITED = POLICIES.find((p) => p.name === "audit-egress") as Policy;
const WEB_EGRESS = POLICIES.find((p) => p.name === "web-api-egress") as Policy;
const worker2 = pod("production", "worker-2", { app: "worker" }, ["10.244.1.31"]);
const CHANGES: readonly { readonly name: string; readonly change: (c: Cluster) => Cluster; readonly specs: number }[] = [
  { name: "pod added (a local pod joins an existing group)", change: (c) => ({ ...c, endpoints: [...c.endpoints, worker2] }), specs: 2 },
  { name: "pod deleted", change: (c) => ({ ...c, endpoints: c.endpoints.filter((e) => e.name !== "worker") }), specs: 2 },
  { name: "pod relabelled (into web-api: its policies were already looked up)", change: (c) => ({ ...c, endpoints: c.endpoints.map((e) => (e.name === "worker" ? { ...e, labels: new Map([["app", "web-api"]]) } : e)) }), specs: 2 },
  { name: "pod IP changed", change: (c) => ({ ...c, endpoints: c.endpoints.map((e) => (e.name === "db" ? { ...e, ips: [...worker2.ips] } : e)) }), specs: 2 },
  { name: "namespace relabelled (the engine is built again; the policies are the same objects)", change: (c) => ({ ...c, namespaces: new Map([...c.namespaces, ["staging", namespace("staging", { env: "prod" })]]) }), specs: 2 },
  {
    name: "policy added (selects local pods: egress specs made again)",
    change: (c) => ({ ...c, policies: [...c.policies, { ...WEB_EGRESS, id: "production/web-api-egress-2", name: "web-api-egress-2" }] }),
    specs: 1,
  },
  { name: "policy changed (audited → enforced: a new object)", change: (c) => ({ ...c, policies: c.policies.map((p) => (p === AUDITED ? { ...p, annotations: new Map() } : p)) }), specs: 1 },
  { name: "policy deleted", change: (c) => ({ ...c, policies: c.policies.filter((p) => p !== AUDITED) }), specs: 1 },
  {
    name: "service added",
    change: (c) => ({ ...c, services: [{ namespace: "production", name: "db", selector: new Map([["app", "db"]]), ports: [], clusterIps: [ip("10.96.0.20")], type: "ClusterIP", headless: false, externalName: null, at: AT }] }),
    specs: 2,
  },
  { name: "node added (its pod CIDR)", change: (c) => ({ ...c, nodes: [{ name: "node-1", labels: new Map(), podCidrs: [cidr("10.244.1.0/24")], addresses: [], at: AT }] }), specs: 2 },
];

for (const { name, change, specs } of CHANGES) {
  test(`compile cache, ${name}: equals a fresh compile; rule specs kept in ${specs} of 2 directions`, () => {
    const start = testCluster();
    const scope = (c: Cluster) => ({ localPods: c.endpoints.filter((e) => e.namespace !== "kube-system"), podCidrs: FIXTURE_POD_CIDRS });
    const cache = new CompileCache();
    compileRuleset(start, ENGINE_OPTIONS, scope(start), { cache });
    const kept = cache.specsKept;
    const next = change(start);
    const incremental = compileRuleset(next, ENGINE_OPTIONS, scope(next), { cache });
    assert.equal(incremental.text, compileRuleset(next, ENGINE_OPTIONS, scope(next)).text);
    assert.deepEqual([...incremental.issues], [...compileRuleset(next, ENGINE_OPTIONS, scope(next)).issues]);
    assert.equal(cache.specsKept - kept, specs);
  });
}

test("rule specs: kept per policy object while no two keys hash alike; a policy added makes its own specs only, and equals hashing every key afresh", () => {
  const before = ruleSpecs("egress", new Set(POLICIES.slice(0, -1)), new Set());
  const after = ruleSpecs("egress", new Set(POLICIES), new Set());
  const kept = new Set(before.specs);
  assert.ok(before.specs.length > 0);
  for (const spec of after.specs) assert.equal(kept.has(spec), spec.policy !== POLICIES[POLICIES.length - 1], spec.id);
  // What hashing every key in one pass gives (the rule ids documented in src/nft/ids.ts): `policy id \n rule index`.
  const expected = stableHashes(after.specs.map((s) => `${s.policy.id}\n${s.rule.index}`));
  for (const spec of after.specs) assert.equal(spec.hash, expected.get(`${spec.policy.id}\n${spec.rule.index}`));
});

test("rule specs: two keys that hash alike fall back to stableHashes over every key: ids stay unique, the later key in sorted order rehashed", () => {
  // A weak hash (12 hex digits of the text's length) makes every key of one length collide.
  const weak = (text: string): string => text.length.toString(16).padStart(12, "0");
  const { specs } = ruleSpecs("egress", new Set(POLICIES), new Set(), weak);
  assert.ok(specs.length > 1);
  assert.equal(new Set(specs.map((s) => s.id)).size, specs.length);
  const peerKeys = specs.filter((s) => s.peersHash !== null);
  assert.equal(new Set([...specs.map((s) => s.hash), ...peerKeys.map((s) => s.peersHash)]).size, specs.length + new Set(peerKeys.map((s) => s.peersHash)).size);
  // The real hash afterwards is not handed the weak hash's specs kept per policy.
  for (const spec of ruleSpecs("egress", new Set(POLICIES), new Set()).specs) assert.equal(spec.hash, hashText(`${spec.policy.id}\n${spec.rule.index}`));
});

test("peer addresses followed per class: two pods share an IP (kubectl get pods -A: a Completed Job pod keeps the IP the kubelet gave a running pod again), one goes, the address stays; the other goes too, it leaves", () => {
  // web-api's 10.244.1.10 also held by a finished pod of another label class that the same peers select.
  const finished = pod("production", "web-api-migrate", { app: "web-api", job: "migrate" }, ["10.244.1.10"]);
  const start = testCluster(POLICIES, [...testCluster().endpoints, finished]);
  const scope = (c: Cluster) => ({ localPods: c.endpoints.filter((e) => e.namespace !== "kube-system"), podCidrs: FIXTURE_POD_CIDRS });
  const cache = new CompileCache();
  const first = compileRuleset(start, ENGINE_OPTIONS, scope(start), { cache });
  assert.match(first.text, /10\.244\.1\.10 \. /, "the fixture's policies admit web-api as a peer");
  const oneGone = { ...start, endpoints: start.endpoints.filter((e) => e !== finished) };
  const bothGone = { ...oneGone, endpoints: oneGone.endpoints.filter((e) => e.name !== "web-api") };
  for (const next of [oneGone, bothGone]) {
    const followed = cache.followed;
    assert.equal(compileRuleset(next, ENGINE_OPTIONS, scope(next), { cache }).text, compileRuleset(next, ENGINE_OPTIONS, scope(next)).text);
    assert.equal(cache.followed, followed + 1, "the resolver followed the change");
  }
});

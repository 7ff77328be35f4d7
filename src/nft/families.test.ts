/**
 * Issue 10 (docs/performance.md, "What a changed set costs nft"): at 50k pods / 10k policies in a
 * cluster with no IPv6 address the node agent's table held 1,818 empty IPv6 sets, and nft reads
 * every set of the table before every command. A family the cluster has no address of gets no
 * sets and no rules that look them up; which families exist comes from the cluster alone.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadCluster } from "../k8s/load.js";
import type { Cluster, Endpoint, Policy } from "../model/cluster.js";
import type { Cidr } from "../net/cidr.js";
import { MATCH_ALL } from "../model/selector.js";
import { CompileCache } from "./cache.js";
import { compileRuleset } from "./compile.js";
import { diffRulesets } from "./diff.js";
import { clusterFamilies } from "./families.js";
import { simulate } from "./simulate.js";
import { AT, ENGINE_OPTIONS, POLICIES, cidr, coredns, db, ip, ipBlock, pending, pod, policy, port, rule, sel, testCluster, tester, webApi, worker } from "./fixture.js";

/** The nft fixture without its IPv6 address (web-api's fd00:1::10), IPv6 ipBlock (::/0) and IPv6 pod CIDR. */
const webApi4: Endpoint = { ...webApi, ips: webApi.ips.filter((a) => a.family === 4) };
const ENDPOINTS4 = [webApi4, db, worker, tester, coredns, pending];
const v4Policies = (policies: readonly Policy[]): Policy[] =>
  policies.map((p) => ({ ...p, egress: p.egress.map((r) => (r.peers === "all" ? r : { ...r, peers: r.peers.filter((x) => x.kind !== "ipBlock" || x.cidr.family === 4) })) }));
const POLICIES4 = v4Policies(POLICIES);
const CIDRS4: readonly Cidr[] = [cidr("10.244.1.0/24")];
const v4Cluster = (endpoints: readonly Endpoint[] = ENDPOINTS4, policies: readonly Policy[] = POLICIES4): Cluster => testCluster(policies, endpoints);

const compile = (c: Cluster, podCidrs: readonly Cidr[] = CIDRS4, cache?: CompileCache) =>
  compileRuleset(c, ENGINE_OPTIONS, { localPods: c.endpoints.filter((e) => e.namespace !== "kube-system"), podCidrs }, cache === undefined ? {} : { cache });

const V6_TEXT = /_v6\b|\bip6 /;

const FAMILY_CASES: readonly { readonly name: string; readonly cluster: Cluster; readonly podCidrs: readonly Cidr[]; readonly families: readonly (4 | 6)[] }[] = [
  { name: "v4-only cluster (the nft fixture without its IPv6 address, ipBlock and pod CIDR)", cluster: v4Cluster(), podCidrs: CIDRS4, families: [4] },
  { name: "dual-stack: the nft fixture as it is (web-api has fd00:1::10)", cluster: testCluster(), podCidrs: CIDRS4, families: [4, 6] },
  { name: "an IPv6 ipBlock (::/0) in a v4-only cluster keeps IPv6 (safe and simple)", cluster: v4Cluster(ENDPOINTS4, POLICIES), podCidrs: CIDRS4, families: [4, 6] },
  { name: "the node has an IPv6 pod CIDR (fd00:1::/64) and no IPv6 pod yet: its fail-closed sets stay", cluster: v4Cluster(), podCidrs: [...CIDRS4, cidr("fd00:1::/64")], families: [4, 6] },
  {
    name: "a Service with an IPv6 cluster IP (spec.clusterIPs of a dual-stack Service)",
    cluster: { ...v4Cluster(), services: [{ namespace: "production", name: "db", selector: new Map([["app", "db"]]), ports: [], clusterIps: [ip("10.96.0.20"), ip("fd00:96::20")], type: "ClusterIP", headless: false, externalName: null, at: AT }] },
    podCidrs: CIDRS4,
    families: [4, 6],
  },
  {
    name: "a Node with an IPv6 InternalIP (status.addresses)",
    cluster: { ...v4Cluster(), nodes: [{ name: "node-1", labels: new Map(), podCidrs: [cidr("10.244.1.0/24")], addresses: [{ type: "InternalIP", ip: ip("fd00:10::1"), at: AT }], at: AT }] },
    podCidrs: CIDRS4,
    families: [4, 6],
  },
  { name: "IPv6-only cluster (every address and CIDR IPv6)", cluster: testCluster([policy("production", "deny", MATCH_ALL, { egress: [] })], [pod("production", "web", { app: "web" }, ["fd00:1::5"])]), podCidrs: [cidr("fd00:1::/64")], families: [6] },
];

for (const c of FAMILY_CASES) {
  test(`families from the cluster alone, ${c.name}: ${c.families.join(" and ")}`, () => {
    assert.deepEqual([...clusterFamilies(c.cluster, c.podCidrs)], c.families);
    const text = compile(c.cluster, c.podCidrs).text;
    assert.equal(V6_TEXT.test(text), c.families.includes(6), "IPv6 sets and ip6 lookups exactly when the cluster has IPv6");
    assert.equal(/_v4\b|\bip /.test(text), c.families.includes(4), "IPv4 sets and ip lookups exactly when the cluster has IPv4");
  });
}

test("families from the cluster alone, an admin `networks` CIDR of IPv6 (admin-guardrail lab fixture with fd00:ec2::254/128 added) keeps IPv6", () => {
  const file = "src/labrun/testdata/admin-guardrail.yaml";
  const text = readFileSync(file, "utf8");
  const load = (t: string): Cluster => loadCluster([{ file, text: t }]).value;
  const plain = load(text);
  assert.deepEqual([...clusterFamilies(plain, [])], [4], "the fixture is IPv4 only");
  const withV6 = load(text.replace("169.254.169.254/32, 100.100.100.200/32", "169.254.169.254/32, 100.100.100.200/32, fd00:ec2::254/128"));
  assert.notEqual(withV6, plain);
  assert.deepEqual([...clusterFamilies(withV6, [])], [4, 6]);
});

test("v4-only cluster: the default verdicts and fail-closed drops are today's for IPv4 packets (packets: deny, allow, unknown local address)", () => {
  const r = compile(v4Cluster());
  const dual = compile(testCluster(POLICIES4, ENDPOINTS4), [...CIDRS4, cidr("fd00:1::/64")]);
  assert.ok(V6_TEXT.test(dual.text), "a node IPv6 CIDR keeps IPv6");
  const packets = [
    { source: ip("10.244.1.30"), destination: ip("203.0.113.9"), protocol: "TCP", port: 443 },
    { source: ip("10.244.1.10"), destination: ip("203.0.113.9"), protocol: "TCP", port: 443 },
    { source: ip("10.244.1.10"), destination: ip("10.244.1.20"), protocol: "TCP", port: 5432 },
    { source: ip("10.244.1.99"), destination: ip("203.0.113.9"), protocol: "TCP", port: 443 },
    { source: ip("10.244.1.40"), destination: ip("10.244.2.53"), protocol: "TCP", port: 80 },
  ] as const;
  for (const p of packets) assert.deepEqual(simulate(r.ruleset, p), simulate(dual.ruleset, p), `${p.source.value} -> ${p.destination.value}`);
  assert.deepEqual(
    packets.map((p) => simulate(r.ruleset, p).verdict),
    ["drop", "accept", "accept", "drop", "accept"],
  );
});

/** A remote pod with an IPv6 address only: the first IPv6 address of a v4-only cluster. */
const remote6 = pod("staging", "ext6", { app: "ext6" }, ["fd00:2::7"]);
const remote4 = pod("staging", "ext4", { app: "ext4" }, ["10.244.3.7"]);

test("a pod event stays an element diff while it brings no family's first address (v4-only cluster, an IPv4 pod added)", () => {
  const before = compile(v4Cluster()).ruleset;
  const d = diffRulesets(before, compile(v4Cluster([...ENDPOINTS4, remote4])).ruleset);
  assert.equal(d.kind, "elements");
});

test("v4-only cluster, the first IPv6 pod comes: an objects diff that adds the IPv6 sets and their lookups (no table replaced); the last goes: they go again", () => {
  const cache = new CompileCache();
  const v4 = compile(v4Cluster(), CIDRS4, cache);
  const dual = compile(v4Cluster([...ENDPOINTS4, remote6]), CIDRS4, cache);
  assert.equal(dual.text, compile(v4Cluster([...ENDPOINTS4, remote6])).text, "incremental equals fresh");
  const v6Sets = dual.ruleset.sets.filter((s) => s.name.endsWith("_v6")).length;
  assert.ok(v6Sets > 5, "base sets, maps and rule sets of IPv6");
  const come = diffRulesets(v4.ruleset, dual.ruleset);
  assert.equal(come.kind, "objects");
  if (come.kind !== "objects") return;
  assert.deepEqual(come.sets, { added: v6Sets, removed: 0, changed: 0 });
  assert.equal(come.chains.added + come.chains.removed, 0, "the same chains, their IPv6 lookups added");
  assert.match(come.text, /^flush chain inet portcullis forward$/m);
  const back = compile(v4Cluster(), CIDRS4, cache);
  assert.equal(back.text, v4.text, "incremental equals the first");
  const gone = diffRulesets(dual.ruleset, back.ruleset);
  assert.equal(gone.kind, "objects");
  if (gone.kind !== "objects") return;
  assert.deepEqual(gone.sets, { added: 0, removed: v6Sets, changed: 0 });
  assert.doesNotMatch(back.text, V6_TEXT);
});

test("an IPv6 ipBlock policy added to a v4-only cluster (egress to ::/0 port 443): IPv6 comes with it", () => {
  const p = policy("production", "v6-out", sel({ app: "worker" }), { egress: [rule(0, [ipBlock("::/0")], [port("TCP", 443)])] });
  const r = compile(v4Cluster(ENDPOINTS4, [...POLICIES4, p]));
  assert.match(r.text, /ip6 daddr \. meta l4proto \. th dport @e_[0-9a-f]{12}_v6 counter return/);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { compileRuleset } from "./compile.js";
import { ENGINE_OPTIONS, LOCAL_PODS, POD_CIDRS, POLICIES, coredns, db, ipBlock, namesOf, peerSetOf, podsPeer, policy, port, rule, sel, testCluster, tester, webApi, worker } from "./fixture.js";
import type { CompileResult, NftSet } from "./types.js";
import type { Peer, Rule } from "../model/cluster.js";

/** Goldens live in src/nft/testdata/ (tests run from dist/src/nft/); UPDATE_GOLDEN=1 rewrites them. */
function golden(name: string, actual: string): string {
  const file = new URL(`../../../src/nft/testdata/${name}`, import.meta.url);
  if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(file, actual);
  return readFileSync(file, "utf8");
}

const compileNode = (opts: { audit?: boolean } = {}): CompileResult =>
  compileRuleset(testCluster(), ENGINE_OPTIONS, { localPods: LOCAL_PODS, podCidrs: POD_CIDRS }, opts);

const N = namesOf(compileNode().ruleIds);
const WEB_EGRESS = "production/web-api-egress";
const DENY_EGRESS = "production/default-deny-egress";
const AUDIT_EGRESS = "staging/audit-egress";

const elementsOf = (r: CompileResult, name: string): string[] => {
  const set = r.ruleset.sets.find((s: NftSet) => s.name === name);
  assert.ok(set !== undefined, `set ${name} exists`);
  return set.elements.map((e) => (e.value === undefined ? e.key : `${e.key} : ${e.value}`));
};

test("the ruleset of the test node matches its golden file", () => {
  const r = compileNode();
  assert.equal(r.text, golden("node.nft", r.text));
  assert.deepEqual(r.stats, { sets: 25, elements: 40, rules: 45, chains: 8 });
});

test("global audit mode matches its golden file: every default deny logs and returns", () => {
  const r = compileNode({ audit: true });
  assert.equal(r.text, golden("node-audit.nft", r.text));
  assert.ok(!/counter drop comment "pc:[ei]:g/.test(r.text), "no group chain drops");
});

test("output does not depend on the order of policies, endpoints or local pods", () => {
  const shuffled = compileRuleset(
    testCluster([...POLICIES].reverse(), [worker, coredns, tester, db, webApi, ...LOCAL_PODS.slice(4)].reverse()),
    ENGINE_OPTIONS,
    { localPods: [...LOCAL_PODS].reverse(), podCidrs: POD_CIDRS },
  );
  assert.equal(shuffled.text, compileNode().text);
});

test("pods selected by the same policies share one chain", () => {
  const r = compileNode();
  const [denyOnly, web, audit] = [N.chain("egress", DENY_EGRESS), N.chain("egress", DENY_EGRESS, WEB_EGRESS), N.chain("egress", AUDIT_EGRESS)];
  assert.deepEqual(elementsOf(r, "egress_v4"), [
    `10.244.1.10 : jump ${web}`,
    `10.244.1.20 : jump ${denyOnly}`,
    `10.244.1.30 : jump ${denyOnly}`,
    `10.244.1.40 : jump ${audit}`,
  ]);
  const g1 = r.ruleIds.entries.get(N.group("egress", DENY_EGRESS));
  assert.deepEqual(g1?.kind === "default-deny" ? g1.policies : null, [{ namespace: "production", name: "default-deny-egress" }]);
});

test("a pod that no policy selects for ingress is not in the ingress map (non-isolated)", () => {
  const keys = elementsOf(compileNode(), "ingress_v4").map((e) => e.split(" ")[0]);
  assert.ok(!keys.includes("10.244.1.30"), "worker passes");
  assert.deepEqual(keys, ["10.244.1.10", "10.244.1.20"]);
});

test("egress named port resolves against the destination pod's container port", () => {
  assert.deepEqual(elementsOf(compileNode(), N.set("egress", WEB_EGRESS, 0)), ["10.244.1.20 . tcp . 5432"]);
});

test("ingress named port resolves against the local destination pod: the source among the rule's peers, then destination . proto . port (a pod changes its own elements, not sources × pods)", () => {
  const r = compileNode();
  const peers = peerSetOf(r, N.rule("ingress", "production/db-ingress", 0));
  const named = N.set("ingress", "production/db-ingress", 0, 4, "named");
  assert.deepEqual(elementsOf(r, peers), ["10.244.1.10"], "the source address alone: a selector peer's addresses are a hash set");
  assert.equal(r.ruleset.sets.find((s) => s.name === peers)?.interval, false);
  assert.deepEqual(elementsOf(r, named), ["10.244.1.20 . tcp . 5432"]);
  assert.equal(r.ruleset.sets.find((s) => s.name === named)?.interval, false, "exact keys: a hash set, not pipapo");
  assert.ok(r.text.includes(`ip saddr @${peers} ip daddr . meta l4proto . th dport @${named} counter return`));
});

test("rules with equal peers share one peer set (the bench's 50k/10k cluster: 766 ingress rules, 31 distinct peers); other peers, or another namespace for a podSelector alone, get their own", () => {
  const same = policy("production", "db-admin-ingress", sel({ app: "db" }), { ingress: [rule(0, [podsPeer(sel({ app: "web-api" }))], "all")] });
  const reordered = policy("production", "db-metrics-ingress", sel({ app: "db" }), {
    ingress: [rule(0, [podsPeer(sel({ app: "web-api" })), podsPeer(sel({ app: "web-api" }))], [port("TCP", "pg")])],
  });
  const other = policy("production", "db-worker-ingress", sel({ app: "db" }), { ingress: [rule(0, [podsPeer(sel({ app: "worker" }))], "all")] });
  const elsewhere = policy("staging", "tester-ingress", sel({ app: "tester" }), { ingress: [rule(0, [podsPeer(sel({ app: "web-api" }))], "all")] });
  const r = compileRuleset(testCluster([...POLICIES, same, reordered, other, elsewhere]), ENGINE_OPTIONS, { localPods: LOCAL_PODS });
  const n = namesOf(r.ruleIds);
  const shared = peerSetOf(r, n.rule("ingress", "production/db-ingress", 0));
  assert.equal(peerSetOf(r, n.rule("ingress", "production/db-admin-ingress", 0)), shared, "a rule without ports and a named-port rule with the same peer");
  assert.equal(peerSetOf(r, n.rule("ingress", "production/db-metrics-ingress", 0)), shared, "a repeated peer changes nothing");
  assert.notEqual(peerSetOf(r, n.rule("ingress", "production/db-worker-ingress", 0)), shared);
  assert.notEqual(peerSetOf(r, n.rule("ingress", "staging/tester-ingress", 0)), shared, "a podSelector alone selects in its policy's namespace");
  assert.equal(r.ruleset.sets.filter((s) => s.name === shared).length, 1, "the set is written once");
  assert.deepEqual(elementsOf(r, shared), ["10.244.1.10"]);
});

test("ipBlock except: an address inside the CIDR and inside the except is left out", () => {
  const r = compileNode();
  const e3 = elementsOf(r, peerSetOf(r, N.rule("egress", WEB_EGRESS, 2)));
  assert.ok(e3.includes("0.0.0.0-9.255.255.255 . 0-255"));
  assert.ok(e3.includes("11.0.0.0-255.255.255.255 . 0-255"));
  assert.ok(!e3.some((e) => e.startsWith("10.")), "10.0.0.0/8 is excepted");
});

test("ipBlock does not match pod IPs when ipBlockMatchesPods is false", () => {
  const r = compileNode();
  const e4 = elementsOf(r, peerSetOf(r, N.rule("egress", AUDIT_EGRESS)));
  assert.ok(e4.includes("10.244.1.11-10.244.1.19 . 0-255"), "10.244.1.20 (db) is cut out");
  const matching = compileRuleset(testCluster(), { ...ENGINE_OPTIONS, ipBlockMatchesPods: true }, { localPods: LOCAL_PODS });
  assert.deepEqual(elementsOf(matching, peerSetOf(matching, N.rule("egress", AUDIT_EGRESS))), ["10.244.0.0/16 . 0-255"]);
});

test("a rule with ipBlock peers of one family has sets of that family only", () => {
  const r = compileNode();
  const names = r.ruleset.sets.map((s) => s.name);
  assert.ok(names.includes(peerSetOf(r, N.rule("egress", AUDIT_EGRESS), 4)));
  assert.throws(() => peerSetOf(r, N.rule("egress", AUDIT_EGRESS), 6), /no peer set/);
  assert.ok(names.includes(peerSetOf(r, N.rule("egress", WEB_EGRESS, 2), 4)) && names.includes(peerSetOf(r, N.rule("egress", WEB_EGRESS, 2), 6)));
});

/**
 * Issue 13: "For large selections (AWS alone is ~10k prefixes) the enforcer keeps them as one shared
 * interval set per selection, not copies per rule". A rule with ipBlock peers and numbered ports looks
 * its addresses up in the peer set of its peers and its ports in the rule.
 */
test("issue 13: rules with equal ipBlock peers and ports share one interval set of the addresses; each rule matches its own ports beside it", () => {
  const feed = ["3.5.64.0/21", "52.218.0.0/17", "2600:1f18::/33"].map((c) => ipBlock(c));
  const bound = [
    policy("production", "s3-web", sel({ app: "web-api" }), { egress: [rule(0, feed, [port("TCP", 443)])] }),
    policy("production", "s3-worker", sel({ app: "worker" }), { egress: [rule(0, [...feed].reverse(), [port("TCP", 443), port("UDP", { kind: "range", from: 8000, to: 8100 })])] }),
    policy("production", "other-db", sel({ app: "db" }), { egress: [rule(0, [ipBlock("3.5.64.0/21")], [port("TCP", 443)])] }),
  ];
  const r = compileRuleset(testCluster([...POLICIES, ...bound]), ENGINE_OPTIONS, { localPods: LOCAL_PODS, podCidrs: POD_CIDRS });
  const n = namesOf(r.ruleIds);
  const shared = peerSetOf(r, n.rule("egress", "production/s3-web"));
  assert.equal(peerSetOf(r, n.rule("egress", "production/s3-worker")), shared, "equal peers in another order, other ports: the same set");
  assert.equal(peerSetOf(r, n.rule("egress", "production/s3-web"), 6), peerSetOf(r, n.rule("egress", "production/s3-worker"), 6));
  assert.notEqual(peerSetOf(r, n.rule("egress", "production/other-db")), shared, "other addresses: another set");
  assert.equal(r.ruleset.sets.filter((s) => s.name === shared).length, 1, "the set is written once");
  assert.deepEqual(elementsOf(r, shared), ["3.5.64.0/21 . 0-255", "52.218.0.0/17 . 0-255"]);
  const line = (id: string): string | undefined => r.ruleset.chains.flatMap((c) => c.rules).find((l) => l.endsWith(`comment "${id}"`) && l.includes("_v4 "));
  assert.match(line(n.rule("egress", "production/s3-web")) ?? "", new RegExp(`^ip daddr \\. meta l4proto @${shared} meta l4proto \\. th dport \\{ tcp \\. 443 \\} counter `));
  assert.match(line(n.rule("egress", "production/s3-worker")) ?? "", new RegExp(`@${shared} meta l4proto \\. th dport \\{ tcp \\. 443, udp \\. 8000-8100 \\} counter `));
  assert.equal(r.ruleset.sets.filter((s) => s.elements.some((e) => e.key.startsWith("52.218.0.0/17"))).length, 1, "no per-rule copy of the addresses");
});

test("host-network pods and pods without an IP are not enforced, and reported", () => {
  const r = compileNode();
  assert.deepEqual(r.issues, [
    { kind: "host-network", endpoint: "production/node-exporter" },
    { kind: "no-ip", endpoint: "production/pending" },
  ]);
  assert.ok(!r.text.includes("192.168.0.10 :"), "node-exporter is in no verdict map");
});

test("a pod may reach itself: every local pod address has a self pair", () => {
  assert.deepEqual(elementsOf(compileNode(), "self_v6"), ["fd00:1::10 . fd00:1::10"]);
});

test("fail closed: the node's pod CIDRs and the known local addresses are in the ruleset", () => {
  const r = compileNode();
  assert.deepEqual(elementsOf(r, "pod_cidr_v4"), ["10.244.1.0/24"]);
  assert.ok(r.text.includes("ip saddr @pod_cidr_v4 ip saddr != @local_v4 jump unknown_egress"));
  const open = compileRuleset(testCluster(), ENGINE_OPTIONS, { localPods: LOCAL_PODS });
  assert.deepEqual(elementsOf(open, "pod_cidr_v4"), [], "without pod CIDRs nothing is unknown");
});

test("audit annotation: a group isolated only by audited policies logs and returns", () => {
  const r = compileNode();
  const id = N.group("egress", AUDIT_EGRESS);
  assert.ok(r.text.includes(`counter return comment "${id}"`));
  const entry = r.ruleIds.entries.get(id);
  assert.equal(entry?.kind === "default-deny" ? entry.mode : null, "audit");
});

test("an unknown mode annotation enforces and is reported", () => {
  const policies = POLICIES.map((p) => (p.name === "audit-egress" ? { ...p, annotations: new Map([["portcullis.dev/mode", "audti"]]) } : p));
  const r = compileRuleset(testCluster(policies), ENGINE_OPTIONS, { localPods: LOCAL_PODS });
  assert.ok(r.text.includes(`counter drop comment "${namesOf(r.ruleIds).group("egress", AUDIT_EGRESS)}"`));
  assert.deepEqual(r.issues.filter((i) => i.kind === "unknown-mode"), [{ kind: "unknown-mode", policy: { namespace: "staging", name: "audit-egress" }, value: "audti" }]);
});

test("a rule without ports admits every protocol: its selector peers are a hash set of their addresses, looked up by address alone (every protocol, ICMP too)", () => {
  const policies = [...POLICIES.filter((p) => p.name !== "web-api-egress"), { ...POLICIES[1]!, egress: [{ ...POLICIES[1]!.egress[0]!, ports: "all" as const }] }];
  const r = compileRuleset(testCluster(policies), ENGINE_OPTIONS, { localPods: LOCAL_PODS });
  const set = peerSetOf(r, namesOf(r.ruleIds).rule("egress", WEB_EGRESS, 0));
  assert.deepEqual(elementsOf(r, set), ["10.244.1.20"]);
  assert.deepEqual(
    r.ruleset.sets.filter((s) => s.name === set).map((s) => [s.type, s.interval]),
    [["ipv4_addr", false]],
  );
  assert.ok(r.text.includes(`ip daddr @${set} counter return`));
});

test("a rule without ports whose peers hold an ipBlock keeps an interval set: its addresses with every protocol number (0-255)", () => {
  const withBlock = { ...POLICIES[1]!.egress[0]!, peers: [...(POLICIES[1]!.egress[0]!.peers as readonly Peer[]), ipBlock("192.0.2.0/24")], ports: "all" as const };
  const policies = [...POLICIES.filter((p) => p.name !== "web-api-egress"), { ...POLICIES[1]!, egress: [withBlock] }];
  const r = compileRuleset(testCluster(policies), ENGINE_OPTIONS, { localPods: LOCAL_PODS });
  const set = peerSetOf(r, namesOf(r.ruleIds).rule("egress", WEB_EGRESS, 0));
  assert.deepEqual(elementsOf(r, set), ["10.244.1.20 . 0-255", "192.0.2.0/24 . 0-255"]);
  assert.deepEqual(
    r.ruleset.sets.filter((s) => s.name === set).map((s) => [s.type, s.interval]),
    [["ipv4_addr . inet_proto", true]],
  );
  assert.ok(r.text.includes(`ip daddr . meta l4proto @${set} counter return`));
});

test("which sets are hash sets: selector peers with single or named ports are exact keys; an endPort range, a protocol without a port or an ipBlock keep pipapo", () => {
  const cases: { name: string; rule: Rule; interval: boolean }[] = [
    { name: "one port", rule: rule(0, [podsPeer(sel({ app: "db" }))], [port("TCP", 5432)]), interval: false },
    { name: "two ports and SCTP", rule: rule(0, [podsPeer(sel({ app: "db" }))], [port("TCP", 5432), port("TCP", 5433), port("SCTP", 9)]), interval: false },
    { name: "a named port", rule: rule(0, [podsPeer(sel({ app: "db" }))], [port("TCP", "pg")]), interval: false },
    { name: "endPort", rule: rule(0, [podsPeer(sel({ app: "db" }))], [port("TCP", { kind: "range", from: 5432, to: 5433 })]), interval: true },
    { name: "a protocol without a port", rule: rule(0, [podsPeer(sel({ app: "db" }))], [port("UDP", { kind: "any" })]), interval: true },
    { name: "an ipBlock beside the pods, with a named port (resolved per destination: ports stay in the set)", rule: rule(0, [podsPeer(sel({ app: "db" })), ipBlock("192.0.2.0/24")], [port("TCP", "pg"), port("TCP", 5432)]), interval: true },
    { name: "no peers", rule: rule(0, "all", [port("TCP", 5432)]), interval: true },
  ];
  for (const c of cases) {
    const p = policy("production", "web-api-egress", sel({ app: "web-api" }), { egress: [c.rule] });
    const r = compileRuleset(testCluster([...POLICIES.filter((q) => q.name !== "web-api-egress"), p]), ENGINE_OPTIONS, { localPods: LOCAL_PODS });
    const set = r.ruleset.sets.find((s) => s.name === namesOf(r.ruleIds).set("egress", WEB_EGRESS, 0));
    assert.equal(set?.interval, c.interval, c.name);
    if (!c.interval) for (const e of set?.elements ?? []) assert.match(e.key, /^[\d.]+ \. \w+ \. \d+$/, `${c.name}: one address, one port`);
  }
});

test("every rule id in the text is in the RuleIdMap", () => {
  const r = compileNode();
  const ids = new Set([...r.text.matchAll(/comment "(pc:[^"]+)"/g)].map((m) => m[1]));
  for (const id of ids) assert.ok(r.ruleIds.entries.has(id as string), id);
  assert.equal(r.ruleIds.endpoints.get("fd00:1::10"), "production/web-api");
});

test("ids, set and chain names stay when a policy comes: each names what it stands for, not a position", () => {
  const before = compileNode();
  // Sorts before every other policy, and moves db into a new group: numbered ids would all shift.
  const first = policy("production", "aaa-db-egress", sel({ app: "db" }), { egress: [rule(0, [ipBlock("192.0.2.0/24")], [port("TCP", 443)])] });
  const after = compileRuleset(testCluster([...POLICIES, first]), ENGINE_OPTIONS, { localPods: LOCAL_PODS, podCidrs: POD_CIDRS });
  const names = (r: CompileResult) => new Set([...r.ruleset.sets.map((s) => s.name), ...r.ruleset.chains.map((c) => c.name), ...r.ruleIds.entries.keys()]);
  const kept = names(after);
  for (const name of names(before)) assert.ok(kept.has(name), name);
  const N2 = namesOf(after.ruleIds);
  assert.ok(elementsOf(after, "egress_v4").includes(`10.244.1.20 : jump ${N2.chain("egress", "production/aaa-db-egress", DENY_EGRESS)}`));
  assert.ok(elementsOf(after, "egress_v4").includes(`10.244.1.30 : jump ${N.chain("egress", DENY_EGRESS)}`), "worker stays where it was");
});

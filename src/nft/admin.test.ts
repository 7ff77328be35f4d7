/**
 * The admin tiers in the ruleset (issue 9: "The nftables compiler evaluates tiers in the kernel:
 * ordered per-subject verdicts (accept/drop/continue to the next tier), still in sets and maps (no
 * linear chain per policy), `Deny` drops (no reject), incremental updates as today, counters and
 * `--log` lines naming tier/policy/rule"). The cluster is the lab fixture with the metadata
 * guardrail (src/labrun/testdata/admin-guardrail.yaml), which the lab also enforces with packets.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadCluster } from "../k8s/load.js";
import type { Cluster } from "../model/cluster.js";
import { AddressSet } from "../net/address-set.js";
import { type Ip, parseIp } from "../net/ip.js";
import type { EngineOptions } from "../engine/types.js";
import { counterRows, describeRow } from "../render/counters.js";
import { compileRuleset } from "./compile.js";
import { describeDenial } from "./describe.js";
import { diffRulesets } from "./diff.js";
import { simulate } from "./simulate.js";
import type { CompileResult, RuleIdEntry } from "./types.js";
import { cidr } from "./fixture.js";
import { CompileCache } from "./cache.js";

const FIXTURE = "src/labrun/testdata/admin-guardrail.yaml";
const TEXT = readFileSync(FIXTURE, "utf8");
const OPTIONS: EngineOptions = { podNetwork: AddressSet.fromCidr(cidr("10.244.0.0/16")), ipBlockMatchesPods: true };

function clusterOf(text: string): Cluster {
  const d = loadCluster([{ file: FIXTURE, text }]);
  assert.deepEqual(d.diagnostics.filter((x) => x.severity === "error"), []);
  return d.value;
}

const CLUSTER = clusterOf(TEXT);
const compiled = compileRuleset(CLUSTER, OPTIONS);

function ip(text: string): Ip {
  const parsed = parseIp(text);
  assert.ok(parsed, text);
  return parsed;
}

const WEB = "10.244.1.5";
const WORKER = "10.244.1.6";
const DEBUG = "10.244.2.7";
const COREDNS = "10.244.0.2";

const sim = (r: CompileResult, from: string, to: string, port: number, protocol: "TCP" | "UDP" = "TCP") =>
  simulate(r.ruleset, { source: ip(from), destination: ip(to), protocol, port });

/** The rule id of an admin policy's rule (`pc:e:…`). */
function adminId(r: CompileResult, policy: string, rule: number, direction: "egress" | "ingress" = "egress"): string {
  const found = [...r.ruleIds.entries.values()].find((e) => e.kind === "admin-rule" && e.policy.name === policy && e.rule === rule && e.direction === direction);
  assert.ok(found, `${policy} ${direction}[${rule}]`);
  return found.id;
}

const chainOf = (r: CompileResult, ipText: string, direction: "egress" | "ingress") => {
  const map = r.ruleset.sets.find((s) => s.name === `${direction}_v4`);
  const target = map?.elements.find((e) => e.key === ipText)?.value?.replace("jump ", "");
  return r.ruleset.chains.find((c) => c.name === target);
};

test('"Deny" drops, not rejects: the metadata Deny is a logged lookup, then a counted drop, named by its rule id', () => {
  const id = adminId(compiled, "deny-metadata", 0);
  const chain = chainOf(compiled, WEB, "egress");
  assert.ok(chain);
  const set = compiled.ruleset.sets.find((s) => s.elements.some((e) => e.key === "169.254.169.254 . 0-255"));
  assert.ok(set);
  assert.ok(chain.rules.includes(`ip daddr . meta l4proto @${set.name} limit rate 10/second burst 20 packets meta nftrace set 1 log prefix "${id} " level info comment "${id}"`), chain.rules.join("\n"));
  assert.ok(chain.rules.includes(`ip daddr . meta l4proto @${set.name} counter drop comment "${id}"`));
  assert.doesNotMatch(compiled.text, /reject/);
});

test('the Admin tier comes before the NetworkPolicy tier: shop/web-egress re-opens 0.0.0.0/0 (rules after), "whatever the namespaces write"', () => {
  const chain = chainOf(compiled, WEB, "egress");
  assert.ok(chain);
  const deny = chain.rules.findIndex((r) => r.includes(adminId(compiled, "deny-metadata", 0)));
  const np = chain.rules.findIndex((r) => r.includes("counter return") && !r.includes(adminId(compiled, "allow-dns", 0)));
  assert.ok(deny >= 0 && np > deny, chain.rules.join("\n"));
  assert.equal(sim(compiled, WEB, "169.254.169.254", 80).verdict, "drop");
  assert.equal(sim(compiled, WEB, "203.0.113.1", 443).verdict, "accept");
});

test("a pod that no NetworkPolicy isolates but an admin policy selects gets a chain: the Admin tier, then the Baseline tier, then allow", () => {
  const chain = chainOf(compiled, WORKER, "egress");
  assert.ok(chain, "shop/worker is in the egress map");
  assert.match(chain.comments[0] ?? "", /enforce: Admin ClusterNetworkPolicy allow-dns \(priority 5\), Admin ClusterNetworkPolicy deny-metadata \(priority 10\), Baseline ClusterNetworkPolicy default-deny-egress \(priority 50\)$/);
  // No NetworkPolicy: no group default deny at the end.
  assert.ok(!chain.rules.some((r) => /comment "pc:e:g/.test(r)), chain.rules.join("\n"));
  assert.equal(sim(compiled, WORKER, COREDNS, 53, "UDP").verdict, "accept");
  assert.equal(sim(compiled, WORKER, "1.1.1.1", 443).verdict, "drop");
});

test("Pass goes to the chain of the tiers after Admin (the rest of the Admin tier is skipped); a Baseline Pass or no match returns (allowed)", () => {
  const head = chainOf(compiled, DEBUG, "egress");
  assert.ok(head);
  const pass = adminId(compiled, "ops-internet", 0);
  const next = `${head.name}_next`;
  assert.ok(head.rules.some((r) => r.endsWith(`counter goto ${next} comment "${pass}"`)), head.rules.join("\n"));
  assert.equal(head.rules.at(-1), `goto ${next}`);
  const tail = compiled.ruleset.chains.find((c) => c.name === next);
  assert.ok(tail, "the tiers after Admin have a chain");
  assert.ok(tail.rules.some((r) => r.includes(adminId(compiled, "ops-partner", 0))) && tail.rules.some((r) => r.includes(adminId(compiled, "default-deny-egress", 0))));
  // 203.0.113.1: passed by Admin (not denied by no-internet after it), accepted on 443 by the Baseline, denied on 80.
  assert.deepEqual(sim(compiled, DEBUG, "203.0.113.1", 443).trail, [pass, adminId(compiled, "ops-partner", 0)]);
  assert.equal(sim(compiled, DEBUG, "203.0.113.1", 80).verdict, "drop");
  assert.deepEqual(sim(compiled, DEBUG, "198.51.100.1", 443).trail, [adminId(compiled, "ops-internet", 3)]);
});

test('"An egress Accept ends egress evaluation but the destination\'s ingress still applies": ops reaches shop by an Admin Accept, and shop\'s Admin ingress rules still decide', () => {
  const toShop = adminId(compiled, "ops-internet", 2);
  // web's http is 8080, worker's is 8081: "named ports resolve on the destination pod".
  assert.deepEqual(sim(compiled, DEBUG, WEB, 8080).trail, [toShop, adminId(compiled, "shop-ingress", 0, "ingress")]);
  assert.equal(sim(compiled, DEBUG, WORKER, 8081).verdict, "accept");
  assert.equal(sim(compiled, DEBUG, WEB, 8081).verdict, "drop");
  assert.deepEqual(sim(compiled, DEBUG, WEB, 9090).trail, [toShop, adminId(compiled, "shop-ingress", 1, "ingress")]);
});

test("a nodes peer matches the Node's status.addresses", () => {
  assert.equal(sim(compiled, DEBUG, "192.0.2.10", 10250).verdict, "accept");
  assert.equal(sim(compiled, DEBUG, "192.0.2.11", 10250).verdict, "drop");
});

test("--audit: an admin Deny logs and returns (the packet goes on), still counted under its id", () => {
  const audit = compileRuleset(CLUSTER, OPTIONS, {}, { audit: true });
  const id = adminId(audit, "deny-metadata", 0);
  assert.ok(audit.ruleset.chains.some((c) => c.rules.some((r) => r.endsWith(`counter return comment "${id}"`))));
  assert.equal(sim(audit, WEB, "169.254.169.254", 80).verdict, "accept");
  const entry = audit.ruleIds.entries.get(id);
  assert.equal(entry?.kind === "admin-rule" ? entry.mode : undefined, "audit");
});

test("--log: a kernel log line of an admin Deny names the tier, policy, priority and rule", () => {
  const id = adminId(compiled, "deny-metadata", 0);
  const line = `${id} IN=veth0 OUT=veth1 SRC=${WEB} DST=169.254.169.254 LEN=60 PROTO=TCP SPT=40000 DPT=80 SYN`;
  assert.equal(describeDenial(compiled.ruleIds, line), 'denied shop/web -> 169.254.169.254:80/TCP: egress denied by Admin ClusterNetworkPolicy deny-metadata (priority 10) rule 0 "block-imds"');
  const baseline = adminId(compiled, "default-deny-egress", 0);
  assert.equal(
    describeDenial(compiled.ruleIds, `${baseline} SRC=${WORKER} DST=1.1.1.1 PROTO=UDP SPT=1 DPT=53`),
    'denied shop/worker -> 1.1.1.1:53/UDP: egress denied by Baseline ClusterNetworkPolicy default-deny-egress (priority 50) rule 0 "default-deny"',
  );
});

test("--counters: admin rule ids are named by tier, policy, priority and rule, with their verdict", () => {
  const ids = ["deny-metadata", "ops-internet", "allow-dns"].map((p) => adminId(compiled, p, 0));
  const rows = counterRows(compiled.ruleIds, new Map(ids.map((id) => [id, { packets: 1, bytes: 60 }])));
  assert.deepEqual(
    rows.map((r) => describeRow(r)),
    [
      { verdict: "allow", what: 'egress Admin ClusterNetworkPolicy allow-dns (priority 5) rule 0 "kube-dns" Accept' },
      { verdict: "deny", what: 'egress Admin ClusterNetworkPolicy deny-metadata (priority 10) rule 0 "block-imds" Deny' },
      { verdict: "pass", what: 'egress Admin ClusterNetworkPolicy ops-internet (priority 20) rule 0 "partner-to-baseline" Pass' },
    ],
  );
});

test("every rule id in the text is in the RuleIdMap, admin rules as admin-rule entries", () => {
  const ids = new Set([...compiled.text.matchAll(/comment "([^"]+)"/g)].map((m) => m[1] as string));
  for (const id of ids) assert.ok(compiled.ruleIds.entries.has(id), id);
  const admin = [...compiled.ruleIds.entries.values()].filter((e): e is Extract<RuleIdEntry, { kind: "admin-rule" }> => e.kind === "admin-rule");
  assert.equal(admin.length, 10);
});

test("incremental updates: a changed admin CIDR of `networks` peers is another shared address set (named by its addresses) and the chain that looks it up; a new admin policy adds its sets and changes the chains of the groups it meets", () => {
  const moved = compileRuleset(clusterOf(TEXT.replace("169.254.169.254/32, 100.100.100.200/32", "169.254.169.254/32, 100.100.100.201/32")), OPTIONS);
  const d = diffRulesets(compiled.ruleset, moved.ruleset);
  assert.equal(d.kind, "objects");
  if (d.kind !== "objects") return;
  assert.deepEqual(d.sets, { added: 1, removed: 1, changed: 0 }, d.text);
  assert.match(d.text, /\tset e_[0-9a-f]{12}_peers_v4 \{[^}]*100\.100\.100\.201 \. 0-255/);
  assert.equal(sim(moved, WEB, "100.100.100.201", 80).verdict, "drop");
  assert.equal(sim(moved, WEB, "169.254.169.254", 80).verdict, "drop");
  const extra = `${TEXT}---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: deny-smtp}
spec:
  tier: Admin
  priority: 15
  subject: {namespaces: {matchLabels: {team: shop}}}
  egress:
  - {name: smtp, action: Deny, to: [{networks: [0.0.0.0/0]}], protocols: [{tcp: {destinationPort: {number: 25}}}]}
`;
  const added = compileRuleset(clusterOf(extra), OPTIONS);
  const e = diffRulesets(compiled.ruleset, added.ruleset);
  assert.equal(e.kind, "objects");
  if (e.kind !== "objects") return;
  // web and worker land in new groups (new chains, their map elements move); ops' and coredns' chains stay.
  // No set of its own: its `networks: [0.0.0.0/0]` is the address set the fixture's rules with the same peers already share.
  assert.deepEqual(e.sets, { added: 0, removed: 0, changed: 0 });
  assert.deepEqual(e.chains, { added: 2, removed: 1, changed: 0 }, e.text);
  assert.equal(sim(added, WEB, "203.0.113.1", 25).verdict, "drop");
  assert.equal(sim(added, DEBUG, "203.0.113.1", 443).verdict, "accept");
});

test("an admin rule of `networks` peers that gains protocols keeps its shared address set: only the chains that look it up change (the ports are matched in the rule)", () => {
  const narrowed = compileRuleset(clusterOf(TEXT.replace("to: [{networks: [169.254.169.254/32, 100.100.100.200/32]}]", "to: [{networks: [169.254.169.254/32, 100.100.100.200/32]}]\n    protocols: [{tcp: {destinationPort: {number: 80}}}]")), OPTIONS);
  const d = diffRulesets(compiled.ruleset, narrowed.ruleset);
  assert.equal(d.kind, "objects");
  if (d.kind !== "objects") return;
  assert.deepEqual(d.sets, { added: 0, removed: 0, changed: 0 }, d.text);
  const id = adminId(narrowed, "deny-metadata", 0);
  const line = narrowed.ruleset.chains.flatMap((c) => c.rules).find((l) => l.endsWith(`comment "${id}"`)) ?? "";
  assert.match(line, /^ip daddr \. meta l4proto @e_[0-9a-f]{12}_peers_v4 meta l4proto \. th dport \{ tcp \. 80 \} /);
  assert.equal(sim(narrowed, WEB, "169.254.169.254", 80).verdict, "drop");
});

test("admin set kinds (the fixture's rules): `pods`/`namespaces` peers are hash sets of exact keys (with single or named ports, or the address alone); `networks` and `nodes` peers keep interval sets", () => {
  const setOf = (policy: string, rule: number, direction: "egress" | "ingress" = "egress", suffix = "") => {
    const id = adminId(compiled, policy, rule, direction);
    // `networks` peers: the address set shared by equal peers (named by them), found through the rule's lookup.
    const shared = suffix === "shared" ? /@(e_[0-9a-f]{12}_peers_v4) /.exec(compiled.ruleset.chains.flatMap((c) => c.rules).find((l) => l.endsWith(`comment "${id}"`)) ?? "")?.[1] : undefined;
    const name = shared ?? `${id.split(":")[1]}_${id.split(":")[2]}${suffix}_v4`;
    const set = compiled.ruleset.sets.find((s) => s.name === name);
    assert.ok(set, name);
    return set;
  };
  const cases: { what: string; policy: string; rule: number; direction?: "egress" | "ingress"; suffix?: string; type: string; interval: boolean; match: RegExp }[] = [
    { what: "kube-dns: a pods peer, udp/tcp 53", policy: "allow-dns", rule: 0, type: "ipv4_addr . inet_proto . inet_service", interval: false, match: /ip daddr \. meta l4proto \. th dport @\S+ counter/ },
    { what: "to-shop: a namespaces peer without protocols", policy: "ops-internet", rule: 2, type: "ipv4_addr", interval: false, match: /ip daddr @\S+ counter/ },
    { what: "ops-scrapes-http: a namespaces peer, a named port (the source alone, then the local pod's ports)", policy: "shop-ingress", rule: 0, direction: "ingress", suffix: "_peers", type: "ipv4_addr", interval: false, match: /ip saddr @\S+ ip daddr \. meta l4proto \. th dport @\S+_named_v4 counter/ },
    { what: "block-imds: networks (a shared address set)", policy: "deny-metadata", rule: 0, suffix: "shared", type: "ipv4_addr . inet_proto", interval: true, match: /ip daddr \. meta l4proto @e_[0-9a-f]{12}_peers_v4 counter drop/ },
    { what: "kubelet: nodes, tcp 10250", policy: "ops-internet", rule: 1, type: "ipv4_addr . inet_proto . inet_service", interval: true, match: /ip daddr \. meta l4proto \. th dport @\S+ counter/ },
  ];
  for (const c of cases) {
    const set = setOf(c.policy, c.rule, c.direction, c.suffix);
    assert.deepEqual([set.type, set.interval], [c.type, c.interval], c.what);
    const id = adminId(compiled, c.policy, c.rule, c.direction);
    const lines = compiled.ruleset.chains.flatMap((ch) => ch.rules).filter((l) => l.includes(`@${set.name} `) && l.endsWith(`comment "${id}"`));
    assert.ok(lines.some((l) => c.match.test(l)), `${c.what}: ${lines.join("\n")}`);
    if (!set.interval) for (const e of set.elements) assert.doesNotMatch(e.key, /[-/]/, `${c.what}: exact keys`);
  }
});

test("the compile cache keys an admin rule's sets by its peers' kinds too: `to-shop`'s namespaces peer (a hash set) replaced by networks of the same two pod IPs (an interval set) gives what a fresh compile gives", () => {
  const shop = "    to: [{namespaces: {matchLabels: {team: shop}}}]";
  assert.ok(TEXT.includes(shop));
  const networks = clusterOf(TEXT.replace(shop, "    to: [{networks: [10.244.1.5/32, 10.244.1.6/32]}]"));
  const cache = new CompileCache();
  compileRuleset(CLUSTER, OPTIONS, {}, { cache });
  const incremental = compileRuleset(networks, OPTIONS, {}, { cache });
  const fresh = compileRuleset(networks, OPTIONS);
  assert.equal(incremental.text, fresh.text);
  assert.match(fresh.text, /ip daddr \. meta l4proto @e_[0-9a-f]{12}_peers_v4 counter return/, "networks: a shared interval set");
  assert.match(compiled.text, /ip daddr @e_e4f2d82e4954_v4 counter return/, "namespaces: a hash set");
});

test("issue 13: admin rules with equal `networks` peers (a feed selection bound by several policies, written in any order) share one address set; each rule matches its own ports", () => {
  const policy = (name: string, networks: string, port: number) => `---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: ${name}}
spec:
  tier: Admin
  priority: 40
  subject: {namespaces: {matchLabels: {team: shop}}}
  egress:
  - {name: s3, action: Accept, to: [{networks: [${networks}]}], protocols: [{tcp: {destinationPort: {number: ${port}}}}]}
`;
  const two = compileRuleset(clusterOf(`${TEXT}${policy("s3-a", "3.5.64.0/21, 52.92.0.0/17", 443)}${policy("s3-b", "52.92.0.0/17, 3.5.64.0/21", 8443)}`), OPTIONS);
  const lines = (name: string) => two.ruleset.chains.flatMap((c) => c.rules).filter((l) => l.endsWith(`comment "${adminId(two, name, 0)}"`));
  const setsOf = (name: string) => new Set(lines(name).map((l) => /@(\S+)/.exec(l)?.[1]));
  assert.deepEqual([...setsOf("s3-a")], [...setsOf("s3-b")]);
  const [shared] = [...setsOf("s3-a")];
  assert.match(shared ?? "", /^e_[0-9a-f]{12}_peers_v4$/);
  assert.equal(two.ruleset.sets.filter((s) => s.name === shared).length, 1);
  assert.ok(lines("s3-a").every((l) => l.includes("th dport { tcp . 443 }")) && lines("s3-b").every((l) => l.includes("th dport { tcp . 8443 }")));
  // worker's egress is denied by the Baseline default-deny: only these Accept rules open it, each on its own port.
  assert.equal(sim(compiled, WORKER, "3.5.64.1", 443).verdict, "drop");
  assert.equal(sim(two, WORKER, "3.5.64.1", 443).verdict, "accept");
  assert.equal(sim(two, WORKER, "52.92.0.1", 8443).verdict, "accept");
  assert.equal(sim(two, WORKER, "52.92.0.1", 80).verdict, "drop");
  assert.equal(sim(two, WORKER, "8.8.8.8", 443).verdict, "drop");
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { labelsOf } from "../model/labels.js";
import { compileRuleset } from "./compile.js";
import { diffRulesets } from "./diff.js";
import { ENGINE_OPTIONS, LOCAL_PODS, POD_CIDRS, POLICIES, coredns, db, ipBlock, namesOf, nodeExporter, peerSetOf, pending, pod, podsPeer, policy, port, rule, sel, testCluster, tester, webApi, worker } from "./fixture.js";
import type { Endpoint } from "../model/cluster.js";
import type { NftElement, Ruleset } from "./types.js";
import type { PortMatch } from "../model/ports.js";
import fc from "fast-check";

const compileFull = (endpoints: readonly Endpoint[], local: readonly Endpoint[] = endpoints.filter((e) => e !== coredns), policies = POLICIES) =>
  compileRuleset(testCluster(policies, endpoints), ENGINE_OPTIONS, { localPods: local, podCidrs: POD_CIDRS });
const compile = (endpoints: readonly Endpoint[], local?: readonly Endpoint[], policies = POLICIES) => compileFull(endpoints, local, policies).ruleset;

const BASE = [webApi, db, worker, tester, coredns, nodeExporter, pending];
const FULL = compileFull(BASE);
const N = namesOf(FULL.ruleIds);
const DENY = "production/default-deny-egress";

test("the same state twice: nothing to send", () => {
  assert.deepEqual(diffRulesets(compile(BASE), compile(BASE)), { kind: "unchanged", text: "" });
});

test("no previous ruleset: the full replacing script", () => {
  const d = diffRulesets(null, compile(BASE));
  assert.equal(d.kind, "replace");
  assert.ok(d.text.startsWith("#!/usr/sbin/nft -f"));
});

test("a pod gets an IP: element changes only", () => {
  const started = pod("production", "pending", { app: "worker" }, ["10.244.1.31"]);
  const d = diffRulesets(compile(BASE), compile(BASE.map((e) => (e === pending ? started : e))));
  assert.equal(d.kind, "elements");
  // The audited ipBlock 10.244.0.0/16 loses the new pod IP: ipBlocks do not match pod IPs here.
  const audited = peerSetOf(FULL, N.rule("egress", "staging/audit-egress"));
  assert.equal(
    d.text,
    [
      "delete element inet portcullis local_v4 {\n\t10.244.1.30\n}\n",
      `delete element inet portcullis ${audited} {\n\t10.244.1.31-10.244.1.39 . 0-255\n}\n`,
      "add element inet portcullis local_v4 {\n\t10.244.1.30/31\n}\n",
      "add element inet portcullis self_v4 {\n\t10.244.1.31 . 10.244.1.31\n}\n",
      `add element inet portcullis egress_v4 {\n\t10.244.1.31 : jump ${N.chain("egress", DENY)}\n}\n`,
      `add element inet portcullis ${audited} {\n\t10.244.1.32/29 . 0-255\n}\n`,
    ].join(""),
  );
});

test("a label change moving a pod to an existing group changes its map element only", () => {
  const relabelled: Endpoint = { ...worker, labels: labelsOf({ app: "web-api" }) };
  const d = diffRulesets(compile(BASE), compile(BASE.map((e) => (e === worker ? relabelled : e))));
  assert.equal(d.kind, "elements");
  assert.ok(d.text.includes("delete element inet portcullis egress_v4 {\n\t10.244.1.30\n}"));
  assert.ok(d.text.includes(`add element inet portcullis egress_v4 {\n\t10.244.1.30 : jump ${N.chain("egress", DENY, "production/web-api-egress")}\n}`));
});

/** A policy that selects only pods labelled `tier: batch`: relabelling into it makes a new group. */
const BATCH = policy("production", "batch-egress", sel({ tier: "batch" }), { egress: [rule(0, [ipBlock("192.0.2.0/24")], [port("TCP", 443)])] });

test("a label change into a new combination of policies adds that group's chain (and the sets of a policy new to the node), and nothing is replaced", () => {
  const policies = [...POLICIES, BATCH];
  const batch: Endpoint = { ...worker, labels: labelsOf({ app: "worker", tier: "batch" }) };
  const before = compile(BASE, undefined, policies);
  const next = compileFull(BASE.map((e) => (e === worker ? batch : e)), undefined, policies);
  const d = diffRulesets(before, next.ruleset);
  assert.equal(d.kind, "objects");
  if (d.kind !== "objects") return;
  // batch-egress selected no local pod before: its rule's set (IPv4 only: an IPv4 ipBlock) comes too.
  assert.deepEqual([d.sets, d.chains], [{ added: 1, removed: 0, changed: 0 }, { added: 1, removed: 0, changed: 0 }]);
  const chain = namesOf(next.ruleIds).chain("egress", "production/batch-egress", DENY);
  assert.ok(!d.text.includes("delete table") && !d.text.includes("flush"), d.text);
  assert.ok(d.text.includes(`\tchain ${chain} {\n`));
  assert.ok(d.text.indexOf(`chain ${chain}`) < d.text.indexOf(`10.244.1.30 : jump ${chain}`), "the chain exists before the map sends to it");
});

test("the last pod leaving a group removes its chain after its map element", () => {
  const moved: Endpoint = { ...tester, namespace: "production", id: "production/tester" };
  const before = compile(BASE);
  const d = diffRulesets(before, compile(BASE.map((e) => (e === tester ? moved : e))));
  assert.equal(d.kind, "objects");
  if (d.kind !== "objects") return;
  const audit = N.chain("egress", "staging/audit-egress");
  assert.deepEqual(d.chains, { added: 0, removed: 1, changed: 0 });
  assert.ok(d.text.indexOf("delete element inet portcullis egress_v4") < d.text.indexOf(`delete chain inet portcullis ${audit}`));
  assert.ok(d.text.indexOf(`flush chain inet portcullis ${audit}`) < d.text.indexOf(`delete chain inet portcullis ${audit}`));
  assert.ok(d.text.includes(`delete set inet portcullis ${peerSetOf(FULL, N.rule("egress", "staging/audit-egress"))}`), "its rule's (peer) set goes with it");
});

test("a policy that goes removes its sets and its groups' chains, and keeps every other object", () => {
  const fewer = POLICIES.filter((p) => p.name !== "db-ingress");
  const d = diffRulesets(compile(BASE), compile(BASE, undefined, fewer));
  assert.equal(d.kind, "objects");
  if (d.kind !== "objects") return;
  assert.deepEqual(d.chains, { added: 0, removed: 1, changed: 0 });
  assert.deepEqual(d.sets, { added: 0, removed: 4, changed: 0 }, "peers and named-port sets, v4 and v6");
  assert.ok(d.text.includes(`delete set inet portcullis ${N.set("ingress", "production/db-ingress", 0, 4, "named")}`));
  assert.ok(d.text.includes(`delete set inet portcullis ${peerSetOf(FULL, N.rule("ingress", "production/db-ingress", 0))}`), "no other rule has its peers");
  assert.ok(!d.text.includes("table inet portcullis {"), "nothing to add");
});

test("a rule that drops its ports looks its peers up alone: its sets go, its peer sets come, and the chain that looks them up is re-added", () => {
  const allPorts = POLICIES.map((p) => (p.name === "web-api-egress" ? { ...p, egress: p.egress.map((r) => (r.index === 0 ? { ...r, ports: "all" as const } : r)) } : p));
  const next = compileFull(BASE, undefined, allPorts);
  const d = diffRulesets(compile(BASE), next.ruleset);
  assert.equal(d.kind, "objects");
  if (d.kind !== "objects") return;
  const set = N.set("egress", "production/web-api-egress", 0);
  const peers = peerSetOf(next, N.rule("egress", "production/web-api-egress", 0));
  const chain = N.chain("egress", DENY, "production/web-api-egress");
  assert.deepEqual(d.sets, { added: 2, removed: 2, changed: 0 }, "the v4 and v6 sets of the rule");
  assert.deepEqual(d.chains, { added: 0, removed: 0, changed: 1 });
  const order = [`flush chain inet portcullis ${chain}`, `delete set inet portcullis ${set}`, `\tset ${peers} {`, `\tchain ${chain} {`].map((s) => d.text.indexOf(s));
  assert.ok(order.every((at, k) => at >= 0 && (k === 0 || at > (order[k - 1] as number))), d.text);
});

test("only a change of the base chain's hook replaces the table; other rules in it: flushed and written again in the same transaction", () => {
  const before = compile(BASE);
  const hooked: Ruleset = { ...before, chains: before.chains.map((c) => (c.base === undefined ? c : { ...c, base: c.base.replace("priority filter", "priority filter + 1") })) };
  const d = diffRulesets(before, hooked);
  assert.equal(d.kind, "replace");
  assert.equal(d.kind === "replace" ? d.reason : null, "base-chain");
  const changed: Ruleset = { ...before, chains: before.chains.map((c) => (c.base === undefined ? c : { ...c, rules: c.rules.slice(1) })) };
  const e = diffRulesets(before, changed);
  assert.equal(e.kind, "objects");
  if (e.kind !== "objects") return;
  assert.deepEqual(e.chains, { added: 0, removed: 0, changed: 1 });
  assert.ok(e.text.startsWith("flush chain inet portcullis forward\n"), e.text);
});

test("the local pods default to every endpoint with an IP", () => {
  const r = compileRuleset(testCluster(), ENGINE_OPTIONS);
  assert.ok(r.ruleset.sets.find((s) => s.name === "local_v4")?.elements.some((e) => e.key === "10.244.2.53"));
  assert.deepEqual(LOCAL_PODS.length, 6);
});

test("a set redefined under the same name takes the chains that look it up with it, even when their rules read the same", () => {
  const before = compile(BASE);
  const name = peerSetOf(FULL, N.rule("egress", "production/web-api-egress", 2));
  // Same name and rules, another definition (say, a newer compiler): the set must be deleted and
  // declared again, which the kernel allows only once no rule refers to it.
  const after: Ruleset = { ...before, sets: before.sets.map((s) => (s.name === name ? { ...s, interval: false, elements: [] } : s)) };
  const d = diffRulesets(before, after);
  assert.equal(d.kind, "objects");
  if (d.kind !== "objects") return;
  const chain = N.chain("egress", DENY, "production/web-api-egress");
  assert.deepEqual(d.sets, { added: 0, removed: 0, changed: 1 });
  assert.deepEqual(d.chains, { added: 0, removed: 0, changed: 1 });
  assert.ok(d.text.indexOf(`flush chain inet portcullis ${chain}`) < d.text.indexOf(`delete set inet portcullis ${name}`), d.text);
  assert.ok(d.text.includes(`\tchain ${chain} {`), "the chain is declared again with its rules");
});

/** 80 client pods at scattered addresses (no two merge into a range) that a db ingress rule admits on the named port `pg`, or on 5432. */
const CLIENTS = Array.from({ length: 80 }, (_, k) => pod("production", `client-${k}`, { app: "client" }, [`10.244.3.${2 * k + 1}`]));
const fromClients = (p: PortMatch | string | number) => policy("production", "db-from-clients", sel({ app: "db" }), { ingress: [rule(0, [podsPeer(sel({ app: "client" }))], [port("TCP", p)])] });
const DB2 = pod("production", "db-2", { app: "db" }, ["10.244.1.21"], [{ name: "pg", port: 5432, protocol: "TCP" }]);

test("a local pod leaves an ingress named-port rule with 80 sources: one element of the rule's named-port set goes, the sources stay (the two-step match keeps a pod's change its own)", () => {
  const all = [...BASE, ...CLIENTS, DB2];
  const before = compileFull(all, [webApi, db, DB2], [...POLICIES, fromClients("pg")]);
  const after = compileFull(all, [webApi, db], [...POLICIES, fromClients("pg")]);
  const diff = diffRulesets(before.ruleset, after.ruleset);
  assert.ok(diff.kind === "elements", diff.kind);
  // Its address leaves local_v4, self_v4 and both verdict maps, and its one element each named-port set of db's rules.
  const named = [...diff.text.matchAll(/^delete element inet portcullis (i_\w+_named_v4) \{\n\t([^\n]*)\n\}$/gm)].map((m) => m[2]);
  assert.deepEqual(named, ["10.244.1.21 . tcp . 5432", "10.244.1.21 . tcp . 5432"], diff.text);
  assert.ok(!diff.text.includes("10.244.3."), "no source address is touched");
  assert.ok(diff.removed <= 6, `${diff.removed} elements removed`);
});

/** A port range (`endPort`): the rule's set stays a concatenated interval set (pipapo) whatever its peers. */
const RANGE = { kind: "range", from: 5432, to: 5433 } as const;

test("80 of 2,000 sources of an endPort ingress rule go: deleted one by one, not flushed (refilling 1,920 elements in a pipapo set costs more kernel time than 80 deletions; measured on Linux 6.18)", () => {
  const many = Array.from({ length: 2000 }, (_, k) => pod("production", `client-${k}`, { app: "client" }, [`10.244.${3 + (k >> 7)}.${2 * (k & 127) + 1}`]));
  const policies = [...POLICIES, fromClients(RANGE)];
  const before = compileFull([...BASE, ...many], [webApi, db], policies);
  const after = compileFull([...BASE, ...many.slice(80)], [webApi, db], policies);
  const diff = diffRulesets(before.ruleset, after.ruleset);
  const set = after.ruleset.sets.find((s) => s.interval && s.type.includes(" . ") && s.elements.some((e) => e.key === "10.244.3.161 . tcp . 5432-5433"));
  assert.ok(set, "the rule's set");
  assert.equal(set.elements.length, 1920);
  assert.ok(!diff.text.includes(`flush set inet portcullis ${set.name}`), "not flushed");
  const deleted = diff.text.match(new RegExp(`delete element inet portcullis ${set.name} \\{\\n([^}]*)\\}`))?.[1]?.trim().split(",\n") ?? [];
  assert.equal(deleted.length, 80, diff.text.slice(0, 400));
});

test("80 sources of an endPort ingress rule go: its concatenated interval set is flushed and filled again, not deleted from element by element (kernel cost per deletion grows with the set)", () => {
  const policies = [...POLICIES, fromClients(RANGE)];
  const before = compileFull([...BASE, ...CLIENTS], [webApi, db], policies);
  const after = compileFull([...BASE, ...CLIENTS.slice(0, 1)], [webApi, db], policies);
  const diff = diffRulesets(before.ruleset, after.ruleset);
  const set = after.ruleset.sets.find((s) => s.interval && s.type.includes(" . ") && s.elements.some((e) => e.key === "10.244.3.1 . tcp . 5432-5433"));
  assert.ok(set, "the rule's set");
  assert.ok(set.elements.every((e) => e.key.endsWith(" . tcp . 5432-5433")));
  assert.match(diff.text, new RegExp(`flush set inet portcullis ${set.name}\\n`));
  assert.ok(!diff.text.includes(`delete element inet portcullis ${set.name}`));
  // Every element the set keeps is added again after the flush, in the same transaction.
  for (const e of set.elements) assert.ok(diff.text.includes(`\t${e.key}`), e.key);
  assert.ok(diff.kind === "elements" && diff.removed >= 79, "the 79 elements are counted as removed");
});

test("79 of 80 sources of a numbered-port ingress rule go: a hash set (selector peers, one port) loses its 79 elements one by one, never flushed (a hash deletion costs the same whatever the set holds)", () => {
  const policies = [...POLICIES, fromClients(5432)];
  const before = compileFull([...BASE, ...CLIENTS], [webApi, db], policies);
  const after = compileFull([...BASE, ...CLIENTS.slice(0, 1)], [webApi, db], policies);
  const diff = diffRulesets(before.ruleset, after.ruleset);
  assert.ok(diff.kind === "elements", diff.kind);
  const set = after.ruleset.sets.find((s) => s.elements.some((e) => e.key === "10.244.3.1 . tcp . 5432"));
  assert.ok(set !== undefined && !set.interval, "the rule's set is a hash set");
  assert.ok(!diff.text.includes(`flush set inet portcullis ${set.name}`), "not flushed");
  const deleted = diff.text.match(new RegExp(`delete element inet portcullis ${set.name} \\{\\n([^}]*)\\}`))?.[1]?.trim().split(",\n") ?? [];
  assert.equal(deleted.length, 79, diff.text.slice(0, 400));
});

/** A one-set ruleset (a plain set or a verdict map) holding `elements`, for the element diff alone. */
const oneSet = (kind: "set" | "map", elements: readonly NftElement[]): Ruleset => ({
  family: "inet",
  table: "portcullis",
  sets: [{ name: "s", kind, type: kind === "set" ? "ipv4_addr" : "ipv4_addr : verdict", interval: false, elements }],
  chains: [],
});

/** The elements named in the diff's `delete element` and `add element` commands. */
function elementCommands(text: string): { deleted: string[]; added: string[] } {
  const out = { deleted: [] as string[], added: [] as string[] };
  for (const block of text.matchAll(/(delete|add) element inet portcullis s \{\n([^}]*)\n\}\n/g)) {
    (block[1] === "delete" ? out.deleted : out.added).push(...(block[2] as string).split(",\n").map((l) => l.trim()));
  }
  return out;
}

const key = (k: number): NftElement => ({ key: `10.0.${k >> 8}.${k & 255}` });
const keys = (...ks: number[]): NftElement[] => ks.map(key);

// The diff compares only what lies between the common head and tail of the two element lists
// (the compiler lists a set's elements in a fixed order): each shape of change, from the ways a
// pod event moves elements (inserted among sorted addresses, the last one gone, a map value changed).
for (const [name, before, after, deleted, added] of [
  ["one element inserted in the middle (a pod added between two addresses)", keys(1, 2, 4, 5), keys(1, 2, 3, 4, 5), [], ["10.0.0.3"]],
  ["one element removed from the head", keys(1, 2, 3), keys(2, 3), ["10.0.0.1"], []],
  ["one element removed from the tail", keys(1, 2, 3), keys(1, 2), ["10.0.0.3"], []],
  ["the middle replaced", keys(1, 2, 3, 4), keys(1, 7, 8, 4), ["10.0.0.2", "10.0.0.3"], ["10.0.0.7", "10.0.0.8"]],
  ["the same keys in another order: nothing goes or comes", keys(1, 2, 3, 4), keys(1, 3, 2, 4), [], []],
  ["emptied", keys(1, 2), [], ["10.0.0.1", "10.0.0.2"], []],
  ["filled", [], keys(1, 2), [], ["10.0.0.1", "10.0.0.2"]],
] as const) {
  test(`element diff of a set, ${name}`, () => {
    const d = diffRulesets(oneSet("set", before), oneSet("set", after));
    assert.deepEqual(elementCommands(d.text), { deleted: [...deleted], added: [...added] });
  });
}

test("element diff of a verdict map: a key whose value changes is deleted (by key) and added with the new value; equal heads and tails are skipped", () => {
  const before = [{ key: "10.0.0.1", value: "jump a" }, { key: "10.0.0.2", value: "jump a" }, { key: "10.0.0.3", value: "jump a" }];
  const after = [{ key: "10.0.0.1", value: "jump a" }, { key: "10.0.0.2", value: "jump b" }, { key: "10.0.0.3", value: "jump a" }];
  assert.deepEqual(elementCommands(diffRulesets(oneSet("map", before), oneSet("map", after)).text), { deleted: ["10.0.0.2"], added: ["10.0.0.2 : jump b"] });
});

test("element diff, random sets of distinct keys in any order: the deletions and additions are exactly the set differences", () => {
  const arbKeys = fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 30 });
  fc.assert(
    fc.property(arbKeys, arbKeys, fc.boolean(), (a, b, sorted) => {
      const order = (xs: number[]): number[] => (sorted ? [...xs].sort((x, y) => x - y) : xs);
      const d = elementCommands(diffRulesets(oneSet("set", keys(...order(a))), oneSet("set", keys(...order(b)))).text);
      const name = (k: number): string => key(k).key;
      assert.deepEqual([...d.deleted].sort(), a.filter((k) => !b.includes(k)).map(name).sort());
      assert.deepEqual([...d.added].sort(), b.filter((k) => !a.includes(k)).map(name).sort());
    }),
    { numRuns: 300 },
  );
});

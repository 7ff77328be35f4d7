import { test } from "node:test";
import assert from "node:assert/strict";
import { compileRuleset } from "./compile.js";
import { tableDrift } from "./drift.js";
import { ENGINE_OPTIONS, LOCAL_PODS, POD_CIDRS, testCluster } from "./fixture.js";

const applied = compileRuleset(testCluster(), ENGINE_OPTIONS, { localPods: LOCAL_PODS, podCidrs: POD_CIDRS }).ruleset;

/** `nft -t -j list table inet portcullis` as the kernel would print it for these chains and rule counts. */
function listing(chains: readonly { readonly name: string; readonly rules: number }[], table = "portcullis"): string {
  const at = { family: "inet", table };
  const items: unknown[] = [{ metainfo: { json_schema_version: 1 } }, { table: { family: "inet", name: table, handle: 1 } }];
  chains.forEach((c, i) => items.push({ chain: { ...at, name: c.name, handle: i + 1 } }));
  for (const c of chains) for (let r = 0; r < c.rules; r++) items.push({ rule: { ...at, chain: c.name, handle: 100 + r, expr: [{ accept: null }] } });
  return JSON.stringify({ nftables: items });
}

const asApplied = applied.chains.map((c) => ({ name: c.name, rules: c.rules.length }));
const group = asApplied.find((c) => c.name !== "forward" && c.rules > 0);

const CASES: readonly [string, string | null, RegExp | null][] = [
  ["as applied", listing(asApplied), null],
  ["the table deleted (or the ruleset flushed)", null, /^table inet portcullis is gone$/],
  ["a chain deleted", listing(asApplied.slice(1)), /^1 of \d+ chains are gone \(forward\)$/],
  ["the table flushed: the base chain has no rules", listing(asApplied.map((c) => ({ ...c, rules: 0 }))), /^chain forward has 0 of its \d+ rules$/],
  ["a group chain flushed", listing(asApplied.map((c) => (c.name === group?.name ? { ...c, rules: 0 } : c))), new RegExp(`^chain ${group?.name} has 0 of its ${group?.rules} rules$`)],
  ["a rule added by hand", listing(asApplied.map((c) => (c.name === "forward" ? { ...c, rules: c.rules + 1 } : c))), /^chain forward has \d+ of its \d+ rules$/],
];

for (const [name, text, expected] of CASES) {
  test(`drift: ${name}`, () => {
    const drift = tableDrift(applied, text);
    assert.ok(drift.ok, drift.ok ? "" : drift.error);
    if (expected === null) assert.equal(drift.detail, null);
    else assert.match(drift.detail ?? "", expected);
  });
}

test("drift: a listing that is not nft's JSON is an error, not a verdict", () => {
  for (const text of ["table inet portcullis {\n}\n", "{}"]) {
    const drift = tableDrift(applied, text);
    assert.equal(drift.ok, false, text);
  }
});

test("drift: the fixture has a group chain with rules (the group case probes one)", () => {
  assert.ok(group !== undefined && group.rules > 0);
});

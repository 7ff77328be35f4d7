import { test } from "node:test";
import assert from "node:assert/strict";
import { compileRuleset } from "./compile.js";
import { enforcedIds, rulesetEnforcedIds, shrinkRefusal, tableLines } from "./enforced.js";
import { ENGINE_OPTIONS, LOCAL_PODS, POLICIES, POD_CIDRS, testCluster } from "./fixture.js";
import { renderTable } from "./render.js";

const compile = (policies = POLICIES) => compileRuleset(testCluster(policies), ENGINE_OPTIONS, { localPods: LOCAL_PODS, podCidrs: POD_CIDRS });

test("enforced ids: the rule ids of policy rules and group default denies, not the fail-closed drops", () => {
  const ids = enforcedIds(["ip daddr @e_1_v4 counter return comment \"pc:e:0123456789ab\"", 'counter drop comment "pc:e:g0123456789ab"', 'counter drop comment "pc:e:unknown"', "ct state invalid drop"]);
  assert.deepEqual([...ids].sort(), ["pc:e:0123456789ab", "pc:e:g0123456789ab"]);
});

test("enforced ids: a compiled ruleset and the table as nft lists it give the same ids", () => {
  const compiled = compile();
  const fromRuleset = rulesetEnforcedIds(compiled.ruleset);
  const fromListing = enforcedIds(renderTable(compiled.ruleset).split("\n"));
  assert.ok(fromRuleset.size > 2, "the fixture enforces several rules");
  assert.deepEqual([...fromListing].sort(), [...fromRuleset].sort());
  assert.equal(rulesetEnforcedIds(compile([]).ruleset).size, 0, "no policy: nothing enforced");
  // Read again (the ids of each chain are remembered): the same answer.
  assert.deepEqual([...rulesetEnforcedIds(compiled.ruleset)].sort(), [...fromRuleset].sort());
});

test("enforced ids per chain, remembered: a chain that goes takes its ids with it, one that stays keeps them", () => {
  const compiled = compile();
  const all = rulesetEnforcedIds(compiled.ruleset);
  const [first, ...rest] = compiled.ruleset.chains.filter((c) => enforcedIds(c.rules).size > 0);
  assert.ok(first !== undefined && rest.length > 0, "several chains enforce ids");
  const without = { ...compiled.ruleset, chains: compiled.ruleset.chains.filter((c) => c !== first) };
  const expected = enforcedIds(without.chains.flatMap((c) => c.rules));
  assert.deepEqual([...rulesetEnforcedIds(without)].sort(), [...expected].sort());
  assert.ok(expected.size < all.size, "the chain's own ids are gone");
});

test("table lines: only the rules of table inet portcullis in a listing of the whole ruleset", () => {
  const listing = [
    "table inet filter {",
    "\tchain input {",
    '\t\tcounter drop comment "pc:e:111111111111"',
    "\t}",
    "}",
    "table inet portcullis {",
    "\tchain eg_g222222222222 {",
    '\t\tcounter drop comment "pc:e:g222222222222"',
    "\t}",
    "}",
    "table ip nat {",
    "}",
  ].join("\n");
  assert.deepEqual([...enforcedIds(tableLines(listing, "inet", "portcullis"))], ["pc:e:g222222222222"]);
  assert.deepEqual(tableLines("table inet filter {\n}\n", "inet", "portcullis"), [], "no table: no lines");
});

/** [before, after, maxPercent] → refused as (all | threshold | null). */
const CASES: readonly [number, number, number, "all" | "threshold" | null][] = [
  [0, 0, 50, null], // nothing was enforced: nothing to lose
  [10, 0, 50, "all"], // every policy dropped
  [10, 0, 100, "all"], // even with --max-shrink 100
  [1, 0, 50, "all"],
  [10, 5, 50, null], // exactly the threshold
  [10, 4, 50, "threshold"],
  [10, 9, 0, "threshold"], // --max-shrink 0: any shrink
  [10, 10, 0, null],
  [10, 20, 50, null], // growth
  [3, 1, 100, null],
];

for (const [before, after, maxPercent, expected] of CASES) {
  test(`shrink: ${before} → ${after} ids with --max-shrink ${maxPercent} is ${expected ?? "applied"}`, () => {
    const r = shrinkRefusal(before, after, maxPercent);
    assert.equal(r === null ? null : r.all ? "all" : "threshold", expected);
    if (r !== null) assert.deepEqual([r.before, r.after, r.maxPercent, r.percent], [before, after, maxPercent, Math.round(((before - after) / before) * 100)]);
  });
}

import { test } from "node:test";
import assert from "node:assert/strict";
import type { EnforceEvent } from "../enforce/loop.js";
import { enforceEventJson, enforceEventText } from "./enforce.js";

const stats = { sets: 13, elements: 4, rules: 21, chains: 4 };
const applied = (change: "replace" | "objects" | "elements" | "unchanged", extra: Partial<Extract<EnforceEvent, { kind: "applied" }>> = {}): EnforceEvent => ({
  kind: "applied",
  change,
  stats,
  added: 0,
  removed: 0,
  issues: [],
  diagnostics: [],
  ms: 12.5,
  ...extra,
});

const CASES: readonly [string, EnforceEvent, string][] = [
  ["the first apply", applied("replace"), "applied: replaced the table (13 sets, 4 elements, 21 rules, 4 chains) in 12.5 ms"],
  ["pods only", applied("elements", { added: 2, removed: 1 }), "applied: 2 elements added, 1 removed (13 sets, 4 elements, 21 rules, 4 chains) in 12.5 ms"],
  [
    "a policy added: only the non-zero counts",
    applied("objects", { added: 2, removed: 1, objects: { sets: { added: 1, removed: 0, changed: 0 }, chains: { added: 1, removed: 1, changed: 0 } } }),
    "applied: 1 set added, 1 chain added, 1 chain removed, 2 elements added, 1 removed (13 sets, 4 elements, 21 rules, 4 chains) in 12.5 ms",
  ],
  ["nothing changed", applied("unchanged"), "applied: unchanged, nothing sent (13 sets, 4 elements, 21 rules, 4 chains) in 12.5 ms"],
];

for (const [name, event, text] of CASES) {
  test(`applied event as text: ${name}`, () => assert.equal(enforceEventText(event), text));
}

test("applied event as JSON: objects only when sets or chains changed", () => {
  const objects = { sets: { added: 1, removed: 0, changed: 0 }, chains: { added: 1, removed: 1, changed: 0 } };
  assert.deepEqual(enforceEventJson(applied("objects", { added: 2, removed: 1, objects })), {
    event: "applied",
    change: "objects",
    objects,
    added: 2,
    removed: 1,
    stats,
    issues: [],
    ms: 12.5,
  });
  assert.equal("objects" in enforceEventJson(applied("elements")), false);
});

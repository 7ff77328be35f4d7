import { test } from "node:test";
import assert from "node:assert/strict";
import { compileRuleset } from "./compile.js";
import { tableDrift } from "./drift.js";
import { ENGINE_OPTIONS, LOCAL_PODS, POD_CIDRS, testCluster } from "./fixture.js";

const applied = compileRuleset(testCluster(), ENGINE_OPTIONS, { localPods: LOCAL_PODS, podCidrs: POD_CIDRS }).ruleset;
const chainsListing = (names: readonly string[], other = ""): string =>
  `${other}table inet portcullis {\n${names.map((n) => `\tchain ${n} {\n\t}\n`).join("")}}\n`;
const allChains = applied.chains.map((c) => c.name);
const base = applied.chains.find((c) => c.name === "forward");
const baseListing = (rules: readonly string[]): string =>
  `table inet portcullis {\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n${rules.map((r) => `\t\t${r}\n`).join("")}\t}\n}\n`;

const CASES: readonly [string, string, string | null, RegExp | null][] = [
  ["as applied", chainsListing(allChains, "table ip nat {\n\tchain x {\n\t}\n}\n"), baseListing(base?.rules ?? []), null],
  ["the table deleted (or the ruleset flushed)", "table ip nat {\n\tchain postrouting {\n\t}\n}\n", null, /^table inet portcullis is gone$/],
  ["a chain deleted", chainsListing(allChains.slice(1)), baseListing(base?.rules ?? []), /^1 of \d+ chains are gone \(forward\)$/],
  ["the table flushed: the base chain has no rules", chainsListing(allChains), baseListing([]), /^chain forward has 0 of its \d+ rules$/],
];

for (const [name, chains, baseChain, expected] of CASES) {
  test(`drift: ${name}`, () => {
    const drift = tableDrift(applied, chains, baseChain);
    if (expected === null) assert.equal(drift, null);
    else assert.match(drift ?? "", expected);
  });
}

import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, docs, policy, runCase, workload } from "../test-support.js";

const APPS = docs(workload("shop", "web", { app: "web" }), workload("shop", "db", { app: "db" }, { ports: [{ name: "pg", port: 5432 }] }));
const egress = (rules: string): string =>
  policy("shop", "web-egress", `
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
${rules}`);
const TO_DB = "    - to:\n        - podSelector: {matchLabels: {app: db}}\n      ports:\n        - {port: 5432}\n";

const CASES: RuleCase[] = [
  { name: "of two identical rules, the later is reported", yaml: docs(APPS, egress(TO_DB + TO_DB)), expect: [{ path: "spec.egress[1]", endpoints: ["shop/web"] }] },
  {
    name: "a rule inside a broader one (all ports to the same pods)",
    yaml: docs(APPS, egress(`${TO_DB}    - to:\n        - podSelector: {matchLabels: {app: db}}\n`)),
    expect: [{ path: "spec.egress[0]" }],
  },
  {
    name: "a rule covered by another policy's rule",
    yaml: docs(
      APPS,
      egress(`${TO_DB}    - to:\n        - ipBlock: {cidr: 203.0.113.0/24}\n`),
      policy("shop", "postgres-anywhere", "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - ports:\n        - {port: 5432}\n"),
    ),
    expect: [{ path: "spec.egress[0]", endpoints: ["shop/web"] }],
  },
  {
    name: "when a whole policy adds nothing, policy-adds-nothing reports it instead of each rule",
    yaml: docs(APPS, egress(TO_DB), policy("shop", "allow-all-egress", "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - {}\n")),
    expect: [],
  },
  { name: "rules that allow different things", yaml: docs(APPS, egress(`${TO_DB}    - to:\n        - ipBlock: {cidr: 203.0.113.0/24}\n`)), expect: [] },
  {
    name: "a named port and the port it resolves to are the same rule",
    yaml: docs(APPS, egress(`${TO_DB}    - to:\n        - podSelector: {matchLabels: {app: db}}\n      ports:\n        - {port: pg}\n`)),
    expect: [{ path: "spec.egress[1]" }],
  },
  { name: "a rule that allows nothing at all is left to other rules", yaml: docs(APPS, egress(`${TO_DB}    - ports:\n        - {port: postgres}\n`)), expect: [] },
  { name: "policies alone: witnesses stand for the pods", yaml: egress(TO_DB + TO_DB), expect: [{ path: "spec.egress[1]", endpoints: [] }] },
];

for (const c of CASES) {
  test(`redundant-rule: ${c.name}`, () => {
    const { actual, expected } = runCase("redundant-rule", c);
    assert.deepEqual(actual, expected);
  });
}

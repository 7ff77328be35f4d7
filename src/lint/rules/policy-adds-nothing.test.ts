import { test } from "node:test";
import assert from "node:assert/strict";
import { lintMessages } from "../messages.js";
import { type RuleCase, docs, policy, runCase, workload } from "../test-support.js";

const APPS = docs(workload("shop", "web", { app: "web" }));
const WEB_EGRESS = "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress:\n    - ports:\n        - {port: 443}\n";

const CASES: RuleCase[] = [
  {
    name: "of two identical policies, the later is reported",
    yaml: docs(APPS, policy("shop", "web-egress", WEB_EGRESS), policy("shop", "web-egress-copy", WEB_EGRESS)),
    expect: [{ path: "", endpoints: ["shop/web"], message: lintMessages.policyAddsNothing() }],
  },
  {
    name: "a default-deny stays meaningful for pods to come, even when today's pods are all selected by another policy",
    yaml: docs(APPS, policy("shop", "default-deny", "  podSelector: {}\n  policyTypes: [Egress]\n"), policy("shop", "web-egress", WEB_EGRESS)),
    expect: [],
  },
  {
    name: "a second default-deny adds nothing",
    yaml: docs(APPS, policy("shop", "default-deny", "  podSelector: {}\n  policyTypes: [Egress]\n"), policy("shop", "deny-egress", "  podSelector: {}\n  policyTypes: [Egress]\n  egress: []\n")),
    expect: [{ path: "" }],
  },
  { name: "a policy that isolates pods no other policy isolates", yaml: docs(APPS, policy("shop", "web-egress", WEB_EGRESS)), expect: [] },
  { name: "a policy that selects no pod is left to policy-selects-nothing", yaml: docs(APPS, policy("shop", "api", WEB_EGRESS.replace("app: web", "app: api"))), expect: [] },
];

for (const c of CASES) {
  test(`policy-adds-nothing: ${c.name}`, () => {
    const { actual, expected } = runCase("policy-adds-nothing", c);
    assert.deepEqual(actual, expected);
  });
}

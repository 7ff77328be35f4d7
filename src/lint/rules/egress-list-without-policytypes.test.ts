import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, docs, policy, runCase, workload } from "../test-support.js";

const APP = workload("finance", "ledger", { app: "ledger" });

const CASES: RuleCase[] = [
  {
    name: "egress: [] without policyTypes, in a policy named for egress",
    yaml: docs(APP, policy("finance", "deny-all-egress", "  podSelector: {}\n  egress: []\n")),
    expect: [{ path: "", message: "it denies all ingress to the pods it selects", hint: "policyTypes: [Egress]" }],
  },
  {
    name: "an annotation that mentions egress shows the intent too",
    yaml: docs(APP, policy("finance", "lockdown", "  podSelector: {}\n", { description: "Block all egress from finance" })),
    expect: [{ path: "" }],
  },
  {
    name: "with ingress rules, the message says ingress is restricted to them",
    yaml: docs(APP, policy("finance", "ledger-egress", "  podSelector: {}\n  ingress:\n    - from:\n        - podSelector: {}\n")),
    expect: [{ path: "", message: "restricts the selected pods' ingress to its ingress rules" }],
  },
  { name: "policyTypes: [Egress] isolates egress", yaml: docs(APP, policy("finance", "deny-all-egress", "  podSelector: {}\n  policyTypes: [Egress]\n  egress: []\n")), expect: [] },
  { name: "egress rules make the policy affect egress", yaml: docs(APP, policy("finance", "ledger-egress", "  podSelector: {}\n  egress:\n    - ports:\n        - {port: 443}\n")), expect: [] },
  { name: "egress: [] written explicitly shows the intent, whatever the name", yaml: docs(APP, policy("finance", "default-deny", "  podSelector: {}\n  egress: []\n")), expect: [{ path: "" }] },
  { name: "a policy with no egress field that shows no intent for egress", yaml: docs(APP, policy("finance", "default-deny", "  podSelector: {}\n")), expect: [] },
];

for (const c of CASES) {
  test(`egress-list-without-policytypes: ${c.name}`, () => {
    const { actual, expected } = runCase("egress-list-without-policytypes", c);
    assert.deepEqual(actual, expected);
  });
}

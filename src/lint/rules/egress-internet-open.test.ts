import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, clusterPolicy, docs, policy, runCase, workload } from "../test-support.js";

const APP = workload("web", "frontend", { app: "frontend" });
const egress = (rules: string, types = "[Egress]"): string =>
  policy("web", "frontend-egress", `
  podSelector: {matchLabels: {app: frontend}}
  policyTypes: ${types}
  egress:
${rules}`);

const ADMIN_ALLOWLIST = clusterPolicy("allowlist", "Admin", 10, "  subject: {namespaces: {}}\n  egress:\n    - action: Accept\n      to: [{networks: [0.0.0.0/0]}]\n      protocols: [{tcp: {destinationPort: {number: 443}}}]\n    - action: Deny\n      to: [{networks: [0.0.0.0/0]}]\n");

const CASES: RuleCase[] = [
  { name: "0.0.0.0/0 on every port", yaml: docs(APP, egress("    - to:\n        - ipBlock: {cidr: 0.0.0.0/0}\n")), expect: [{ path: "spec.egress[0].to[0]", endpoints: ["web/frontend"], message: "allows 0.0.0.0/0 on every port" }] },
  { name: "an except list does not close the internet", yaml: docs(APP, egress("    - to:\n        - ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8]}\n")), expect: [{ path: "spec.egress[0].to[0]", message: "(except 10.0.0.0/8)" }] },
  { name: "::/0 on every port", yaml: docs(APP, egress("    - to:\n        - ipBlock: {cidr: \"::/0\"}\n")), expect: [{ path: "spec.egress[0].to[0]", message: "::/0" }] },
  { name: "a rule with no destinations and no ports allows everything", yaml: docs(APP, egress("    - {}\n")), expect: [{ path: "spec.egress[0]", message: "no destinations" }] },
  { name: "0.0.0.0/0 on TCP 443 only", yaml: docs(APP, egress("    - to:\n        - ipBlock: {cidr: 0.0.0.0/0}\n      ports:\n        - {port: 443}\n")), expect: [] },
  { name: "a smaller CIDR on every port", yaml: docs(APP, egress("    - to:\n        - ipBlock: {cidr: 203.0.113.0/24}\n")), expect: [] },
  { name: "egress rules of an Ingress-only policy are ignored (egress-rules-ignored reports them)", yaml: docs(APP, egress("    - to:\n        - ipBlock: {cidr: 0.0.0.0/0}\n", "[Ingress]")), expect: [] },
  {
    name: "admin tiers: an Admin default-deny for every pod, after an Accept of TCP 443, comes before NetworkPolicy (\"The Admin tier takes precedence over all other policies\"): the rule opens nothing more",
    yaml: docs(APP, egress("    - to:\n        - ipBlock: {cidr: 0.0.0.0/0}\n"), ADMIN_ALLOWLIST),
    expect: [],
  },
  {
    name: "admin tiers (near miss): the Admin default-deny selects another namespace only",
    yaml: docs(APP, egress("    - to:\n        - ipBlock: {cidr: 0.0.0.0/0}\n"), ADMIN_ALLOWLIST.replace("namespaces: {}", "namespaces: {matchLabels: {kubernetes.io/metadata.name: other}}")),
    expect: [{ path: "spec.egress[0].to[0]" }],
  },
  {
    name: "admin tiers (near miss): a Baseline default-deny is never reached by pods the policy isolates",
    yaml: docs(APP, egress("    - to:\n        - ipBlock: {cidr: 0.0.0.0/0}\n"), ADMIN_ALLOWLIST.replace("tier: Admin", "tier: Baseline")),
    expect: [{ path: "spec.egress[0].to[0]" }],
  },
];

for (const c of CASES) {
  test(`egress-internet-open: ${c.name}`, () => {
    const { actual, expected } = runCase("egress-internet-open", c);
    assert.deepEqual(actual, expected);
  });
}

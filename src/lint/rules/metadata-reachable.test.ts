import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, docs, policy, runCase, workload } from "../test-support.js";

const APP = workload("search", "crawler", { app: "crawler" });
const egress = (rules: string): string =>
  policy("search", "crawler-egress", `
  podSelector: {matchLabels: {app: crawler}}
  policyTypes: [Egress]
  egress:
${rules}`);

const CASES: RuleCase[] = [
  {
    name: "0.0.0.0/0 on all ports reaches 169.254.169.254 and 100.100.100.200",
    yaml: docs(APP, egress("    - to:\n        - ipBlock: {cidr: 0.0.0.0/0}\n")),
    expect: [{ path: "spec.egress[0].to[0]", endpoints: ["search/crawler"], message: "169.254.169.254 and 100.100.100.200 (TCP 80)", hint: "except list" }],
  },
  {
    name: "an except for the metadata addresses closes it (an address inside the cidr and inside the except)",
    yaml: docs(APP, egress("    - to:\n        - ipBlock: {cidr: 0.0.0.0/0, except: [169.254.169.254/32, 100.100.100.200/32]}\n")),
    expect: [],
  },
  { name: "a rule for TCP 443 only does not reach the metadata service on TCP 80", yaml: docs(APP, egress("    - to:\n        - ipBlock: {cidr: 0.0.0.0/0}\n      ports:\n        - {port: 443}\n")), expect: [] },
  {
    name: "a rule without destinations reaches it too, and the hint says to narrow it",
    yaml: docs(APP, egress("    - ports:\n        - {port: 80}\n")),
    expect: [{ path: "spec.egress[0]", message: "169.254.169.254", hint: "narrow the rule's destinations" }],
  },
  { name: "::/0 reaches the AWS IPv6 address", yaml: docs(APP, egress("    - to:\n        - ipBlock: {cidr: \"::/0\"}\n")), expect: [{ path: "spec.egress[0].to[0]", message: "fd00:ec2::254" }] },
  { name: "pods not isolated for egress are egress-not-isolated's concern", yaml: APP, expect: [] },
  {
    name: "--metadata adds an address: the EKS Pod Identity agent inside a link-local allowance",
    yaml: docs(APP, egress("    - to:\n        - ipBlock: {cidr: 169.254.170.0/24}\n")),
    options: { metadata: [{ family: 4, value: 0xa9feaa17n }] }, // 169.254.170.23
    expect: [{ path: "spec.egress[0].to[0]", message: "169.254.170.23 (TCP 80)", hint: "169.254.170.23/32" }],
  },
  { name: "without --metadata the same allowance reaches no metadata address", yaml: docs(APP, egress("    - to:\n        - ipBlock: {cidr: 169.254.170.0/24}\n")), expect: [] },
];

for (const c of CASES) {
  test(`metadata-reachable: ${c.name}`, () => {
    const { actual, expected } = runCase("metadata-reachable", c);
    assert.deepEqual(actual, expected);
  });
}

import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, clusterPolicy, docs, policy, runCase, workload } from "../test-support.js";

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

/** The issue 9 guardrail: "an Admin `Deny` of 169.254.169.254 silences `metadata-reachable`". */
const DENY_IMDS = clusterPolicy("deny-metadata", "Admin", 10, `
  subject: {namespaces: {}}
  egress:
    - name: block-imds
      action: Deny
      to: [{networks: [169.254.169.254/32]}]
`);
const OPEN = egress("    - to:\n        - ipBlock: {cidr: 0.0.0.0/0}\n");

const TIER_CASES: RuleCase[] = [
  {
    name: 'admin tiers: an Admin Deny of 169.254.169.254 for every pod ("If Admin tier has made a final decision (Accept or Deny) on a connection, then no further evaluation is done") silences that address; 100.100.100.200 is still allowed by the NetworkPolicy',
    yaml: docs(APP, OPEN, DENY_IMDS),
    expect: [{ path: "spec.egress[0].to[0]", endpoints: ["search/crawler"], message: "at 100.100.100.200 (TCP 80)" }],
  },
  {
    name: "admin tiers: an Admin Deny of both IPv4 addresses silences the rule entirely",
    yaml: docs(
      APP,
      OPEN,
      clusterPolicy("deny-metadata", "Admin", 10, `
  subject: {namespaces: {}}
  egress:
    - action: Deny
      to: [{networks: [169.254.169.254/32, 100.100.100.200/32]}]
`),
    ),
    expect: [],
  },
  {
    name: "admin tiers: an Admin Accept of 169.254.0.0/16 decides before the NetworkPolicy that does not allow it: the finding points at the Accept rule",
    yaml: docs(
      APP,
      egress("    - to:\n        - ipBlock: {cidr: 10.0.0.0/8}\n"),
      clusterPolicy("link-local", "Admin", 20, `
  subject: {namespaces: {}}
  egress:
    - name: link-local
      action: Accept
      to: [{networks: [169.254.0.0/16]}]
`),
    ),
    expect: [{ path: "spec.egress[0]", endpoints: ["search/crawler"], message: "at 169.254.169.254 (TCP 80)", hint: "put a Deny of networks [169.254.169.254/32] before this rule" }],
  },
  {
    name: 'admin tiers: an Admin Pass of 169.254.0.0/16 ("passes evaluation to the next tier") leaves the NetworkPolicy to decide: the finding points at the ipBlock that allows it, not at the Pass',
    yaml: docs(
      APP,
      OPEN,
      clusterPolicy("link-local", "Admin", 20, `
  subject: {namespaces: {}}
  egress:
    - action: Pass
      to: [{networks: [169.254.0.0/16]}]
`),
    ),
    expect: [{ path: "spec.egress[0].to[0]", endpoints: ["search/crawler"], message: "169.254.169.254 and 100.100.100.200 (TCP 80)", hint: "except list" }],
  },
  {
    name: "admin tiers: a Baseline Accept decides for a pod no NetworkPolicy isolates: the finding points at it",
    yaml: docs(
      APP,
      clusterPolicy("baseline", "Baseline", 10, `
  subject: {namespaces: {}}
  egress:
    - action: Accept
      to: [{networks: [169.254.169.254/32]}]
    - action: Deny
      to: [{networks: [0.0.0.0/0]}]
`),
    ),
    expect: [{ path: "spec.egress[0]", endpoints: ["search/crawler"], message: "at 169.254.169.254 (TCP 80)" }],
  },
  {
    name: "admin tiers (near miss): a Baseline Accept is not reached by a pod a NetworkPolicy isolates (v1.NetworkPolicy always makes a final decision for selected pods)",
    yaml: docs(
      APP,
      egress("    - to:\n        - ipBlock: {cidr: 10.0.0.0/8}\n"),
      clusterPolicy("baseline", "Baseline", 10, `
  subject: {namespaces: {}}
  egress:
    - action: Accept
      to: [{networks: [169.254.169.254/32]}]
`),
    ),
    expect: [],
  },
];

for (const c of TIER_CASES) {
  test(`metadata-reachable: ${c.name}`, () => {
    const { actual, expected } = runCase("metadata-reachable", c);
    assert.deepEqual(actual, expected);
  });
}

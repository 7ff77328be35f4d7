import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, clusterPolicy, docs, namespace, runCase, workload } from "../test-support.js";

const PODS = docs(namespace("shop"), workload("shop", "web", { app: "web" }));
const rule = (action: string): string => `  subject: {namespaces: {}}\n  egress:\n    - action: ${action}\n      to: [{domainNames: ["*.example.com", api.example.org]}]\n`;

/** "DomainNames is only supported for Accept rules." (v1alpha2 ClusterNetworkPolicyEgressPeer) */
const CASES: RuleCase[] = [
  {
    name: "a Deny of domainNames in the Admin tier: a warning",
    yaml: docs(PODS, clusterPolicy("block", "Admin", 10, rule("Deny"))),
    expect: [{ path: "spec.egress[0].to[0].domainNames", endpoints: ["shop/web"], severity: "warning", message: 'domainNames *.example.com, api.example.org in a Deny rule: "DomainNames is only supported for Accept rules"' }],
  },
  {
    name: "a Deny of names fails open (NPEP-133: \"it may accidentally allow traffic to an IP belonging to a denied domain\"): the message says so",
    yaml: docs(PODS, clusterPolicy("block", "Admin", 10, rule("Deny"))),
    expect: [{ path: "spec.egress[0].to[0].domainNames", message: "a Deny of names fails open" }],
  },
  {
    name: "a Deny of domainNames in the Baseline tier: the message names the tier's reach",
    yaml: docs(PODS, clusterPolicy("b", "Baseline", 10, rule("Deny"))),
    expect: [{ path: "spec.egress[0].to[0].domainNames", severity: "warning", message: "in the Baseline tier it decides only for pods no NetworkPolicy isolates for egress" }],
  },
  { name: "a Pass of domainNames: a warning", yaml: docs(PODS, clusterPolicy("p", "Admin", 10, rule("Pass"))), expect: [{ path: "spec.egress[0].to[0].domainNames", severity: "warning", message: "in a Pass rule" }] },
  { name: "a Baseline Accept of domainNames: info", yaml: docs(PODS, clusterPolicy("b", "Baseline", 10, rule("Accept"))), expect: [{ path: "spec.egress[0].to[0].domainNames", severity: "info", message: "in a Baseline Accept" }] },
  { name: "near miss: an Admin Accept of domainNames (the allowlist the API describes)", yaml: docs(PODS, clusterPolicy("allow", "Admin", 10, rule("Accept"))), expect: [] },
];

for (const c of CASES) {
  test(`domain-names-not-admin-accept: ${c.name}`, () => {
    const { actual, expected } = runCase("domain-names-not-admin-accept", c);
    assert.deepEqual(actual, expected);
  });
}

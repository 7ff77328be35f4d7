import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, clusterPolicy, docs, namespace, runCase, workload } from "../test-support.js";

const PODS = docs(namespace("shop"), workload("shop", "web", { app: "web" }));
const accept = (names: string): string => clusterPolicy("allowlist", "Admin", 10, `  subject: {namespaces: {}}\n  egress:\n    - action: Accept\n      to: [{domainNames: [${names}]}]\n`);

/** "'*', the wildcard specifier, matches one or more entire labels": `*.co.uk` is every British company. Public Suffix List sections as tldts reads them. */
const CASES: RuleCase[] = [
  { name: "*.co.uk: an ICANN public suffix", yaml: docs(PODS, accept(`"*.co.uk"`)), expect: [{ path: "spec.egress[0].to[0].domainNames[0]", endpoints: ["shop/web"], message: "ICANN section" }] },
  { name: "*.github.io: a private public suffix (each site another customer's)", yaml: docs(PODS, accept(`"*.github.io"`)), expect: [{ path: "spec.egress[0].to[0].domainNames[0]", message: "private section" }] },
  { name: "*.s3.amazonaws.com: a private suffix too", yaml: docs(PODS, accept(`"*.s3.amazonaws.com"`)), expect: [{ path: "spec.egress[0].to[0].domainNames[0]", message: "under s3.amazonaws.com" }] },
  { name: "near miss: *.stripe.com, a registrable domain's subdomains", yaml: docs(PODS, accept(`"*.stripe.com", "*.example.co.uk"`)), expect: [] },
  { name: "near miss: co.uk written exactly (not a wildcard) is no wider than itself", yaml: docs(PODS, accept(`co.uk`)), expect: [] },
  { name: "the second entry of a list is the one reported", yaml: docs(PODS, accept(`api.stripe.com, "*.com.au"`)), expect: [{ path: "spec.egress[0].to[0].domainNames[1]", message: "*.com.au matches every name under com.au" }] },
];

for (const c of CASES) {
  test(`domain-wildcard-too-wide: ${c.name}`, () => {
    const { actual, expected } = runCase("domain-wildcard-too-wide", c);
    assert.deepEqual(actual, expected);
  });
}

import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, docs, policy, runCase, workload } from "../test-support.js";

const APP = workload("payments", "checkout", { app: "checkout" });
const dnsPolicy = (ports: string): string =>
  policy("payments", "checkout-egress", `
  podSelector: {matchLabels: {app: checkout}}
  policyTypes: [Egress]
  egress:
    - to:
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
          podSelector: {matchLabels: {k8s-app: kube-dns}}
      ports:
${ports}`);

const CASES: RuleCase[] = [
  {
    name: "UDP 53 allowed without TCP 53 is reported at the peer that allows UDP",
    yaml: docs(APP, dnsPolicy("        - {protocol: UDP, port: 53}\n")),
    expect: [{ path: "spec.egress[0].to[0]", endpoints: ["payments/checkout"], message: "no rule allows TCP 53" }],
  },
  { name: "UDP and TCP 53 in one rule", yaml: docs(APP, dnsPolicy("        - {protocol: UDP, port: 53}\n        - {protocol: TCP, port: 53}\n")), expect: [] },
  {
    name: "TCP 53 allowed by another policy counts",
    yaml: docs(
      APP,
      dnsPolicy("        - {protocol: UDP, port: 53}\n"),
      policy("payments", "dns-tcp", `
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - ports:
        - {protocol: TCP, port: 53}
`),
    ),
    expect: [],
  },
  { name: "DNS blocked altogether is dns-egress-blocked's finding, not this one", yaml: docs(APP, dnsPolicy("        - {protocol: TCP, port: 443}\n")), expect: [] },
  { name: "pods not isolated for egress are not reported", yaml: APP, expect: [] },
];

for (const c of CASES) {
  test(`dns-tcp-missing: ${c.name}`, () => {
    const { actual, expected } = runCase("dns-tcp-missing", c);
    assert.deepEqual(actual, expected);
  });
}

import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, clusterPolicy, docs, namespace, policy, runCase, workload } from "../test-support.js";

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

/** Guides written before Kubernetes 1.21: "kubectl label namespace kube-system name=kube-system", then select it by that label. */
const oldGuide = (ports: string): string =>
  policy("payments", "allow-dns-access", `
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - namespaceSelector: {matchLabels: {name: kube-system}}
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
  {
    name: "older guides' allow-dns-access (namespaceSelector name: kube-system, UDP 53 only), kube-system not in the input: TCP is missing whatever kube-system carries, and the message names the assumption UDP rests on",
    yaml: docs(APP, oldGuide("        - {protocol: UDP, port: 53}\n")),
    expect: [{ path: "spec.egress[0].to[0]", severity: "warning", message: "over UDP 53 if namespace kube-system carries name=kube-system, but no rule allows TCP 53" }],
  },
  {
    name: "older guides' allow-dns-access with UDP and TCP 53, kube-system not in the input: dns-egress-blocked names the assumption, nothing here",
    yaml: docs(APP, oldGuide("        - {protocol: UDP, port: 53}\n        - {protocol: TCP, port: 53}\n")),
    expect: [],
  },
  {
    name: "UDP by kubernetes.io/metadata.name, TCP only by an older guide's name: kube-system: info naming the assumption TCP rests on",
    yaml: docs(APP, dnsPolicy("        - {protocol: UDP, port: 53}\n"), oldGuide("        - {protocol: TCP, port: 53}\n").replace("allow-dns-access", "allow-dns-tcp")),
    expect: [{ path: "spec.egress[0].to[0]", severity: "info", message: "TCP 53 is allowed only if namespace kube-system carries name=kube-system" }],
  },
  {
    name: "the same with the Namespace kube-system in the input, without the label: TCP is missing for certain (a warning)",
    yaml: docs(APP, namespace("kube-system"), dnsPolicy("        - {protocol: UDP, port: 53}\n"), oldGuide("        - {protocol: TCP, port: 53}\n").replace("allow-dns-access", "allow-dns-tcp")),
    expect: [{ path: "spec.egress[0].to[0]", severity: "warning", message: "but no rule allows TCP 53" }],
  },
];

for (const c of CASES) {
  test(`dns-tcp-missing: ${c.name}`, () => {
    const { actual, expected } = runCase("dns-tcp-missing", c);
    assert.deepEqual(actual, expected);
  });
}

const ADMIN_UDP_DNS = clusterPolicy("allow-dns", "Admin", 5, `
  subject: {namespaces: {}}
  egress:
    - name: kube-dns-udp
      action: Accept
      to:
        - pods:
            namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
            podSelector: {matchLabels: {k8s-app: kube-dns}}
      protocols: [{udp: {destinationPort: {number: 53}}}]
`);

const TIER_CASES: RuleCase[] = [
  {
    name: "admin tiers: an Admin Accept of UDP 53 only, for a pod a baseline NetworkPolicy isolates: TCP is denied, the finding points at the Accept rule",
    yaml: docs(APP, policy("payments", "deny", "  podSelector: {}\n  policyTypes: [Egress]\n"), ADMIN_UDP_DNS),
    expect: [{ path: "spec.egress[0]", endpoints: ["payments/checkout"], message: "no rule allows TCP 53", hint: "{tcp: {destinationPort: {number: 53}}}" }],
  },
  { name: "admin tiers (near miss): the same Admin Accept for a pod no policy isolates: TCP is allowed by default", yaml: docs(APP, ADMIN_UDP_DNS), expect: [] },
  {
    name: "admin tiers: an Admin Deny of TCP 53 is left to dns-egress-blocked (an error there), not reported here",
    yaml: docs(
      APP,
      dnsPolicy("        - {protocol: UDP, port: 53}\n        - {protocol: TCP, port: 53}\n"),
      clusterPolicy("no-tcp-dns", "Admin", 10, `
  subject: {namespaces: {}}
  egress:
    - action: Deny
      to: [{namespaces: {}}]
      protocols: [{tcp: {destinationPort: {number: 53}}}]
`),
    ),
    expect: [],
  },
];

for (const c of TIER_CASES) {
  test(`dns-tcp-missing: ${c.name}`, () => {
    const { actual, expected } = runCase("dns-tcp-missing", c);
    assert.deepEqual(actual, expected);
  });
}

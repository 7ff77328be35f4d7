import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, clusterPolicy, docs, namespace, runCase, workload } from "../test-support.js";

const PODS = docs(namespace("shop"), workload("shop", "web", { app: "web" }));
const DNS_PEER = "{pods: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}}";
const acceptDns = (protocols: string): string => `    - name: dns\n      action: Accept\n      to: [${DNS_PEER}]\n      protocols: [${protocols}]\n`;
const UDP = "{udp: {destinationPort: {number: 53}}}";
const TCP = "{tcp: {destinationPort: {number: 53}}}";
const ALLOWLIST = `    - action: Accept\n      to: [{domainNames: [api.stripe.com]}]\n      protocols: [{tcp: {destinationPort: {number: 443}}}]\n`;
const DENY_REST = `    - action: Deny\n      to: [{networks: [0.0.0.0/0, "::/0"]}]\n`;
const allowlist = (rules: string): string => clusterPolicy("allowlist", "Admin", 10, `  subject: {namespaces: {}}\n  egress:\n${rules}`);

/**
 * Issue 12: "A domain rule for pods that cannot reach DNS (UDP **and** TCP 53) — error"; "The rule
 * grants no DNS access itself". The allowlist the API describes ("DomainNames Accept rules should
 * be used with a lower precedence egress deny") without a DNS Accept before the Deny.
 */
const CASES: RuleCase[] = [
  {
    name: "the API's allowlist (Accept domainNames, then Deny everything) with no DNS Accept: UDP and TCP missing, an error at the domainNames peer",
    yaml: docs(PODS, allowlist(ALLOWLIST + DENY_REST)),
    expect: [{ path: "spec.egress[0].to[0].domainNames", endpoints: ["shop/web"], severity: "error", message: "cannot send DNS queries over UDP or TCP 53", hint: "accept UDP and TCP port 53" }],
  },
  {
    name: "DNS accepted over UDP only: the finding names TCP alone",
    yaml: docs(PODS, allowlist(acceptDns(UDP) + ALLOWLIST + DENY_REST)),
    expect: [{ path: "spec.egress[1].to[0].domainNames", severity: "error", message: "over TCP 53 to kube-system/kube-dns" }],
  },
  { name: "near miss: DNS accepted over UDP and TCP before the allowlist", yaml: docs(PODS, allowlist(acceptDns(`${UDP}, ${TCP}`) + ALLOWLIST + DENY_REST)), expect: [] },
  { name: "near miss: no Deny after the domain rule, so DNS falls through to NetworkPolicy, which isolates nothing", yaml: docs(PODS, allowlist(ALLOWLIST)), expect: [] },
  {
    name: "a wildcard domain rule (*.cluster.local) would match the DNS pod's own address only after a lookup: DNS still counts as blocked",
    yaml: docs(PODS, allowlist(`    - action: Accept\n      to: [{domainNames: ["*.kube-system.svc.cluster.local"]}]\n` + DENY_REST)),
    expect: [{ path: "spec.egress[0].to[0].domainNames", message: "over UDP or TCP 53" }],
  },
  {
    name: "--dns 169.254.20.10 (NodeLocal DNSCache) accepted over UDP and TCP by networks: nothing",
    yaml: docs(PODS, allowlist(`    - action: Accept\n      to: [{networks: [169.254.20.10/32]}]\n      protocols: [${UDP}, ${TCP}]\n` + ALLOWLIST + DENY_REST)),
    options: { dns: { ips: [{ family: 4, value: (169n << 24n) | (254n << 16n) | (20n << 8n) | 10n }] } },
    expect: [],
  },
  { name: "a Deny of domainNames is not a rule that needs DNS (domain-names-not-admin-accept reports it)", yaml: docs(PODS, allowlist(`    - action: Deny\n      to: [{domainNames: [pastebin.com]}]\n` + DENY_REST)), expect: [] },
];

for (const c of CASES) {
  test(`domain-rule-dns-blocked: ${c.name}`, () => {
    const { actual, expected } = runCase("domain-rule-dns-blocked", c);
    assert.deepEqual(actual, expected);
  });
}

import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, clusterPolicy, docs, namespace, policy, runCase, workload } from "../test-support.js";

const PODS = docs(namespace("shop"), workload("shop", "web", { app: "web" }));
const DOMAINS = `    - action: Accept\n      to: [{domainNames: [api.stripe.com]}]\n      protocols: [{tcp: {destinationPort: {number: 443}}}]\n`;
const admin = (name: string, priority: number, rules: string): string => clusterPolicy(name, "Admin", priority, `  subject: {namespaces: {}}\n  egress:\n${rules}`);
const openInternet = (ports: string): string =>
  policy("shop", "web-egress", `  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress:\n    - to: [{ipBlock: {cidr: 0.0.0.0/0}}]\n${ports}`);

/** Issue 12: "a domain allowed while a broader ipBlock already allows everything (`domain rule adds nothing`)". */
const CASES: RuleCase[] = [
  {
    name: "an Admin Accept of api.stripe.com with no Deny after it, and a NetworkPolicy allowing 0.0.0.0/0 on every port: the domain rule adds nothing",
    yaml: docs(PODS, admin("allowlist", 10, DOMAINS), openInternet("")),
    expect: [{ path: "spec.egress[0].to[0].domainNames", endpoints: ["shop/web"], severity: "warning", message: "may already connect to every address on TCP 443 (allowed by NetworkPolicy shop/web-egress spec.egress[0]" }],
  },
  {
    name: "an Admin Accept of networks 0.0.0.0/0 on TCP 443 in a policy of higher precedence, IPv4 pods: the domain rule after it adds nothing",
    yaml: docs(PODS, admin("allowlist", 20, DOMAINS + `    - action: Deny\n      to: [{networks: [0.0.0.0/0]}]\n`), admin("open-https", 10, `    - action: Accept\n      to: [{networks: [0.0.0.0/0]}]\n      protocols: [{tcp: {destinationPort: {number: 443}}}]\n`)),
    expect: [{ path: "spec.egress[0].to[0].domainNames", message: "allowed by ClusterNetworkPolicy open-https spec.egress[0]" }],
  },
  {
    name: "near miss: the earlier Accept holds 0.0.0.0/0 and ::/0, which admin-rule-shadowed proves as written: reported there, not twice",
    yaml: docs(PODS, admin("allowlist", 20, DOMAINS), admin("open-https", 10, `    - action: Accept\n      to: [{networks: [0.0.0.0/0, "::/0"]}]\n      protocols: [{tcp: {destinationPort: {number: 443}}}]\n`)),
    expect: [],
  },
  {
    name: "a broader Accept after it in the same policy, on every port: removing the domain rule changes nothing",
    yaml: docs(PODS, admin("allowlist", 10, DOMAINS + `    - action: Accept\n      to: [{networks: [0.0.0.0/0]}]\n`)),
    expect: [{ path: "spec.egress[0].to[0].domainNames", message: 'ClusterNetworkPolicy allowlist spec.egress[1] (' }],
  },
  { name: "near miss: the API's allowlist, a Deny of the rest after the domain rule", yaml: docs(PODS, admin("allowlist", 10, DOMAINS + `    - action: Deny\n      to: [{networks: [0.0.0.0/0]}]\n`), openInternet("")), expect: [] },
  { name: "near miss: the NetworkPolicy opens 0.0.0.0/0 on TCP 80 only, not the rule's 443", yaml: docs(PODS, admin("allowlist", 10, DOMAINS), openInternet("      ports: [{protocol: TCP, port: 80}]\n")), expect: [] },
];

for (const c of CASES) {
  test(`domain-rule-adds-nothing: ${c.name}`, () => {
    const { actual, expected } = runCase("domain-rule-adds-nothing", c);
    assert.deepEqual(actual, expected);
  });
}

import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, clusterPolicy, docs, namespace, policy, runCase, workload } from "../test-support.js";

const NS = docs(namespace("shop"), workload("shop", "web", { app: "web" }), workload("shop", "db", { app: "db" }));
const COREDNS = workload("kube-system", "coredns", { "k8s-app": "kube-dns" }, { ports: [{ name: "dns", port: 53, protocol: "UDP" }] });
const BANP_DEFAULT_DENY = `apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata: {name: default}
spec:
  subject: {namespaces: {}}
  egress:
    - name: default-deny
      action: Deny
      to: [{networks: [0.0.0.0/0]}]
`;
const WEB_ONLY = policy("shop", "web-egress", "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n");

const CASES: RuleCase[] = [
  { name: "one finding per namespace lists the workloads no egress policy selects", yaml: docs(NS, WEB_ONLY), expect: [{ path: "", endpoints: ["shop/db"], message: "1 of 2 workloads" }] },
  { name: "a namespace whose workloads are all isolated for egress", yaml: docs(NS, policy("shop", "deny", "  podSelector: {}\n  policyTypes: [Egress]\n")), expect: [] },
  { name: "an ingress-only policy does not isolate egress", yaml: docs(NS, policy("shop", "deny-in", "  podSelector: {}\n")), expect: [{ path: "", endpoints: ["shop/db", "shop/web"] }] },
  { name: "host-network workloads are left out", yaml: docs(workload("kube-system", "node-exporter", { app: "node-exporter" }, { kind: "DaemonSet", hostNetwork: true })), expect: [] },
  { name: "policies alone (no workloads) give nothing to report", yaml: WEB_ONLY, expect: [] },
  // `kubectl get -A -o json` of a kubeadm cluster: CoreDNS in kube-system, which policy repositories rarely restrict.
  { name: "kube-system (CoreDNS in a cluster dump) is a system namespace: not reported by default", yaml: docs(namespace("kube-system"), COREDNS, NS, WEB_ONLY), expect: [{ path: "", endpoints: ["shop/db"] }] },
  {
    name: "--system-namespaces '' reports kube-system too",
    yaml: docs(namespace("kube-system"), COREDNS, NS, WEB_ONLY),
    options: { systemNamespaces: [] },
    expect: [{ path: "", endpoints: ["kube-system/coredns"] }, { path: "", endpoints: ["shop/db"] }],
  },
  { name: "--system-namespaces shop leaves shop out, reports kube-system", yaml: docs(namespace("kube-system"), COREDNS, NS, WEB_ONLY), options: { systemNamespaces: ["shop"] }, expect: [{ path: "", endpoints: ["kube-system/coredns"] }] },
  { name: "-n only filters findings: -n kube-system alone shows none of kube-system's", yaml: docs(namespace("kube-system"), COREDNS, NS, WEB_ONLY), options: { namespace: "kube-system" }, expect: [] },
  {
    name: "-n kube-system --system-namespaces '' shows kube-system's",
    yaml: docs(namespace("kube-system"), COREDNS, NS, WEB_ONLY),
    options: { namespace: "kube-system", systemNamespaces: [] },
    expect: [{ path: "", endpoints: ["kube-system/coredns"] }],
  },
  {
    name: "admin tiers: a Baseline default-deny (BaselineAdminNetworkPolicy of the issue 9 guardrails) restricts the pods no NetworkPolicy isolates",
    yaml: docs(NS, WEB_ONLY, BANP_DEFAULT_DENY),
    expect: [],
  },
  {
    name: "admin tiers: an Admin default-deny after an Accept of TCP 443 restricts them to it",
    yaml: docs(NS, clusterPolicy("allowlist", "Admin", 10, "  subject: {namespaces: {}}\n  egress:\n    - action: Accept\n      to: [{networks: [0.0.0.0/0]}]\n      protocols: [{tcp: {destinationPort: {number: 443}}}]\n    - action: Deny\n      to: [{networks: [0.0.0.0/0]}]\n")),
    expect: [],
  },
  {
    name: "admin tiers (near miss): a Pass of everything before the Admin default-deny leaves them open (Pass hands the traffic to the next tiers)",
    yaml: docs(NS, clusterPolicy("p", "Admin", 10, "  subject: {namespaces: {}}\n  egress:\n    - action: Pass\n      to: [{networks: [0.0.0.0/0]}]\n    - action: Deny\n      to: [{networks: [0.0.0.0/0]}]\n")),
    expect: [{ path: "", endpoints: ["shop/db", "shop/web"] }],
  },
  {
    name: "admin tiers (near miss): a Baseline Deny of 169.254.169.254 only leaves the rest open",
    yaml: docs(NS, clusterPolicy("b", "Baseline", 10, "  subject: {namespaces: {}}\n  egress:\n    - action: Deny\n      to: [{networks: [169.254.169.254/32]}]\n")),
    expect: [{ path: "", endpoints: ["shop/db", "shop/web"] }],
  },
];

for (const c of CASES) {
  test(`egress-not-isolated: ${c.name}`, () => {
    const { actual, expected } = runCase("egress-not-isolated", c);
    assert.deepEqual(actual, expected);
  });
}

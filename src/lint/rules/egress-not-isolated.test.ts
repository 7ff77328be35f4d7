import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, docs, namespace, policy, runCase, workload } from "../test-support.js";

const NS = docs(namespace("shop"), workload("shop", "web", { app: "web" }), workload("shop", "db", { app: "db" }));
const COREDNS = workload("kube-system", "coredns", { "k8s-app": "kube-dns" }, { ports: [{ name: "dns", port: 53, protocol: "UDP" }] });
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
];

for (const c of CASES) {
  test(`egress-not-isolated: ${c.name}`, () => {
    const { actual, expected } = runCase("egress-not-isolated", c);
    assert.deepEqual(actual, expected);
  });
}

import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, clusterPolicy, docs, namespace, runCase, workload } from "../test-support.js";

const PODS = docs(namespace("shop"), workload("shop", "web", { app: "web" }));
const KUBE_DNS_SERVICE = `apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system}
spec:
  clusterIP: 10.96.0.10
  selector: {k8s-app: kube-dns}
  ports: [{name: dns, port: 53, protocol: UDP}]
`;
const egress = (rules: string): string => clusterPolicy("egress", "Admin", 10, `  subject: {namespaces: {}}\n  egress:\n${rules}`);

const CASES: RuleCase[] = [
  {
    name: 'networks 0.0.0.0/0 in a Deny: "if you Accept or Deny traffic to "0.0.0.0/0", that will allow or deny all IPv4 pod-to-pod traffic as well" (info)',
    yaml: docs(PODS, egress("    - action: Deny\n      to: [{networks: [0.0.0.0/0]}]\n")),
    expect: [{ path: "spec.egress[0].to[0].networks", endpoints: ["shop/web"], severity: "info", message: "this Deny applies to pod-to-pod traffic too", hint: "Passes all pod traffic before the Networks rule" }],
  },
  {
    name: 'near miss: the API\'s own fix, "add a rule that Passes all pod traffic before the Networks rule"',
    yaml: docs(PODS, egress("    - action: Pass\n      to: [{namespaces: {}}]\n    - action: Deny\n      to: [{networks: [0.0.0.0/0]}]\n")),
    expect: [],
  },
  {
    name: "the Nodes' podCIDRs count as the pod network: --pod-cidr elsewhere, a node's 10.42.1.0/24 inside 10.42.0.0/16",
    yaml: docs(
      PODS,
      `apiVersion: v1
kind: Node
metadata: {name: node-1}
spec: {podCIDR: 10.42.1.0/24, podCIDRs: [10.42.1.0/24]}
status: {addresses: [{type: InternalIP, address: 192.168.0.11}]}
`,
      egress("    - action: Accept\n      to: [{networks: [10.42.0.0/16]}]\n"),
    ),
    expect: [{ path: "spec.egress[0].to[0].networks", severity: "info", message: "this Accept applies to pod-to-pod traffic too" }],
  },
  {
    name: '"policies see post-DNAT addresses": a Deny of the kube-dns ClusterIP never matches (a warning naming the Service)',
    yaml: docs(PODS, KUBE_DNS_SERVICE, egress("    - action: Deny\n      to: [{networks: [10.96.0.10/32]}]\n")),
    expect: [{ path: "spec.egress[0].to[0].networks", severity: "warning", message: "covers the ClusterIP of Service kube-system/kube-dns" }],
  },
  {
    name: "the whole Service CIDR 10.96.0.0/12 written as a peer is about Services only: a warning",
    yaml: docs(PODS, egress("    - action: Accept\n      to: [{networks: [10.96.0.0/12]}]\n")),
    expect: [{ path: "spec.egress[0].to[0].networks", severity: "warning", message: "covers Service addresses (service CIDR 10.96.0.0/12)" }],
  },
  { name: "near miss: an external range (203.0.113.0/24) covers neither pods nor Services", yaml: docs(PODS, egress("    - action: Accept\n      to: [{networks: [203.0.113.0/24]}]\n")), expect: [] },
  {
    name: "near miss: 10.0.0.0/8 after a Pass of all pod traffic holds the whole Service range and more: broad, not about Services",
    yaml: docs(PODS, KUBE_DNS_SERVICE, egress("    - action: Pass\n      to: [{namespaces: {}}]\n    - action: Deny\n      to: [{networks: [10.0.0.0/8]}]\n")),
    expect: [],
  },
];

for (const c of CASES) {
  test(`admin-networks-cover-cluster: ${c.name}`, () => {
    const { actual, expected } = runCase("admin-networks-cover-cluster", c);
    assert.deepEqual(actual, expected);
  });
}

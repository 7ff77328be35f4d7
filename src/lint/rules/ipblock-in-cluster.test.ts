import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, cidrSet, docs, policy, runCase } from "../test-support.js";

const KUBE_DNS = `apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system}
spec:
  selector: {k8s-app: kube-dns}
  clusterIP: 10.96.0.10
  ports: [{name: dns, port: 53, protocol: UDP}]
`;
const CACHE_POD = `apiVersion: v1
kind: Pod
metadata: {name: cache-0, namespace: shop, labels: {app: cache}}
spec:
  containers: [{name: redis, image: redis:7}]
status:
  podIP: 10.244.3.17
`;
const egressTo = (cidr: string, except = ""): string =>
  policy("shop", "web-egress", `
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - ipBlock: {cidr: ${cidr}${except === "" ? "" : `, except: [${except}]`}}
`);

const CASES: RuleCase[] = [
  {
    name: "the kube-dns ClusterIP never matches after DNAT",
    yaml: docs(KUBE_DNS, egressTo("10.96.0.10/32")),
    expect: [{ path: "spec.egress[0].to[0]", message: "covers the ClusterIP of Service kube-system/kube-dns: traffic to a ClusterIP is translated" }],
  },
  { name: "an address in the service CIDR, no Service known", yaml: egressTo("10.100.4.0/24"), expect: [{ path: "spec.egress[0].to[0]", message: "Service addresses (service CIDR 10.96.0.0/12)" }] },
  { name: "a pod's own IP", yaml: docs(CACHE_POD, egressTo("10.244.3.17/32")), expect: [{ path: "spec.egress[0].to[0]", endpoints: ["shop/cache-0"], message: "pod IPs change" }] },
  { name: "a node's slice of the pod network", yaml: egressTo("10.244.1.0/24"), expect: [{ path: "spec.egress[0].to[0]", endpoints: [], message: "pod network 10.244.0.0/16" }] },
  { name: "0.0.0.0/0 contains the whole pod network and service CIDR", yaml: egressTo("0.0.0.0/0"), expect: [] },
  { name: "10.0.0.0/8 contains both too", yaml: egressTo("10.0.0.0/8"), expect: [] },
  { name: "an except that takes the pod network out", yaml: egressTo("10.0.0.0/8", "10.244.0.0/16, 10.96.0.0/12"), expect: [] },
  { name: "an address outside the cluster", yaml: egressTo("203.0.113.0/24"), expect: [] },
  { name: "--service-cidr moves the Service range", yaml: egressTo("172.20.0.10/32"), options: { serviceCidr: cidrSet("172.20.0.0/16") }, expect: [{ path: "spec.egress[0].to[0]", message: "service CIDR 172.20.0.0/16" }] },
  {
    name: "an ingress source in the Service range never matches either",
    yaml: policy("shop", "from-svc", "  podSelector: {}\n  ingress:\n    - from:\n        - ipBlock: {cidr: 10.96.0.0/16}\n"),
    expect: [{ path: "spec.ingress[0].from[0]", message: "no traffic comes from a ClusterIP" }],
  },
];

for (const c of CASES) {
  test(`ipblock-in-cluster: ${c.name}`, () => {
    const { actual, expected } = runCase("ipblock-in-cluster", c);
    assert.deepEqual(actual, expected);
  });
}

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseIp } from "../../net/ip.js";
import { type RuleCase, docs, namespace, policy, runCase, workload } from "../test-support.js";

const NODELOCAL = parseIp("169.254.20.10");
if (NODELOCAL === undefined) throw new Error("unreachable");

const SHOP = docs(namespace("shop"), workload("shop", "web", { app: "web" }), workload("shop", "worker", { app: "worker" }));
const DENY = policy("shop", "default-deny-egress", `
  podSelector: {}
  policyTypes: [Egress]
`);
const ALLOW_DNS = policy("shop", "allow-dns", `
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - namespaceSelector:
            matchLabels: {kubernetes.io/metadata.name: kube-system}
          podSelector:
            matchLabels: {k8s-app: kube-dns}
      ports:
        - {protocol: UDP, port: 53}
        - {protocol: TCP, port: 53}
`);

const CASES: RuleCase[] = [
  {
    name: "a default-deny egress policy with no DNS rule blocks DNS for every pod it selects",
    yaml: docs(SHOP, DENY),
    expect: [{ path: "", endpoints: ["shop/web", "shop/worker"], message: "has no egress rules, so it allows no egress traffic" }],
  },
  { name: "a rule allowing UDP and TCP 53 to the kube-dns pods lets DNS through", yaml: docs(SHOP, DENY, ALLOW_DNS), expect: [] },
  { name: "pods not isolated for egress are not reported", yaml: SHOP, expect: [] },
  {
    name: "the finding points at the policy's first egress rule and names the nearest miss",
    yaml: docs(
      SHOP,
      policy("shop", "web-egress", `
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - podSelector: {matchLabels: {app: worker}}
      ports:
        - {protocol: TCP, port: 8080}
`),
    ),
    expect: [{ path: "spec.egress[0]", endpoints: ["shop/web", "shop/worker"], message: "NetworkPolicy shop/web-egress spec.egress[0].to[0]: kube-system/kube-dns is in namespace kube-system, which this peer does not select" }],
  },
  {
    name: "a policy-only repository is checked against a pod its podSelector selects",
    yaml: DENY,
    expect: [{ path: "", endpoints: ["shop/{}"], message: "none in the input: assumed" }],
  },
  {
    name: "an ipBlock naming the kube-dns ClusterIP does not let DNS through",
    yaml: docs(
      SHOP,
      policy("shop", "dns-by-ip", `
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - ipBlock: {cidr: 10.96.0.10/32}
      ports:
        - {protocol: UDP, port: 53}
`),
    ),
    expect: [{ path: "spec.egress[0]", message: "outside the ipBlock's cidr" }],
  },
  {
    name: "a named port dns resolves against the assumed kube-dns endpoint",
    yaml: docs(
      SHOP,
      policy("shop", "dns-by-name", `
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - namespaceSelector: {}
          podSelector: {matchLabels: {k8s-app: kube-dns}}
      ports:
        - {protocol: UDP, port: dns}
`),
    ),
    expect: [],
  },
  {
    name: "the DNS pods are those the kube-system/kube-dns Service selects",
    yaml: docs(
      SHOP,
      ALLOW_DNS,
      `apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system}
spec:
  selector: {app.kubernetes.io/name: coredns}
  ports: [{name: dns, port: 53, protocol: UDP}]
`,
      workload("kube-system", "coredns", { "app.kubernetes.io/name": "coredns" }, { ports: [{ name: "dns", port: 53, protocol: "UDP" }] }),
    ),
    expect: [{ path: "spec.egress[0]", endpoints: ["shop/web", "shop/worker"], message: "the pod selector does not match kube-system/coredns" }],
  },
  {
    name: "with --dns, the pods must reach that address (NodeLocal DNSCache)",
    yaml: docs(
      SHOP,
      policy("shop", "nodelocal-dns", `
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - ipBlock: {cidr: 169.254.20.10/32}
      ports:
        - {protocol: UDP, port: 53}
        - {protocol: TCP, port: 53}
`),
    ),
    options: { dns: { ips: [NODELOCAL] } },
    expect: [],
  },
  {
    name: "without --dns, a rule for the NodeLocal address does not reach the kube-dns pods",
    yaml: docs(
      SHOP,
      policy("shop", "nodelocal-dns", `
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - ipBlock: {cidr: 169.254.20.10/32}
      ports:
        - {protocol: UDP, port: 53}
`),
    ),
    expect: [{ path: "spec.egress[0]", message: "outside the ipBlock's cidr" }],
  },
  {
    name: "the annotation portcullis.dev/ignore on the policy silences it",
    yaml: docs(SHOP, policy("shop", "default-deny-egress", "  podSelector: {}\n  policyTypes: [Egress]\n", { "portcullis.dev/ignore": "dns-egress-blocked" })),
    expect: [],
  },
];

for (const c of CASES) {
  test(`dns-egress-blocked: ${c.name}`, () => {
    const { actual, expected } = runCase("dns-egress-blocked", c);
    assert.deepEqual(actual, expected);
  });
}

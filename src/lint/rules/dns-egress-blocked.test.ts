import { test } from "node:test";
import assert from "node:assert/strict";
import { parseIp } from "../../net/ip.js";
import { type RuleCase, clusterPolicy, docs, namespace, policy, runCase, workload } from "../test-support.js";

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

const WEB_TO_WORKER = policy("shop", "web-to-worker", `
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
    - to:
        - podSelector: {matchLabels: {app: worker}}
      ports:
        - {protocol: TCP, port: 8080}
`);

/**
 * Cilium network-policy-tutorial, tutorial/08-all-pods-egress-allow-dns.yaml, verbatim: "the
 * namespace is selected with a labels `contains: coredns` which you will have to add to the
 * namespace in which CoreDNS is running in" (`kubectl label namespace kube-system contains=coredns`).
 */
const CILIUM_TUTORIAL_ALLOW_DNS = `kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata:
  name: all-pods-egress-allow-dns
spec:
  podSelector: {}
  policyTypes:
  - Egress
  egress:
    - to:
      - namespaceSelector:
          matchLabels:
            contains: coredns
        podSelector:
          matchLabels:
            k8s-app: kube-dns
`;

/**
 * Guides written before Kubernetes 1.21 set kubernetes.io/metadata.name: they label kube-system by
 * hand ("kubectl label namespace kube-system name=kube-system", then "kubectl apply -f
 * allow-dns-access.yaml") and select it by that label.
 */
const OLDER_GUIDE_ALLOW_DNS = policy("shop", "allow-dns-access", `
  podSelector: {}
  policyTypes:
  - Egress
  egress:
  - to:
    - namespaceSelector:
        matchLabels:
          name: kube-system
    ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
`);

const CASES: RuleCase[] = [
  {
    name: "the Kubernetes docs' \"Default deny all egress traffic\" policy alone in a directory (its allow-DNS policy elsewhere): one warning for the namespace, not an error",
    yaml: docs(SHOP, DENY),
    expect: [{ path: "", endpoints: ["shop/web", "shop/worker"], severity: "warning", message: "no policy in the input allows the pods of namespace shop to send DNS queries" }],
  },
  {
    name: "two baselines of one namespace standing alone (`scaffold -n shop` output and a deny-all): one warning naming both",
    yaml: docs(SHOP, DENY, policy("shop", "deny-all", "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n")),
    expect: [{ path: "", endpoints: ["shop/web", "shop/worker"], severity: "warning", message: "NetworkPolicy shop/default-deny-egress, NetworkPolicy shop/deny-all isolate them for egress and allow nothing" }],
  },
  {
    name: "a baseline and an allow policy with egress rules but none for DNS (examples/mistakes/dns-blocked): DNS was forgotten, one error for the namespace",
    yaml: docs(SHOP, DENY, WEB_TO_WORKER),
    expect: [{ path: "", endpoints: ["shop/web", "shop/worker"], severity: "error", message: "NetworkPolicy shop/default-deny-egress, NetworkPolicy shop/web-to-worker cannot send DNS queries" }],
  },
  {
    name: "baselines in two namespaces standing alone: one warning per namespace",
    yaml: docs(DENY, policy("billing", "default-deny-egress", "  podSelector: {}\n  policyTypes: [Egress]\n")),
    expect: [
      { path: "", endpoints: ["shop/{}"], severity: "warning", message: "namespace shop" },
      { path: "", endpoints: ["billing/{}"], severity: "warning", message: "namespace billing" },
    ],
  },
  {
    name: "Cilium tutorial 08-all-pods-egress-allow-dns (contains: coredns), kube-system not in the input: a warning naming the assumption",
    yaml: CILIUM_TUTORIAL_ALLOW_DNS,
    expect: [{ path: "spec.egress[0].to[0]", endpoints: ["default/{}"], severity: "warning", message: "if kube-system carries contains=coredns, DNS is allowed" }],
  },
  {
    name: "Cilium tutorial 08-all-pods-egress-allow-dns with the Namespace kube-system labelled contains=coredns in the input: DNS is allowed",
    yaml: docs(namespace("kube-system", { contains: "coredns" }), CILIUM_TUTORIAL_ALLOW_DNS),
    expect: [],
  },
  {
    name: "Cilium tutorial 08-all-pods-egress-allow-dns with the Namespace kube-system in the input, not labelled: DNS is blocked for certain (an error)",
    yaml: docs(namespace("kube-system"), CILIUM_TUTORIAL_ALLOW_DNS),
    expect: [{ path: "spec.egress[0]", severity: "error", message: "kube-system/kube-dns is in namespace kube-system, which this peer does not select" }],
  },
  {
    name: "older guides' allow-dns-access (namespaceSelector name: kube-system) beside a baseline, kube-system not in the input: a warning naming the assumption",
    yaml: docs(SHOP, DENY, OLDER_GUIDE_ALLOW_DNS),
    expect: [{ path: "spec.egress[0].to[0]", endpoints: ["shop/web", "shop/worker"], severity: "warning", message: "if kube-system carries name=kube-system, DNS is allowed" }],
  },
  {
    name: "older guides' allow-dns-access with kube-system's DNS pods in the input but not its Namespace: still the assumption",
    yaml: docs(SHOP, OLDER_GUIDE_ALLOW_DNS, workload("kube-system", "coredns", { "k8s-app": "kube-dns" })),
    expect: [{ path: "spec.egress[0].to[0]", severity: "warning", message: "only if namespace kube-system carries name=kube-system" }],
  },
  {
    name: "a namespaceSelector naming another namespace by kubernetes.io/metadata.name: no labelling of kube-system helps, an error",
    yaml: docs(
      SHOP,
      policy("shop", "dns-in-wrong-namespace", `
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: dns}}
      ports:
        - {protocol: UDP, port: 53}
`),
    ),
    expect: [{ path: "spec.egress[0]", severity: "error" }],
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

/** The issue 9 guardrail gone wrong: "an Admin `Deny` that blocks DNS is an error". */
const adminEgress = (name: string, tier: "Admin" | "Baseline", priority: number, rules: string): string =>
  clusterPolicy(name, tier, priority, `
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
  egress:
${rules}`);
const DENY_CLUSTER_UDP = `    - name: no-udp
      action: Deny
      to: [{namespaces: {}}]
      protocols: [{udp: {destinationPort: {range: {start: 1, end: 65535}}}}]
`;
const DENY_TCP_53 = `    - name: no-tcp-dns
      action: Deny
      to: [{namespaces: {}}]
      protocols: [{tcp: {destinationPort: {number: 53}}}]
`;
const ACCEPT_DNS = `    - name: kube-dns
      action: Accept
      to:
        - pods:
            namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
            podSelector: {matchLabels: {k8s-app: kube-dns}}
      protocols: [{udp: {destinationPort: {number: 53}}}, {tcp: {destinationPort: {number: 53}}}]
`;

const TIER_CASES: RuleCase[] = [
  {
    name: 'admin tiers: an Admin Deny of all UDP to pods blocks DNS over UDP even where a NetworkPolicy allows it ("Deny: Drops the selected traffic. No further ClusterNetworkPolicy or NetworkPolicy rules will be processed"): an error at the Deny rule',
    yaml: docs(SHOP, DENY, ALLOW_DNS, adminEgress("no-udp", "Admin", 10, DENY_CLUSTER_UDP)),
    expect: [{ path: "spec.egress[0]", endpoints: ["shop/web", "shop/worker"], severity: "error", message: 'ClusterNetworkPolicy no-udp spec.egress[0] "no-udp" denies DNS queries (UDP 53)' }],
  },
  {
    name: "admin tiers: an Admin Deny of TCP 53 is an error too (answers too large for UDP fail), and the pods not isolated by any NetworkPolicy are concerned as well",
    yaml: docs(SHOP, adminEgress("no-tcp-dns", "Admin", 10, DENY_TCP_53)),
    expect: [{ path: "spec.egress[0]", endpoints: ["shop/web", "shop/worker"], severity: "error", message: "denies DNS queries (TCP 53)" }],
  },
  {
    name: "admin tiers: a Baseline default-deny blocks DNS for pods no NetworkPolicy isolates (UDP and TCP): one error at its rule",
    yaml: docs(SHOP, adminEgress("baseline", "Baseline", 10, "    - name: default-deny\n      action: Deny\n      to: [{networks: [0.0.0.0/0]}]\n")),
    expect: [{ path: "spec.egress[0]", endpoints: ["shop/web", "shop/worker"], severity: "error", message: "denies DNS queries (UDP and TCP 53)" }],
  },
  {
    name: "admin tiers (near miss): the same Baseline default-deny after an earlier Accept of DNS in the tier blocks nothing of DNS",
    yaml: docs(SHOP, adminEgress("baseline", "Baseline", 10, `${ACCEPT_DNS}    - action: Deny\n      to: [{networks: [0.0.0.0/0]}]\n`)),
    expect: [],
  },
  {
    name: "admin tiers (near miss): a Baseline default-deny is not reached by pods a NetworkPolicy isolates and allows DNS",
    yaml: docs(SHOP, DENY, ALLOW_DNS, adminEgress("baseline", "Baseline", 10, "    - action: Deny\n      to: [{networks: [0.0.0.0/0]}]\n")),
    expect: [],
  },
  {
    name: "admin tiers (near miss): an Admin Accept of DNS at a higher precedence (priority 5) than the Admin Deny (priority 10) lets DNS through",
    yaml: docs(SHOP, adminEgress("allow-dns", "Admin", 5, ACCEPT_DNS), adminEgress("no-udp", "Admin", 10, DENY_CLUSTER_UDP)),
    expect: [],
  },
  {
    name: "admin tiers: an Admin Accept of DNS lets queries through a baseline NetworkPolicy that allows nothing (egress Accept ends egress evaluation)",
    yaml: docs(SHOP, DENY, adminEgress("allow-dns", "Admin", 5, ACCEPT_DNS)),
    expect: [],
  },
];

for (const c of TIER_CASES) {
  test(`dns-egress-blocked: ${c.name}`, () => {
    const { actual, expected } = runCase("dns-egress-blocked", c);
    assert.deepEqual(actual, expected);
  });
}

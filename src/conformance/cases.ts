/**
 * The conformance suite: each case is named after the sentence of the NetworkPolicy API
 * documentation it checks. The fast engine and the reference evaluator both run every case.
 */
import type { Protocol } from "../model/ports.js";
import type { Reason, Verdict } from "../engine/types.js";
import { deployment, namespace, pod, policy } from "./manifests.js";

export interface Expectation {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol?: Protocol;
  readonly verdict: Verdict;
  /** The reason the engine must give, on the egress (e) or ingress (i) side: proves the path taken. */
  readonly why?: { readonly side: "egress" | "ingress"; readonly reason: Reason | "not-isolated" | "self" | "external" | "host-network" };
}

export interface ConformanceCase {
  readonly name: string;
  readonly objects: readonly Record<string, unknown>[];
  readonly ipBlockMatchesPods?: boolean;
  readonly podCidrs?: readonly string[];
  readonly expect: readonly Expectation[];
}

const denyAllEgress = (ns: string) => policy(ns, "deny-egress", { podSelector: {}, policyTypes: ["Egress"] });
const web = pod("prod", "web", { app: "web" }, { ip: "10.244.0.10", ports: [{ name: "http", containerPort: 8080 }] });
const db = pod("prod", "db", { app: "db" }, { ip: "10.244.0.20", ports: [{ name: "pg", containerPort: 5432 }] });
const dns = pod("kube-system", "coredns", { "k8s-app": "kube-dns" }, {
  ip: "10.244.0.53",
  ports: [
    { name: "dns", containerPort: 53, protocol: "UDP" },
    { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
  ],
});
const prod = namespace("prod", { team: "shop" });

export const CASES: readonly ConformanceCase[] = [
  {
    name: "by default, a pod is non-isolated for egress; all outbound connections are allowed",
    objects: [prod, web, db],
    expect: [
      { from: "prod/web", to: "prod/db", port: 5432, verdict: "allowed", why: { side: "egress", reason: "not-isolated" } },
      { from: "prod/web", to: "8.8.8.8", port: 53, protocol: "UDP", verdict: "allowed", why: { side: "egress", reason: "not-isolated" } },
    ],
  },
  {
    name: "a pod is isolated for egress if any policy selecting it has Egress in its policyTypes, and then allows only what the rules allow",
    objects: [prod, web, db, denyAllEgress("prod")],
    expect: [
      { from: "prod/web", to: "prod/db", port: 5432, verdict: "denied", why: { side: "egress", reason: "no-rules" } },
      { from: "prod/web", to: "1.1.1.1", port: 443, verdict: "denied", why: { side: "egress", reason: "no-rules" } },
    ],
  },
  {
    name: "a connection needs the source's egress and the destination's ingress to allow it",
    objects: [prod, web, db, policy("prod", "db-ingress", { podSelector: { matchLabels: { app: "db" } }, ingress: [] })],
    expect: [{ from: "prod/web", to: "prod/db", port: 5432, verdict: "denied", why: { side: "ingress", reason: "no-rules" } }],
  },
  {
    name: "policyTypes defaults to Ingress, and to Egress as well only when spec.egress is present and non-empty",
    objects: [prod, web, db, policy("prod", "egress-empty", { podSelector: {}, egress: [] })],
    expect: [
      { from: "prod/web", to: "1.1.1.1", port: 443, verdict: "allowed", why: { side: "egress", reason: "not-isolated" } },
      // ...but the same policy isolates every pod for ingress, with no ingress rules.
      { from: "prod/web", to: "prod/db", port: 5432, verdict: "denied", why: { side: "ingress", reason: "no-rules" } },
    ],
  },
  {
    name: "a policy with egress rules and no policyTypes affects Egress",
    objects: [prod, web, db, policy("prod", "web-egress", { podSelector: { matchLabels: { app: "web" } }, egress: [{ to: [{ podSelector: { matchLabels: { app: "db" } } }] }] })],
    expect: [
      { from: "prod/web", to: "prod/db", port: 5432, verdict: "allowed", why: { side: "egress", reason: "allowed" } },
      { from: "prod/web", to: "1.1.1.1", port: 443, verdict: "denied", why: { side: "egress", reason: "peer-not-a-pod" } },
      // Ingress is always among the defaulted policyTypes: web is now isolated for ingress too.
      { from: "prod/db", to: "prod/web", port: 8080, verdict: "denied", why: { side: "ingress", reason: "no-rules" } },
    ],
  },
  {
    name: "policies are additive: the allowed traffic is the union of what all selecting policies allow",
    objects: [
      prod, web, db, dns,
      denyAllEgress("prod"),
      policy("prod", "to-db", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: { matchLabels: { app: "db" } } }], ports: [{ port: 5432 }] }] }),
      policy("prod", "to-ext", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "203.0.113.0/24" } }], ports: [{ port: 443 }] }] }),
    ],
    expect: [
      { from: "prod/web", to: "prod/db", port: 5432, verdict: "allowed", why: { side: "egress", reason: "allowed" } },
      { from: "prod/web", to: "203.0.113.7", port: 443, verdict: "allowed", why: { side: "egress", reason: "allowed" } },
      { from: "prod/db", to: "203.0.113.7", port: 443, verdict: "denied", why: { side: "egress", reason: "peer-not-a-pod" } },
    ],
  },
  {
    name: "a rule without to matches all destinations; a rule without ports matches all ports",
    objects: [prod, web, db, policy("prod", "open", { podSelector: {}, policyTypes: ["Egress"], egress: [{}] })],
    expect: [
      { from: "prod/web", to: "1.2.3.4", port: 9999, protocol: "SCTP", verdict: "allowed", why: { side: "egress", reason: "allowed" } },
      { from: "prod/web", to: "prod/db", port: 1, protocol: "UDP", verdict: "allowed", why: { side: "egress", reason: "allowed" } },
    ],
  },
  {
    name: "podSelector alone selects pods in the policy's own namespace",
    objects: [
      prod, web, db,
      pod("other", "db", { app: "db" }, { ip: "10.244.1.20" }),
      policy("prod", "web-egress", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: { matchLabels: { app: "db" } } }] }] }),
    ],
    expect: [
      { from: "prod/web", to: "prod/db", port: 5432, verdict: "allowed", why: { side: "egress", reason: "allowed" } },
      { from: "prod/web", to: "other/db", port: 5432, verdict: "denied", why: { side: "egress", reason: "peer-namespace-mismatch" } },
    ],
  },
  {
    name: "namespaceSelector alone selects all pods in the selected namespaces",
    objects: [
      prod, web, dns,
      policy("prod", "to-kube-system", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }] }] }),
    ],
    expect: [
      { from: "prod/web", to: "kube-system/coredns", port: 53, protocol: "UDP", verdict: "allowed", why: { side: "egress", reason: "allowed" } },
      { from: "prod/web", to: "1.1.1.1", port: 53, protocol: "UDP", verdict: "denied", why: { side: "egress", reason: "peer-not-a-pod" } },
    ],
  },
  {
    name: "namespaceSelector and podSelector in one peer select pods matching both (AND)",
    objects: [
      prod, web, dns,
      pod("kube-system", "other", { app: "other" }, { ip: "10.244.0.54" }),
      pod("prod", "fake-dns", { "k8s-app": "kube-dns" }, { ip: "10.244.0.55" }),
      policy("prod", "dns", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }] }],
      }),
    ],
    expect: [
      { from: "prod/web", to: "kube-system/coredns", port: 53, protocol: "UDP", verdict: "allowed", why: { side: "egress", reason: "allowed" } },
      { from: "prod/web", to: "kube-system/other", port: 53, protocol: "UDP", verdict: "denied", why: { side: "egress", reason: "peer-pod-mismatch" } },
      { from: "prod/web", to: "prod/fake-dns", port: 53, protocol: "UDP", verdict: "denied", why: { side: "egress", reason: "peer-namespace-mismatch" } },
    ],
  },
  {
    name: "namespaceSelector and podSelector as two peers select pods matching either (OR)",
    objects: [
      prod, web, dns,
      pod("kube-system", "other", { app: "other" }, { ip: "10.244.0.54" }),
      pod("prod", "fake-dns", { "k8s-app": "kube-dns" }, { ip: "10.244.0.55" }),
      policy("prod", "dns", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }, { podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }] }],
      }),
    ],
    expect: [
      { from: "prod/web", to: "kube-system/other", port: 53, protocol: "UDP", verdict: "allowed", why: { side: "egress", reason: "allowed" } },
      { from: "prod/web", to: "prod/fake-dns", port: 53, protocol: "UDP", verdict: "allowed", why: { side: "egress", reason: "allowed" } },
    ],
  },
  {
    name: "an empty podSelector selects all pods in the namespace; an empty namespaceSelector selects all namespaces",
    objects: [
      prod, web, db, dns,
      policy("prod", "all-ns", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [{ to: [{ namespaceSelector: {} }] }] }),
      policy("prod", "own-ns", { podSelector: { matchLabels: { app: "db" } }, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: {} }] }] }),
    ],
    expect: [
      { from: "prod/web", to: "kube-system/coredns", port: 53, protocol: "UDP", verdict: "allowed", why: { side: "egress", reason: "allowed" } },
      { from: "prod/db", to: "prod/web", port: 8080, verdict: "allowed", why: { side: "egress", reason: "allowed" } },
      { from: "prod/db", to: "kube-system/coredns", port: 53, protocol: "UDP", verdict: "denied", why: { side: "egress", reason: "peer-namespace-mismatch" } },
    ],
  },
  {
    name: "every namespace carries kubernetes.io/metadata.name, also one that is referenced but not declared",
    objects: [
      web,
      pod("undeclared", "x", { app: "x" }, { ip: "10.244.3.3" }),
      policy("prod", "to-undeclared", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "undeclared" } } }] }] }),
    ],
    expect: [{ from: "prod/web", to: "undeclared/x", port: 80, verdict: "allowed", why: { side: "egress", reason: "allowed" } }],
  },
  {
    name: "matchExpressions: In, NotIn, Exists and DoesNotExist; NotIn matches objects lacking the key",
    objects: [
      prod, web,
      pod("prod", "a", { tier: "a" }, { ip: "10.244.0.31" }),
      pod("prod", "b", { tier: "b" }, { ip: "10.244.0.32" }),
      pod("prod", "none", {}, { ip: "10.244.0.33" }),
      policy("prod", "notin", {
        podSelector: { matchLabels: { app: "web" } },
        policyTypes: ["Egress"],
        egress: [{ to: [{ podSelector: { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["a"] }] } }], ports: [{ port: 1 }] },
          { to: [{ podSelector: { matchExpressions: [{ key: "tier", operator: "In", values: ["a", "c"] }] } }], ports: [{ port: 2 }] },
          { to: [{ podSelector: { matchExpressions: [{ key: "tier", operator: "Exists" }] } }], ports: [{ port: 3 }] },
          { to: [{ podSelector: { matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] } }], ports: [{ port: 4 }] }],
      }),
    ],
    expect: [
      { from: "prod/web", to: "prod/none", port: 1, verdict: "allowed" },
      { from: "prod/web", to: "prod/b", port: 1, verdict: "allowed" },
      { from: "prod/web", to: "prod/a", port: 1, verdict: "denied" },
      { from: "prod/web", to: "prod/a", port: 2, verdict: "allowed" },
      { from: "prod/web", to: "prod/b", port: 2, verdict: "denied" },
      { from: "prod/web", to: "prod/none", port: 2, verdict: "denied" },
      { from: "prod/web", to: "prod/b", port: 3, verdict: "allowed" },
      { from: "prod/web", to: "prod/none", port: 3, verdict: "denied", why: { side: "egress", reason: "port-mismatch" } },
      { from: "prod/web", to: "prod/none", port: 4, verdict: "allowed" },
      { from: "prod/web", to: "prod/a", port: 4, verdict: "denied" },
    ],
  },
  {
    name: "matchLabels and matchExpressions in one selector are ANDed",
    objects: [
      prod, web,
      pod("prod", "ab", { app: "x", tier: "b" }, { ip: "10.244.0.41" }),
      pod("prod", "a", { app: "x" }, { ip: "10.244.0.42" }),
      policy("prod", "and", {
        podSelector: { matchLabels: { app: "web" } },
        policyTypes: ["Egress"],
        egress: [{ to: [{ podSelector: { matchLabels: { app: "x" }, matchExpressions: [{ key: "tier", operator: "Exists" }] } }] }],
      }),
    ],
    expect: [
      { from: "prod/web", to: "prod/ab", port: 80, verdict: "allowed" },
      { from: "prod/web", to: "prod/a", port: 80, verdict: "denied", why: { side: "egress", reason: "peer-pod-mismatch" } },
    ],
  },
  {
    name: "ipBlock except: addresses inside an except are not matched, the rest of the cidr is",
    objects: [
      prod, web,
      policy("prod", "egress-internet", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32", "10.0.0.0/8"] } }] }],
      }),
    ],
    expect: [
      { from: "prod/web", to: "169.254.169.254", port: 80, verdict: "denied", why: { side: "egress", reason: "ipblock-in-except" } },
      { from: "prod/web", to: "169.254.169.253", port: 80, verdict: "allowed", why: { side: "egress", reason: "allowed" } },
      { from: "prod/web", to: "10.1.2.3", port: 80, verdict: "denied", why: { side: "egress", reason: "ipblock-in-except" } },
      { from: "prod/web", to: "8.8.8.8", port: 53, protocol: "UDP", verdict: "allowed" },
      { from: "prod/web", to: "2001:db8::1", port: 80, verdict: "denied", why: { side: "egress", reason: "ipblock-outside-cidr" } },
    ],
  },
  {
    name: "ipBlock for IPv6, with except",
    objects: [
      prod, web,
      policy("prod", "v6", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "2001:db8::/32", except: ["2001:db8:ff::/48"] } }] }] }),
    ],
    expect: [
      { from: "prod/web", to: "2001:db8:1::1", port: 443, verdict: "allowed", why: { side: "egress", reason: "allowed" } },
      { from: "prod/web", to: "2001:db8:ff::1", port: 443, verdict: "denied", why: { side: "egress", reason: "ipblock-in-except" } },
      { from: "prod/web", to: "203.0.113.1", port: 443, verdict: "denied", why: { side: "egress", reason: "ipblock-outside-cidr" } },
    ],
  },
  {
    name: "a cidr with host bits set matches its whole network",
    objects: [prod, web, policy("prod", "host-bits", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "203.0.113.77/24" } }] }] })],
    expect: [{ from: "prod/web", to: "203.0.113.1", port: 443, verdict: "allowed", why: { side: "egress", reason: "allowed" } }],
  },
  {
    name: "a CIDR target partly allowed depends on the address",
    objects: [prod, web, policy("prod", "part", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "203.0.113.0/25" } }] }] })],
    expect: [
      { from: "prod/web", to: "203.0.113.0/24", port: 443, verdict: "depends", why: { side: "egress", reason: "ipblock-partial" } },
      { from: "prod/web", to: "203.0.113.0/26", port: 443, verdict: "allowed" },
      { from: "prod/web", to: "203.0.113.128/25", port: 443, verdict: "denied" },
    ],
  },
  {
    name: "an ipBlock matches pod IPs by default (upstream e2e reading)",
    objects: [prod, web, db, policy("prod", "by-ip", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "10.244.0.0/24" } }] }] })],
    expect: [{ from: "prod/web", to: "prod/db", port: 5432, verdict: "allowed", why: { side: "egress", reason: "allowed" } }],
  },
  {
    name: "with --ipblock-matches-pods=false an ipBlock never matches a pod (Cilium reading)",
    ipBlockMatchesPods: false,
    objects: [prod, web, db, policy("prod", "by-ip", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "10.244.0.0/24" } }] }] })],
    expect: [
      { from: "prod/web", to: "prod/db", port: 5432, verdict: "denied", why: { side: "egress", reason: "ipblock-ignores-pods" } },
      { from: "prod/web", to: "10.244.0.99", port: 5432, verdict: "allowed", why: { side: "egress", reason: "allowed" } },
    ],
  },
  {
    name: "a workload without a pod IP sits in the pod network: an ipBlock decides only when it holds all or none of it",
    podCidrs: ["10.244.0.0/16"],
    objects: [
      prod, web,
      deployment("prod", "api", { app: "api" }, [{ containerPort: 80 }]),
      policy("prod", "p", {
        podSelector: { matchLabels: { app: "web" } },
        policyTypes: ["Egress"],
        egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8" } }], ports: [{ port: 80 }] }, { to: [{ ipBlock: { cidr: "10.244.0.0/24" } }], ports: [{ port: 81 }] }, { to: [{ ipBlock: { cidr: "192.168.0.0/16" } }], ports: [{ port: 82 }] }],
      }),
    ],
    expect: [
      { from: "prod/web", to: "prod/api", port: 80, verdict: "allowed" },
      { from: "prod/web", to: "prod/api", port: 81, verdict: "depends", why: { side: "egress", reason: "ipblock-partial" } },
      { from: "prod/web", to: "prod/api", port: 82, verdict: "denied", why: { side: "egress", reason: "ipblock-outside-cidr" } },
    ],
  },
  {
    name: "protocol defaults to TCP; UDP and SCTP must be named",
    objects: [prod, web, dns, policy("prod", "p", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ port: 53 }, { protocol: "SCTP", port: 9 }] }] })],
    expect: [
      { from: "prod/web", to: "kube-system/coredns", port: 53, protocol: "TCP", verdict: "allowed" },
      { from: "prod/web", to: "kube-system/coredns", port: 53, protocol: "UDP", verdict: "denied", why: { side: "egress", reason: "protocol-mismatch" } },
      { from: "prod/web", to: "9.9.9.9", port: 9, protocol: "SCTP", verdict: "allowed" },
    ],
  },
  {
    name: "endPort: the range from port to endPort, inclusive",
    objects: [prod, web, policy("prod", "range", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ port: 32000, endPort: 32768 }] }] })],
    expect: [
      { from: "prod/web", to: "1.1.1.1", port: 32000, verdict: "allowed" },
      { from: "prod/web", to: "1.1.1.1", port: 32768, verdict: "allowed" },
      { from: "prod/web", to: "1.1.1.1", port: 31999, verdict: "denied", why: { side: "egress", reason: "port-mismatch" } },
      { from: "prod/web", to: "1.1.1.1", port: 32769, verdict: "denied", why: { side: "egress", reason: "port-mismatch" } },
    ],
  },
  {
    name: "a port without a number matches every port of its protocol",
    objects: [prod, web, policy("prod", "udp-any", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ protocol: "UDP" }] }] })],
    expect: [
      { from: "prod/web", to: "1.1.1.1", port: 12345, protocol: "UDP", verdict: "allowed" },
      { from: "prod/web", to: "1.1.1.1", port: 12345, protocol: "TCP", verdict: "denied", why: { side: "egress", reason: "protocol-mismatch" } },
    ],
  },
  {
    name: "a named port resolves against the destination pod's container ports, by name and protocol",
    objects: [
      prod, web, db, dns,
      policy("prod", "named", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ port: "pg" }, { port: "dns", protocol: "UDP" }] }] }),
    ],
    expect: [
      { from: "prod/web", to: "prod/db", port: 5432, verdict: "allowed" },
      { from: "prod/web", to: "prod/db", port: 5433, verdict: "denied", why: { side: "egress", reason: "port-mismatch" } },
      { from: "prod/db", to: "prod/web", port: 8080, verdict: "denied", why: { side: "egress", reason: "named-port-unresolved" } },
      { from: "prod/web", to: "kube-system/coredns", port: 53, protocol: "UDP", verdict: "allowed" },
    ],
  },
  {
    name: "a named port never matches an ipBlock destination",
    objects: [prod, web, policy("prod", "named-ext", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ port: "https" }] }] })],
    expect: [{ from: "prod/web", to: "1.1.1.1", port: 443, verdict: "denied", why: { side: "egress", reason: "named-port-not-endpoint" } }],
  },
  {
    name: "ingress named ports resolve against the destination, the pod the policy protects",
    objects: [prod, web, db, policy("prod", "db-in", { podSelector: { matchLabels: { app: "db" } }, ingress: [{ ports: [{ port: "pg" }] }] })],
    expect: [
      { from: "prod/web", to: "prod/db", port: 5432, verdict: "allowed", why: { side: "ingress", reason: "allowed" } },
      { from: "prod/web", to: "prod/db", port: 80, verdict: "denied", why: { side: "ingress", reason: "port-mismatch" } },
    ],
  },
  {
    name: "ingress from an ipBlock: traffic from outside the cluster",
    objects: [prod, web, policy("prod", "web-in", { podSelector: { matchLabels: { app: "web" } }, ingress: [{ from: [{ ipBlock: { cidr: "198.51.100.0/24" } }] }] })],
    expect: [
      { from: "198.51.100.7", to: "prod/web", port: 8080, verdict: "allowed", why: { side: "ingress", reason: "allowed" } },
      { from: "192.0.2.7", to: "prod/web", port: 8080, verdict: "denied", why: { side: "ingress", reason: "ipblock-outside-cidr" } },
    ],
  },
  {
    name: "a pod can always reach itself",
    objects: [prod, web, denyAllEgress("prod"), policy("prod", "deny-in", { podSelector: {}, policyTypes: ["Ingress"] })],
    expect: [{ from: "prod/web", to: "prod/web", port: 8080, verdict: "allowed", why: { side: "egress", reason: "self" } }],
  },
  {
    name: "host-network pods are not governed by NetworkPolicy and are not selected by pod selectors",
    objects: [
      prod, web,
      pod("prod", "agent", { app: "agent" }, { ip: "192.168.1.10", hostNetwork: true }),
      denyAllEgress("prod"),
      policy("prod", "to-agent", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: { matchLabels: { app: "agent" } } }] }] }),
    ],
    expect: [
      { from: "prod/agent", to: "1.1.1.1", port: 443, verdict: "allowed", why: { side: "egress", reason: "host-network" } },
      { from: "prod/web", to: "prod/agent", port: 9100, verdict: "denied", why: { side: "egress", reason: "peer-host-network" } },
    ],
  },
  {
    name: "an ipBlock matches a host-network pod by its node address",
    objects: [
      prod, web,
      pod("prod", "agent", { app: "agent" }, { ip: "192.168.1.10", hostNetwork: true }),
      policy("prod", "to-node", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "192.168.1.0/24" } }] }] }),
    ],
    ipBlockMatchesPods: false,
    expect: [{ from: "prod/web", to: "prod/agent", port: 9100, verdict: "allowed", why: { side: "egress", reason: "allowed" } }],
  },
  {
    name: "egress DNS needs both UDP and TCP 53 to kube-dns",
    objects: [
      prod, web, dns,
      denyAllEgress("prod"),
      policy("prod", "dns-udp-only", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ port: 53, protocol: "UDP" }] }],
      }),
    ],
    expect: [
      { from: "prod/web", to: "kube-system/coredns", port: 53, protocol: "UDP", verdict: "allowed" },
      { from: "prod/web", to: "kube-system/coredns", port: 53, protocol: "TCP", verdict: "denied", why: { side: "egress", reason: "protocol-mismatch" } },
    ],
  },
  {
    name: "a workload's replicas are distinct pods: traffic between them is subject to policy",
    objects: [prod, deployment("prod", "api", { app: "api" }, [{ containerPort: 80 }]), denyAllEgress("prod")],
    expect: [{ from: "prod/api", to: "prod/api", port: 80, verdict: "denied", why: { side: "egress", reason: "no-rules" } }],
  },
  {
    name: "policies in other namespaces do not select a pod",
    objects: [prod, web, namespace("other"), policy("other", "deny", { podSelector: {}, policyTypes: ["Egress"] })],
    expect: [{ from: "prod/web", to: "1.1.1.1", port: 80, verdict: "allowed", why: { side: "egress", reason: "not-isolated" } }],
  },
  {
    name: "dual-stack pods: an IPv4 ipBlock covers only part of a pod with an IPv4 and an IPv6 address",
    objects: [
      prod,
      pod("prod", "dual", { app: "dual" }, { ips: ["10.244.0.70", "fd00::70"] }),
      web,
      policy("prod", "v4-only", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "10.244.0.0/16" } }] }] }),
    ],
    expect: [{ from: "prod/web", to: "prod/dual", port: 80, verdict: "depends", why: { side: "egress", reason: "ipblock-partial" } }],
  },
];

/**
 * `domainNames` peers with a resolution snapshot, at the engine: each case from the API text
 * (network-policy-api v1alpha2 ClusterNetworkPolicyEgressPeer.domainNames, DomainName) or the
 * issue's semantics (issue 12), checked on the fast engine and the reference evaluator alike;
 * without a snapshot the same connection depends on DNS.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { clusterServiceRecords } from "../dns/cluster-records.js";
import { type DnsName, dnsName } from "../dns/names.js";
import { type DnsRecord, DnsSnapshot } from "../dns/snapshot.js";
import { decodeYaml, errors } from "../k8s/testing.js";
import type { Cluster } from "../model/cluster.js";
import { AddressSet } from "../net/address-set.js";
import { cidrOf } from "../net/cidr.js";
import { type Ip, parseIp } from "../net/ip.js";
import { referenceCheck } from "../reference/reference.js";
import { Engine } from "./engine.js";
import type { EngineOptions, Target, Verdict } from "./types.js";

/** shop: web (dual-stack) calls out; api behind a ClusterIP Service, ledger-0 behind a headless one; the cluster DNS in kube-system. */
const WORLD = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web, image: web}]}
status: {podIPs: [{ip: 10.244.1.5}, {ip: "fd00:10:244:1::5"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: api, image: api}]}
status: {podIP: 10.244.1.30}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {clusterIP: 10.96.5.5, selector: {app: api}, ports: [{port: 443}]}
---
apiVersion: v1
kind: Pod
metadata: {name: ledger-0, namespace: shop, labels: {app: ledger}}
spec: {containers: [{name: ledger, image: ledger}]}
status: {podIP: 10.244.1.20}
---
apiVersion: v1
kind: Service
metadata: {name: ledger, namespace: shop}
spec: {clusterIP: None, selector: {app: ledger}, ports: [{port: 443}]}
---
apiVersion: v1
kind: Pod
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec: {containers: [{name: coredns, image: coredns}]}
status: {podIP: 10.244.0.2}
`;

/** An Admin ClusterNetworkPolicy for shop: Accept TCP 443 to `names` (priority 20), then a Deny of everything (priority 30). */
function allowlist(names: readonly string[]): string {
  return `
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: allow-names}
spec:
  tier: Admin
  priority: 20
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
  egress:
  - {name: names, action: Accept, to: [{domainNames: [${names.map((n) => JSON.stringify(n)).join(", ")}]}], protocols: [{tcp: {destinationPort: {number: 443}}}]}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: deny-egress}
spec:
  tier: Admin
  priority: 30
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
  egress:
  - {name: rest, action: Deny, to: [{networks: [0.0.0.0/0, "::/0"]}]}
`;
}

const n = (text: string): DnsName => dnsName(text) ?? assert.fail(text);
const ip = (text: string): Ip => parseIp(text) ?? assert.fail(text);
const A = (name: string, address: string): DnsRecord => ({ kind: "address", name: n(name), address: ip(address), ttl: 60 });
const CNAME = (name: string, target: string): DnsRecord => ({ kind: "cname", name: n(name), target: n(target), ttl: 60 });

function load(names: readonly string[]): Cluster {
  const decoded = decodeYaml(WORLD + allowlist(names));
  assert.deepEqual(errors(decoded.diagnostics), []);
  return decoded.value;
}

const POD_NETWORK = AddressSet.fromCidr(cidrOf(ip("10.244.0.0"), 16));

/** `shop/ledger-0`: that pod; anything else: the address outside the model. */
function target(cluster: Cluster, to: string): Target {
  const endpoint = cluster.endpoints.find((e) => e.id === to);
  return endpoint !== undefined ? { kind: "endpoint", endpoint } : { kind: "external", addresses: AddressSet.fromIp(ip(to)) };
}

/** The verdict of web → `to` on TCP `port` with the snapshot (its records and the cluster's Service names), from the engine and the reference, which must agree. */
function verdict(cluster: Cluster, records: readonly DnsRecord[] | null, to: string, port = 443, protocol: "TCP" | "UDP" = "TCP"): Verdict {
  const dns = records === null ? undefined : new DnsSnapshot([...records, ...clusterServiceRecords(cluster)]);
  const options: EngineOptions = { podNetwork: POD_NETWORK, ipBlockMatchesPods: true, ...(dns === undefined ? {} : { dns }) };
  const web = cluster.endpoints.find((e) => e.id === "shop/web") ?? assert.fail("web");
  const conn = { from: { kind: "endpoint" as const, endpoint: web }, to: target(cluster, to), port, protocol };
  const fast = Engine.compile(cluster, options).check(conn).verdict;
  assert.equal(referenceCheck(cluster, options, conn).verdict, fast, `reference and engine, web -> ${to}`);
  return fast;
}

interface Case {
  readonly name: string;
  readonly rule: readonly string[];
  readonly records: readonly DnsRecord[];
  /** Destination → verdict with the snapshot. */
  readonly expect: Readonly<Record<string, Verdict>>;
}

const STRIPE = [A("api.stripe.com", "54.187.174.169"), A("api.stripe.com", "54.187.216.72")];

const CASES: readonly Case[] = [
  {
    name: "\"DomainNames is only supported for Accept rules. In order to control access, DomainNames Accept rules should be used with a lower precedence egress deny\": the snapshot's addresses of the name are accepted, any other is denied",
    rule: ["api.stripe.com"],
    records: STRIPE,
    expect: { "54.187.174.169": "allowed", "54.187.216.72": "allowed", "54.187.1.1": "denied" },
  },
  {
    name: "\"`*.kubernetes.io` matches subdomains of kubernetes.io. \"www.kubernetes.io\", \"blog.kubernetes.io\", and \"latest.blog.kubernetes.io\" match, however \"kubernetes.io\", and \"wikipedia.org\" do not\": the apex's address is denied",
    rule: ["*.kubernetes.io"],
    records: [A("kubernetes.io", "192.0.2.1"), A("www.kubernetes.io", "192.0.2.2"), A("latest.blog.kubernetes.io", "192.0.2.3"), A("wikipedia.org", "192.0.2.4")],
    expect: { "192.0.2.1": "denied", "192.0.2.2": "allowed", "192.0.2.3": "allowed", "192.0.2.4": "denied" },
  },
  {
    name: "\"`kubernetes.io` matches only `kubernetes.io`. It does not match \"www.kubernetes.io\"\": an exact name admits only its own addresses",
    rule: ["kubernetes.io"],
    records: [A("kubernetes.io", "192.0.2.1"), A("www.kubernetes.io", "192.0.2.2")],
    expect: { "192.0.2.1": "allowed", "192.0.2.2": "denied" },
  },
  {
    name: "DNS compares names case-insensitively (RFC 4343) and a trailing dot is allowed: \"API.Stripe.COM.\" admits api.stripe.com's addresses",
    rule: ["API.Stripe.COM."],
    records: STRIPE,
    expect: { "54.187.174.169": "allowed" },
  },
  {
    name: "issue 12: \"CNAME chains count ...: every name of the chain maps to the final addresses\": a rule on the head of a two-hop chain admits the final address",
    rule: ["www.example.com"],
    records: [CNAME("www.example.com", "edge.cdn.net"), CNAME("edge.cdn.net", "e1.cdn.net"), A("e1.cdn.net", "198.51.100.7")],
    expect: { "198.51.100.7": "allowed" },
  },
  {
    name: "issue 12: CNAME chains in the other direction: `*.cdn.net` matches the chain's middle name, which maps to the final address",
    rule: ["*.cdn.net"],
    records: [CNAME("www.example.com", "edge.cdn.net"), A("origin.example.org", "198.51.100.9"), CNAME("edge.cdn.net", "origin.example.org")],
    expect: { "198.51.100.9": "allowed" },
  },
  {
    name: "a CNAME loop resolves to nothing: the rule admits no address (and the check ends)",
    rule: ["a.example.com"],
    records: [CNAME("a.example.com", "b.example.com"), CNAME("b.example.com", "a.example.com"), A("c.example.com", "198.51.100.1")],
    expect: { "198.51.100.1": "denied" },
  },
  {
    name: "per family: an AAAA record admits its IPv6 address only, and a name without an A record admits no IPv4 address",
    rule: ["v6.example.com"],
    records: [{ kind: "address", name: n("v6.example.com"), address: ip("2001:db8::10"), ttl: 60 }],
    expect: { "2001:db8::10": "allowed", "2001:db8::11": "denied", "203.0.113.10": "denied" },
  },
  {
    name: "issue 12: \"ClusterIP Service names never match (post-DNAT)\": the name resolves to the ClusterIP, the connection reaches the backend's pod IP, which it does not admit",
    rule: ["api.shop.svc.cluster.local"],
    records: [],
    expect: { "shop/api": "denied" },
  },
  {
    name: "issue 12: \"... headless ones do\": a headless Service's name resolves to its pods' IPs, which it admits",
    rule: ["ledger.shop.svc.cluster.local"],
    records: [],
    expect: { "shop/ledger-0": "allowed", "shop/api": "denied" },
  },
];

for (const c of CASES) {
  test(`domainNames with a resolution snapshot: ${c.name}`, () => {
    const cluster = load(c.rule);
    for (const [to, expected] of Object.entries(c.expect)) {
      assert.equal(verdict(cluster, c.records, to), expected, `web -> ${to}`);
      // Without a snapshot, what the name resolves to is not known: an address the domain rule
      // would decide otherwise depends on DNS ("allowed only for addresses the pod resolves").
      assert.equal(verdict(cluster, null, to), "depends", `web -> ${to} without a snapshot`);
    }
  });
}

test("issue 12: \"The rule grants no DNS access itself\": with the name resolved, DNS to the cluster DNS pod is still denied by the Deny after it", () => {
  const cluster = load(["api.stripe.com"]);
  assert.equal(verdict(cluster, STRIPE, "kube-system/coredns", 53, "UDP"), "denied");
  assert.equal(verdict(cluster, STRIPE, "54.187.174.169", 443), "allowed");
  assert.equal(verdict(cluster, STRIPE, "54.187.174.169", 80), "denied", "the rule's protocols still apply");
});

test("with a snapshot the deciding rule step names the admission: pattern, matched name, chain and records", () => {
  const cluster = load(["*.example.com"]);
  const records = [CNAME("www.example.com", "edge.cdn.net"), A("edge.cdn.net", "198.51.100.7")];
  const dns = new DnsSnapshot(records);
  const engine = Engine.compile(cluster, { podNetwork: POD_NETWORK, ipBlockMatchesPods: true, dns });
  const web = cluster.endpoints.find((e) => e.id === "shop/web") ?? assert.fail("web");
  const d = engine.check({ from: { kind: "endpoint", endpoint: web }, to: { kind: "external", addresses: AddressSet.fromIp(ip("198.51.100.7")) }, port: 443, protocol: "TCP" });
  const step = d.egress.tiers[0];
  assert.ok(step?.kind === "rule");
  assert.equal(step.policy.name, "allow-names");
  assert.deepEqual(step.admissions.map((a) => [a.name, a.resolution.chain.join(" > "), a.resolution.records.length]), [["www.example.com", "www.example.com > edge.cdn.net", 2]]);
  assert.equal(d.egress.tiers.some((s) => s.kind === "depends-on-dns"), false);
});

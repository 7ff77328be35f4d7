/** fast-check arbitraries for random clusters, built straight as model objects. */
import fc from "fast-check";
import type { Location } from "../diag/location.js";
import type { AdminAction, AdminEgressPeer, AdminPolicy, AdminPolicySource, AdminProtocolMatch, AdminRule, AdminSubject } from "../model/admin-policy.js";
import type { Cluster, Endpoint, Namespace, Node, Peer, Policy, PolicyPort, Rule, WorkloadKind } from "../model/cluster.js";
import type { Protocol } from "../model/ports.js";
import type { LabelSelector, Requirement } from "../model/selector.js";
import { AddressSet } from "../net/address-set.js";
import { cidrOf } from "../net/cidr.js";
import type { Ip } from "../net/ip.js";
import { type DnsName, dnsName, domainPattern } from "../dns/names.js";
import type { DnsRecord } from "../dns/snapshot.js";

const AT: Location = { file: "random.yaml", line: 1, column: 1, document: 0, path: "" };
const NAMESPACES = ["a", "b", "c"];
const KEYS = ["app", "tier", "env"];
const VALUES = ["x", "y", "z"];
const PORT_NAMES = ["http", "dns", "metrics"];
const PROTOCOLS: Protocol[] = ["TCP", "UDP", "SCTP"];

const arbLabels = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 3 }).map((d) => new Map(Object.entries(d)));

const arbRequirement: fc.Arbitrary<Requirement> = fc.oneof(
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom("In" as const, "NotIn" as const), values: fc.uniqueArray(fc.constantFrom(...VALUES), { minLength: 1, maxLength: 2 }) }),
  fc.record({ key: fc.constantFrom(...KEYS), operator: fc.constantFrom("Exists" as const, "DoesNotExist" as const) }),
);

const arbSelector: fc.Arbitrary<LabelSelector> = fc.array(arbRequirement, { maxLength: 2 }).map((requirements) => ({ requirements }));

/** IPv4 addresses in a small space so ipBlocks often contain, partly contain or miss pods. */
/** Where random pods take their IPv4 addresses (arbIp4: 10.244.0.0/26): the pod network the property tests give the engine. */
export const ARB_POD_NETWORK: AddressSet = AddressSet.fromCidr(cidrOf({ family: 4, value: 0x0af40000n }, 26));

const arbIp4: fc.Arbitrary<Ip> = fc.integer({ min: 0, max: 63 }).map((n) => ({ family: 4 as const, value: 0x0af40000n + BigInt(n) }));
const arbIp6: fc.Arbitrary<Ip> = fc.integer({ min: 0, max: 63 }).map((n) => ({ family: 6 as const, value: 0xfd00n << 112n | BigInt(n) }));

const arbCidr4 = fc.tuple(arbIp4, fc.integer({ min: 26, max: 32 })).map(([ip, p]) => cidrOf(ip, p));
const arbCidr6 = fc.tuple(arbIp6, fc.integer({ min: 122, max: 128 })).map(([ip, p]) => cidrOf(ip, p));

const arbIpBlock: fc.Arbitrary<Peer> = fc
  .tuple(fc.oneof(arbCidr4, arbCidr6), fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 2 }), fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 2 }))
  .map(([cidr, extraBits, offsets]) => {
    const bits = cidr.family === 4 ? 32 : 128;
    const except = extraBits
      .map((b) => Math.min(cidr.prefix + b, bits))
      .filter((p) => p > cidr.prefix)
      .map((p, k) => {
        const span = cidr.last - cidr.first + 1n;
        const offset = BigInt(offsets[k] ?? 0) % span;
        return cidrOf({ family: cidr.family, value: cidr.first + offset }, p);
      });
    return { kind: "ipBlock" as const, cidr, except, at: AT };
  });

const arbPodsPeer: fc.Arbitrary<Peer> = fc
  .tuple(fc.option(arbSelector, { nil: undefined }), arbSelector)
  .map(([ns, pods]) => ({ kind: "pods" as const, namespaces: ns === undefined ? { kind: "own" as const } : { kind: "selected" as const, selector: ns }, pods, at: AT }));

const arbPort: fc.Arbitrary<PolicyPort> = fc.record({
  protocol: fc.constantFrom(...PROTOCOLS),
  port: fc.oneof(
    fc.constant({ kind: "any" as const }),
    fc.integer({ min: 79, max: 82 }).chain((from) => fc.integer({ min: from, max: 83 }).map((to) => ({ kind: "range" as const, from, to }))),
    fc.constantFrom(...PORT_NAMES).map((name) => ({ kind: "named" as const, name })),
  ),
  at: fc.constant(AT),
});

const arbRule = (index: number): fc.Arbitrary<Rule> =>
  fc.record({
    index: fc.constant(index),
    peers: fc.oneof(fc.constant("all" as const), fc.array(fc.oneof(arbPodsPeer, arbIpBlock), { minLength: 1, maxLength: 3 })),
    ports: fc.oneof(fc.constant("all" as const), fc.array(arbPort, { minLength: 1, maxLength: 3 })),
    at: fc.constant(AT),
  });

const arbRules = fc.integer({ min: 0, max: 3 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbRule(i))));

const arbPolicy = (k: number): fc.Arbitrary<Policy> =>
  fc.record({ ns: fc.constantFrom(...NAMESPACES), sel: arbSelector, ingress: arbRules, egress: arbRules, ti: fc.boolean(), te: fc.boolean() }).map((r) => ({
    id: `${r.ns}/p${k}`,
    namespace: r.ns,
    name: `p${k}`,
    podSelector: r.sel,
    podSelectorAt: AT,
    affects: { ingress: r.ti, egress: r.te },
    policyTypesDeclared: true, egressWritten: true,
    ingress: r.ingress,
    egress: r.egress,
    annotations: new Map(),
    at: AT,
  }));

const arbEndpoint = (k: number): fc.Arbitrary<Endpoint> =>
  fc
    .record({
      ns: fc.constantFrom(...NAMESPACES),
      labels: arbLabels,
      ips: fc.oneof(fc.constant([] as Ip[]), fc.array(fc.oneof(arbIp4, arbIp6), { minLength: 1, maxLength: 2 })),
      hostNetwork: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      kind: fc.constantFrom<WorkloadKind>("Pod", "Pod", "Deployment"),
      ports: fc.array(fc.record({ name: fc.constantFrom(...PORT_NAMES), port: fc.integer({ min: 79, max: 83 }), protocol: fc.constantFrom(...PROTOCOLS) }), { maxLength: 3 }),
    })
    .map((r) => ({
      id: `${r.ns}/e${k}`,
      namespace: r.ns,
      name: `e${k}`,
      kind: r.kind,
      labels: r.labels,
      ips: r.ips,
      hostNetwork: r.hostNetwork,
      ports: r.ports,
      pods: [`e${k}`],
      at: AT,
    }));

const arbNamespace = (name: string): fc.Arbitrary<Namespace> =>
  arbLabels.map((labels) => ({ name, labels: new Map([...labels, ["kubernetes.io/metadata.name", name]]), declared: true, at: AT }));

export const arbCluster: fc.Arbitrary<Cluster> = fc
  .tuple(
    fc.tuple(...NAMESPACES.map(arbNamespace)),
    fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbEndpoint(i)))),
    fc.integer({ min: 0, max: 5 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbPolicy(i)))),
  )
  .map(([namespaces, endpoints, policies]) => ({
    namespaces: new Map(namespaces.map((n) => [n.name, n])),
    endpoints,
    services: [],
    policies,
  }));

/**
 * A variation of a cluster, chosen by `pick`: one policy gone, one endpoint gone, relabelled into
 * a label set no selector above names, or without its container ports.
 */
export function varyCluster(c: Cluster, pick: number): Cluster {
  const k = pick % 4;
  const at = (n: number): number => pick % Math.max(1, n);
  if (k === 0 && c.policies.length > 0) return { ...c, policies: c.policies.filter((_, i) => i !== at(c.policies.length)) };
  if (k === 1 && c.endpoints.length > 0) return { ...c, endpoints: c.endpoints.filter((_, i) => i !== at(c.endpoints.length)) };
  if (k === 3) return { ...c, endpoints: c.endpoints.map((e, i) => (i === at(c.endpoints.length) ? { ...e, ports: [] } : e)) };
  return { ...c, endpoints: c.endpoints.map((e, i) => (i === at(c.endpoints.length) ? { ...e, labels: new Map([["app", "moved"]]) } : e)) };
}

/** Two states of a cluster: before and after one variation, or two clusters with nothing in common. */
export const arbClusterChange: fc.Arbitrary<readonly [Cluster, Cluster]> = fc.oneof(
  fc.tuple(arbCluster, fc.nat()).map(([c, pick]) => [c, varyCluster(c, pick)] as const),
  fc.tuple(arbCluster, arbCluster),
);

export const arbProbe = fc.record({
  port: fc.integer({ min: 78, max: 84 }),
  protocol: fc.constantFrom(...PROTOCOLS),
  external: fc.oneof(arbIp4, arbIp6, arbCidr4),
});

// ---- Admin policies (ClusterNetworkPolicy tiers Admin and Baseline; AdminNetworkPolicy; BaselineAdminNetworkPolicy) ----

const CNP: AdminPolicySource = { kind: "ClusterNetworkPolicy", apiVersion: "policy.networking.k8s.io/v1alpha2" };
const ANP: AdminPolicySource = { kind: "AdminNetworkPolicy", apiVersion: "policy.networking.k8s.io/v1alpha1" };
const BANP: AdminPolicySource = { kind: "BaselineAdminNetworkPolicy", apiVersion: "policy.networking.k8s.io/v1alpha1" };

// ---- Domain names and resolution snapshots: a small alphabet, so wildcards, apexes, CNAME chains and loops occur ----

/** `io`, `a.io`, `b.a.io`, `a.b.a.io`, `B.io` (case folds): names 0-3 labels below `io`. */
const arbDnsText: fc.Arbitrary<string> = fc.array(fc.constantFrom("a", "b", "B"), { maxLength: 3 }).map((labels) => [...labels, "io"].join("."));

const arbDnsName: fc.Arbitrary<DnsName> = arbDnsText.map((text) => dnsName(text) as DnsName);

/** A `domainNames` entry: an exact name, or `*.` and a name (`*.io`, `*.a.io`), sometimes with a trailing dot. */
const arbDomainPattern: fc.Arbitrary<string> = fc
  .tuple(fc.boolean(), arbDnsText, fc.integer({ min: 0, max: 4 }))
  .map(([wildcard, text, dot]) => `${wildcard ? "*." : ""}${text}${dot === 0 ? "." : ""}`);

const arbDnsRecord: fc.Arbitrary<DnsRecord> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(arbDnsName, fc.oneof(arbIp4, arbIp6), fc.integer({ min: 0, max: 600 })).map(([name, address, ttl]): DnsRecord => ({ kind: "address", name, address, ttl })) },
  { weight: 2, arbitrary: fc.tuple(arbDnsName, arbDnsName, fc.integer({ min: 0, max: 600 })).map(([name, target, ttl]): DnsRecord => ({ kind: "cname", name, target, ttl })) },
);

/** The records of a random resolution snapshot: A/AAAA records in the pods' address space (so names resolve to pods too), CNAMEs between the names (chains, loops). */
export const arbDnsRecords: fc.Arbitrary<DnsRecord[]> = fc.array(arbDnsRecord, { maxLength: 8 });

/** A subject, or a `namespaces`/`pods` peer (the same shape). */
const arbAdminSelection: fc.Arbitrary<AdminSubject> = fc.oneof(
  arbSelector.map((namespaces) => ({ kind: "namespaces" as const, namespaces, at: AT })),
  fc.tuple(arbSelector, arbSelector).map(([namespaces, pods]) => ({ kind: "pods" as const, namespaces, pods, at: AT })),
);

const arbAdminPeer: fc.Arbitrary<AdminEgressPeer> = fc.oneof(
  { weight: 3, arbitrary: arbAdminSelection },
  { weight: 3, arbitrary: fc.array(fc.oneof(arbCidr4, arbCidr6), { minLength: 1, maxLength: 2 }).map((networks) => ({ kind: "networks" as const, networks, at: AT })) },
  { weight: 1, arbitrary: arbSelector.map((nodes) => ({ kind: "nodes" as const, nodes, at: AT })) },
  { weight: 1, arbitrary: fc.uniqueArray(arbDomainPattern, { minLength: 1, maxLength: 2 }).map((texts) => ({ kind: "domainNames" as const, domainNames: texts.map((text) => ({ text, pattern: domainPattern(text), at: AT })), at: AT })) },
);

/** Ingress peers are only `namespaces` and `pods`. */
const arbAdminIngressPeer: fc.Arbitrary<AdminEgressPeer> = arbAdminSelection;

const arbAdminProtocol: fc.Arbitrary<AdminProtocolMatch> = fc.oneof(
  fc.tuple(fc.constantFrom(...PROTOCOLS), fc.integer({ min: 78, max: 84 })).map(([protocol, port]) => ({ kind: "protocol" as const, protocol, port: { kind: "number" as const, port }, at: AT })),
  fc
    .tuple(fc.constantFrom(...PROTOCOLS), fc.integer({ min: 78, max: 83 }))
    .chain(([protocol, start]) => fc.integer({ min: start + 1, max: 84 }).map((end) => ({ kind: "protocol" as const, protocol, port: { kind: "range" as const, start, end }, at: AT }))),
  fc.constantFrom(...PORT_NAMES).map((name) => ({ kind: "namedPort" as const, name, at: AT })),
);

const arbAdminRule = (index: number, peer: fc.Arbitrary<AdminEgressPeer>): fc.Arbitrary<AdminRule<AdminEgressPeer>> =>
  fc
    .record({
      action: fc.constantFrom<AdminAction>("Accept", "Deny", "Pass"),
      peers: fc.array(peer, { minLength: 1, maxLength: 3 }),
      protocols: fc.oneof(fc.constant("all" as const), fc.array(arbAdminProtocol, { minLength: 1, maxLength: 2 })),
      // One rule in ten has an entry of a newer CRD and fails closed.
      failClosed: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    })
    .map((r): AdminRule<AdminEgressPeer> => {
      const base = { index, name: `r${index}`, at: AT };
      const unknown = [{ fields: ["future"], at: AT }];
      const written = { kind: "as-written" as const, peers: r.peers, protocols: r.protocols };
      if (r.action === "Accept") return { ...base, action: "Accept", match: r.failClosed ? { kind: "matches-nothing", unknown } : written };
      return { ...base, action: r.action, match: r.failClosed ? { kind: "denies-all", unknown } : written };
    });

const arbAdminRules = (peer: fc.Arbitrary<AdminEgressPeer>): fc.Arbitrary<AdminRule<AdminEgressPeer>[]> =>
  fc.integer({ min: 0, max: 3 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbAdminRule(i, peer))));

/**
 * An admin policy: Admin (ClusterNetworkPolicy or AdminNetworkPolicy) or Baseline
 * (ClusterNetworkPolicy), priorities 0-3 so ties are frequent, names that do not follow input order.
 */
const arbAdminPolicy = (k: number): fc.Arbitrary<AdminPolicy> =>
  fc
    .record({
      tier: fc.constantFrom("Admin" as const, "Baseline" as const),
      anp: fc.boolean(),
      priority: fc.integer({ min: 0, max: 3 }),
      prefix: fc.constantFrom("a", "b", "c"),
      subject: arbAdminSelection,
      ingress: arbAdminRules(arbAdminIngressPeer),
      egress: arbAdminRules(arbAdminPeer),
    })
    .map((r): AdminPolicy => {
      const base = { name: `${r.prefix}${k}`, subject: r.subject, ingress: r.ingress as AdminRule<AdminSubject>[], egress: r.egress, at: AT };
      return r.tier === "Admin" ? { ...base, tier: "Admin", priority: r.priority, source: r.anp ? ANP : CNP } : { ...base, tier: "Baseline", priority: r.priority, source: CNP };
    });

/** The BaselineAdminNetworkPolicy singleton `default` (no priority: after the Baseline ClusterNetworkPolicies). */
const arbBanp: fc.Arbitrary<AdminPolicy> = arbAdminPolicy(99).map((p) => ({ ...p, name: "default", tier: "Baseline", priority: null, source: BANP }));

const arbNode = (k: number): fc.Arbitrary<Node> =>
  fc.record({ labels: arbLabels, ips: fc.array(fc.oneof(arbIp4, arbIp6), { minLength: 1, maxLength: 2 }) }).map((r) => ({
    name: `node-${k}`,
    labels: r.labels,
    podCidrs: [],
    addresses: r.ips.map((ip) => ({ type: "InternalIP", ip, at: AT })),
    at: AT,
  }));

/** A random cluster with Nodes and admin policies of both tiers, every action, ties of priority. */
export const arbClusterWithAdmin: fc.Arbitrary<Cluster> = fc
  .tuple(
    arbCluster,
    fc.integer({ min: 1, max: 5 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbAdminPolicy(i)))),
    fc.option(arbBanp, { nil: undefined }),
    fc.integer({ min: 0, max: 2 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => arbNode(i)))),
  )
  .map(([cluster, admin, banp, nodes]) => ({ ...cluster, adminPolicies: banp === undefined ? admin : [...admin, banp], nodes }));

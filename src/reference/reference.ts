/**
 * The reference evaluator: a deliberately simple, slow reading of the NetworkPolicy API text and of
 * the admin policy API text (ClusterNetworkPolicy tiers Admin and Baseline, AdminNetworkPolicy,
 * BaselineAdminNetworkPolicy).
 * It walks ordered tiers as the fast engine does (engine/tiers.ts), with a loop of its own.
 * No classes, no caches, no shared helpers with the fast engine beyond the data model and the
 * address-set arithmetic. The fast engine must agree with it on every connection.
 */
import {
  type AdminAction,
  type AdminEgressPeer,
  type AdminPolicy,
  type AdminProtocolMatch,
  type AdminRule,
  type AdminSubject,
  type AdminTier,
  effectiveAction,
} from "../model/admin-policy.js";
import type { Cluster, Endpoint, Peer, Policy, PolicyPort, Rule } from "../model/cluster.js";
import type { Labels } from "../model/labels.js";
import type { Protocol } from "../model/ports.js";
import type { LabelSelector } from "../model/selector.js";
import { AddressSet } from "../net/address-set.js";
import type { Ip } from "../net/ip.js";
import type { Connection, EngineOptions, Target, Verdict } from "../engine/types.js";
import { type DnsName, patternMatches } from "../dns/names.js";
import { type DnsRecord, MAX_CNAME_HOPS } from "../dns/snapshot.js";

/** `matchLabels` and `matchExpressions` are ANDed; an empty selector matches everything. */
function matches(selector: LabelSelector, labels: Labels): boolean {
  for (const r of selector.requirements) {
    const has = labels.has(r.key);
    const value = labels.get(r.key);
    if (r.operator === "In" && !(has && r.values.includes(value as string))) return false;
    if (r.operator === "NotIn" && has && r.values.includes(value as string)) return false;
    if (r.operator === "Exists" && !has) return false;
    if (r.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

function nsLabels(cluster: Cluster, namespace: string): Labels {
  const declared = cluster.namespaces.get(namespace);
  return declared ? declared.labels : new Map([["kubernetes.io/metadata.name", namespace]]);
}

function addressesOf(target: Target, options: EngineOptions): AddressSet {
  if (target.kind === "external") return target.addresses;
  // A pod named by one of its addresses (dual-stack): the connection uses that address only.
  if (target.address !== undefined) return AddressSet.fromIp(target.address);
  const e = target.endpoint;
  if (e.ips.length > 0) return AddressSet.fromIps(e.ips);
  return e.hostNetwork ? AddressSet.ALL : options.podNetwork;
}

/** Policies in the pod's namespace whose podSelector selects it, for that direction. */
function isolatingPolicies(cluster: Cluster, pod: Endpoint, direction: "ingress" | "egress"): Policy[] {
  if (pod.hostNetwork) return [];
  return cluster.policies.filter(
    (p) => p.namespace === pod.namespace && p.affects[direction] && matches(p.podSelector, pod.labels),
  );
}

/** The addresses of `other` that one peer admits. */
function peerAdmits(cluster: Cluster, options: EngineOptions, policy: Policy, peer: Peer, other: Target): AddressSet {
  const all = addressesOf(other, options);
  if (peer.kind === "ipBlock") {
    if (other.kind === "endpoint" && !other.endpoint.hostNetwork && !options.ipBlockMatchesPods) return AddressSet.EMPTY;
    const block = AddressSet.fromCidr(peer.cidr).subtract(AddressSet.fromCidrs(peer.except));
    return all.intersect(block);
  }
  if (other.kind === "external" || other.endpoint.hostNetwork) return AddressSet.EMPTY;
  const pod = other.endpoint;
  const namespaceOk =
    peer.namespaces.kind === "own" ? pod.namespace === policy.namespace : matches(peer.namespaces.selector, nsLabels(cluster, pod.namespace));
  return namespaceOk && matches(peer.pods, pod.labels) ? all : AddressSet.EMPTY;
}

function portAdmits(spec: PolicyPort, protocol: Protocol, port: number, destination: Target): boolean {
  if (spec.protocol !== protocol) return false;
  if (spec.port.kind === "any") return true;
  if (spec.port.kind === "range") return spec.port.from <= port && port <= spec.port.to;
  if (destination.kind !== "endpoint") return false;
  const name = spec.port.name;
  return destination.endpoint.ports.some((c) => c.name === name && c.protocol === protocol && c.port === port);
}

/** What a rule does with the traffic it matches, and what a tier does with the traffic none of its rules matched. */
type Action = "accept" | "deny" | "pass";
/** One rule as the walk sees it: its action, and the addresses of the other side it matches for the connection asked. */
interface ReferenceRule {
  readonly action: Action;
  readonly matched: AddressSet;
}
interface ReferenceTier {
  readonly rules: readonly ReferenceRule[];
  readonly end: "deny" | "next";
}

/** The question the tiers answer for one direction: `self` is the pod whose side is decided. */
interface Asked {
  readonly cluster: Cluster;
  readonly options: EngineOptions;
  readonly direction: "ingress" | "egress";
  readonly self: Endpoint;
  readonly other: Target;
  /** Where named ports resolve: the other side for egress, `self` for ingress. */
  readonly destination: Target;
  readonly port: number;
  readonly protocol: Protocol;
  /** `other` is `self`, reached through a Service: the NetworkPolicy tier allows it ("a pod can always reach itself"), the admin tiers apply. */
  readonly hairpin: boolean;
  /** Whether `domainNames` peers match every address of `other` (as if the pod resolved a name to it) or none. */
  readonly domains: DomainsMatch;
}

/**
 * How a `domainNames` peer is taken: without a snapshot what a name resolves to is not known
 * offline (walked both ways: "none", "all"); with one (`records`), every pod resolved every name.
 */
type DomainsMatch = "none" | "all" | { readonly records: readonly DnsRecord[] };

/**
 * The NetworkPolicy tier, there only when the pod is isolated: "A pod is isolated for egress if
 * there is any NetworkPolicy that both selects the pod and has "Egress" in its policyTypes"; its
 * rules allow ("policies are additive"), and "the egress/ingress traffic allowed for a pod is the
 * union of what all applicable policies allow": the rest is denied.
 */
function networkPolicyTier(a: Asked): ReferenceTier | undefined {
  const policies = isolatingPolicies(a.cluster, a.self, a.direction);
  if (policies.length === 0) return undefined;
  if (a.hairpin) return { rules: [{ action: "accept", matched: addressesOf(a.other, a.options) }], end: "deny" };
  const rules = policies.flatMap((policy) => policy[a.direction].map((rule) => ({ action: "accept" as const, matched: ruleMatches(a, policy, rule) })));
  return { rules, end: "deny" };
}

/**
 * The tiers that decide `direction` for `self`, in order: "Policy tiers are evaluated in the
 * following order: * Admin tier * NetworkPolicy tier * Baseline tier."
 */
function tiersOf(a: Asked): ReferenceTier[] {
  return [adminTier(a, "Admin"), networkPolicyTier(a), adminTier(a, "Baseline")].filter((t): t is ReferenceTier => t !== undefined);
}

/** The addresses of `other` that one NetworkPolicy rule matches for this port and protocol. */
function ruleMatches(a: Asked, policy: Policy, rule: Rule): AddressSet {
  const portOk = rule.ports === "all" || rule.ports.some((s) => portAdmits(s, a.protocol, a.port, a.destination));
  if (!portOk) return AddressSet.EMPTY;
  if (rule.peers === "all") return addressesOf(a.other, a.options);
  let matched = AddressSet.EMPTY;
  for (const peer of rule.peers) matched = matched.union(peerAdmits(a.cluster, a.options, policy, peer, a.other));
  return matched;
}

// ---- The admin tiers (ClusterNetworkPolicy v1alpha2; AdminNetworkPolicy and BaselineAdminNetworkPolicy v1alpha1, mapped onto it) ----

/**
 * Whether an admin subject (or a `namespaces`/`pods` peer, which has the same shape) selects a pod:
 * `namespaces`: every pod of the matching namespaces; `pods`: the matching pods of the matching
 * namespaces. "Note that host-networked pods are not included in subject selection" (and, for
 * peers, "host-networked pods are not included in this type of peer").
 */
function adminSelects(cluster: Cluster, selection: AdminSubject, pod: Endpoint): boolean {
  if (pod.hostNetwork) return false;
  if (!matches(selection.namespaces, nsLabels(cluster, pod.namespace))) return false;
  return selection.kind === "namespaces" || matches(selection.pods, pod.labels);
}

/** The addresses of `other` that one admin peer matches. */
function adminPeerAdmits(a: Asked, peer: AdminEgressPeer): AddressSet {
  const all = addressesOf(a.other, a.options);
  switch (peer.kind) {
    case "namespaces":
    case "pods":
      return a.other.kind === "endpoint" && adminSelects(a.cluster, peer, a.other.endpoint) ? all : AddressSet.EMPTY;
    case "nodes": {
      // "It selects the nodeIPs as the peer type by matching on the IPs present in the node.Status.Addresses field of the node."
      const nodes = (a.cluster.nodes ?? []).filter((n) => matches(peer.nodes, n.labels));
      return all.intersect(AddressSet.fromIps(nodes.flatMap((n) => n.addresses.map((addr) => addr.ip))));
    }
    case "networks":
      // "cluster-internal traffic will be checked against the rule as well": pod IPs too, whatever ipBlockMatchesPods says of NetworkPolicy.
      return all.intersect(AddressSet.fromCidrs(peer.networks));
    case "domainNames": {
      // "matches only addresses the pod resolved through DNS": without a snapshot the reference
      // cannot know what a name resolves to, so it walks both ways (see referenceCheck).
      if (a.domains === "all") return all;
      if (a.domains === "none") return AddressSet.EMPTY;
      const records = a.domains.records;
      const ips = peer.domainNames.flatMap(({ pattern }) =>
        pattern === null ? [] : ownerNames(records).filter((n) => patternMatches(pattern, n)).flatMap((n) => resolvedAddresses(records, n)),
      );
      return all.intersect(AddressSet.fromIps(ips));
    }
  }
}

/** Every name that owns a record. */
function ownerNames(records: readonly DnsRecord[]): DnsName[] {
  return [...new Set(records.map((r) => r.name))];
}

/**
 * The addresses `name` resolves to, scanning the records level by level: its own A/AAAA records,
 * then those of the names its CNAMEs point to, up to MAX_CNAME_HOPS CNAMEs away ("CNAME chains
 * count": every name of the chain maps to the final addresses). A name met again is not walked again.
 */
function resolvedAddresses(records: readonly DnsRecord[], name: DnsName): Ip[] {
  const out: Ip[] = [];
  const seen = new Set<DnsName>([name]);
  let level: DnsName[] = [name];
  for (let hops = 0; level.length > 0; hops++) {
    const next: DnsName[] = [];
    for (const r of records) {
      if (!level.includes(r.name)) continue;
      if (r.kind === "address") out.push(r.address);
      else if (hops < MAX_CNAME_HOPS && !seen.has(r.target)) {
        seen.add(r.target);
        next.push(r.target);
      }
    }
    level = next;
  }
  return out;
}

/** Whether one `protocols` (v1alpha1 `ports`) entry admits the connection; a named port resolves on the destination pod by name, protocol and number. */
function adminProtocolAdmits(a: Asked, entry: AdminProtocolMatch): boolean {
  if (entry.kind === "protocol") {
    if (entry.protocol !== a.protocol) return false;
    return entry.port.kind === "number" ? entry.port.port === a.port : entry.port.start <= a.port && a.port <= entry.port.end;
  }
  if (a.destination.kind !== "endpoint") return false;
  return a.destination.endpoint.ports.some((c) => c.name === entry.name && c.protocol === a.protocol && c.port === a.port);
}

/**
 * The addresses of `other` one admin rule matches. A rule that fails closed (an entry of a newer
 * CRD): "For "Accept" rules, "fail closed" means: "treat the rule as matching no traffic". For
 * "Deny" and "Pass" rules, "fail closed" means: "treat the rule as a 'Deny all' rule"."
 */
function adminRuleMatches(a: Asked, rule: AdminRule<AdminEgressPeer>): AddressSet {
  const m = rule.match;
  if (m.kind === "matches-nothing") return AddressSet.EMPTY;
  if (m.kind === "denies-all") return addressesOf(a.other, a.options);
  // "If unspecified, protocol-specific attributes will not be used to match traffic."
  if (m.protocols !== "all" && !m.protocols.some((entry) => adminProtocolAdmits(a, entry))) return AddressSet.EMPTY;
  let matched = AddressSet.EMPTY;
  for (const peer of m.peers) matched = matched.union(adminPeerAdmits(a, peer));
  return matched;
}

const ADMIN_ACTIONS: Readonly<Record<AdminAction, Action>> = { Accept: "accept", Deny: "deny", Pass: "pass" };

/**
 * Policies of one tier in evaluation order: "Policies with lower priority values have higher
 * precedence". The API leaves the order of same-priority policies to the implementation; the
 * reference breaks ties by name (then kind), in code-unit order. The BaselineAdminNetworkPolicy
 * has no priority: it comes after the Baseline ClusterNetworkPolicies.
 */
function byPrecedence(x: AdminPolicy, y: AdminPolicy): number {
  const px = x.priority ?? Number.POSITIVE_INFINITY;
  const py = y.priority ?? Number.POSITIVE_INFINITY;
  if (px !== py) return px - py;
  if (x.name !== y.name) return x.name < y.name ? -1 : 1;
  return x.source.kind < y.source.kind ? -1 : x.source.kind > y.source.kind ? 1 : 0;
}

/**
 * One admin tier for `self`: the rules of the policies whose subject selects it, policy by policy in
 * precedence order, each policy's rules as written ("a rule that appears at the top of the ...
 * rules would take the highest precedence"). What no rule matches goes on to the next tier; a
 * `Pass` ends this tier for what it matches (in the Baseline tier, on to default allow).
 */
function adminTier(a: Asked, tier: AdminTier): ReferenceTier | undefined {
  const policies = (a.cluster.adminPolicies ?? []).filter((p) => p.tier === tier && adminSelects(a.cluster, p.subject, a.self)).sort(byPrecedence);
  if (policies.length === 0) return undefined;
  const rules = policies.flatMap((p) =>
    (p[a.direction] as readonly AdminRule<AdminEgressPeer>[]).map((rule) => ({ action: ADMIN_ACTIONS[effectiveAction(rule)], matched: adminRuleMatches(a, rule) })),
  );
  return { rules, end: "next" };
}

/**
 * The addresses of `other` that `self`'s tiers allow in `direction`. Each tier in order: the first
 * of its rules that matches an address decides it (accept, deny; pass: on to the next tier); what
 * no rule matched meets the tier's end; what no tier decides is allowed ("By default, a pod is
 * non-isolated for egress; all outbound connections are allowed").
 */
function allowedAddresses(
  cluster: Cluster,
  options: EngineOptions,
  direction: "ingress" | "egress",
  self: Target,
  other: Target,
  port: number,
  protocol: Protocol,
  hairpin: boolean,
  domains: DomainsMatch,
): AddressSet {
  if (self.kind === "external") return addressesOf(other, options);
  const destination = direction === "egress" ? other : self;
  const asked: Asked = { cluster, options, direction, self: self.endpoint, other, destination, port, protocol, hairpin, domains };
  let undecided = addressesOf(other, options);
  let allowed = AddressSet.EMPTY;
  for (const tier of tiersOf(asked)) {
    let passed = AddressSet.EMPTY;
    for (const { action, matched } of tier.rules) {
      const hit = matched.intersect(undecided);
      undecided = undecided.subtract(hit);
      if (action === "accept") allowed = allowed.union(hit);
      if (action === "pass") passed = passed.union(hit);
    }
    undecided = tier.end === "deny" ? passed : undecided.union(passed);
  }
  return allowed.union(undecided);
}

export interface ReferenceAnswer {
  readonly verdict: Verdict;
  readonly egressAllowed: AddressSet;
  readonly ingressAllowed: AddressSet;
}

/**
 * `domainNames`: "depends-on-dns" (the default) walks the tiers with domain peers matching nothing
 * and matching everything: where the verdicts differ, the answer depends on DNS ("depends").
 * "match-nothing": domain peers match nothing, as the pair analysis, class matrix and nftables do
 * (they say so in a warning). With a resolution snapshot (`options.dns`) both are one walk: every
 * pod resolved every name of it, and a domain peer matches what it gives the peer's names.
 */
export function referenceCheck(cluster: Cluster, options: EngineOptions, conn: Connection, domainNames: "depends-on-dns" | "match-nothing" = "depends-on-dns"): ReferenceAnswer {
  if (options.dns !== undefined) return referenceWalk(cluster, options, conn, { records: options.dns.records });
  const pessimistic = referenceWalk(cluster, options, conn, "none");
  if (domainNames === "match-nothing" || !hasDomainPeers(cluster)) return pessimistic;
  const resolved = referenceWalk(cluster, options, conn, "all");
  return resolved.verdict === pessimistic.verdict ? pessimistic : { ...pessimistic, verdict: "depends" };
}

function hasDomainPeers(cluster: Cluster): boolean {
  return (cluster.adminPolicies ?? []).some((p) =>
    [...p.ingress, ...p.egress].some((r) => r.match.kind === "as-written" && (r.match.peers as readonly AdminEgressPeer[]).some((peer) => peer.kind === "domainNames")),
  );
}

function referenceWalk(cluster: Cluster, options: EngineOptions, conn: Connection, domains: DomainsMatch): ReferenceAnswer {
  const to = addressesOf(conn.to, options);
  const from = addressesOf(conn.from, options);
  // A pod talking to itself: NetworkPolicy never blocks it, and "a pod connecting to its own IP is
  // not subject to ClusterNetworkPolicy" (issue 9) either: no tier is walked. Through a Service
  // that load-balances back to it, "[it] is subject to ClusterNetworkPolicy": the admin tiers are.
  const self = conn.from.kind === "endpoint" && conn.to.kind === "endpoint" && conn.from.endpoint === conn.to.endpoint && conn.from.endpoint.kind === "Pod";
  if (self && conn.viaService !== true) {
    return { verdict: "allowed", egressAllowed: to, ingressAllowed: from };
  }
  const egressAllowed = allowedAddresses(cluster, options, "egress", conn.from, conn.to, conn.port, conn.protocol, self, domains);
  const ingressAllowed = allowedAddresses(cluster, options, "ingress", conn.to, conn.from, conn.port, conn.protocol, self, domains);
  const side = (allowed: AddressSet, whole: AddressSet): Verdict =>
    allowed.contains(whole) ? "allowed" : allowed.overlaps(whole) ? "depends" : "denied";
  const e = side(egressAllowed, to);
  const i = side(ingressAllowed, from);
  const verdict: Verdict = e === "denied" || i === "denied" ? "denied" : e === "allowed" && i === "allowed" ? "allowed" : "depends";
  return { verdict, egressAllowed, ingressAllowed };
}

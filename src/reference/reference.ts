/**
 * The reference evaluator: a deliberately simple, slow reading of the NetworkPolicy API text.
 * It walks ordered tiers as the fast engine does (engine/tiers.ts), with a loop of its own.
 * No classes, no caches, no shared helpers with the fast engine beyond the data model and the
 * address-set arithmetic. The fast engine must agree with it on every connection.
 */
import type { Cluster, Endpoint, Peer, Policy, PolicyPort, Rule } from "../model/cluster.js";
import type { Labels } from "../model/labels.js";
import type { Protocol } from "../model/ports.js";
import type { LabelSelector } from "../model/selector.js";
import { AddressSet } from "../net/address-set.js";
import type { Connection, EngineOptions, Target, Verdict } from "../engine/types.js";

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
interface ReferenceTier {
  readonly rules: readonly { readonly action: Action; readonly policy: Policy; readonly rule: Rule }[];
  readonly end: "deny" | "next";
}

/**
 * The tiers that decide `direction` for `pod`, in order. NetworkPolicy is one tier, there only when
 * the pod is isolated: "A pod is isolated for egress if there is any NetworkPolicy that both
 * selects the pod and has "Egress" in its policyTypes"; its rules allow ("policies are additive"),
 * and "the egress/ingress traffic allowed for a pod is the union of what all applicable policies
 * allow": the rest is denied.
 */
function tiersOf(cluster: Cluster, pod: Endpoint, direction: "ingress" | "egress"): ReferenceTier[] {
  const policies = isolatingPolicies(cluster, pod, direction);
  if (policies.length === 0) return [];
  return [{ rules: policies.flatMap((policy) => policy[direction].map((rule) => ({ action: "accept" as const, policy, rule }))), end: "deny" }];
}

/** The addresses of `other` that one rule matches for this port and protocol. */
function ruleMatches(cluster: Cluster, options: EngineOptions, policy: Policy, rule: Rule, other: Target, destination: Target, port: number, protocol: Protocol): AddressSet {
  const portOk = rule.ports === "all" || rule.ports.some((s) => portAdmits(s, protocol, port, destination));
  if (!portOk) return AddressSet.EMPTY;
  if (rule.peers === "all") return addressesOf(other, options);
  let matched = AddressSet.EMPTY;
  for (const peer of rule.peers) matched = matched.union(peerAdmits(cluster, options, policy, peer, other));
  return matched;
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
): AddressSet {
  if (self.kind === "external") return addressesOf(other, options);
  const destination = direction === "egress" ? other : self;
  let undecided = addressesOf(other, options);
  let allowed = AddressSet.EMPTY;
  for (const tier of tiersOf(cluster, self.endpoint, direction)) {
    let passed = AddressSet.EMPTY;
    for (const { action, policy, rule } of tier.rules) {
      const hit = ruleMatches(cluster, options, policy, rule, other, destination, port, protocol).intersect(undecided);
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

export function referenceCheck(cluster: Cluster, options: EngineOptions, conn: Connection): ReferenceAnswer {
  const to = addressesOf(conn.to, options);
  const from = addressesOf(conn.from, options);
  if (conn.from.kind === "endpoint" && conn.to.kind === "endpoint" && conn.from.endpoint === conn.to.endpoint && conn.from.endpoint.kind === "Pod") {
    return { verdict: "allowed", egressAllowed: to, ingressAllowed: from };
  }
  const egressAllowed = allowedAddresses(cluster, options, "egress", conn.from, conn.to, conn.port, conn.protocol);
  const ingressAllowed = allowedAddresses(cluster, options, "ingress", conn.to, conn.from, conn.port, conn.protocol);
  const side = (allowed: AddressSet, whole: AddressSet): Verdict =>
    allowed.contains(whole) ? "allowed" : allowed.overlaps(whole) ? "depends" : "denied";
  const e = side(egressAllowed, to);
  const i = side(ingressAllowed, from);
  const verdict: Verdict = e === "denied" || i === "denied" ? "denied" : e === "allowed" && i === "allowed" ? "allowed" : "depends";
  return { verdict, egressAllowed, ingressAllowed };
}

/**
 * The reference evaluator: a deliberately simple, slow reading of the NetworkPolicy API text.
 * No classes, no caches, no shared helpers with the fast engine beyond the data model and the
 * address-set arithmetic. The fast engine must agree with it on every connection.
 */
import type { Cluster, Endpoint, Peer, Policy, PolicyPort } from "../model/cluster.js";
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

/** The addresses of `other` that `self`'s policies allow in `direction`. */
function allowedAddresses(
  cluster: Cluster,
  options: EngineOptions,
  direction: "ingress" | "egress",
  self: Target,
  other: Target,
  port: number,
  protocol: Protocol,
): AddressSet {
  const all = addressesOf(other, options);
  if (self.kind === "external") return all;
  const policies = isolatingPolicies(cluster, self.endpoint, direction);
  if (policies.length === 0) return all;
  const destination = direction === "egress" ? other : self;
  let allowed = AddressSet.EMPTY;
  for (const policy of policies) {
    for (const rule of policy[direction]) {
      const portOk = rule.ports === "all" || rule.ports.some((s) => portAdmits(s, protocol, port, destination));
      if (!portOk) continue;
      if (rule.peers === "all") allowed = allowed.union(all);
      else for (const peer of rule.peers) allowed = allowed.union(peerAdmits(cluster, options, policy, peer, other));
    }
  }
  return allowed;
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

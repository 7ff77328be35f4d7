/**
 * The model-level refresh: a decoded Cluster with the feed-managed peers of every bound policy
 * replaced by the union of its selections in a given feed. `feeds diff` compiles the cluster
 * refreshed with OLD and with NEW and compares the engines, without editing any manifest text;
 * lint's feed-outdated compares a policy's managed peers with the current selection.
 */
import type { Location } from "../diag/location.js";
import type { AdminEgressPeer, AdminPolicy, AdminRule } from "../model/admin-policy.js";
import type { Cluster, ObjectRef, Peer, Policy, Rule } from "../model/cluster.js";
import type { Labels } from "../model/labels.js";
import type { Cidr } from "../net/cidr.js";
import { type FeedBinding, readBinding } from "./annotations.js";
import { networksChunks, replacementFor } from "./managed.js";
import type { Feed, FeedProvider } from "./types.js";

/**
 * Whether a peer of an egress rule's `to` in a bound policy is the feed's (issue 13's rule, one
 * definition until src/feeds/managed.ts holds it): in a NetworkPolicy every `ipBlock` peer, in a
 * ClusterNetworkPolicy/AdminNetworkPolicy every `networks` peer. Peers of other kinds, and rules
 * without such peers, are untouched.
 */
export function isFeedManaged(peer: Peer | AdminEgressPeer): boolean {
  return peer.kind === "ipBlock" || peer.kind === "networks";
}

/** A policy carrying a `portcullis.dev/feed-selector` annotation, NetworkPolicy or admin policy. */
export interface BoundPolicy {
  readonly ref: ObjectRef;
  /** `ns/name` for a NetworkPolicy, the name for a cluster-scoped admin policy. */
  readonly id: string;
  readonly binding: FeedBinding;
  readonly at: Location;
}

/** A problem that stops a refresh: a binding that cannot be read, a selection that cannot be made, a hand-edited ipBlock. */
export interface RefreshError {
  readonly object: ObjectRef;
  readonly at: Location;
  readonly message: string;
}

export type BoundRead = { readonly ok: true; readonly bound: readonly BoundPolicy[] } | { readonly ok: false; readonly errors: readonly RefreshError[] };

function networkPolicyRef(p: Policy): ObjectRef {
  return { kind: "NetworkPolicy", namespace: p.namespace, name: p.name };
}

function adminRef(p: AdminPolicy): ObjectRef {
  return { kind: p.source.kind, namespace: "", name: p.name };
}

function bindingOf(annotations: Labels | undefined, object: ObjectRef, at: Location, id: string): BoundPolicy | RefreshError | null {
  const read = readBinding(annotations ?? new Map());
  if (read.kind === "none") return null;
  if (read.kind === "invalid") return { object, at, message: `annotation ${read.annotation}: ${read.message}` };
  return { ref: object, id, binding: read.binding, at };
}

/** A NetworkPolicy's binding: null when unbound. */
export function networkPolicyBinding(p: Policy): BoundPolicy | RefreshError | null {
  return bindingOf(p.annotations, networkPolicyRef(p), p.at, p.id);
}

/** An admin policy's binding: null when unbound. */
export function adminPolicyBinding(p: AdminPolicy): BoundPolicy | RefreshError | null {
  return bindingOf(p.annotations, adminRef(p), p.at, p.name);
}

export function isBound(r: BoundPolicy | RefreshError): r is BoundPolicy {
  return "binding" in r;
}

/** Every bound policy of the cluster: NetworkPolicies in input order, then admin policies. */
export function boundPolicies(cluster: Cluster): BoundRead {
  const read = [...cluster.policies.map(networkPolicyBinding), ...(cluster.adminPolicies ?? []).map(adminPolicyBinding)].filter((r) => r !== null);
  const errors = read.filter((r): r is RefreshError => !isBound(r));
  return errors.length > 0 ? { ok: false, errors } : { ok: true, bound: read.filter(isBound) };
}

/** The union of a binding's selections in `feed`, IPv4 first then IPv6, each in address order; or why not. */
export function bindingCidrs(binding: FeedBinding, feed: Feed): { readonly ok: true; readonly cidrs: readonly Cidr[] } | { readonly ok: false; readonly message: string } {
  const r = replacementFor(binding, new Map([[binding.provider, feed]]));
  return r.ok ? { ok: true, cidrs: [...r.replacement.v4, ...r.replacement.v6] } : r;
}

/** The managed peers of a rule replaced by `fresh` at the place of the first of them; null: the rule has none. */
function replacePeers<P extends Peer | AdminEgressPeer>(peers: readonly P[], fresh: (at: Location) => P[]): P[] | null {
  const first = peers.findIndex(isFeedManaged);
  const at = peers[first]?.at;
  if (at === undefined) return null;
  const kept = peers.filter((p) => !isFeedManaged(p));
  return [...kept.slice(0, first), ...fresh(at), ...kept.slice(first)];
}

function refreshNetworkPolicy(p: Policy, cidrs: readonly Cidr[]): Policy | RefreshError {
  for (const rule of p.egress) {
    if (rule.peers === "all") continue;
    const edited = rule.peers.find((peer) => peer.kind === "ipBlock" && peer.except.length > 0);
    if (edited !== undefined) return { object: networkPolicyRef(p), at: edited.at, message: "an ipBlock with except in a feed-bound policy is hand-edited: the feed's ranges cannot replace it" };
  }
  const egress = p.egress.map((rule): Rule => {
    if (rule.peers === "all") return rule;
    const peers = replacePeers<Peer>(rule.peers, (at) => cidrs.map((cidr) => ({ kind: "ipBlock", cidr, except: [], at })));
    return peers === null ? rule : { ...rule, peers };
  });
  return { ...p, egress };
}

function refreshAdminRule(rule: AdminRule<AdminEgressPeer>, cidrs: readonly Cidr[]): AdminRule<AdminEgressPeer> {
  if (rule.match.kind !== "as-written") return rule;
  const peers = replacePeers<AdminEgressPeer>(rule.match.peers, (at) => networksChunks(cidrs).map((networks) => ({ kind: "networks", networks, at })));
  if (peers === null) return rule;
  // Spread per action so the rule's action/match pairing stays as typed.
  return rule.action === "Accept" ? { ...rule, match: { ...rule.match, peers } } : { ...rule, match: { ...rule.match, peers } };
}

function refreshAdminPolicy(p: AdminPolicy, cidrs: readonly Cidr[]): AdminPolicy {
  return { ...p, egress: p.egress.map((r) => refreshAdminRule(r, cidrs)) };
}

/** What a refresh replaced: each bound policy whose provider's feed was given, with the CIDRs it now holds. */
export interface Refreshed {
  readonly policy: BoundPolicy;
  readonly cidrs: readonly Cidr[];
}

export type RefreshResult =
  | { readonly ok: true; readonly cluster: Cluster; readonly refreshed: readonly Refreshed[] }
  | { readonly ok: false; readonly errors: readonly RefreshError[] };

/**
 * The cluster with every bound policy whose provider has a feed in `feeds` refreshed: its managed
 * peers replaced by the union of its selections (NetworkPolicy: one ipBlock per CIDR; admin: `networks`
 * peers of at most 25 CIDRs). Bound policies of other providers, and unbound policies, are untouched.
 * An empty union leaves rules whose peers were all managed with no peer: they match nothing.
 */
export function refreshCluster(cluster: Cluster, feeds: ReadonlyMap<FeedProvider, Feed>): RefreshResult {
  const read = boundPolicies(cluster);
  if (!read.ok) return read;
  const errors: RefreshError[] = [];
  const refreshed: Refreshed[] = [];
  const cidrsOf = (b: BoundPolicy): readonly Cidr[] | null => {
    const feed = feeds.get(b.binding.provider);
    if (feed === undefined) return null;
    const r = bindingCidrs(b.binding, feed);
    if (!r.ok) {
      errors.push({ object: b.ref, at: b.at, message: r.message });
      return null;
    }
    refreshed.push({ policy: b, cidrs: r.cidrs });
    return r.cidrs;
  };
  const policies = cluster.policies.map((p) => {
    const b = networkPolicyBinding(p);
    const cidrs = b === null || !isBound(b) ? null : cidrsOf(b);
    if (cidrs === null) return p;
    const r = refreshNetworkPolicy(p, cidrs);
    if (!("egress" in r)) {
      errors.push(r);
      return p;
    }
    return r;
  });
  const admin = cluster.adminPolicies?.map((p) => {
    const b = adminPolicyBinding(p);
    const cidrs = b === null || !isBound(b) ? null : cidrsOf(b);
    return cidrs === null ? p : refreshAdminPolicy(p, cidrs);
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, cluster: admin === undefined ? { ...cluster, policies } : { ...cluster, policies, adminPolicies: admin }, refreshed };
}

/** The CIDRs a NetworkPolicy's managed peers hold now (ipBlock `cidr`s of its egress rules), in rule order. */
export function managedNetworkPolicyCidrs(p: Policy): Cidr[] {
  return p.egress.flatMap((rule) => (rule.peers === "all" ? [] : rule.peers.flatMap((peer) => (peer.kind === "ipBlock" && isFeedManaged(peer) ? [peer.cidr] : []))));
}

/** The CIDRs an admin policy's managed peers hold now (`networks` of its egress rules). */
export function managedAdminCidrs(p: AdminPolicy): Cidr[] {
  return p.egress.flatMap((rule) => (rule.match.kind !== "as-written" ? [] : rule.match.peers.flatMap((peer) => (peer.kind === "networks" && isFeedManaged(peer) ? peer.networks : []))));
}

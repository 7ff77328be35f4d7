import type { Direction, Endpoint, Policy } from "../model/cluster.js";
import { AddressSet, compareAddressSets } from "../net/address-set.js";
import { ipBlockAddresses, targetAddresses } from "../engine/addresses.js";
import type { Engine } from "../engine/engine.js";
import type { Target } from "../engine/types.js";
import { type Tier, type TierRule, ADMIN_TIER_END, NETWORK_POLICY_ACTION, NETWORK_POLICY_END, walkTiers } from "../engine/tiers.js";
import { adminTierGrants } from "./admin-grants.js";
import { ALL_GRANTS, type Grants, disjointGrants, grantSets } from "./grants.js";
import { ConnSet } from "./connset.js";
import { ruleConns } from "./rule-conns.js";

/** What one direction allows towards a peer: for all of its addresses, and for only some of them. */
export interface DirectionConns {
  readonly full: ConnSet;
  readonly partial: ConnSet;
}

/**
 * The connections `subject`'s policies allow in `direction` with the peer `other`: the walk of its
 * verdict layers over every connection with every address of the peer.
 * `full`: allowed whatever the peer's address; `partial`: allowed for some of its addresses only.
 */
export function directionConns(engine: Engine, direction: Direction, subject: Target, other: Target): DirectionConns {
  if (subject.kind === "external" || subject.endpoint.hostNetwork) return { full: ConnSet.ALL, partial: ConnSet.EMPTY };
  // "Policy tiers are evaluated in the following order: * Admin tier * NetworkPolicy tier * Baseline tier."
  const layers = engine.layersSelecting(subject.endpoint, direction);
  // No layer decides: "By default, a pod is non-isolated".
  if (layers.length === 0) return { full: ConnSet.ALL, partial: ConnSet.EMPTY };
  const destination = direction === "egress" ? (other.kind === "endpoint" ? other.endpoint : null) : subject.endpoint;
  const addresses = targetAddresses(other, engine.options);
  const tiers = layers.map((layer): Tier<Grants> => {
    switch (layer.kind) {
      case "admin":
        return { rules: adminTierGrants(engine.requireAdminTiers(), layer.policies, direction, other, addresses, destination), end: ADMIN_TIER_END };
      case "networkpolicy":
        return { rules: networkPolicyGrants(engine, layer.policies, direction, other, addresses, destination), end: NETWORK_POLICY_END };
    }
  });
  const allowed = walkTiers(grantSets(addresses), ALL_GRANTS, tiers);
  return judge(allowed, addresses);
}

/**
 * The rules of the NetworkPolicy v1 tier, each accepting its connections with the peer addresses
 * it admits. A rule whose connections earlier rules of the tier granted for every address decides
 * nothing (the first matching rule decides), so its peers are not looked at.
 */
function networkPolicyGrants(
  engine: Engine,
  policies: readonly Policy[],
  direction: Direction,
  other: Target,
  addresses: AddressSet,
  destination: Endpoint | null,
): TierRule<Grants>[] {
  const out: TierRule<Grants>[] = [];
  let granted = ConnSet.EMPTY;
  for (const policy of policies) {
    for (const rule of policy[direction]) {
      const conns = ruleConns(rule, destination);
      if (conns.isEmpty() || granted.contains(conns)) continue;
      const admitted = rule.peers === "all" ? addresses : rule.peers.reduce((acc, p) => acc.union(engine.matchPeer(policy, p, other, addresses).allowed), AddressSet.EMPTY);
      if (admitted.contains(addresses)) {
        granted = granted.union(conns);
        out.push({ action: NETWORK_POLICY_ACTION, match: { full: conns, partials: [] } });
      } else if (!admitted.isEmpty()) {
        out.push({ action: NETWORK_POLICY_ACTION, match: { full: ConnSet.EMPTY, partials: [{ conns, admitted }] } });
      }
    }
  }
  return out;
}

/**
 * "the egress/ingress traffic allowed for a pod is the union of what all applicable policies allow":
 * grants that each admit only part of the peer's addresses (an IPv4 ipBlock and an IPv6 one, say)
 * may together admit all of them, so the partial grants are united per connection before judging.
 */
function judge(allowed: Grants, addresses: AddressSet): DirectionConns {
  let full = allowed.full;
  if (allowed.partials.length === 0) return { full, partial: ConnSet.EMPTY };
  let partial = ConnSet.EMPTY;
  for (const r of disjointGrants(allowed.partials)) {
    if (r.admitted.contains(addresses)) full = full.union(r.conns);
    else partial = partial.union(r.conns);
  }
  return { full, partial: partial.subtract(full) };
}

/** Connections allowed from `from` to `to`: egress of the source AND ingress of the destination. */
export function pairConns(engine: Engine, from: Target, to: Target): DirectionConns {
  if (from.kind === "endpoint" && to.kind === "endpoint" && from.endpoint === to.endpoint && from.endpoint.kind === "Pod") {
    return { full: ConnSet.ALL, partial: ConnSet.EMPTY };
  }
  const e = directionConns(engine, "egress", from, to);
  const i = directionConns(engine, "ingress", to, from);
  const full = e.full.intersect(i.full);
  const some = e.full.union(e.partial).intersect(i.full.union(i.partial));
  return { full, partial: some.subtract(full) };
}

/** One region of the IP space and the connections allowed with it. */
export interface AddressConns {
  readonly addresses: AddressSet;
  readonly conns: ConnSet;
}

/**
 * The IP space as seen by one endpoint's `direction` rules: regions with the same allowed
 * connections are merged; regions with nothing allowed are omitted.
 */
export function externalConns(engine: Engine, endpoint: Endpoint, direction: Direction): AddressConns[] {
  if (endpoint.hostNetwork) return [{ addresses: AddressSet.ALL, conns: ConnSet.ALL }];
  const layers = engine.layersSelecting(endpoint, direction);
  if (layers.length === 0) return [{ addresses: AddressSet.ALL, conns: ConnSet.ALL }];
  const tiers = layers.map((layer): Tier<Grants> => {
    switch (layer.kind) {
      case "admin":
        // Outside the pod model only `networks` and `nodes` peers (node addresses are not pods) match; named ports resolve on the destination.
        return { rules: adminTierGrants(engine.requireAdminTiers(), layer.policies, direction, OUTSIDE, AddressSet.ALL, direction === "egress" ? null : endpoint), end: ADMIN_TIER_END };
      case "networkpolicy":
        return { rules: networkPolicyExternalGrants(layer.policies, direction, endpoint), end: NETWORK_POLICY_END };
    }
  });
  const allowed = walkTiers(grantSets(AddressSet.ALL), ALL_GRANTS, tiers);
  let regions: AddressConns[] = [{ addresses: AddressSet.ALL, conns: ConnSet.EMPTY }];
  if (!allowed.full.isEmpty()) regions = refine(regions, AddressSet.ALL, allowed.full);
  for (const p of allowed.partials) regions = refine(regions, p.admitted, p.conns);
  return mergeRegions(regions);
}

/** The IP space outside the cluster model, as the other side of a connection. */
const OUTSIDE: Target = { kind: "external", addresses: AddressSet.ALL };

/** The rules of the NetworkPolicy v1 tier towards addresses outside the cluster model: only ipBlocks (or no peers) admit them. */
function networkPolicyExternalGrants(policies: readonly Policy[], direction: Direction, endpoint: Endpoint): TierRule<Grants>[] {
  const out: TierRule<Grants>[] = [];
  for (const policy of policies) {
    for (const rule of policy[direction]) {
      // Egress towards an address names no pod, so named ports admit nothing there.
      const conns = ruleConns(rule, direction === "egress" ? null : endpoint);
      if (conns.isEmpty()) continue;
      const admitted =
        rule.peers === "all" ? AddressSet.ALL : rule.peers.reduce((acc, p) => (p.kind === "ipBlock" ? acc.union(ipBlockAddresses(p)) : acc), AddressSet.EMPTY);
      if (admitted.contains(AddressSet.ALL)) out.push({ action: NETWORK_POLICY_ACTION, match: { full: conns, partials: [] } });
      else if (!admitted.isEmpty()) out.push({ action: NETWORK_POLICY_ACTION, match: { full: ConnSet.EMPTY, partials: [{ conns, admitted }] } });
    }
  }
  return out;
}

function refine(regions: AddressConns[], admitted: AddressSet, conns: ConnSet): AddressConns[] {
  const out: AddressConns[] = [];
  for (const r of regions) {
    const inside = r.addresses.intersect(admitted);
    if (inside.isEmpty() || r.conns.contains(conns)) {
      out.push(r);
      continue;
    }
    out.push({ addresses: inside, conns: r.conns.union(conns) });
    const outside = r.addresses.subtract(admitted);
    if (!outside.isEmpty()) out.push({ addresses: outside, conns: r.conns });
  }
  return out;
}

function mergeRegions(regions: AddressConns[]): AddressConns[] {
  const byKey = new Map<string, AddressConns>();
  for (const r of regions) {
    if (r.conns.isEmpty()) continue;
    const k = r.conns.key();
    const prev = byKey.get(k);
    byKey.set(k, prev === undefined ? r : { addresses: prev.addresses.union(r.addresses), conns: r.conns });
  }
  return [...byKey.values()].sort((a, b) => compareAddressSets(a.addresses, b.addresses));
}

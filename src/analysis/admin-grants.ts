/**
 * The admin tiers (ClusterNetworkPolicy Admin/Baseline, AdminNetworkPolicy,
 * BaselineAdminNetworkPolicy) for the pair analysis: each rule of a tier as the connections its
 * `protocols` cover with the peer addresses its peers match, for the tier walk over connections
 * (engine/tiers.ts). The peers are matched by the engine's own admin tiers (engine/admin-tiers.ts),
 * which the check uses too; only the protocols are read here, as sets of connections.
 */
import type { AdminEgressPeer, AdminPolicy, AdminRule } from "../model/admin-policy.js";
import type { Direction, Endpoint } from "../model/cluster.js";
import { AddressSet } from "../net/address-set.js";
import { type AdminTiers, ruleAction } from "../engine/admin-tiers.js";
import type { TierRule } from "../engine/tiers.js";
import type { Target } from "../engine/types.js";
import { ConnSet } from "./connset.js";
import type { Grants } from "./grants.js";
import { adminProtocolsConns } from "./rule-conns.js";

/**
 * One rule as the connections and the addresses of `other` (at `addresses`) it matches. A rule that
 * fails closed: "For "Accept" rules, "fail closed" means: "treat the rule as matching no traffic".
 * For "Deny" and "Pass" rules, "fail closed" means: "treat the rule as a 'Deny all' rule"."
 */
export function adminRuleGrants(admin: AdminTiers, rule: AdminRule<AdminEgressPeer>, other: Target, addresses: AddressSet, destination: Endpoint | null): { conns: ConnSet; admitted: AddressSet } {
  const m = rule.match;
  if (m.kind === "matches-nothing") return { conns: ConnSet.EMPTY, admitted: AddressSet.EMPTY };
  if (m.kind === "denies-all") return { conns: ConnSet.ALL, admitted: addresses };
  const conns = adminProtocolsConns(m.protocols, destination);
  if (conns.isEmpty()) return { conns, admitted: AddressSet.EMPTY };
  let admitted = AddressSet.EMPTY;
  for (const peer of m.peers) {
    const hit = admin.peerMatches(peer, other, addresses);
    if (hit.isEmpty()) continue;
    admitted = admitted.isEmpty() ? hit : admitted.union(hit);
    if (admitted.contains(addresses)) break;
  }
  return { conns, admitted };
}

/**
 * The rules of one admin tier of a subject (`policies`, in precedence order), each with its action
 * and the connections with the addresses of `other` it matches; `destination` is where named ports
 * resolve. A rule whose connections earlier rules of the tier matched for every address decides
 * nothing (the first matching rule decides), so its peers are not looked at.
 */
export function adminTierGrants(
  admin: AdminTiers,
  policies: readonly AdminPolicy[],
  direction: Direction,
  other: Target,
  addresses: AddressSet,
  destination: Endpoint | null,
): TierRule<Grants>[] {
  const out: TierRule<Grants>[] = [];
  let decided = ConnSet.EMPTY;
  for (const policy of policies) {
    for (const rule of policy[direction] as readonly AdminRule<AdminEgressPeer>[]) {
      if (decided.isAll()) return out;
      const { conns, admitted } = adminRuleGrants(admin, rule, other, addresses, destination);
      if (conns.isEmpty() || admitted.isEmpty() || decided.contains(conns)) continue;
      const action = ruleAction(rule);
      if (admitted.contains(addresses)) {
        decided = decided.union(conns);
        out.push({ action, match: { full: conns, partials: [] } });
      } else {
        out.push({ action, match: { full: ConnSet.EMPTY, partials: [{ conns, admitted }] } });
      }
    }
  }
  return out;
}

/**
 * The `domainNames` peers of the input's admin policies, as the domain lint rules read them: each
 * rule that has one, its policy, and each entry with its pattern (src/dns/names.ts, the one
 * definition of matching).
 */
import type { DomainPattern } from "../dns/names.js";
import type { AdminEgressPeer, AdminPolicy, AdminRule, DomainName } from "../model/admin-policy.js";
import type { Cluster } from "../model/cluster.js";
import { rulesOf } from "./admin-cover.js";

export type DomainPeer = Extract<AdminEgressPeer, { kind: "domainNames" }>;

/** One `domainNames` entry, where it is written, and its pattern (null: not a name the CRD admits). */
export interface DomainEntry {
  readonly policy: AdminPolicy;
  readonly rule: AdminRule<AdminEgressPeer>;
  readonly peer: DomainPeer;
  readonly name: DomainName;
  readonly pattern: DomainPattern | null;
}

/** An egress rule (as written, not failing closed) with at least one `domainNames` peer. */
export interface DomainRule {
  readonly policy: AdminPolicy;
  readonly rule: AdminRule<AdminEgressPeer>;
  readonly peers: readonly DomainPeer[];
}

/** The admin egress rules with a `domainNames` peer, in input order. */
export function domainRules(cluster: Cluster): DomainRule[] {
  return (cluster.adminPolicies ?? []).flatMap((policy) =>
    rulesOf(policy, "egress").flatMap((rule) => {
      if (rule.match.kind !== "as-written") return [];
      const peers = rule.match.peers.filter((p): p is DomainPeer => p.kind === "domainNames");
      return peers.length === 0 ? [] : [{ policy, rule, peers }];
    }),
  );
}

/** Every `domainNames` entry of the input, in input order. */
export function domainEntries(cluster: Cluster): DomainEntry[] {
  return domainRules(cluster).flatMap(({ policy, rule, peers }) => peers.flatMap((peer) => peer.domainNames.map((name) => ({ policy, rule, peer, name, pattern: name.pattern }))));
}

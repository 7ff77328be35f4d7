/**
 * Domain destinations (issue 12: "`egress` and `graph` show domain destinations as named nodes"):
 * the `domainNames` entries of the admin rules that decide a workload's egress, each with its rule
 * and the connections (protocols, ports) the rule names; with a resolution snapshot, the names of
 * the snapshot each pattern matches and the addresses they resolve to (src/dns: the one
 * definition of matching and of resolution).
 */
import type { ConnSet } from "../analysis/connset.js";
import { adminProtocolsConns } from "../analysis/rule-conns.js";
import type { Location } from "../diag/location.js";
import { type DomainPattern, formatPattern } from "../dns/names.js";
import type { DnsSnapshot } from "../dns/snapshot.js";
import type { Engine } from "../engine/engine.js";
import { type AdminAction, type AdminEgressPeer, type AdminRule, type AdminRuleName, adminRuleName, effectiveAction } from "../model/admin-policy.js";
import type { Endpoint, Service } from "../model/cluster.js";
import { serviceName, serviceWithClusterIp } from "../model/service.js";
import type { Ip } from "../net/ip.js";

/** One `domainNames` entry of a rule that decides a workload's egress. */
export interface DomainDestination {
  /** The pattern as compared (`*.example.com`, `api.stripe.com`), or the entry as written when it is none. */
  readonly pattern: string;
  readonly parsed: DomainPattern | null;
  readonly action: AdminAction;
  readonly rule: AdminRuleName;
  /** The connections the rule names (`protocols`; every connection when it names none). */
  readonly conns: ConnSet;
  /** Where the entry is written. */
  readonly at: Location;
}

/** A name of the snapshot a pattern matches, and an address it resolves to: `chain` from the name to the address record, `ttl` the smallest along it. */
export interface ResolvedAddress {
  readonly name: string;
  readonly address: Ip;
  readonly chain: readonly string[];
  readonly ttl: number;
  /** `payments/api` when the address is that Service's ClusterIP: after Service translation no connection goes to it. */
  readonly clusterIpOf?: string;
}

/**
 * The domain entries of the admin rules that decide `e`'s egress, in the order the tiers walk them:
 * the Admin tier's, and the Baseline tier's unless NetworkPolicy isolates it (its verdict is then
 * final). Host-network pods have none ("host-networked pods are not included in subject selection").
 */
export function domainDestinations(engine: Engine, e: Endpoint): DomainDestination[] {
  if (e.hostNetwork) return [];
  const isolated = engine.policiesSelecting(e, "egress").length > 0;
  const out: DomainDestination[] = [];
  for (const layer of engine.layersSelecting(e, "egress")) {
    if (layer.kind !== "admin" || (layer.tier === "Baseline" && isolated)) continue;
    for (const policy of layer.policies) {
      for (const rule of policy.egress as readonly AdminRule<AdminEgressPeer>[]) {
        if (rule.match.kind !== "as-written") continue;
        const conns = adminProtocolsConns(rule.match.protocols, null);
        for (const peer of rule.match.peers) {
          if (peer.kind !== "domainNames") continue;
          for (const d of peer.domainNames) {
            const parsed = d.pattern;
            out.push({ pattern: parsed === null ? d.text : formatPattern(parsed), parsed, action: effectiveAction(rule), rule: adminRuleName(layer.tier, policy, rule), conns, at: d.at });
          }
        }
      }
    }
  }
  return out;
}

/**
 * The addresses `d`'s pattern admits in `snapshot`: each matching name's resolutions, in snapshot
 * order, sorted by address within a name; an address that is a ClusterIP of `services` says whose.
 */
export function resolvedAddresses(d: DomainDestination, snapshot: DnsSnapshot, services: readonly Service[]): ResolvedAddress[] {
  if (d.parsed === null) return [];
  return snapshot.matching(d.parsed).flatMap((m) =>
    m.resolutions.map((r) => {
      const service = serviceWithClusterIp(services, r.address);
      return { name: m.name, address: r.address, chain: [...r.chain], ttl: r.ttl, ...(service === undefined ? {} : { clusterIpOf: serviceName(service) }) };
    }),
  );
}

/** How an address came from a pattern: ` (api.example.com → edge.cdn.net)` for a chain, ` (a.example.com)` for the name a wildcard matched, nothing for the pattern's own name. */
export function viaText(r: { readonly name: string; readonly chain: readonly string[] }, pattern: string): string {
  if (r.chain.length > 1) return ` (${r.chain.join(" → ")})`;
  return r.name === pattern ? "" : ` (${r.name})`;
}

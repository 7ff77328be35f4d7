import type { Endpoint, Rule } from "../model/cluster.js";
import type { AddressSet } from "../net/address-set.js";
import { formatIp } from "../net/ip.js";
import type { RuleLookups, RuleSpec } from "./rule-sets.js";
import type { AdminRuleSpec } from "./admin-rules.js";

/**
 * Rule sets from the last compile, kept by a caller that compiles again and again (the enforcer):
 * a rule whose inputs are the same is not turned into elements again. The inputs of a rule's sets
 * are its id hash, its ports, the addresses its peers admit and, for named ports, the ports of the
 * pods that resolve them; the key below holds all of them, so a hit gives what a compile would.
 * Entries not used by a compile are dropped after it.
 */
export class CompileCache {
  private previous = new Map<string, RuleLookups>();
  private current = new Map<string, RuleLookups>();
  hits = 0;
  misses = 0;

  lookups(key: string, compute: () => RuleLookups): RuleLookups {
    let found = this.current.get(key) ?? this.previous.get(key);
    if (found === undefined) {
      found = compute();
      this.misses++;
    } else this.hits++;
    this.current.set(key, found);
    return found;
  }

  /** Ends a compile: what it did not use is forgotten. */
  settle(): void {
    this.previous = this.current;
    this.current = new Map();
  }
}

const portsKey = (rule: Rule): string =>
  rule.ports === "all" ? "all" : rule.ports.map((p) => `${p.protocol}:${JSON.stringify(p.port)}`).join(",");

const endpointKey = (e: Endpoint, addresses?: AddressSet): string =>
  `${addresses === undefined ? e.ips.map(formatIp).join("+") : addresses.key()}=${e.ports.map((p) => `${p.name ?? ""}/${p.protocol}/${p.port}`).join("+")}`;

/** Everything `ruleLookups` reads, as text. */
export function ruleLookupsKey(spec: RuleSpec, addresses: AddressSet, named: ReadonlyMap<Endpoint, AddressSet>, members: readonly Endpoint[]): string {
  const peerKinds = spec.rule.peers === "all" ? "all" : spec.rule.peers.map((p) => (p.kind === "pods" ? "pods" : `ip${p.cidr.family}`)).join(",");
  return [
    spec.direction,
    spec.hash,
    portsKey(spec.rule),
    peerKinds,
    addresses.key(),
    [...named].map(([e, a]) => endpointKey(e, a)).join(";"),
    members.map((e) => endpointKey(e)).join(";"),
  ].join("|");
}

/**
 * Everything `adminRuleLookups` reads, as text: the id hash, the rule's match (kind, protocols),
 * the addresses its peers match, and the pods its named ports resolve on.
 */
export function adminRuleLookupsKey(spec: AdminRuleSpec, peers: AddressSet, endpoints: readonly Endpoint[], members: readonly Endpoint[]): string {
  const m = spec.rule.match;
  const protocols =
    m.kind !== "as-written" || m.protocols === "all"
      ? "all"
      : m.protocols.map((p) => (p.kind === "namedPort" ? `named:${p.name}` : `${p.protocol}:${p.port.kind === "number" ? p.port.port : `${p.port.start}-${p.port.end}`}`)).join(",");
  return [
    "admin",
    spec.direction,
    spec.hash,
    m.kind,
    protocols,
    peers.key(),
    endpoints.map((e) => endpointKey(e)).join(";"),
    members.map((e) => endpointKey(e)).join(";"),
  ].join("|");
}

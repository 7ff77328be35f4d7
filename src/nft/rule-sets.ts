import { ConnSet } from "../analysis/connset.js";
import { ruleConns } from "../analysis/rule-conns.js";
import type { Direction, Endpoint, Policy, Rule } from "../model/cluster.js";
import { type Family, formatIp } from "../net/ip.js";
import { PROTOCOLS } from "../model/ports.js";
import { AddressSet } from "../net/address-set.js";
import type { IntervalSet } from "../net/interval-set.js";
import { ADDRESS_TYPE, FAMILIES, IP_KEYWORD, NFT_PROTOCOL, formatAddresses } from "./elements.js";
import { portsSetName, setName } from "./ids.js";
import type { PeerResolver, RulePeers } from "./peers.js";
import type { NftSet } from "./types.js";

/** One rule of one policy; `hash` names its id and sets. */
export interface RuleSpec {
  readonly hash: string;
  readonly id: string;
  readonly direction: Direction;
  readonly policy: Policy;
  readonly rule: Rule;
}

/** The sets of one rule and the match expressions that look them up, one per set. */
export interface RuleLookups {
  readonly sets: readonly NftSet[];
  readonly matches: readonly string[];
}

const ADDR = ADDRESS_TYPE;
const IP = IP_KEYWORD;

const hasNamedPort = (rule: Rule): boolean => rule.ports !== "all" && rule.ports.some((p) => p.port.kind === "named");

/** The families a rule can admit: ipBlock peers fix theirs; selector peers and "all" admit both. */
function ruleFamilies(rule: Rule): Family[] {
  if (rule.peers === "all" || rule.peers.some((p) => p.kind === "pods")) return [...FAMILIES];
  const peers = rule.peers;
  return FAMILIES.filter((f) => peers.some((p) => p.kind === "ipBlock" && p.cidr.family === f));
}

/** An interval set of `type` named `name`, holding `elements`. */
export const lookupSet = (name: string, type: string, elements: readonly string[]): NftSet => ({
  name,
  kind: "set",
  type,
  interval: true,
  elements: elements.map((key) => ({ key })),
});

/**
 * The sets for one rule. The peer side is `daddr` for egress and `saddr` for ingress; the peer
 * addresses are a set of their own per family (`X_vN`, the only set a pod peer changes):
 * - no `ports`: the peer address alone (every protocol, every port, ICMP too);
 * - numbered ports admit the same ports for every peer: the peer address, then `l4proto . dport`
 *   in the rule's ports (`X_ports`, fixed by the policy);
 * - named ports resolve on the destination pod, per destination address: `daddr . l4proto . dport`
 *   in a hash set (`X_named_vN`, exact keys) — egress: of the peer pods; ingress: of the local pods
 *   the rule's policy isolates, after the source is found among the peers.
 * So a pod coming or going changes its own elements (an address, a named-port entry), never
 * sources × ports or sources × local pods. Which sets exist depends only on the policy, never on
 * pods: pod changes stay element changes. A family gets sets only when the rule can admit it
 * (ipBlock peers fix the family).
 */
export function ruleLookups(spec: RuleSpec, peers: RulePeers, members: readonly Endpoint[], same?: RuleLookups): RuleLookups {
  const { direction, rule } = spec;
  // `same`: this rule's sets from the same peers, for other members: only the ingress named-port sets differ.
  const kept = new Map((same?.sets ?? []).filter((s) => !(direction === "ingress" && isNamedSet(s))).map((s) => [s.name, s]));
  const numeric = ruleConns(rule, null);
  const named = !hasNamedPort(rule)
    ? null
    : direction === "egress"
      ? (f: Family) => namedByAddress(f, [...peers.endpoints].map(([e, a]) => [a.family(f), ruleConns(rule, e).subtract(numeric)]))
      : (f: Family) => namedByAddress(f, members.map((pod) => [AddressSet.fromIps(pod.ips).family(f), ruleConns(rule, pod).subtract(numeric)]));
  return portLookups({ direction, hash: spec.hash, families: ruleFamilies(rule), addresses: (f) => peers.addresses.family(f), ports: rule.ports === "all" ? "all" : numeric, named }, kept);
}

/** What `portLookups` makes the lookups of a rule (NetworkPolicy or admin) from. */
export interface PortLookupInput {
  readonly direction: Direction;
  readonly hash: string;
  readonly families: readonly Family[];
  /** The peer addresses. */
  readonly addresses: (f: Family) => IntervalSet;
  /** "all": every protocol and port; otherwise what the numbered ports admit for every peer. */
  readonly ports: "all" | ConnSet;
  /** With named ports: per destination address, what its names add to `ports`. */
  readonly named: ((f: Family) => ReadonlyMap<bigint, ConnSet>) | null;
}

/** The sets and matches of a rule (see `ruleLookups`); `kept`: sets to hand back by name (same peers). */
export function portLookups(input: PortLookupInput, kept?: ReadonlyMap<string, NftSet>): RuleLookups {
  const { direction, hash, ports, named } = input;
  const side = direction === "egress" ? "daddr" : "saddr";
  const sets: NftSet[] = [];
  const matches: string[] = [];
  const numbered = ports !== "all" && !ports.isEmpty();
  const portsName = portsSetName(direction, hash);
  if (numbered && input.families.length > 0) sets.push(kept?.get(portsName) ?? lookupSet(portsName, "inet_proto . inet_service", portElements(ports)));
  for (const f of input.families) {
    const name = setName(direction, hash, f);
    // Egress named ports alone look up the destination's entry only (its address is in it).
    if (ports === "all" || numbered || direction === "ingress") sets.push(kept?.get(name) ?? lookupSet(name, ADDR[f], formatAddresses(f, input.addresses(f))));
    if (ports === "all") matches.push(`${IP[f]} ${side} @${name}`);
    if (numbered) matches.push(`${IP[f]} ${side} @${name} meta l4proto . th dport @${portsName}`);
    if (named !== null) {
      const namedName = setName(direction, hash, f, "named");
      sets.push(kept?.get(namedName) ?? { name: namedName, kind: "set", type: `${ADDR[f]} . inet_proto . inet_service`, interval: false, elements: namedElements(f, named(f)).map((key) => ({ key })) });
      matches.push(`${direction === "ingress" ? `${IP[f]} saddr @${name} ` : ""}${IP[f]} daddr . meta l4proto . th dport @${namedName}`);
    }
  }
  return { sets, matches };
}

const isNamedSet = (s: NftSet): boolean => s.name.endsWith("_named_v4") || s.name.endsWith("_named_v6");

/** `proto . ports` of what every peer is admitted on (port ranges as `lo-hi`). */
function portElements(conns: ConnSet): string[] {
  return PROTOCOLS.flatMap((protocol) => conns.ports(protocol).intervals.map((i) => `${NFT_PROTOCOL[protocol]} . ${i.lo === i.hi ? `${i.lo}` : `${i.lo}-${i.hi}`}`));
}

/** Per address of family `f`, the union of the connections of every (addresses, connections) pair covering it. */
export function namedByAddress(f: Family, pairs: Iterable<readonly [IntervalSet, ConnSet]>): Map<bigint, ConnSet> {
  const out = new Map<bigint, ConnSet>();
  for (const [addresses, conns] of pairs) {
    if (conns.isEmpty()) continue;
    for (const i of addresses.intervals) {
      for (let v = i.lo; v <= i.hi; v++) out.set(v, (out.get(v) ?? ConnSet.EMPTY).union(conns));
    }
  }
  return out;
}

/** The peers of a rule as `ruleLookups` needs them: with the admitted endpoints when egress named ports resolve against them. */
export function rulePeersOf(resolver: PeerResolver, spec: RuleSpec): RulePeers {
  return resolver.rulePeers(spec.policy, spec.rule, spec.direction === "egress" && hasNamedPort(spec.rule));
}

/** Ingress named ports resolve against the local pods the rule's policy isolates; nothing else needs them. */
export const needsMembers = (spec: RuleSpec): boolean => spec.direction === "ingress" && hasNamedPort(spec.rule);

/**
 * `daddr . proto . port` for each destination address whose pod's container ports resolve a named
 * port, in address order. Exact values (no interval flag: a hash set, not the kernel's pipapo):
 * named ports resolve to single port numbers.
 */
function namedElements(f: Family, byAddress: ReadonlyMap<bigint, ConnSet>): string[] {
  const out: string[] = [];
  for (const [value, conns] of [...byAddress].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const address = formatIp({ family: f, value });
    for (const protocol of PROTOCOLS) {
      for (const ports of conns.ports(protocol).intervals) {
        for (let port = ports.lo; port <= ports.hi; port++) out.push(`${address} . ${NFT_PROTOCOL[protocol]} . ${port}`);
      }
    }
  }
  return out;
}

import { ConnSet } from "../analysis/connset.js";
import { ruleConns } from "../analysis/rule-conns.js";
import type { Direction, Endpoint, Policy, Rule } from "../model/cluster.js";
import { type Family, formatIp } from "../net/ip.js";
import { ADDRESS_TYPE, type Contribution, FAMILIES, IP_KEYWORD, formatAddresses, partition, segmentElements } from "./elements.js";
import { setName } from "./ids.js";
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
const hasNumberedPort = (rule: Rule): boolean => rule.ports !== "all" && rule.ports.some((p) => p.port.kind !== "named");

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
 * The sets for one rule, per family. The peer side is `daddr` for egress and `saddr` for ingress:
 * - no `ports`: the peer address alone (every protocol, every port, ICMP too);
 * - otherwise `peer . l4proto . dport`. Egress named ports are resolved per destination pod IP, so
 *   they fit the same set. Ingress named ports are resolved against the local pod the packet goes
 *   to, so they need the destination too: `saddr . daddr . l4proto . dport` over the `members`.
 * Which sets exist depends only on the policy, never on pods: pod changes stay element changes.
 * A family gets sets only when the rule can admit it (ipBlock peers fix the family).
 */
export function ruleLookups(spec: RuleSpec, peers: RulePeers, members: readonly Endpoint[], same?: RuleLookups): RuleLookups {
  const { direction, rule, hash } = spec;
  const side = direction === "egress" ? "daddr" : "saddr";
  const sets: NftSet[] = [];
  const matches: string[] = [];
  // `same`: this rule's sets from the same peers, for other members: only the named-port sets differ.
  const kept = new Map((same?.sets ?? []).map((s) => [s.name, s]));
  for (const f of ruleFamilies(rule)) {
    const name = setName(direction, hash, f);
    const addresses = peers.addresses.family(f);
    const reused = kept.get(name);
    if (reused !== undefined) {
      sets.push(reused);
      matches.push(rule.ports === "all" ? `${IP[f]} ${side} @${name}` : `${IP[f]} ${side} . meta l4proto . th dport @${name}`);
    } else if (rule.ports === "all") {
      sets.push(lookupSet(name, ADDR[f], formatAddresses(f, addresses)));
      matches.push(`${IP[f]} ${side} @${name}`);
      continue;
    }
    if (reused === undefined && (direction === "egress" || hasNumberedPort(rule))) {
      const contributions: Contribution[] = [{ addresses, conns: ruleConns(rule, null) }];
      if (direction === "egress" && hasNamedPort(rule)) {
        for (const [e, a] of peers.endpoints) contributions.push({ addresses: a.family(f), conns: ruleConns(rule, e) });
      }
      sets.push(lookupSet(name, `${ADDR[f]} . inet_proto . inet_service`, segmentElements(f, partition(contributions))));
      matches.push(`${IP[f]} ${side} . meta l4proto . th dport @${name}`);
    }
    if (direction === "ingress" && hasNamedPort(rule)) {
      const named = setName(direction, hash, f, true);
      const numeric = ruleConns(rule, null);
      const elements = namedIngressElements(f, (pod) => ruleConns(rule, pod).subtract(numeric), addresses, members);
      sets.push(lookupSet(named, `${ADDR[f]} . ${ADDR[f]} . inet_proto . inet_service`, elements));
      matches.push(`${IP[f]} saddr . ${IP[f]} daddr . meta l4proto . th dport @${named}`);
    }
  }
  return { sets, matches };
}

/** The peers of a rule as `ruleLookups` needs them: with the admitted endpoints when egress named ports resolve against them. */
export function rulePeersOf(resolver: PeerResolver, spec: RuleSpec): RulePeers {
  return resolver.rulePeers(spec.policy, spec.rule, spec.direction === "egress" && hasNamedPort(spec.rule));
}

/** Ingress named ports resolve against the local pods the rule's policy isolates; nothing else needs them. */
export const needsMembers = (spec: RuleSpec): boolean => spec.direction === "ingress" && hasNamedPort(spec.rule);

/**
 * `saddr . daddr . proto . port` for each local pod address whose container ports resolve a named
 * port: `extra` says what a pod's names add to what the numbered ports already admit.
 */
export function namedIngressElements(f: Family, extra: (pod: Endpoint) => ConnSet, sources: Contribution["addresses"], members: readonly Endpoint[]): string[] {
  const byAddress = new Map<bigint, ConnSet>();
  for (const pod of members) {
    const more = extra(pod);
    if (more.isEmpty()) continue;
    for (const ip of pod.ips) {
      if (ip.family === f) byAddress.set(ip.value, (byAddress.get(ip.value) ?? ConnSet.EMPTY).union(more));
    }
  }
  let memo = namedMemo.get(sources);
  if (memo === undefined) {
    memo = new Map();
    namedMemo.set(sources, memo);
  }
  const out: string[] = [];
  for (const [value, conns] of [...byAddress].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const key = `${value}|${conns.key()}`;
    let elements = memo.get(key);
    if (elements === undefined) {
      elements = segmentElements(f, partition([{ addresses: sources, conns }]), `${formatIp({ family: f, value })} . `);
      memo.set(key, elements);
    }
    for (const e of elements) out.push(e);
  }
  return out;
}

/**
 * The elements of one local address of an ingress named-port set, per source addresses (kept while
 * that object lives: the peer resolver hands the same one back while the peers are unchanged) and
 * address and connections: a pod that comes to a rule's members costs its own elements only.
 */
const namedMemo = new WeakMap<Contribution["addresses"], Map<string, readonly string[]>>();

/**
 * The rules of the admin tiers (ClusterNetworkPolicy Admin/Baseline, AdminNetworkPolicy,
 * BaselineAdminNetworkPolicy) as set lookups, like the NetworkPolicy rules (rule-sets.ts): one set
 * per family holds every (peer address, protocol, port) the rule matches, so a group chain does one
 * counted lookup per rule and family, in the tier's order, whatever the number of pods.
 */
import { adminProtocolsConns } from "../analysis/rule-conns.js";
import type { AdminTiers } from "../engine/admin-tiers.js";
import { type AdminEgressPeer, type AdminPolicy, type AdminProtocolMatch, type AdminRule, type AdminTier, adminRuleName, effectiveAction, formatAdminPolicy } from "../model/admin-policy.js";
import type { Direction, Endpoint } from "../model/cluster.js";
import { AddressSet } from "../net/address-set.js";
import { type Cidr, formatCidr } from "../net/cidr.js";
import { ADDRESS_TYPE, type Contribution, IP_KEYWORD, partition, portTails, segmentElements } from "./elements.js";
import { type DomainPattern, formatPattern } from "../dns/names.js";
import { setName } from "./ids.js";
import { type RuleLookups, addressLookup, connsPortsMatch, lookupSet, namedIngressLookup } from "./rule-sets.js";
import type { Mode, RuleIdEntry } from "./types.js";
import type { ClusterFamilies } from "./families.js";

/** One rule of one admin policy; `hash` names its id and sets. */
export interface AdminRuleSpec {
  readonly hash: string;
  readonly id: string;
  readonly direction: Direction;
  readonly tier: AdminTier;
  readonly policy: AdminPolicy;
  readonly rule: AdminRule<AdminEgressPeer>;
  /**
   * Names the address set (`<e|i>_<peersHash>_peers_vN`) the rule shares with every admin rule of
   * equal `networks` peers (`adminPeersKey`): 100 policies bound to one feed selection hold its CIDRs
   * once. Null: the rule has its own sets.
   */
  readonly peersHash: string | null;
}

/**
 * The key of the address set an admin rule shares: its peers are `networks` only (CIDRs: the same
 * addresses whatever the cluster holds) and its ports are numbered (no named port, which resolves per
 * destination pod). The canonical CIDRs of their union, so equal selections written apart share.
 */
export function adminPeersKey(rule: AdminRule<AdminEgressPeer>): string | null {
  const m = rule.match;
  if (m.kind !== "as-written" || m.peers.length === 0) return null;
  if (m.protocols !== "all" && m.protocols.some((p) => p.kind === "namedPort")) return null;
  const cidrs: Cidr[] = [];
  for (const p of m.peers) {
    if (p.kind !== "networks") return null;
    cidrs.push(...p.networks);
  }
  return `networks\n${AddressSet.fromCidrs(cidrs).toCidrs().map(formatCidr).join(",")}`;
}

/**
 * The key an admin rule's hash is made from (beside the NetworkPolicy rules' `namespace/name\nindex`,
 * which never start with `admin`): its policy's kind and name, and its index.
 */
export const adminRuleKey = (policy: AdminPolicy, rule: AdminRule<unknown>): string => `admin\n${formatAdminPolicy(policy)}\n${rule.index}`;

/** The rules of an admin policy for a direction, as its precedence walks them: in order. */
export const adminRulesOf = (policy: AdminPolicy, direction: Direction): readonly AdminRule<AdminEgressPeer>[] => policy[direction];

/**
 * The match expressions of one admin rule and their sets. A match expression of "" matches every
 * packet: a Deny or Pass rule that fails closed is "a 'Deny all' rule". An Accept rule that fails
 * closed matches no traffic: no expression at all. Only the families the cluster has (`families`) get sets.
 */
export function adminRuleLookups(spec: AdminRuleSpec, peers: AddressSet, endpoints: readonly Endpoint[], members: readonly Endpoint[], families: ClusterFamilies): RuleLookups {
  const m = spec.rule.match;
  if (m.kind === "matches-nothing") return { sets: [], matches: [] };
  if (m.kind === "denies-all") return { sets: [], matches: [""] };
  const { direction, hash } = spec;
  const side = direction === "egress" ? "daddr" : "saddr";
  const sets: RuleLookups["sets"][number][] = [];
  const matches: string[] = [];
  const protocols = m.protocols;
  const learned = learnedLookups(spec, families);
  // A rule whose peers are all `domainNames` has nothing else to look up.
  if (m.peers.every((p) => p.kind === "domainNames")) return learned;
  const named = protocols === "all" ? [] : protocols.filter((p) => p.kind === "namedPort");
  const numbered = adminProtocolsConns(protocols, null);
  const exactPeers = exactAdminPeers(m.peers);
  const exact = exactPeers && exactAdminProtocols(protocols);
  for (const f of families) {
    const name = setName(direction, hash, f);
    const addresses = peers.family(f);
    const ip = IP_KEYWORD[f];
    // Shared `networks` addresses: the set holds them once for every rule with equal peers, the rule its ports.
    if (spec.peersHash !== null) {
      const ports = protocols === "all" ? "" : connsPortsMatch(numbered);
      if (ports === null) continue;
      const lookup = addressLookup(setName(direction, spec.peersHash, f, "peers"), f, side, addresses, false);
      sets.push(lookup.set);
      matches.push(ports === "" ? lookup.match : `${lookup.match} ${ports}`);
      continue;
    }
    // "If unspecified, protocol-specific attributes will not be used to match traffic": the address alone (ICMP too).
    if (protocols === "all") {
      const lookup = addressLookup(name, f, side, addresses, exactPeers);
      sets.push(lookup.set);
      matches.push(lookup.match);
      continue;
    }
    const contributions: Contribution[] = [{ addresses, conns: numbered }];
    // Egress named ports resolve on the destination pod: per destination address.
    if (direction === "egress" && named.length > 0) {
      for (const e of endpoints) {
        const at = AddressSet.fromIps(e.ips).intersect(peers).family(f);
        if (!at.isEmpty()) contributions.push({ addresses: at, conns: adminProtocolsConns(named, e) });
      }
    }
    const type = `${ADDRESS_TYPE[f]} . inet_proto . inet_service`;
    const elements = segmentElements(f, partition(contributions), "", exact);
    sets.push(exact ? { name, kind: "set", type, interval: false, elements: elements.map((key) => ({ key })) } : lookupSet(name, type, elements));
    matches.push(`${ip} ${side} . meta l4proto . th dport @${name}`);
    // Ingress named ports resolve on the destination: the local pod the packet goes to (a two-step match).
    if (direction === "ingress" && named.length > 0) {
      const two = namedIngressLookup(setName(direction, hash, f, "named"), setName(direction, hash, f, "peers"), f, addresses, exactPeers, (pod) => adminProtocolsConns(named, pod).subtract(numbered), members);
      sets.push(...two.sets);
      matches.push(two.match);
    }
  }
  return { sets: [...sets, ...learned.sets], matches: [...matches, ...learned.matches] };
}

/**
 * The learned lookups of an Accept egress rule with `domainNames` peers: per family a set of
 * `pod address . destination address` pairs with element timeouts, which the node agent's DNS
 * proxy fills from the answers each pod received ("A domain peer matches a destination IP only if
 * the source pod received that IP in a DNS answer for a matching name whose TTL has not expired"),
 * looked up with the rule's protocols and ports. Deny and Pass rules with `domainNames` are refused
 * before compiling (decode.ts); other rules have none.
 */
export function learnedLookups(spec: AdminRuleSpec, families: ClusterFamilies): RuleLookups {
  const m = spec.rule.match;
  if (spec.direction !== "egress" || m.kind !== "as-written" || effectiveAction(spec.rule) !== "Accept" || !m.peers.some((p) => p.kind === "domainNames")) return { sets: [], matches: [] };
  const ports = m.protocols === "all" ? "" : portTails(adminProtocolsConns(m.protocols, null)).map((t) => t.slice(" . ".length)).join(", ");
  // Only named ports (which the API refuses beside domainNames): the rule matches nothing.
  if (m.protocols !== "all" && ports === "") return { sets: [], matches: [] };
  const sets: RuleLookups["sets"][number][] = [];
  const matches: string[] = [];
  for (const f of families) {
    const name = setName("egress", spec.hash, f, "dns");
    const ip = IP_KEYWORD[f];
    sets.push({ name, kind: "set", type: `${ADDRESS_TYPE[f]} . ${ADDRESS_TYPE[f]}`, interval: false, elements: [], learned: true });
    matches.push(`${ip} saddr . ${ip} daddr @${name}${ports === "" ? "" : ` meta l4proto . th dport { ${ports} }`}`);
  }
  return { sets, matches };
}

/** The patterns of a rule's `domainNames` peers, once each (the model validated them: an invalid one is skipped). */
export function rulePatterns(rule: AdminRule<AdminEgressPeer>): DomainPattern[] {
  if (rule.match.kind !== "as-written") return [];
  const out = new Map<string, DomainPattern>();
  for (const peer of rule.match.peers) {
    if (peer.kind !== "domainNames") continue;
    for (const d of peer.domainNames) {
      if (d.pattern !== null) out.set(formatPattern(d.pattern), d.pattern);
    }
  }
  return [...out.values()];
}

/**
 * Whether an admin rule's peers are `namespaces` / `pods` selector peers only: the known IPs of the
 * pods they select, exact values, a hash set whatever the pods. `nodes`, `networks` (CIDRs) and
 * `domainNames` peers keep an interval set. A property of the rule alone, as `exactPeers`.
 */
const exactAdminPeers = (peers: readonly AdminEgressPeer[]): boolean => peers.length > 0 && peers.every((p) => p.kind === "namespaces" || p.kind === "pods");

/** Whether every protocol entry of an admin rule names one port number or a named port (as `exactPorts`); a range keeps an interval set. */
const exactAdminProtocols = (protocols: readonly AdminProtocolMatch[] | "all"): boolean =>
  protocols !== "all" && protocols.every((p) => p.kind === "namedPort" || p.port.kind === "number");

/** The addresses an admin rule's peers match (none for a rule that fails closed: it matches all or nothing without them). */
export function adminRulePeers(admin: AdminTiers, rule: AdminRule<AdminEgressPeer>): AddressSet {
  if (rule.match.kind !== "as-written") return AddressSet.EMPTY;
  let out = AddressSet.EMPTY;
  for (const peer of rule.match.peers) out = out.union(admin.peerAddresses(peer));
  return out;
}



/** What the rule id of an admin rule stands for. */
export function adminRuleEntry(spec: AdminRuleSpec, mode: Mode): RuleIdEntry {
  const { policy, rule } = spec;
  return {
    kind: "admin-rule",
    id: spec.id,
    direction: spec.direction,
    ...adminRuleName(spec.tier, policy, rule),
    action: effectiveAction(rule),
    failClosed: rule.match.kind !== "as-written",
    mode,
  };
}

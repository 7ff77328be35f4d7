import { ConnSet } from "../analysis/connset.js";
import { ruleConns } from "../analysis/rule-conns.js";
import type { Direction, Endpoint, Policy, Rule } from "../model/cluster.js";
import { type Family, formatIp } from "../net/ip.js";
import { PROTOCOLS } from "../model/ports.js";
import { ADDRESS_TYPE, type Contribution, IP_KEYWORD, NFT_PROTOCOL, exactAddresses, flatText, formatAddresses, partition, portTails, segmentElements } from "./elements.js";
import { setName } from "./ids.js";
import type { PeerResolver, RulePeers } from "./peers.js";
import type { NftSet } from "./types.js";
import type { ClusterFamilies } from "./families.js";

/** One rule of one policy; `hash` names its id and sets. */
export interface RuleSpec {
  readonly hash: string;
  readonly id: string;
  readonly direction: Direction;
  readonly policy: Policy;
  readonly rule: Rule;
  /**
   * Names the peer address set (`<e|i>_<peersHash>_peers_vN`) the rule shares with every rule of
   * its direction with equal peers (`rulePeersKey`), when it has one (`sharesPeerSet`); else null.
   */
  readonly peersHash: string | null;
}

/** The sets of one rule and the match expressions that look them up, one per set. */
export interface RuleLookups {
  readonly sets: readonly NftSet[];
  readonly matches: readonly string[];
}

const ADDR = ADDRESS_TYPE;
const IP = IP_KEYWORD;

/**
 * A rule without ports looks its peers up alone; ingress named ports look the source up alone first;
 * and so does a rule with ipBlock peers and numbered ports only (`addressesApartFromPorts`).
 */
export const sharesPeerSet = (direction: Direction, rule: Rule): boolean => rule.ports === "all" || (direction === "ingress" && hasNamedPort(rule)) || addressesApartFromPorts(rule);

/**
 * Whether a rule with ports looks its peer addresses up in the peer set it shares with every rule of
 * equal peers, and its ports in the rule itself (`meta l4proto . th dport { tcp . 443 }`): a rule with
 * an ipBlock peer and only numbered ports. Such a rule admits peers × ports whatever the destination
 * pod, so "address in the peers AND protocol/port in the ports" is exactly `peer . proto . port` in
 * their product; but the product is a copy of the addresses per rule, and a feed's selection (AWS
 * alone ~10k prefixes) bound by 100 policies made 100 copies (issue 13, docs/feeds/enforcement.md).
 * Egress named ports resolve per destination pod and stay in the product; selector-only peers keep
 * their exact (hash) `peer . proto . port` set.
 */
const addressesApartFromPorts = (rule: Rule): boolean => rule.ports !== "all" && !hasNamedPort(rule) && rule.peers !== "all" && rule.peers.some((p) => p.kind === "ipBlock");

/**
 * Whether the rule's peers are selector peers only (pods): their addresses are pod IPs, exact
 * values, whatever the pods. Such peers are a hash set (`exactPeers`); an ipBlock (CIDRs, `except`
 * ranges) or no peers at all (every address) keep an interval set. A property of the rule alone:
 * a pod coming or going changes elements, never the kind of a set.
 */
export const exactPeers = (rule: Rule): boolean => rule.peers !== "all" && rule.peers.length > 0 && rule.peers.every((p) => p.kind === "pods");

/**
 * Whether every port of the rule is one number or a named port (which resolves to single container
 * port numbers): `peer . proto . port` then holds exact values. A protocol without a port (every
 * port) or an `endPort` range keeps an interval set.
 */
export const exactPorts = (rule: Rule): boolean => rule.ports !== "all" && rule.ports.every((p) => p.port.kind === "named" || (p.port.kind === "range" && p.port.from === p.port.to));

const hasNamedPort = (rule: Rule): boolean => rule.ports !== "all" && rule.ports.some((p) => p.port.kind === "named");
const hasNumberedPort = (rule: Rule): boolean => rule.ports !== "all" && rule.ports.some((p) => p.port.kind !== "named");

/** The families a rule can admit among those the cluster has (`families`): ipBlock peers fix theirs; selector peers and "all" admit every one. */
function ruleFamilies(rule: Rule, families: ClusterFamilies): readonly Family[] {
  if (rule.peers === "all" || rule.peers.some((p) => p.kind === "pods")) return families;
  const peers = rule.peers;
  return families.filter((f) => peers.some((p) => p.kind === "ipBlock" && p.cidr.family === f));
}

/** An interval set of `type` named `name`, holding `elements`. */
export const lookupSet = (name: string, type: string, elements: readonly string[]): NftSet => ({
  name,
  kind: "set",
  type,
  interval: true,
  elements: elements.map((key) => ({ key })),
});

/** Every layer-4 protocol number: the protocol field of an address set, which matches on the address alone. */
const ANY_PROTOCOL = "0-255";

/**
 * Addresses as a lookup, whatever the protocol (ICMP too).
 * - `exact` (the addresses of selector peers only, `exactPeers`): a one-field hash set of the
 *   addresses, `ip daddr @name`. A hash set deletes an element at the same small cost whatever it
 *   holds; a pipapo set costs the kernel ~4.5 µs per element held for every element deleted
 *   (docs/performance.md, "What a changed set costs nft").
 * - otherwise (CIDRs, ranges, every address): `addr . l4proto` with every protocol, never a
 *   one-field interval set. nft (1.0.6) reads the elements of every one-field interval set of a
 *   table into its cache before it adds an element to ANY set of that table (0.45 s next to 100k
 *   addresses, for every pod event); it leaves concatenated (pipapo) sets in the kernel. The kernel
 *   knows the layer-4 protocol of every packet the forward hook sees (conntrack reassembles
 *   fragments first).
 */
export function addressLookup(name: string, f: Family, side: "saddr" | "daddr", addresses: Contribution["addresses"], exact: boolean): { set: NftSet; match: string } {
  let byName = madeAddressSets.get(addresses);
  if (byName === undefined) madeAddressSets.set(addresses, (byName = new Map()));
  const key = exact ? `${name}|exact` : name;
  let set = byName.get(key);
  if (set === undefined) {
    set = exact
      ? { name, kind: "set", type: ADDR[f], interval: false, elements: formattedAddresses(f, addresses, true).map((a) => ({ key: a })) }
      : lookupSet(name, `${ADDR[f]} . inet_proto`, formattedAddresses(f, addresses, false).map((a) => `${a} . ${ANY_PROTOCOL}`));
    byName.set(key, set);
  }
  return { set, match: exact ? `${IP[f]} ${side} @${name}` : `${IP[f]} ${side} . meta l4proto @${name}` };
}

/**
 * Address sets already made, by their addresses and name: rules sharing a peer set mostly hand
 * over the very same addresses (the peer resolver's), so the set is made once, not once per rule,
 * and stays the same object (the diff skips it) while they do.
 */
const madeAddressSets = new WeakMap<Contribution["addresses"], Map<string, NftSet>>();

/**
 * The sets for one rule, per family. The peer side is `daddr` for egress and `saddr` for ingress:
 * - no `ports`: the peer address alone (every protocol, every port, ICMP too): a hash set of the
 *   addresses for selector peers only (`exactPeers`), else `addr . l4proto` interval;
 * - otherwise `peer . l4proto . dport`. Egress named ports are resolved per destination pod IP, so
 *   they fit the same set. Ingress named ports are resolved against the local pod the packet goes
 *   to, the same for every source: a two-step match, the source in the rule's peer addresses
 *   (`_peers`) and `daddr . l4proto . dport` in the local pods' resolved ports (`_named`). A pod
 *   coming or going thus changes its own elements, never sources × local pods. `peer . l4proto .
 *   dport` is a hash set when the peers are selector peers only and every port one number or a
 *   named port (`exactPorts`), else an interval set.
 * Which sets exist depends only on the policy, never on pods: pod changes stay element changes.
 * A family gets sets only when the cluster has it (`families`, see `clusterFamilies`) and the rule
 * can admit it (ipBlock peers fix the family).
 */
export function ruleLookups(spec: RuleSpec, peers: RulePeers, members: readonly Endpoint[], families: ClusterFamilies, same?: RuleLookups): RuleLookups {
  const { direction, rule, hash } = spec;
  const side = direction === "egress" ? "daddr" : "saddr";
  const sets: NftSet[] = [];
  const matches: string[] = [];
  // `same`: this rule's sets from the same peers, for other members: only the named-port sets differ.
  const kept = new Map((same?.sets ?? []).filter((s) => !s.name.endsWith(NAMED_SUFFIX[4]) && !s.name.endsWith(NAMED_SUFFIX[6])).map((s) => [s.name, s]));
  const peersName = (f: Family): string => {
    if (spec.peersHash === null) throw new Error(`rule ${spec.id} looks its peers up alone but has no peer set`);
    return setName(direction, spec.peersHash, f, "peers");
  };
  for (const f of ruleFamilies(rule, families)) {
    const name = setName(direction, hash, f);
    const addresses = peers.addresses.family(f);
    if (rule.ports === "all") {
      const lookup = addressLookup(peersName(f), f, side, addresses, exactPeers(rule));
      sets.push(kept.get(lookup.set.name) ?? lookup.set);
      matches.push(lookup.match);
      continue;
    }
    const ports = addressesApartFromPorts(rule) ? portsMatch(rule) : null;
    if (ports !== null) {
      const lookup = addressLookup(peersName(f), f, side, addresses, false);
      sets.push(kept.get(lookup.set.name) ?? lookup.set);
      matches.push(`${lookup.match} ${ports}`);
      continue;
    }
    if (direction === "egress" || hasNumberedPort(rule)) {
      const exact = exactPeers(rule) && exactPorts(rule);
      sets.push(kept.get(name) ?? { name, kind: "set", type: `${ADDR[f]} . inet_proto . inet_service`, interval: !exact, elements: mainElements(f, spec, peers, addresses, exact) });
      matches.push(`${IP[f]} ${side} . meta l4proto . th dport @${name}`);
    }
    if (direction === "ingress" && hasNamedPort(rule)) {
      const numeric = numberedConns(rule);
      const two = namedIngressLookup(setName(direction, hash, f, "named"), peersName(f), f, addresses, exactPeers(rule), (pod) => ruleConns(rule, pod).subtract(numeric), members, kept);
      sets.push(...two.sets);
      matches.push(two.match);
    }
  }
  return { sets, matches };
}

/** `meta l4proto . th dport { tcp . 443, udp . 53 }`: a rule's numbered ports as an anonymous set; null when they admit nothing. */
function portsMatch(rule: Rule): string | null {
  return connsPortsMatch(numberedConns(rule));
}

/** Numbered connections as an anonymous `l4proto . dport` set (NetworkPolicy and admin rules alike); null when they admit nothing. */
export function connsPortsMatch(conns: ConnSet): string | null {
  const tails = portTailsOf(conns, false).pieces;
  return tails.length === 0 ? null : `meta l4proto . th dport { ${tails.map((t) => t.slice(" . ".length)).join(", ")} }`;
}

const NAMED_SUFFIX: Readonly<Record<Family, string>> = { 4: "_named_v4", 6: "_named_v6" };

/** A rule's ports as text: rules with equal texts admit the same connections towards any destination. */
export const rulePortsKey = (rule: Rule): string =>
  rule.ports === "all" ? "all" : rule.ports.map((p) => `${p.protocol}:${JSON.stringify(p.port)}`).join(",");

/**
 * `peer . proto . port` of a rule with ports: the numbered ports for every peer, egress named ports
 * per destination. `exact`: every address and port its own element (a hash set's keys).
 */
function mainElements(f: Family, spec: RuleSpec, peers: RulePeers, addresses: Contribution["addresses"], exact: boolean): NftSet["elements"] {
  const numbered = numberedConns(spec.rule);
  if (spec.direction === "ingress" || !hasNamedPort(spec.rule)) return addressesTimesConns(f, addresses, numbered, exact);
  // Made once per peers (rules with the same peer parts share them, see PeerResolver) and ports text:
  // `allow-dns`-like rules repeated per namespace made equal sets each (issue 10).
  let byPorts = namedElements.get(peers);
  if (byPorts === undefined) namedElements.set(peers, (byPorts = new Map()));
  const key = `${f}|${exact}|${rulePortsKey(spec.rule)}`;
  let elements = byPorts.get(key);
  if (elements === undefined) {
    const contributions: Contribution[] = [{ addresses, conns: numbered }];
    for (const [e, a] of peers.endpoints) contributions.push({ addresses: a.family(f), conns: destinationConns(spec.rule, e) });
    byPorts.set(key, (elements = segmentElements(f, partition(contributions), "", exact).map((k) => ({ key: k }))));
  }
  return elements;
}

const namedElements = new WeakMap<RulePeers, Map<string, NftSet["elements"]>>();

/**
 * `ruleConns(rule, destination)`, once per rule and destination ports: a pod event re-resolves the
 * egress named ports of the rules whose peers it changed, towards every pod they admit (1,670 at
 * 50k pods), and those pods carry a handful of distinct container port lists. Keyed by the ports'
 * text, not by the pod object: a memo per (pod, rule) kept a set for every pair ever asked while
 * both lived, growing by ~0.5 MiB per pod relabelled at 50k pods as local pods met more policies
 * (issue 10); per rule this holds one set per distinct port list.
 */
export function destinationConns(rule: Rule, destination: Endpoint): ConnSet {
  let byPorts = connsByRule.get(rule);
  if (byPorts === undefined) connsByRule.set(rule, (byPorts = new Map()));
  const key = containerPortsKey(destination.ports);
  let conns = byPorts.get(key);
  if (conns === undefined) byPorts.set(key, (conns = ruleConns(rule, destination)));
  return conns;
}

const connsByRule = new WeakMap<Rule, Map<string, ConnSet>>();

/** What `ruleConns` reads of a destination (its container ports), as text, once per ports array. */
function containerPortsKey(ports: Endpoint["ports"]): string {
  let key = portsKeys.get(ports);
  if (key === undefined) portsKeys.set(ports, (key = ports.map((p) => `${p.name ?? ""}/${p.protocol}/${p.port}`).join("+")));
  return key;
}

const portsKeys = new WeakMap<Endpoint["ports"], string>();

/** What a rule's ports admit whatever the destination (`ruleConns(rule, null)`), once per rule object. */
function numberedConns(rule: Rule): ConnSet {
  let conns = numberedByRule.get(rule);
  if (conns === undefined) numberedByRule.set(rule, (conns = ruleConns(rule, null)));
  return conns;
}

const numberedByRule = new WeakMap<Rule, ConnSet>();

/**
 * `address . protocol . ports` for every interval of `addresses`, every protocol and port interval
 * of `conns`: what `segmentElements(partition(...))` makes of one contribution (its segments are
 * the intervals), without cutting the address axis. The elements are made once per addresses and
 * ports text: the rules whose peers are the resolver's same addresses (every rule of a shared peer
 * selector) hand over the very same array, and a pod event makes the addresses it changed only.
 */
function addressesTimesConns(f: Family, addresses: Contribution["addresses"], conns: ConnSet, exact: boolean): NftSet["elements"] {
  const tails = portTailsOf(conns, exact);
  if (tails.pieces.length === 0) return [];
  let byTails = crossed.get(addresses);
  if (byTails === undefined) crossed.set(addresses, (byTails = new Map()));
  const key = `${f}${exact ? "e" : ""}${tails.key}`;
  let elements = byTails.get(key);
  if (elements === undefined) {
    const out: { key: string }[] = [];
    for (const address of formattedAddresses(f, addresses, exact)) for (const tail of tails.pieces) out.push({ key: flatText([address, tail]) });
    byTails.set(key, (elements = out));
  }
  return elements;
}

const crossed = new WeakMap<Contribution["addresses"], Map<string, NftSet["elements"]>>();

/** `portTails` of `conns` (one per port when `exact`), with their text as one key, once per connection set object. */
function portTailsOf(conns: ConnSet, exact: boolean): { readonly key: string; readonly pieces: readonly string[] } {
  const memo = exact ? exactTailsByConns : tailsByConns;
  let tails = memo.get(conns);
  if (tails === undefined) {
    const pieces = portTails(conns, "", exact);
    memo.set(conns, (tails = { key: pieces.join("\n"), pieces }));
  }
  return tails;
}

const tailsByConns = new WeakMap<ConnSet, { readonly key: string; readonly pieces: readonly string[] }>();
const exactTailsByConns = new WeakMap<ConnSet, { readonly key: string; readonly pieces: readonly string[] }>();

/** `formatAddresses` (`exactAddresses` when `exact`), once per address set object and family. */
function formattedAddresses(f: Family, addresses: Contribution["addresses"], exact: boolean): readonly string[] {
  let byFamily = formatted.get(addresses);
  if (byFamily === undefined) formatted.set(addresses, (byFamily = new Map()));
  const key = exact ? -f : f;
  let out = byFamily.get(key);
  if (out === undefined) byFamily.set(key, (out = exact ? exactAddresses(f, addresses) : formatAddresses(f, addresses)));
  return out;
}

/** Per address set: its formatted addresses by family (negative: one element per address). */
const formatted = new WeakMap<Contribution["addresses"], Map<number, readonly string[]>>();

/**
 * The two-step match of ingress named ports: the source among the rule's peer addresses, then the
 * destination, protocol and port among what the local pods' names resolve to (`extra`: what a pod's
 * names add to what the numbered ports already admit). `kept`: sets of the same peers to reuse.
 */
export function namedIngressLookup(
  named: string,
  peersName: string,
  f: Family,
  sources: Contribution["addresses"],
  exactSources: boolean,
  extra: (pod: Endpoint) => ConnSet,
  members: readonly Endpoint[],
  kept?: ReadonlyMap<string, NftSet>,
): { sets: NftSet[]; match: string } {
  const peers = addressLookup(peersName, f, "saddr", sources, exactSources);
  const namedSet: NftSet = { name: named, kind: "set", type: `${ADDR[f]} . inet_proto . inet_service`, interval: false, elements: namedIngressElements(f, extra, members).map((key) => ({ key })) };
  return { sets: [kept?.get(peersName) ?? peers.set, namedSet], match: `${peers.match} ${IP[f]} daddr . meta l4proto . th dport @${named}` };
}

/** The peers of a rule as `ruleLookups` needs them: with the admitted endpoints when egress named ports resolve against them. */
export function rulePeersOf(resolver: PeerResolver, spec: RuleSpec): RulePeers {
  return resolver.rulePeers(spec.policy, spec.rule, spec.direction === "egress" && hasNamedPort(spec.rule));
}

/** Ingress named ports resolve against the local pods the rule's policy isolates; nothing else needs them. */
export const needsMembers = (spec: RuleSpec): boolean => spec.direction === "ingress" && hasNamedPort(spec.rule);

/**
 * `daddr . proto . port` for each local pod address whose container ports resolve a named port:
 * `extra` says what a pod's names add to what the numbered ports already admit. Exact values (no
 * interval flag: a hash set, not the kernel's pipapo): named ports resolve to single port numbers.
 */
export function namedIngressElements(f: Family, extra: (pod: Endpoint) => ConnSet, members: readonly Endpoint[]): string[] {
  const byAddress = new Map<bigint, ConnSet>();
  for (const pod of members) {
    const more = extra(pod);
    if (more.isEmpty()) continue;
    for (const ip of pod.ips) {
      if (ip.family === f) byAddress.set(ip.value, (byAddress.get(ip.value) ?? ConnSet.EMPTY).union(more));
    }
  }
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

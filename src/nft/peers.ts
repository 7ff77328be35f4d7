import type { Endpoint, Peer, Policy, Rule } from "../model/cluster.js";
import { ipBlockAddresses, knownAddresses } from "../engine/addresses.js";
import type { Engine } from "../engine/engine.js";
import { AddressSet } from "../net/address-set.js";
import type { Family, Ip } from "../net/ip.js";
import type { Labels } from "../model/labels.js";
import type { LabelSelector } from "../model/selector.js";
import type { LabelClass } from "../engine/classes.js";
import { cachedSelectorKey, classesSelectedBy, selectsNamespace, selectsNamespaceLabels, selectsPods } from "../engine/selection.js";
import { countBelow } from "../net/sorted.js";
import { IntervalSet } from "../net/interval-set.js";
import { LastUsed } from "./last-used.js";

/** The peer addresses one rule admits, and which of them are pods (for named ports). */
export interface RulePeers {
  readonly addresses: AddressSet;
  /** Endpoints with known IPs the rule's peers admit, with the addresses admitted (when asked for). */
  readonly endpoints: ReadonlyMap<Endpoint, AddressSet>;
}

const target = (endpoint: Endpoint) => ({ kind: "endpoint", endpoint }) as const;

/** What a selector peer's addresses depend on: its namespace scope (the policy's own namespace, or a selector) and its pod selector. */
const podsPeerKey = (policy: Policy, peer: Extract<Peer, { kind: "pods" }>): string =>
  `${peer.namespaces.kind === "own" ? `own:${policy.namespace}` : `ns:${cachedSelectorKey(peer.namespaces.selector)}`}|${cachedSelectorKey(peer.pods)}`;

/**
 * What a rule's peer addresses depend on, as text: rules with equal keys admit the same addresses
 * whatever the pods (a selector peer resolves by its scope and selector, an ipBlock by its
 * addresses), so they can share one address set. Order and repeats of peers do not matter.
 */
export function rulePeersKey(policy: Policy, rule: Rule): string {
  if (rule.peers === "all") return "all";
  const parts = rule.peers.map((peer) => (peer.kind === "pods" ? podsPeerKey(policy, peer) : blockKey(ipBlockAddresses(peer))));
  return [...new Set(parts)].sort().join("\n");
}

/**
 * An ipBlock's addresses as key text, once per address set object: equal blocks share one (engine
 * `ipBlockAddresses`), and a feed's selection repeats its ~10k blocks in every policy bound to it.
 */
function blockKey(addresses: AddressSet): string {
  let key = blockKeys.get(addresses);
  if (key === undefined) blockKeys.set(addresses, (key = `ip:${addresses.key()}`));
  return key;
}

const blockKeys = new WeakMap<AddressSet, string>();

/** The union of many address sets, merged once per family (`IntervalSet.of` sorts and joins). */
function unionAll(sets: readonly AddressSet[]): AddressSet {
  const family = (f: Family): IntervalSet => IntervalSet.of(sets.flatMap((s) => s.family(f).intervals));
  return AddressSet.of(family(4), family(6));
}

/**
 * The peer side of rules as addresses. Every decision is the engine's `matchPeer`, asked once per
 * label class for selector peers and once per endpoint inside the block for ipBlock peers, so the
 * dataplane follows `ipBlockMatchesPods` and selector semantics exactly as the analyses do. Indexes
 * (namespaces and labels for selectors, sorted addresses for ipBlocks) only narrow the question.
 * Pods without a known IP cannot be put in a set: they are absent (and reported by the compiler).
 *
 * A resolver can follow its cluster (`follow`): after endpoints came and went, only the selector
 * peers that select their classes are updated (by those classes alone), and the ipBlocks that hold
 * their addresses resolved again; everything else, and every rule's peers made only of them, is
 * handed back as the very same objects (the compile cache keys rule sets by them).
 */
export class PeerResolver {
  /** Per label class index with known IPs: its endpoints with known IPs, and all their IPs. */
  private readonly known = new Map<number, Known>();
  /** Namespaces that have classes, with their labels. */
  private readonly namespaces = new Map<string, Labels>();
  /** Every known endpoint IP per family, sorted by value, with its endpoint: ipBlocks look up the pods inside. */
  private byAddressIndex: Record<Family, { readonly values: bigint[]; readonly owners: Endpoint[] }> | null = null;
  /** Namespaces by `key=value` label, for selectors with an `In` requirement (built on first use). */
  private namespaceIndex: Map<string, string[]> | null = null;
  /** Selector peers already resolved, by namespace scope and pod selector: rules share peers. */
  private readonly podsPeers = new Map<string, PodsResolved>();
  /** Selector peers with the own namespace as scope, by that namespace; those with a namespace selector. */
  private readonly ownPeers = new Map<string, Set<PodsResolved>>();
  private readonly selectedPeers = new Set<PodsResolved>();
  /** ipBlock peers already resolved, by their address set. */
  private readonly ipBlocks = new Map<string, BlockResolved>();
  /** What each peer object last resolved to (good while `live`): saves making its key. Pruned by `settle`. */
  private readonly byPeer = new Map<Peer, PodsResolved>();
  private readonly byBlock = new Map<Peer, BlockResolved>();
  /**
   * What every rule asked since the last `settle`, or by the compile before, resolved to, and from
   * which peers (a rule is unchanged while they are). Rules no compile asked for since are forgotten: kept for every rule ever asked (the policies stay the same objects),
   * their peers (and the endpoints they admit) grew with every policy a relabelled pod met (issue 10).
   */
  private readonly rules = new LastUsed<Rule, ResolvedRule>();
  /** The peers of the rules of this and the last compile, by `partsKey`. */
  private readonly combined = new LastUsed<string, RulePeers>();
  private readonly partIds = new WeakMap<object, number>();
  private nextPartId = 0;
  /** Stands for "every known endpoint" in a rule without peers that names ports: new at every endpoint change. */
  private everyEndpoint: object = {};

  constructor(private engine: Engine) {
    for (const c of engine.classes.all) this.know(c);
  }

  /**
   * Follows `engine`, whose cluster is this resolver's with `removed` taken out and `added` put in
   * (and maybe other policies: rules are resolved by their own peers). Namespaces must be the same.
   */
  follow(engine: Engine, removed: readonly Endpoint[], added: readonly Endpoint[]): void {
    const before = this.engine;
    this.engine = engine;
    if (removed.length + added.length === 0) return;
    this.everyEndpoint = {};
    const changed = new Set<number>();
    for (const e of removed) changed.add(before.classes.classOf(e).index);
    for (const e of added) changed.add(engine.classes.classOf(e).index);
    for (const index of changed) {
      const c = engine.classes.all[index] as LabelClass;
      const was = this.known.get(index);
      this.known.delete(index);
      this.know(c);
      if (c.hostNetwork) continue;
      const is = this.known.get(index);
      for (const r of [...(this.ownPeers.get(c.namespace) ?? []), ...this.selectedPeers]) if (selectsClass(r.policy, r.peer, c)) this.update(r, was, is);
    }
    const moved = [...removed, ...added].filter((e) => e.ips.length > 0);
    for (const [key, r] of this.ipBlocks) {
      if (moved.some((e) => e.ips.some((ip) => r.block.has(ip)))) {
        this.ipBlocks.delete(key);
        r.live = false;
      }
    }
    if (this.byAddressIndex !== null) {
      for (const e of removed) for (const ip of e.ips) unindex(this.byAddressIndex[ip.family], ip.value, e);
      for (const e of added) for (const ip of e.ips) index(this.byAddressIndex[ip.family], ip.value, e);
    }
  }

  private know(c: LabelClass): void {
    // A copy: a class the engine owns may still gain endpoints in place.
    const endpoints = c.endpoints.filter((e) => e.ips.length > 0);
    const first = endpoints[0];
    if (first === undefined) return;
    // A one-pod class's addresses are that pod's own list, not a copy per class (issue 10: ~10k arrays at 50k pods).
    const ips = endpoints.length === 1 ? first.ips : endpoints.flatMap((e) => e.ips);
    this.known.set(c.index, { first, endpoints, ips });
    if (!this.namespaces.has(c.namespace)) this.namespaceIndex = null;
    this.namespaces.set(c.namespace, c.namespaceLabels);
  }

  /**
   * Ends a compile: the rules it did not ask for are forgotten, and so are the selector and ipBlock
   * peers no rule it asked for holds (they grew by one or two per pod relabelled, issue 10).
   */
  settle(): void {
    this.rules.settle();
    this.combined.settle();
    const held = new Set<object>();
    for (const [, r] of this.rules.entries()) for (const part of r.parts) held.add(part);
    for (const r of this.podsPeers.values()) if (!held.has(r)) this.forget(r);
    for (const [key, r] of this.ipBlocks) {
      if (!held.has(r)) {
        this.ipBlocks.delete(key);
        r.live = false;
      }
    }
    for (const [peer, r] of this.byPeer) if (!r.live) this.byPeer.delete(peer);
    for (const [peer, r] of this.byBlock) if (!r.live) this.byBlock.delete(peer);
  }

  /** How many selector and ipBlock peers this resolver keeps resolved. */
  get keptPeers(): number {
    return this.podsPeers.size + this.ipBlocks.size;
  }

  /** How many rules' peers this resolver keeps: those asked for by the last two compiles. */
  get keptRules(): number {
    return this.rules.size;
  }

  /** `withEndpoints`: also say which endpoints are admitted (named ports need them). */
  rulePeers(policy: Policy, rule: Rule, withEndpoints: boolean): RulePeers {
    const known = this.rules.get(rule);
    // Its parts still hold (no change reached them): what resolving its peers again would hand back.
    if (known !== undefined && known.policy === policy && known.withEndpoints === withEndpoints && known.parts.every((p) => this.holds(p))) return this.keep(rule, known);
    const parts: object[] = rule.peers === "all" ? (withEndpoints ? [this.everyEndpoint] : []) : rule.peers.map((peer) => (peer.kind === "pods" ? this.podsPeer(policy, peer) : this.ipBlockPeer(policy, peer)));
    if (known !== undefined && known.withEndpoints === withEndpoints && known.parts.length === parts.length && known.parts.every((p, k) => p === parts[k])) return this.keep(rule, known);
    const key = this.partsKey(rule, parts, withEndpoints);
    return this.keep(rule, { policy, withEndpoints, parts, peers: this.combined.get(key) ?? this.combine(rule, parts, withEndpoints), key });
  }

  private keep(rule: Rule, resolved: ResolvedRule): RulePeers {
    this.rules.set(rule, resolved);
    this.combined.set(resolved.key, resolved.peers);
    return resolved.peers;
  }

  /**
   * What `combine` reads, as text: the parts (each by a number of its own) in order, whether the
   * rule admits all and whether endpoints are asked for. Rules with equal keys get the same
   * `RulePeers` object (rules repeated per namespace, such as `allow-dns`, share their peers, their
   * endpoint maps and the sets made from them; issue 10).
   */
  private partsKey(rule: Rule, parts: readonly object[], withEndpoints: boolean): string {
    const ids = parts.map((p) => {
      let id = this.partIds.get(p);
      if (id === undefined) this.partIds.set(p, (id = this.nextPartId++));
      return id;
    });
    return `${rule.peers === "all" ? "all" : "peers"}|${withEndpoints}|${ids.join(",")}`;
  }

  /** Whether a rule's resolved part is still what its peer resolves to: a live selector or ipBlock peer, or the current "every endpoint". */
  private holds(part: object): boolean {
    return part === this.everyEndpoint || ("live" in part && (part as PodsResolved | BlockResolved).live);
  }

  private combine(rule: Rule, parts: readonly object[], withEndpoints: boolean): RulePeers {
    const endpoints = new Map<Endpoint, AddressSet>();
    // A pod's addresses are its one shared set (`knownAddresses`), not a set per rule (issue 10: ~100k at 50k pods).
    const add = (e: Endpoint, addresses: AddressSet): void => {
      if (withEndpoints && !addresses.isEmpty()) endpoints.set(e, (endpoints.get(e) ?? AddressSet.EMPTY).union(addresses));
    };
    // "If this field is empty or missing, this rule matches all destinations/sources."
    if (rule.peers === "all") {
      if (withEndpoints) for (const k of this.known.values()) for (const e of k.endpoints) add(e, knownAddresses(e));
      return { addresses: AddressSet.ALL, endpoints: kept(endpoints) };
    }
    const resolved = parts as readonly (PodsResolved | BlockResolved)[];
    // One merge of every part's intervals: a union per part copied the growing set each time, quadratic in a feed's ~10k blocks.
    const addresses = resolved.length === 1 ? (resolved[0] as PodsResolved | BlockResolved).addresses : unionAll(resolved.map((p) => p.addresses));
    for (const part of resolved) {
      if (!withEndpoints) continue;
      if ("classes" in part) for (const k of part.classes) for (const e of k.endpoints) add(e, knownAddresses(e));
      else for (const { endpoint, allowed } of part.admitted) add(endpoint, allowed);
    }
    return { addresses, endpoints: kept(endpoints) };
  }

  /**
   * A selector peer after the endpoints of one of its candidate classes changed (`was` → `is`, the
   * class's endpoints with IPs before and after): the class leaves or joins its classes, and its
   * addresses lose what only that class held and gain what it holds now, instead of resolving every
   * class of the peer again. Untouched when it neither held nor admits the class.
   */
  private update(r: PodsResolved, was: Known | undefined, is: Known | undefined): void {
    const held = was !== undefined && r.classes.includes(was);
    // The engine decides, as `podsPeer` asks it: one question per class.
    const admits = is !== undefined && this.engine.matchPeer(r.policy, r.peer, target(is.first), AddressSet.EMPTY).reason === "allowed";
    if (!held && !admits) return;
    const classes = r.classes.filter((k) => k !== was);
    const gained = admits ? AddressSet.fromIps(is.ips) : AddressSet.EMPTY;
    if (admits) classes.push(is);
    let dropped = held ? AddressSet.fromIps(was.ips).subtract(gained) : AddressSet.EMPTY;
    if (!dropped.isEmpty()) {
      // An address another admitted class holds stays.
      const kept: Ip[] = [];
      for (const k of classes) for (const ip of k.ips) if (dropped.has(ip)) kept.push(ip);
      dropped = dropped.subtract(AddressSet.fromIps(kept));
    }
    this.forget(r);
    this.remember({ key: r.key, policy: r.policy, peer: r.peer, classes, addresses: r.addresses.subtract(dropped).union(gained), live: true });
  }

  private remember(resolved: PodsResolved): void {
    this.podsPeers.set(resolved.key, resolved);
    if (resolved.peer.namespaces.kind === "own") {
      const own = this.ownPeers.get(resolved.policy.namespace);
      if (own === undefined) this.ownPeers.set(resolved.policy.namespace, new Set([resolved]));
      else own.add(resolved);
    } else this.selectedPeers.add(resolved);
    this.byPeer.set(resolved.peer, resolved);
  }

  private forget(r: PodsResolved): void {
    r.live = false;
    this.podsPeers.delete(r.key);
    if (r.peer.namespaces.kind === "own") this.ownPeers.get(r.policy.namespace)?.delete(r);
    else this.selectedPeers.delete(r);
  }

  private podsPeer(policy: Policy, peer: Extract<Peer, { kind: "pods" }>): PodsResolved {
    // The same peer object (an unchanged policy) resolves as it last did while that still holds.
    const last = this.byPeer.get(peer);
    if (last !== undefined && last.live && (peer.namespaces.kind !== "own" || last.policy.namespace === policy.namespace)) return last;
    const key = podsPeerKey(policy, peer);
    let resolved = this.podsPeers.get(key);
    if (resolved === undefined) {
      const classes = this.candidates(policy, peer).filter(
        // A selector peer's answer is the same for every endpoint of a label class, and depends on
        // labels only (the addresses passed are merely handed back), so one question per class.
        (k) => this.engine.matchPeer(policy, peer, target(k.first), AddressSet.EMPTY).reason === "allowed",
      );
      resolved = { key, policy, peer, classes, addresses: AddressSet.fromIps(classes.flatMap((k) => k.ips)), live: true };
      this.remember(resolved);
    }
    this.byPeer.set(peer, resolved);
    return resolved;
  }

  /**
   * The classes with known IPs that the peer may select: those of the namespaces in scope whose
   * labels the pod selector matches. A superset is harmless (the engine decides each), so this is
   * only an index; it never decides.
   */
  private candidates(policy: Policy, peer: Extract<Peer, { kind: "pods" }>): Known[] {
    const scope = peer.namespaces;
    const namespaces =
      scope.kind === "own"
        ? [policy.namespace]
        : this.namespaceCandidates(scope.selector).filter((name) => selectsNamespaceLabels(scope.selector, this.namespaces.get(name) as Labels));
    const out: Known[] = [];
    for (const ns of namespaces) {
      for (const c of classesSelectedBy(this.engine.classes, ns, peer.pods)) {
        const k = this.known.get(c.index);
        if (k !== undefined) out.push(k);
      }
    }
    return out;
  }

  private ipBlockPeer(policy: Policy, peer: Extract<Peer, { kind: "ipBlock" }>): BlockResolved {
    const last = this.byBlock.get(peer);
    if (last !== undefined && last.live) return last;
    const block = ipBlockAddresses(peer);
    const key = block.key();
    const found = this.ipBlocks.get(key);
    if (found !== undefined) {
      this.byBlock.set(peer, found);
      return found;
    }
    let excluded: Ip[] = [];
    let admitted: Ip[] = [];
    const endpoints: { endpoint: Endpoint; allowed: AddressSet }[] = [];
    for (const e of this.endpointsWithin(block)) {
      const inside = e.ips.filter((ip) => block.has(ip));
      // Whether the block admits a pod's own IP is the engine's call (`ipBlockMatchesPods`); the
      // answer depends on the block and the endpoint alone, so blocks with equal addresses share it.
      const allowed = this.engine.matchPeer(policy, peer, target(e), knownAddresses(e)).allowed;
      excluded = excluded.concat(inside.filter((ip) => !allowed.has(ip)));
      admitted = admitted.concat(inside.filter((ip) => allowed.has(ip)));
      endpoints.push({ endpoint: e, allowed });
    }
    // An address two endpoints share stays when either is admitted.
    const resolved = { block, addresses: block.subtract(AddressSet.fromIps(excluded).subtract(AddressSet.fromIps(admitted))), admitted: endpoints, live: true };
    this.ipBlocks.set(key, resolved);
    this.byBlock.set(peer, resolved);
    return resolved;
  }

  /** Namespaces a selector may select: with an `In` requirement, those carrying one of its values (an index built once). */
  private namespaceCandidates(selector: LabelSelector): readonly string[] {
    const narrowing = selector.requirements.find((r) => r.operator === "In");
    if (narrowing === undefined || !("values" in narrowing)) return [...this.namespaces.keys()];
    if (this.namespaceIndex === null) {
      this.namespaceIndex = new Map();
      for (const [name, labels] of this.namespaces) {
        for (const [key, value] of labels) {
          const k = `${key}=${value}`;
          const names = this.namespaceIndex.get(k);
          if (names === undefined) this.namespaceIndex.set(k, [name]);
          else names.push(name);
        }
      }
    }
    return [...new Set(narrowing.values.flatMap((v) => this.namespaceIndex?.get(`${narrowing.key}=${v}`) ?? []))];
  }

  /** Every known endpoint address per family, sorted, with its endpoint (built when an ipBlock first asks). */
  private byAddress(): Record<Family, { readonly values: bigint[]; readonly owners: Endpoint[] }> {
    if (this.byAddressIndex !== null) return this.byAddressIndex;
    const owned: { value: bigint; family: Family; owner: Endpoint }[] = [];
    for (const k of this.known.values()) for (const e of k.endpoints) for (const ip of e.ips) owned.push({ value: ip.value, family: ip.family, owner: e });
    owned.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    const index: Record<Family, { values: bigint[]; owners: Endpoint[] }> = { 4: { values: [], owners: [] }, 6: { values: [], owners: [] } };
    for (const o of owned) {
      index[o.family].values.push(o.value);
      index[o.family].owners.push(o.owner);
    }
    this.byAddressIndex = index;
    return index;
  }

  /** Known endpoints with an address in `block`, each once: binary search per interval. */
  private endpointsWithin(block: AddressSet): Endpoint[] {
    const found = new Set<Endpoint>();
    for (const f of [4, 6] as const) {
      const { values, owners } = this.byAddress()[f];
      for (const { lo, hi } of block.family(f).intervals) {
        const a = countBelow(values, lo);
        for (let k = a; k < values.length && (values[k] as bigint) <= hi; k++) found.add(owners[k] as Endpoint);
      }
    }
    return [...found];
  }
}

/** The endpoints of rules that admit none (or need none: no egress named port): one empty map for all. */
const NO_ENDPOINTS: ReadonlyMap<Endpoint, AddressSet> = new Map();
const kept = (endpoints: ReadonlyMap<Endpoint, AddressSet>): ReadonlyMap<Endpoint, AddressSet> => (endpoints.size === 0 ? NO_ENDPOINTS : endpoints);

/** What a rule resolved to, and from which peers. */
interface ResolvedRule {
  readonly policy: Policy;
  readonly withEndpoints: boolean;
  readonly parts: readonly object[];
  readonly peers: RulePeers;
  /** Its `partsKey`. */
  readonly key: string;
}

interface Known {
  readonly first: Endpoint;
  readonly endpoints: readonly Endpoint[];
  readonly ips: readonly Ip[];
}

/** A selector peer: the classes it admits and their addresses (with what resolved it, to tell whether a class change reaches it). */
interface PodsResolved {
  readonly key: string;
  /** False once a change reached it: resolved again on next use. */
  live: boolean;
  readonly policy: Policy;
  readonly peer: Extract<Peer, { kind: "pods" }>;
  readonly classes: readonly Known[];
  readonly addresses: AddressSet;
}

/** An ipBlock peer: the addresses it admits, and the endpoints inside with the addresses admitted of each. */
interface BlockResolved {
  live: boolean;
  readonly block: AddressSet;
  readonly addresses: AddressSet;
  readonly admitted: readonly { readonly endpoint: Endpoint; readonly allowed: AddressSet }[];
}

/**
 * Whether the selector peer may select the pods of class `c`: its namespace is in scope and its
 * labels match (as `Engine.matchPeer` decides for an endpoint of the class). Only tells which
 * resolved peers a class change reaches.
 */
function selectsClass(policy: Policy, peer: Extract<Peer, { kind: "pods" }>, c: LabelClass): boolean {
  const inScope = peer.namespaces.kind === "own" ? c.namespace === policy.namespace : selectsNamespace(peer.namespaces.selector, c);
  return inScope && selectsPods(peer.pods, c);
}

/** Puts (`value`, `owner`) into sorted columns, after the equal values already there. */
function index(column: { readonly values: bigint[]; readonly owners: Endpoint[] }, value: bigint, owner: Endpoint): void {
  const at = countBelow(column.values, value + 1n);
  column.values.splice(at, 0, value);
  column.owners.splice(at, 0, owner);
}

function unindex(column: { readonly values: bigint[]; readonly owners: Endpoint[] }, value: bigint, owner: Endpoint): void {
  for (let k = countBelow(column.values, value); k < column.values.length && column.values[k] === value; k++) {
    if (column.owners[k] === owner) {
      column.values.splice(k, 1);
      column.owners.splice(k, 1);
      return;
    }
  }
}

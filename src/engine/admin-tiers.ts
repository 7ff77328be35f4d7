/**
 * The admin tiers for the engine's check: ClusterNetworkPolicy (tiers Admin and Baseline) and
 * AdminNetworkPolicy / BaselineAdminNetworkPolicy, mapped onto one model (model/admin-policy.ts).
 * For a subject pod and a connection, each tier is the rules of the policies whose subject selects
 * the pod, policy by policy in precedence order, each policy's rules as written; every rule
 * matches the addresses of the other side it admits (see tiers.ts for the walk).
 */
import {
  type AdminAction,
  type AdminEgressPeer,
  type AdminPolicy,
  type AdminProtocolMatch,
  type AdminRule,
  type AdminSubject,
  type AdminTier,
  effectiveAction,
} from "../model/admin-policy.js";
import type { Cluster, Direction, Endpoint } from "../model/cluster.js";
import type { Protocol } from "../model/ports.js";
import { type LabelSelector, selectorMatches } from "../model/selector.js";
import { AddressSet } from "../net/address-set.js";
import type { Admission, DnsSnapshot } from "../dns/snapshot.js";
import type { LabelClass, LabelClasses } from "./classes.js";
import { cachedSelectorKey, classesSelectedBy, selectsNamespace, selectsPods } from "./selection.js";
import type { Action } from "./tiers.js";
import type { Target, TierRuleFields, TierStep } from "./types.js";
import { cachedIn } from "./cached-in.js";

const NO_POLICIES: readonly AdminPolicy[] = [];

const ACTIONS: Readonly<Record<AdminAction, Action>> = { Accept: "accept", Deny: "deny", Pass: "pass" };

/** What an admin rule does in a tier walk, once a fail-closed rule is resolved (a Deny of everything). */
export function ruleAction(rule: AdminRule<unknown>): Action {
  return ACTIONS[effectiveAction(rule)];
}

/** The admin policies whose subject selects a class, per tier, in precedence order. */
export type SelectingAdmin = Readonly<Record<AdminTier, readonly AdminPolicy[]>>;

/** One admin rule for one connection: what it does, and the addresses of the other side it matches. */
export interface AdminRuleMatch {
  readonly tier: AdminTier;
  readonly policy: AdminPolicy;
  readonly rule: AdminRule<AdminEgressPeer>;
  readonly action: Action;
  readonly match: AddressSet;
}

/** The connection one direction's admin rules are asked about. */
export interface AdminAsked {
  readonly direction: Direction;
  readonly peer: Target;
  readonly peerAddresses: AddressSet;
  readonly port: number;
  readonly protocol: Protocol;
  /** Where named ports resolve: the destination pod (null: not a modelled pod). */
  readonly destination: Endpoint | null;
}

/**
 * "Policies with lower priority values have higher precedence". The API leaves the order of
 * same-priority policies to the implementation: ties are broken by name, then kind (code-unit
 * order), as the reference does. The BaselineAdminNetworkPolicy has no priority: it comes after
 * the Baseline ClusterNetworkPolicies.
 */
function byPrecedence(x: AdminPolicy, y: AdminPolicy): number {
  const px = x.priority ?? Number.POSITIVE_INFINITY;
  const py = y.priority ?? Number.POSITIVE_INFINITY;
  if (px !== py) return px - py;
  if (x.name !== y.name) return x.name < y.name ? -1 : 1;
  return x.source.kind < y.source.kind ? -1 : x.source.kind > y.source.kind ? 1 : 0;
}

/**
 * Whether an admin subject (or a `namespaces`/`pods` peer, of the same shape) selects the pods of
 * class `c`. "Note that host-networked pods are not included in subject selection" (and for peers,
 * "host-networked pods are not included in this type of peer").
 */
function adminSelects(selection: AdminSubject, c: LabelClass): boolean {
  if (c.hostNetwork) return false;
  if (!selectsNamespace(selection.namespaces, c)) return false;
  return selection.kind === "namespaces" || selectsPods(selection.pods, c);
}

/** The admin policies of a cluster, ordered per tier once, and what they select (cached per class). */
export class AdminTiers {
  private readonly ordered: SelectingAdmin;
  private readonly selecting: Record<Direction, WeakMap<LabelClass, SelectingAdmin>> = { ingress: new WeakMap(), egress: new WeakMap() };
  private readonly nodeAddresses = new WeakMap<LabelSelector, AddressSet>();
  private readonly networkAddresses = new WeakMap<AdminEgressPeer, AddressSet>();
  private readonly selectionAddresses = new WeakMap<AdminEgressPeer, AddressSet>();
  private readonly addressesOfSelection = new WeakMap<Uint8Array, AddressSet>();
  private readonly lists: Record<AdminTier, Map<string, readonly AdminPolicy[]>> = { Admin: new Map(), Baseline: new Map() };
  private readonly domainRules = new WeakMap<readonly AdminPolicy[], Record<Direction, readonly DomainRule[]>>();
  private readonly selections = new WeakMap<AdminSubject, Uint8Array>();
  private namespaces: { readonly all: readonly NamespaceClasses[]; readonly byLabel: ReadonlyMap<string, readonly NamespaceClasses[]> } | undefined;
  private readonly subjectSets = new Map<string, readonly (Uint8Array | undefined)[]>();
  private readonly selectionsByKey = new Map<string, Uint8Array>();
  private readonly tierIndexes = new WeakMap<readonly AdminPolicy[], Record<Direction, TierIndex>>();
  private readonly domainAddresses = new WeakMap<AdminEgressPeer, AddressSet>();

  /**
   * `dns`: the resolution snapshot, when known: a `domainNames` peer then matches the addresses
   * it gives the peer's names (every pod taken to have resolved them); without it, none (and
   * `rulesIfResolved` tells the answers that depend on DNS).
   */
  constructor(
    private readonly cluster: Cluster,
    private readonly classes: LabelClasses,
    policies: readonly AdminPolicy[],
    private readonly dns?: DnsSnapshot,
  ) {
    const sorted = [...policies].sort(byPrecedence);
    this.ordered = { Admin: sorted.filter((p) => p.tier === "Admin"), Baseline: sorted.filter((p) => p.tier === "Baseline") };
  }

  /** Computes which admin policies select every label class (otherwise done on first use of each class). */
  selectAll(): void {
    for (const direction of ["ingress", "egress"] as const) for (const c of this.classes.all) this.selectingClass(c, direction);
  }

  /** The policies of each tier whose subject selects class `c` and that have rules for `direction`. */
  selectingClass(c: LabelClass, direction: Direction): SelectingAdmin {
    const cache = this.selecting[direction];
    let hit = cache.get(c);
    if (hit === undefined) {
      const pick = (tier: AdminTier): readonly AdminPolicy[] => {
        const subjects = this.subjects(tier, direction);
        const picked: number[] = [];
        for (let i = 0; i < subjects.length; i++) {
          const selected = subjects[i];
          if (selected !== undefined && (c.index < selected.length ? selected[c.index] === 1 : adminSelects((this.ordered[tier][i] as AdminPolicy).subject, c))) picked.push(i);
        }
        return this.interned(tier, picked);
      };
      hit = { Admin: pick("Admin"), Baseline: pick("Baseline") };
      cache.set(c, hit);
    }
    return hit;
  }

  /**
   * Per policy of the tier (in its order), the label classes its subject selects; undefined for a
   * policy without rules for `direction`.
   */
  private subjects(tier: AdminTier, direction: Direction): readonly (Uint8Array | undefined)[] {
    const key = `${tier}/${direction}`;
    let hit = this.subjectSets.get(key);
    if (hit === undefined) {
      hit = this.ordered[tier].map((p) => (p[direction].length > 0 ? this.selection(p.subject) : undefined));
      this.subjectSets.set(key, hit);
    }
    return hit;
  }

  /**
   * Whether a subject or a `namespaces`/`pods` peer selects the pods of class `c`: from the label
   * classes each distinct selection selects, computed once (namespaces by their labels, then the
   * classes of the selected namespaces by the pod selector, narrowed by its `In` values).
   */
  private selects(selection: AdminSubject, c: LabelClass): boolean {
    const selected = this.selection(selection);
    // A class made after the selection was computed (an endpoint outside the cluster): evaluated directly.
    return c.index < selected.length ? selected[c.index] === 1 : adminSelects(selection, c);
  }

  /**
   * The non-host-network classes a selection selects (`selected` is its `selection`): those marked
   * in it, then those made after it, evaluated directly (as `selects` does).
   */
  private selectedPods(selection: AdminSubject, selected: Uint8Array): LabelClass[] {
    const all = this.classes.all;
    const out: LabelClass[] = [];
    for (let i = 0; i < all.length; i++) {
      const c = all[i] as LabelClass;
      if (!c.hostNetwork && (c.index < selected.length ? selected[c.index] === 1 : adminSelects(selection, c))) out.push(c);
    }
    return out;
  }

  /** The label classes a selection selects, as one byte per class index. */
  private selection(selection: AdminSubject): Uint8Array {
    let selected = this.selections.get(selection);
    if (selected === undefined) {
      const key = selectionKey(selection);
      selected = this.selectionsByKey.get(key);
      if (selected === undefined) {
        selected = this.selectedClasses(selection);
        this.selectionsByKey.set(key, selected);
      }
      this.selections.set(selection, selected);
    }
    return selected;
  }

  private selectedClasses(selection: AdminSubject): Uint8Array {
    const selected = new Uint8Array(this.classes.all.length);
    for (const { namespace, classes } of this.candidateNamespaces(selection.namespaces)) {
      if (!selectsNamespace(selection.namespaces, classes[0] as LabelClass)) continue;
      const picked = selection.kind === "namespaces" ? classes : classesSelectedBy(this.classes, namespace, selection.pods);
      // "host-networked pods are not included in subject selection" (nor in this type of peer).
      for (const c of picked) if (!c.hostNetwork) selected[c.index] = 1;
    }
    return selected;
  }

  /** The namespaces (with their classes) a namespace selector may select: those carrying a value of its `In` requirement, if it has one. */
  private candidateNamespaces(selector: LabelSelector): readonly NamespaceClasses[] {
    const index = this.namespaceIndex();
    const narrowing = selector.requirements.find((r) => r.operator === "In");
    if (narrowing === undefined || !("values" in narrowing)) return index.all;
    const values = [...new Set(narrowing.values)];
    return values.length === 1 ? (index.byLabel.get(`${narrowing.key}\u0000${values[0]}`) ?? []) : values.flatMap((v) => index.byLabel.get(`${narrowing.key}\u0000${v}`) ?? []);
  }

  /** The namespaces that have classes, and by `key\0value` those carrying each label (made on first use). */
  private namespaceIndex(): { readonly all: readonly NamespaceClasses[]; readonly byLabel: ReadonlyMap<string, readonly NamespaceClasses[]> } {
    if (this.namespaces === undefined) {
      const all: NamespaceClasses[] = [];
      const byLabel = new Map<string, NamespaceClasses[]>();
      for (const [namespace, classes] of this.classes.byNamespace.entries()) {
        const first = classes[0];
        if (first === undefined) continue;
        const entry = { namespace, classes };
        all.push(entry);
        for (const [k, v] of first.namespaceLabels) {
          const key = `${k}\u0000${v}`;
          const list = byLabel.get(key);
          if (list === undefined) byLabel.set(key, [entry]);
          else list.push(entry);
        }
      }
      this.namespaces = { all, byLabel };
    }
    return this.namespaces;
  }

  /** One list object per selection (`picked`: indices into the tier's order), so that classes met by the same admin policies share their verdict layers. */
  private interned(tier: AdminTier, picked: readonly number[]): readonly AdminPolicy[] {
    if (picked.length === 0) return NO_POLICIES;
    const key = picked.join(",");
    const lists = this.lists[tier];
    let hit = lists.get(key);
    if (hit === undefined) {
      const order = this.ordered[tier];
      hit = picked.map((i) => order[i] as AdminPolicy);
      lists.set(key, hit);
    }
    return hit;
  }

  /** The rules of `policies` (one tier, in precedence order) that match some of the connection, each with what it matches. */
  rules(tier: AdminTier, policies: readonly AdminPolicy[], asked: AdminAsked): AdminRuleMatch[] {
    const out: AdminRuleMatch[] = [];
    for (const c of this.candidates(policies, asked)) {
      const match = candidateMatches(c, asked);
      // A rule that matches nothing of this connection decides nothing: the walk need not see it.
      if (!match.isEmpty()) out.push({ tier, policy: c.policy, rule: c.rule, action: c.action, match });
    }
    return out;
  }

  /**
   * The tier's rules as they would be if every `domainNames` peer matched the other side: what a
   * name resolves to is not known offline ("matches only addresses the pod resolved through DNS"),
   * so an answer whose verdict differs between `rules` and these depends on DNS. Null when no rule
   * of `policies` for the direction has a domain peer whose protocols admit the connection.
   */
  rulesIfResolved(tier: AdminTier, policies: readonly AdminPolicy[], asked: AdminAsked, rules: readonly AdminRuleMatch[]): { readonly rules: AdminRuleMatch[]; readonly domainRules: AdminRuleMatch[] } | null {
    // With a snapshot, what the names resolve to is known: `rules` already match it.
    if (this.dns !== undefined) return null;
    const candidates = cachedIn(this.domainRules, policies, () => ({ ingress: withDomainPeers(policies, "ingress"), egress: withDomainPeers(policies, "egress") }))[asked.direction];
    // The common case, on every check: no rule of the tier has a domain peer.
    if (candidates.length === 0) return null;
    const domainRules: AdminRuleMatch[] = [];
    for (const { policy, rule } of candidates) {
      const m = rule.match;
      if (m.kind === "as-written" && m.protocols !== "all" && !m.protocols.some((entry) => protocolAdmits(entry, asked))) continue;
      domainRules.push({ tier, policy, rule, action: ruleAction(rule), match: asked.peerAddresses });
    }
    if (domainRules.length === 0) return null;
    // Both lists are in walk order (policies by precedence, rules as written): merge them, a rule in both taking its resolved match.
    const order = (r: AdminRuleMatch): number => policies.indexOf(r.policy) * 1_000_000 + r.rule.index;
    const resolved = new Set(domainRules.map((r) => r.rule));
    const merged = [...rules.filter((r) => !resolved.has(r.rule)), ...domainRules].sort((x, y) => order(x) - order(y));
    return { rules: merged, domainRules };
  }

  /**
   * The rules of `policies` for the direction asked that may match the other side, each with what
   * of it their peers can match. Selectors are not evaluated on every check: the tier's distinct
   * `namespaces`/`pods` selections are indexed once, a class of the other side is told by which
   * of them select it, and the rules are listed once per such answer. Rules that fail closed as
   * matching nothing, and rules whose peers can match none of the other side, are left out.
   */
  private candidates(policies: readonly AdminPolicy[], asked: AdminAsked): readonly Candidate[] {
    const index = cachedIn(this.tierIndexes, policies, () => ({ ingress: this.tierIndex(policies, "ingress"), egress: this.tierIndex(policies, "egress") }))[asked.direction];
    // "host-networked pods are not included in this type of peer": only a pod's class is selectable.
    const peerClass = asked.peer.kind === "endpoint" && !asked.peer.endpoint.hostNetwork ? this.classes.classOf(asked.peer.endpoint) : null;
    if (peerClass === null) return index.unselected;
    let hit = index.byClass.get(peerClass);
    if (hit === undefined) {
      const sets = index.sets ?? (index.sets = index.selections.map((selection) => this.selection(selection)));
      const at = peerClass.index;
      let key = "";
      for (let k = 0; k < sets.length; k++) {
        const set = sets[k] as Uint8Array;
        if (at < set.length ? set[at] === 1 : adminSelects(index.selections[k] as AdminSubject, peerClass)) key += `${k},`;
      }
      hit = index.byAnswer.get(key);
      if (hit === undefined) {
        const answer = new Set(key.split(",").filter((k) => k !== "").map(Number));
        const selects = (r: IndexedRule): boolean => r.always || r.selections.some((k) => answer.has(k));
        hit = index.rules.filter((r) => selects(r) || !r.addresses.isEmpty()).map((r) => ({ ...r, selected: selects(r) }));
        index.byAnswer.set(key, hit);
      }
      index.byClass.set(peerClass, hit);
    }
    return hit;
  }

  private tierIndex(policies: readonly AdminPolicy[], direction: Direction): TierIndex {
    const selections: AdminSubject[] = [];
    const ids = new Map<string, number>();
    const rules: IndexedRule[] = [];
    for (const policy of policies) {
      for (const rule of policy[direction] as readonly AdminRule<AdminEgressPeer>[]) {
        const m = rule.match;
        // "For "Accept" rules, "fail closed" means: "treat the rule as matching no traffic"."
        if (m.kind === "matches-nothing") continue;
        const action = ruleAction(rule);
        // "For "Deny" and "Pass" rules, "fail closed" means: "treat the rule as a 'Deny all' rule"."
        if (m.kind === "denies-all") {
          rules.push({ policy, rule, action, protocols: "all", always: true, selections: [], addresses: AddressSet.EMPTY });
          continue;
        }
        const mine: number[] = [];
        let addresses = AddressSet.EMPTY;
        for (const peer of m.peers) {
          if (peer.kind === "namespaces" || peer.kind === "pods") {
            const key = selectionKey(peer);
            let id = ids.get(key);
            if (id === undefined) {
              id = selections.length;
              selections.push(peer);
              ids.set(key, id);
            }
            mine.push(id);
          } else addresses = addresses.union(this.peerAddresses(peer));
        }
        if (mine.length > 0 || !addresses.isEmpty()) rules.push({ policy, rule, action, protocols: m.protocols, always: false, selections: mine, addresses });
      }
    }
    const unselected = rules.filter((r) => r.always || !r.addresses.isEmpty()).map((r) => ({ ...r, selected: r.always }));
    return { selections, rules, unselected, byClass: new WeakMap(), byAnswer: new Map() };
  }

  /**
   * The addresses of the other side `peer` (at `peerAddresses`, within its addresses) one admin
   * peer matches, whatever the connection's port: the check and the pair analysis ask the same.
   */
  peerMatches(peer: AdminEgressPeer, other: Target, peerAddresses: AddressSet): AddressSet {
    switch (peer.kind) {
      case "namespaces":
      case "pods":
        // "host-networked pods are not included in this type of peer".
        return other.kind === "endpoint" && !other.endpoint.hostNetwork && this.selects(peer, this.classes.classOf(other.endpoint)) ? peerAddresses : AddressSet.EMPTY;
      case "nodes":
        // "It selects the nodeIPs as the peer type by matching on the IPs present in the node.Status.Addresses field of the node."
        return within(peerAddresses, this.nodesAt(peer.nodes));
      case "networks":
        // "cluster-internal traffic will be checked against the rule as well": pod IPs too, whatever ipBlockMatchesPods says of NetworkPolicy.
        return within(peerAddresses, this.networksAt(peer));
      case "domainNames":
        // "matches only addresses the pod resolved through DNS": with a snapshot, every pod took
        // its names to the snapshot's addresses; without one, no address is known to be (see rulesIfResolved).
        return within(peerAddresses, this.domainPeerAddresses(peer));
    }
  }

  /**
   * Every address of the cluster one peer matches, whoever holds it: the dataplane's view of
   * `peerMatches` (a packet carries one address, so a rule matches it when that address is in this
   * set). `namespaces`/`pods`: the known IPs of the pods the peer selects (never host-network);
   * `nodes`: the nodes' status.addresses; `networks`: the CIDRs; `domainNames`: what the snapshot
   * resolves its names to (none without one).
   */
  peerAddresses(peer: AdminEgressPeer): AddressSet {
    switch (peer.kind) {
      case "namespaces":
      case "pods": {
        // A peer object is asked once per direction and rule that holds it: the classes are read once.
        let at = this.selectionAddresses.get(peer);
        if (at === undefined) {
          // Peers with the same selection (the same peer written in many policies) share its addresses.
          const selected = this.selection(peer);
          at = this.addressesOfSelection.get(selected);
          if (at === undefined) {
            at = AddressSet.fromIps(this.selectedPods(peer, selected).flatMap((c) => c.endpoints.flatMap((e) => e.ips)));
            this.addressesOfSelection.set(selected, at);
          }
          this.selectionAddresses.set(peer, at);
        }
        return at;
      }
      case "nodes":
        return this.nodesAt(peer.nodes);
      case "networks":
        return this.networksAt(peer);
      case "domainNames":
        return this.domainPeerAddresses(peer);
    }
  }

  /** The addresses the snapshot gives the names a `domainNames` peer matches; none without a snapshot. */
  private domainPeerAddresses(peer: Extract<AdminEgressPeer, { kind: "domainNames" }>): AddressSet {
    const dns = this.dns;
    if (dns === undefined) return AddressSet.EMPTY;
    let at = this.domainAddresses.get(peer);
    if (at === undefined) {
      at = AddressSet.fromIps(peer.domainNames.flatMap((d) => (d.pattern === null ? [] : dns.addresses(d.pattern))));
      this.domainAddresses.set(peer, at);
    }
    return at;
  }

  /**
   * Why the `domainNames` peers of `rule` match the addresses of `hit` they do: per pattern, each
   * snapshot address in `hit` it admits, with the name and records that admit it (`Admission`).
   * Empty without a snapshot or domain peers.
   */
  admissions(rule: AdminRule<AdminEgressPeer>, hit: AddressSet): Admission[] {
    const dns = this.dns;
    if (dns === undefined || rule.match.kind !== "as-written") return [];
    const out: Admission[] = [];
    for (const peer of rule.match.peers) {
      if (peer.kind !== "domainNames") continue;
      for (const d of peer.domainNames) {
        const pattern = d.pattern;
        if (pattern === null) continue;
        for (const address of dns.addresses(pattern)) {
          if (!hit.has(address)) continue;
          const admission = dns.admission(pattern, address);
          if (admission !== null) out.push(admission);
        }
      }
    }
    return out;
  }

  private networksAt(peer: Extract<AdminEgressPeer, { kind: "networks" }>): AddressSet {
    let block = this.networkAddresses.get(peer);
    if (block === undefined) {
      block = AddressSet.fromCidrs(peer.networks);
      this.networkAddresses.set(peer, block);
    }
    return block;
  }

  /** The address sets of every `nodes` and `networks` peer: where they split the classes of the class matrix. */
  addressSets(): AddressSet[] {
    const out = new Set<AddressSet>();
    for (const tier of ["Admin", "Baseline"] as const) {
      for (const policy of this.ordered[tier]) {
        for (const rule of [...policy.ingress, ...policy.egress] as readonly AdminRule<AdminEgressPeer>[]) {
          if (rule.match.kind !== "as-written") continue;
          for (const peer of rule.match.peers) if (peer.kind === "nodes" || peer.kind === "networks" || peer.kind === "domainNames") out.add(this.peerAddresses(peer));
        }
      }
    }
    return [...out];
  }

  /** Every admin policy, Admin tier first, each tier in precedence order. */
  get policies(): readonly AdminPolicy[] {
    return [...this.ordered.Admin, ...this.ordered.Baseline];
  }

  /** The addresses of the Nodes `selector` selects: every IP in their `status.addresses`. */
  nodesAt(selector: LabelSelector): AddressSet {
    let at = this.nodeAddresses.get(selector);
    if (at === undefined) {
      const nodes = (this.cluster.nodes ?? []).filter((n) => selectorMatches(selector, n.labels));
      at = AddressSet.fromIps(nodes.flatMap((n) => n.addresses.map((a) => a.ip)));
      this.nodeAddresses.set(selector, at);
    }
    return at;
  }
}

/** A namespace and its label classes (never empty). */
interface NamespaceClasses {
  readonly namespace: string;
  readonly classes: readonly LabelClass[];
}

/** A rule of a tier, for the candidates (see `AdminTiers.candidates`). */
interface IndexedRule {
  readonly policy: AdminPolicy;
  readonly rule: AdminRule<AdminEgressPeer>;
  readonly action: Action;
  readonly protocols: readonly AdminProtocolMatch[] | "all";
  /** The rule fails closed as denying all: it matches everything. */
  readonly always: boolean;
  /** Its `namespaces`/`pods` peers, as indices into the tier's distinct selections. */
  readonly selections: readonly number[];
  /** The addresses of its `nodes` and `networks` peers, united. */
  readonly addresses: AddressSet;
}

/** A rule that may match the other side of a connection. */
interface Candidate extends IndexedRule {
  /** A `namespaces`/`pods` peer selects the other side (or the rule matches everything): it matches all of its addresses. */
  readonly selected: boolean;
}

/** The rules of one tier of a subject for one direction, indexed for the candidates. */
interface TierIndex {
  readonly selections: readonly AdminSubject[];
  /** The label classes each selection selects (made on first use). */
  sets?: readonly Uint8Array[];
  readonly rules: readonly IndexedRule[];
  /** The candidates when no selection can select the other side (not a pod, or a host-network pod). */
  readonly unselected: readonly Candidate[];
  readonly byClass: WeakMap<LabelClass, readonly Candidate[]>;
  /** By which selections select the other side ("0"/"1" per selection). */
  readonly byAnswer: Map<string, readonly Candidate[]>;
}

function selectionKey(selection: AdminSubject): string {
  return selection.kind === "namespaces" ? `n|${cachedSelectorKey(selection.namespaces)}` : `p|${cachedSelectorKey(selection.namespaces)}|${cachedSelectorKey(selection.pods)}`;
}

/** The addresses of the other side a candidate rule matches, for the connection asked. */
function candidateMatches(c: Candidate, asked: AdminAsked): AddressSet {
  // "If unspecified, protocol-specific attributes will not be used to match traffic."
  if (c.protocols !== "all" && !c.protocols.some((entry) => protocolAdmits(entry, asked))) return AddressSet.EMPTY;
  return c.selected ? asked.peerAddresses : within(asked.peerAddresses, c.addresses);
}


/** The part of `addresses` inside `block`: without a new set when none or all of them are (the common cases). */
function within(addresses: AddressSet, block: AddressSet): AddressSet {
  if (!addresses.overlaps(block)) return AddressSet.EMPTY;
  return block.contains(addresses) ? addresses : addresses.intersect(block);
}

/** A `protocols` (v1alpha1 `ports`) entry; a named port resolves on the destination pod by name, protocol and number. */
function protocolAdmits(entry: AdminProtocolMatch, asked: AdminAsked): boolean {
  if (entry.kind === "protocol") {
    if (entry.protocol !== asked.protocol) return false;
    return entry.port.kind === "number" ? entry.port.port === asked.port : entry.port.start <= asked.port && asked.port <= entry.port.end;
  }
  const destination = asked.destination;
  if (destination === null) return false;
  return destination.ports.some((c) => c.name === entry.name && c.protocol === asked.protocol && c.port === asked.port);
}

/**
 * The tier walk as explanation: for each admin tier the subject meets, the rules that decided
 * some of the addresses still open (first match), or that no rule matched. `isolated`: the
 * NetworkPolicy tier sits between, and its verdict is final (the Baseline tier is not reached).
 */
export function tierSteps(
  whole: AddressSet,
  admin: readonly AdminRuleMatch[],
  isolated: boolean,
  baseline: readonly AdminRuleMatch[],
  selecting: SelectingAdmin,
  admissions: (r: AdminRuleMatch, hit: AddressSet) => readonly Admission[] = () => [],
): { readonly steps: TierStep[]; /** What the Admin tier left to the tiers after it. */ readonly afterAdmin: AddressSet } {
  const steps: TierStep[] = [];
  const walk = (tier: AdminTier, rules: readonly AdminRuleMatch[], open: AddressSet): AddressSet => {
    let undecided = open;
    let passed = AddressSet.EMPTY;
    const before = steps.length;
    for (const r of rules) {
      if (undecided.isEmpty()) break;
      const hit = r.match.intersect(undecided);
      if (hit.isEmpty()) continue;
      undecided = undecided.subtract(hit);
      if (r.action === "pass") passed = passed.union(hit);
      steps.push(ruleStep(r, admissions(r, hit)));
    }
    if (steps.length === before) steps.push({ kind: "no-match", tier, policies: selecting[tier].length });
    return undecided.union(passed);
  };
  const afterAdmin = selecting.Admin.length > 0 ? walk("Admin", admin, whole) : whole;
  if (!isolated && selecting.Baseline.length > 0 && !afterAdmin.isEmpty()) walk("Baseline", baseline, afterAdmin);
  return { steps, afterAdmin };
}

/** What a step says of the rule it names: tier, policy, priority, index, name, action, location. */
function ruleFields(r: AdminRuleMatch): TierRuleFields {
  return {
    tier: r.tier,
    policy: { kind: r.policy.source.kind, name: r.policy.name },
    priority: r.policy.priority,
    rule: r.rule.index,
    name: r.rule.name ?? null,
    action: effectiveAction(r.rule),
    at: r.rule.at,
  };
}

function ruleStep(r: AdminRuleMatch, admissions: readonly Admission[]): TierStep {
  return { kind: "rule", ...ruleFields(r), failClosed: r.rule.match.kind !== "as-written", admissions };
}

/** A rule with a `domainNames` peer, and its policy. */
interface DomainRule {
  readonly policy: AdminPolicy;
  readonly rule: AdminRule<AdminEgressPeer>;
}

/** The rules of `policies` for `direction`, in walk order, that have a `domainNames` peer. */
function withDomainPeers(policies: readonly AdminPolicy[], direction: Direction): DomainRule[] {
  return policies.flatMap((policy) =>
    (policy[direction] as readonly AdminRule<AdminEgressPeer>[]).filter((rule) => rule.match.kind === "as-written" && rule.match.peers.some((p) => p.kind === "domainNames")).map((rule) => ({ policy, rule })),
  );
}

/** A rule with a `domainNames` peer the verdict depends on (see `rulesIfResolved`). */
export function dnsStep(r: AdminRuleMatch): TierStep {
  const names = r.rule.match.kind === "as-written" ? r.rule.match.peers.flatMap((p) => (p.kind === "domainNames" ? p.domainNames.map((d) => d.text) : [])) : [];
  return { kind: "depends-on-dns", ...ruleFields(r), domainNames: names };
}

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
import type { LabelClass, LabelClasses } from "./classes.js";
import { selectsNamespace, selectsPods } from "./selection.js";
import type { Action } from "./tiers.js";
import type { Target, TierStep } from "./types.js";

const NO_POLICIES: readonly AdminPolicy[] = [];

const ACTIONS: Readonly<Record<AdminAction, Action>> = { Accept: "accept", Deny: "deny", Pass: "pass" };

/** What an admin rule does to the traffic it matches, as a tier walk's action (fail-closed rules resolved). */
export function adminAction(rule: AdminRule<unknown>): Action {
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
  private readonly lists: Record<AdminTier, Map<string, readonly AdminPolicy[]>> = { Admin: new Map(), Baseline: new Map() };

  constructor(
    private readonly cluster: Cluster,
    private readonly classes: LabelClasses,
    policies: readonly AdminPolicy[],
  ) {
    const sorted = [...policies].sort(byPrecedence);
    this.ordered = { Admin: sorted.filter((p) => p.tier === "Admin"), Baseline: sorted.filter((p) => p.tier === "Baseline") };
  }

  /** The policies of each tier whose subject selects class `c` and that have rules for `direction`. */
  selectingClass(c: LabelClass, direction: Direction): SelectingAdmin {
    const cache = this.selecting[direction];
    let hit = cache.get(c);
    if (hit === undefined) {
      const pick = (tier: AdminTier): readonly AdminPolicy[] => this.interned(tier, this.ordered[tier].filter((p) => p[direction].length > 0 && adminSelects(p.subject, c)));
      hit = { Admin: pick("Admin"), Baseline: pick("Baseline") };
      cache.set(c, hit);
    }
    return hit;
  }

  /** One list object per selection, so that classes met by the same admin policies share their verdict layers. */
  private interned(tier: AdminTier, policies: readonly AdminPolicy[]): readonly AdminPolicy[] {
    if (policies.length === 0) return NO_POLICIES;
    const order = this.ordered[tier];
    const key = policies.map((p) => order.indexOf(p)).join(",");
    const lists = this.lists[tier];
    const hit = lists.get(key);
    if (hit !== undefined) return hit;
    lists.set(key, policies);
    return policies;
  }

  /** The rules of `policies` (one tier, in precedence order) that match some of the connection, each with what it matches. */
  rules(tier: AdminTier, policies: readonly AdminPolicy[], asked: AdminAsked): AdminRuleMatch[] {
    const out: AdminRuleMatch[] = [];
    for (const policy of policies) {
      for (const rule of policy[asked.direction] as readonly AdminRule<AdminEgressPeer>[]) {
        const match = this.ruleMatches(rule, asked);
        // A rule that matches nothing of this connection decides nothing: the walk need not see it.
        if (!match.isEmpty()) out.push({ tier, policy, rule, action: adminAction(rule), match });
      }
    }
    return out;
  }

  /**
   * The addresses of the other side one rule matches. A rule that fails closed (an entry of a newer
   * CRD): "For "Accept" rules, "fail closed" means: "treat the rule as matching no traffic". For
   * "Deny" and "Pass" rules, "fail closed" means: "treat the rule as a 'Deny all' rule"."
   */
  private ruleMatches(rule: AdminRule<AdminEgressPeer>, asked: AdminAsked): AddressSet {
    const m = rule.match;
    if (m.kind === "matches-nothing") return AddressSet.EMPTY;
    if (m.kind === "denies-all") return asked.peerAddresses;
    // "If unspecified, protocol-specific attributes will not be used to match traffic."
    if (m.protocols !== "all" && !m.protocols.some((entry) => protocolAdmits(entry, asked))) return AddressSet.EMPTY;
    let matched = AddressSet.EMPTY;
    for (const peer of m.peers) {
      const hit = this.peerMatches(peer, asked);
      if (hit.isEmpty()) continue;
      matched = matched.isEmpty() ? hit : matched.union(hit);
      if (matched.contains(asked.peerAddresses)) break;
    }
    return matched;
  }

  private peerMatches(peer: AdminEgressPeer, asked: AdminAsked): AddressSet {
    switch (peer.kind) {
      case "namespaces":
      case "pods":
        return asked.peer.kind === "endpoint" && adminSelects(peer, this.classes.classOf(asked.peer.endpoint)) ? asked.peerAddresses : AddressSet.EMPTY;
      case "nodes":
      case "networks":
        return within(asked.peerAddresses, this.peerAddresses(peer));
      case "domainNames":
        // What a name resolves to is not known offline: a domain peer matches nothing for now, as
        // in the reference. The domain-name issue will evaluate it (answers that depend on DNS).
        return AddressSet.EMPTY;
    }
  }

  /**
   * The addresses a `nodes` or `networks` peer matches. "It selects the nodeIPs as the peer type by
   * matching on the IPs present in the node.Status.Addresses field of the node." `networks`:
   * "cluster-internal traffic will be checked against the rule as well": pod IPs too, whatever
   * ipBlockMatchesPods says of NetworkPolicy.
   */
  peerAddresses(peer: Extract<AdminEgressPeer, { kind: "nodes" | "networks" }>): AddressSet {
    if (peer.kind === "nodes") return this.nodesAt(peer.nodes);
    let block = this.networkAddresses.get(peer);
    if (block === undefined) {
      block = AddressSet.fromCidrs(peer.networks);
      this.networkAddresses.set(peer, block);
    }
    return block;
  }

  /** The address sets of every `nodes` and `networks` peer: where they split the classes of the class matrix. */
  addressSets(): AddressSet[] {
    const out: AddressSet[] = [];
    for (const tier of ["Admin", "Baseline"] as const) {
      for (const policy of this.ordered[tier]) {
        for (const rule of [...policy.ingress, ...policy.egress] as readonly AdminRule<AdminEgressPeer>[]) {
          if (rule.match.kind !== "as-written") continue;
          for (const peer of rule.match.peers) if (peer.kind === "nodes" || peer.kind === "networks") out.push(this.peerAddresses(peer));
        }
      }
    }
    return out;
  }

  /** Every admin policy, Admin tier first, each tier in precedence order. */
  get policies(): readonly AdminPolicy[] {
    return [...this.ordered.Admin, ...this.ordered.Baseline];
  }

  private nodesAt(selector: LabelSelector): AddressSet {
    let at = this.nodeAddresses.get(selector);
    if (at === undefined) {
      const nodes = (this.cluster.nodes ?? []).filter((n) => selectorMatches(selector, n.labels));
      at = AddressSet.fromIps(nodes.flatMap((n) => n.addresses.map((a) => a.ip)));
      this.nodeAddresses.set(selector, at);
    }
    return at;
  }
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
      steps.push(ruleStep(r));
    }
    if (steps.length === before) steps.push({ kind: "no-match", tier, policies: selecting[tier].length });
    return undecided.union(passed);
  };
  const afterAdmin = selecting.Admin.length > 0 ? walk("Admin", admin, whole) : whole;
  if (!isolated && selecting.Baseline.length > 0 && !afterAdmin.isEmpty()) walk("Baseline", baseline, afterAdmin);
  return { steps, afterAdmin };
}

function ruleStep(r: AdminRuleMatch): TierStep {
  const action = effectiveAction(r.rule);
  return {
    kind: "rule",
    tier: r.tier,
    policy: { kind: r.policy.source.kind, name: r.policy.name },
    priority: r.policy.priority,
    rule: r.rule.index,
    name: r.rule.name ?? null,
    action,
    failClosed: r.rule.match.kind !== "as-written",
    at: r.rule.at,
  };
}

import type { AdminPolicy, AdminTier } from "../model/admin-policy.js";
import type { Cluster, Direction, Endpoint, Peer, Policy, Rule } from "../model/cluster.js";
import type { Protocol } from "../model/ports.js";
import { AddressSet } from "../net/address-set.js";
import { ipBlockAddresses, targetAddresses } from "./addresses.js";
import { type AdminAsked, type AdminRuleMatch, AdminTiers, dnsStep, tierSteps } from "./admin-tiers.js";
import { type LabelClass, LabelClasses } from "./classes.js";
import { OverlayMap } from "./overlay-map.js";
import { matchRulePorts } from "./ports.js";
import { policiesSelectingClasses, selectsNamespace, selectsPods } from "./selection.js";
import {
  type NetworkPolicyTier,
  type Tier,
  type TierRule,
  type TrafficSets,
  type VerdictLayer,
  ADMIN_TIER_END,
  NETWORK_POLICY_ACTION,
  NETWORK_POLICY_END,
  tierLayers,
  verdictLayers,
  walkTiers,
} from "./tiers.js";
import type {
  Connection,
  Decision,
  DirectionResult,
  EngineOptions,
  Explanation,
  Governance,
  PolicyRef,
  Reason,
  Target,
  Verdict,
} from "./types.js";
import { cachedIn } from "./cached-in.js";

type PeerOutcome = { readonly reason: Reason; readonly allowed: AddressSet };

/** Nearer misses rank higher and are the ones reported for a rule. */
const PEER_MISS_RANK: Partial<Record<Reason, number>> = {
  "ipblock-partial": 6,
  "peer-pod-mismatch": 5,
  "ipblock-in-except": 4,
  "peer-namespace-mismatch": 3,
  "ipblock-outside-cidr": 2,
  "ipblock-ignores-pods": 1,
  "peer-host-network": 0,
  "peer-not-a-pod": 0,
};

/**
 * The fast engine: selectors are evaluated once per label class and cached; a connection is
 * decided by the rules of the policies that select each side.
 */
export class Engine {
  /** Per class index, the policies selecting the class (filled on first use, or by `selectAll`). */
  private readonly selecting: Record<Direction, (readonly Policy[] | undefined)[]>;
  /** The admin tiers of the cluster (made on first use); null when it has no admin policies. */
  private admin: AdminTiers | null | undefined;

  private constructor(
    readonly cluster: Cluster,
    readonly options: EngineOptions,
    readonly classes: LabelClasses,
    private readonly policiesByNamespace: OverlayMap<string, readonly Policy[]>,
    selecting?: Record<Direction, (readonly Policy[] | undefined)[]>,
  ) {
    this.selecting = selecting ?? { ingress: [], egress: [] };
  }

  static compile(cluster: Cluster, options: EngineOptions): Engine {
    return new Engine(cluster, options, new LabelClasses(cluster), groupByNamespace(cluster.policies));
  }

  /**
   * An engine for `cluster`, which is `prev`'s cluster after `change`, sharing what the change
   * leaves alone: label classes after a policy change, policy lists after an endpoint change, and
   * the selections of every class the change cannot affect. `prev` stays valid.
   */
  static derive(prev: Engine, cluster: Cluster, change: EngineChange): Engine {
    const selecting = { ingress: prev.selecting.ingress.slice(), egress: prev.selecting.egress.slice() };
    if (change.kind === "endpoints") {
      const classes = prev.classes.withEndpoints(cluster, change.removed, change.added);
      return new Engine(cluster, prev.options, classes, prev.policiesByNamespace, selecting);
    }
    const byNamespace = prev.policiesByNamespace.fork();
    for (const [ns, policies] of change.lists) {
      byNamespace.set(ns, policies);
      for (const c of prev.classes.byNamespace.get(ns) ?? []) {
        for (const direction of ["ingress", "egress"] as const) {
          const before = selecting[direction][c.index];
          selecting[direction][c.index] = before === undefined ? undefined : reselect(before, c, direction, change);
        }
      }
    }
    return new Engine(cluster, prev.options, prev.classes, byNamespace, selecting);
  }

  /**
   * An engine for `cluster`, found from `prev` by object identity (the node agent hands over
   * unchanged model objects as the same objects): endpoints that came and went re-class only
   * themselves, policies that came and went reselect only the classes of their namespaces. Null
   * when something else changed (namespaces, admin policies, nodes with admin policies, options):
   * compile afresh then. `changed` lists the endpoints that came and went.
   */
  static following(prev: Engine, cluster: Cluster, options: EngineOptions): { engine: Engine; removed: readonly Endpoint[]; added: readonly Endpoint[] } | null {
    const before = prev.cluster;
    if (!sameOptions(prev.options, options) || !sameNamespaces(before.namespaces, cluster.namespaces)) return null;
    if (!sameItems(before.adminPolicies ?? NO_ADMIN, cluster.adminPolicies ?? NO_ADMIN)) return null;
    if ((cluster.adminPolicies ?? NO_ADMIN).length > 0 && !sameItems(before.nodes ?? NO_NODES, cluster.nodes ?? NO_NODES)) return null;
    const endpoints = difference(before.endpoints, cluster.endpoints);
    // Past a quarter of the endpoints changed, classing them all afresh costs less.
    if ((endpoints.removed.length + endpoints.added.length) * 4 > Math.max(cluster.endpoints.length, 64)) return null;
    const policies = difference(before.policies, cluster.policies);
    let classes = prev.classes;
    if (endpoints.removed.length + endpoints.added.length > 0) classes = prev.classes.withEndpoints(cluster, endpoints.removed, endpoints.added);
    const selecting = { ingress: prev.selecting.ingress.slice(), egress: prev.selecting.egress.slice() };
    let byNamespace = prev.policiesByNamespace;
    const touched = new Set([...policies.removed, ...policies.added].map((p) => p.namespace));
    // The namespaces left alone keep their lists only when their policies kept their order.
    const untouched = (list: readonly Policy[]): Policy[] => list.filter((p) => !touched.has(p.namespace));
    if (before.policies !== cluster.policies && !sameItems(untouched(before.policies), untouched(cluster.policies))) return null;
    if (touched.size > 0) {
      byNamespace = prev.policiesByNamespace.fork();
      for (const ns of touched) {
        byNamespace.set(ns, cluster.policies.filter((p) => p.namespace === ns));
        // Selected again on first use.
        for (const c of classes.byNamespace.get(ns) ?? []) {
          selecting.ingress[c.index] = undefined;
          selecting.egress[c.index] = undefined;
        }
      }
    }
    return { engine: new Engine(cluster, options, classes, byNamespace, selecting), removed: endpoints.removed, added: endpoints.added };
  }

  /** The policies of `namespace`, in cluster order. */
  policiesIn(namespace: string): readonly Policy[] {
    return this.policiesByNamespace.get(namespace) ?? NONE;
  }

  /** Computes which policies select every class, one namespace at a time (selector-indexed), and what every admin policy's subject selects. */
  selectAll(): void {
    this.adminTiers()?.selectAll();
    for (const [ns, classes] of this.classes.byNamespace.entries()) {
      if (classes.some((c) => this.selecting.ingress[c.index] === undefined || this.selecting.egress[c.index] === undefined)) this.selectNamespace(ns);
    }
  }

  private selectNamespace(namespace: string): void {
    const found = policiesSelectingClasses(this.classes, namespace, this.policiesByNamespace.get(namespace) ?? NONE);
    for (const c of this.classes.byNamespace.get(namespace) ?? []) {
      const lists = found.get(c.index);
      this.selecting.ingress[c.index] = lists?.ingress ?? NONE;
      this.selecting.egress[c.index] = lists?.egress ?? NONE;
    }
  }

  /**
   * The policies that select `endpoint` for `direction`.
   * "A pod is isolated for egress if there is any NetworkPolicy that both selects the pod and has
   * "Egress" in its policyTypes" (and likewise for ingress). Host-network pods are never selected.
   */
  policiesSelecting(endpoint: Endpoint, direction: Direction): readonly Policy[] {
    return this.policiesSelectingClass(this.classes.classOf(endpoint), direction);
  }

  policiesSelectingClass(c: LabelClass, direction: Direction): readonly Policy[] {
    const cache = this.selecting[direction];
    const hit = cache[c.index];
    if (hit !== undefined) return hit;
    const found = c.hostNetwork
      ? NONE
      : (this.policiesByNamespace.get(c.namespace) ?? NONE).filter((p) => p.affects[direction] && selectsPods(p.podSelector, c));
    cache[c.index] = found;
    return found;
  }

  /**
   * The verdict layers deciding `direction` for `endpoint`, in order (see tiers.ts): the Admin tier,
   * the NetworkPolicy tier, the Baseline tier, each when present; none when nothing restricts it.
   * The same list object for every endpoint met by the same policies.
   */
  layersSelecting(endpoint: Endpoint, direction: Direction): readonly VerdictLayer[] {
    return this.layersOfClass(this.classes.classOf(endpoint), direction);
  }

  layersOfClass(c: LabelClass, direction: Direction): readonly VerdictLayer[] {
    const networkPolicy = this.networkPolicyLayersOfClass(c, direction);
    const admin = this.adminTiers();
    if (admin === null) return networkPolicy;
    const selecting = admin.selectingClass(c, direction);
    if (selecting.Admin.length === 0 && selecting.Baseline.length === 0) return networkPolicy;
    const byAdmin = cachedIn(tierLayersOf[direction], networkPolicy, () => new WeakMap<readonly AdminPolicy[], WeakMap<readonly AdminPolicy[], readonly VerdictLayer[]>>());
    const byBaseline = cachedIn(byAdmin, selecting.Admin, () => new WeakMap<readonly AdminPolicy[], readonly VerdictLayer[]>());
    return cachedIn(byBaseline, selecting.Baseline, () => tierLayers(direction, selecting.Admin, networkPolicy, selecting.Baseline));
  }

  /**
   * The NetworkPolicy v1 layer alone (admin tiers left out), for the evaluators that do not walk
   * the admin tiers yet. The same list object for every endpoint selected by the same policies.
   */
  networkPolicyLayersSelecting(endpoint: Endpoint, direction: Direction): readonly NetworkPolicyTier[] {
    return this.networkPolicyLayersOfClass(this.classes.classOf(endpoint), direction);
  }

  networkPolicyLayersOfClass(c: LabelClass, direction: Direction): readonly NetworkPolicyTier[] {
    const policies = this.policiesSelectingClass(c, direction);
    return cachedIn(layersOf[direction], policies, () => verdictLayers(direction, policies));
  }

  /** The admin tiers of the cluster, or null when it has none (the NetworkPolicy-only path costs nothing more). */
  adminTiers(): AdminTiers | null {
    if (this.admin === undefined) {
      const policies = this.cluster.adminPolicies ?? [];
      this.admin = policies.length === 0 ? null : new AdminTiers(this.cluster, this.classes, policies, this.options.dns);
    }
    return this.admin;
  }

  governance(endpoint: Endpoint, direction: Direction): Governance {
    if (endpoint.hostNetwork) return { kind: "host-network" };
    const policies = this.policiesSelecting(endpoint, direction);
    return policies.length === 0 ? { kind: "not-isolated" } : { kind: "isolated", policies: policyRefs(policies) };
  }

  check(conn: Connection): Decision {
    const self = isSelf(conn.from, conn.to);
    // "A Pod connecting to its own Pod IP is not subject to CNP. A Pod connecting to a Service IP
    // that the service proxy load-balances back to the same Pod is subject to ClusterNetworkPolicy."
    if (self && conn.viaService !== true) return this.selfDecision(conn);
    const egress = this.evaluateDirection("egress", conn.from, conn.to, conn.port, conn.protocol, self);
    const ingress = this.evaluateDirection("ingress", conn.to, conn.from, conn.port, conn.protocol, self);
    return { verdict: combine(egress.verdict, ingress.verdict), egress, ingress, self: false };
  }

  /**
   * Evaluates one direction for the endpoint `subject` (the source for egress, the destination for
   * ingress) against the other side `peer`: the walk of its verdict layers over the peer's addresses.
   * `hairpin`: the peer is the subject itself, reached through a Service: the admin tiers apply, and
   * the NetworkPolicy tier allows it ("a pod can always reach itself").
   */
  evaluateDirection(direction: Direction, subject: Target, peer: Target, port: number, protocol: Protocol, hairpin = false): DirectionResult {
    const peerAddresses = targetAddresses(peer, this.options);
    const open = (governance: Governance): DirectionResult => ({
      direction,
      verdict: "allowed",
      governance,
      allowedBy: [],
      misses: [],
      allowedPeerAddresses: peerAddresses,
      tiers: [],
    });
    // External endpoints have no policies.
    if (subject.kind === "external") return open({ kind: "external" });
    // "Note that host-networked pods are not included in subject selection" (admin policies), nor selected by NetworkPolicy.
    if (subject.endpoint.hostNetwork) return open({ kind: "host-network" });
    const layers = this.layersSelecting(subject.endpoint, direction);
    // "By default, a pod is non-isolated for egress; all outbound connections are allowed."
    if (layers.length === 0) return open({ kind: "not-isolated" });
    // Egress names the destination's ports; for ingress the subject is the destination.
    const destination = direction === "egress" ? (peer.kind === "endpoint" ? peer.endpoint : null) : subject.endpoint;
    const found: Found = { allowedBy: [], misses: [] };
    const asked: AdminAsked = { direction, peer, peerAddresses, port, protocol, destination };
    const admin: Record<AdminTier, { policies: readonly AdminPolicy[]; rules: readonly AdminRuleMatch[] }> = { Admin: NO_ADMIN_TIER, Baseline: NO_ADMIN_TIER };
    // "Policy tiers are evaluated in the following order: * Admin tier * NetworkPolicy tier * Baseline tier."
    const tiers: Tier<AddressSet>[] = [];
    // The same walk as if every domainNames peer matched the peer (see AdminTiers.rulesIfResolved).
    const tiersIfResolved: Tier<AddressSet>[] = [];
    const domainRules: AdminRuleMatch[] = [];
    for (const layer of layers) {
      switch (layer.kind) {
        case "admin": {
          const rules = this.requireAdminTiers().rules(layer.tier, layer.policies, asked);
          admin[layer.tier] = { policies: layer.policies, rules };
          tiers.push({ rules, end: ADMIN_TIER_END });
          const resolved = this.requireAdminTiers().rulesIfResolved(layer.tier, layer.policies, asked, rules);
          tiersIfResolved.push({ rules: resolved === null ? rules : resolved.rules, end: ADMIN_TIER_END });
          if (resolved !== null) domainRules.push(...resolved.domainRules);
          break;
        }
        case "networkpolicy": {
          const tier: Tier<AddressSet> = {
            rules: hairpin ? [{ action: NETWORK_POLICY_ACTION, match: peerAddresses }] : this.networkPolicyRules(layer.policies, direction, peer, peerAddresses, port, protocol, destination, found),
            end: NETWORK_POLICY_END,
          };
          tiers.push(tier);
          tiersIfResolved.push(tier);
        }
      }
    }
    const allowed = walkTiers(ADDRESS_SETS, peerAddresses, tiers);
    // "matches only addresses the pod resolved through DNS": when that could change the verdict, it depends on DNS.
    const dependsOnDns = domainRules.length > 0 && verdictOf(walkTiers(ADDRESS_SETS, peerAddresses, tiersIfResolved), peerAddresses) !== verdictOf(allowed, peerAddresses);
    const isolating = isolatingPolicies(layers);
    const adminSelects = admin.Admin.policies.length > 0 || admin.Baseline.policies.length > 0;
    const walked = adminSelects
      ? tierSteps(peerAddresses, admin.Admin.rules, isolating.length > 0, admin.Baseline.rules, { Admin: admin.Admin.policies, Baseline: admin.Baseline.policies }, (r, hit) =>
          this.requireAdminTiers().admissions(r.rule, hit),
        )
      : null;
    // When the Admin tier decided every address, the NetworkPolicy rules were not reached: they neither allowed nor missed it.
    const reached = walked === null || !walked.afterAdmin.isEmpty();
    return {
      direction,
      verdict: dependsOnDns ? "depends" : verdictOf(allowed, peerAddresses),
      governance: isolating.length === 0 ? { kind: "not-isolated" } : { kind: "isolated", policies: policyRefs(isolating) },
      allowedBy: reached ? found.allowedBy : [],
      misses: !reached || allowed.contains(peerAddresses) ? [] : found.misses,
      allowedPeerAddresses: allowed,
      tiers: [...(walked === null ? [] : walked.steps), ...(dependsOnDns ? domainRules.map(dnsStep) : [])],
    };
  }

  /** The admin tiers, where a layer of them was found: the cluster has admin policies. */
  requireAdminTiers(): AdminTiers {
    const admin = this.adminTiers();
    if (admin === null) throw new Error("an admin tier layer in a cluster without admin policies");
    return admin;
  }

  /**
   * The rules of the NetworkPolicy v1 tier, each accepting the addresses of the peer it admits;
   * what each rule allowed or missed goes into `found`.
   */
  private networkPolicyRules(
    policies: readonly Policy[],
    direction: Direction,
    peer: Target,
    peerAddresses: AddressSet,
    port: number,
    protocol: Protocol,
    destination: Endpoint | null,
    found: Found,
  ): TierRule<AddressSet>[] {
    const out: TierRule<AddressSet>[] = [];
    for (const policy of policies) {
      const rules = policy[direction];
      // "an empty rule list ... this policy allows no traffic" for the pods it isolates.
      if (rules.length === 0) found.misses.push(explanation(policy, direction, null, null, null, "no-rules", policy));
      for (const rule of rules) {
        const r = this.evaluateRule(policy, direction, rule, peer, peerAddresses, port, protocol, destination);
        for (const a of r.allowedBy) found.allowedBy.push(a);
        if (r.miss !== null) found.misses.push(r.miss);
        // A rule that admits nothing decides nothing.
        if (!r.allowed.isEmpty()) out.push({ action: NETWORK_POLICY_ACTION, match: r.allowed });
      }
    }
    return out;
  }

  private evaluateRule(
    policy: Policy,
    direction: Direction,
    rule: Rule,
    peer: Target,
    peerAddresses: AddressSet,
    port: number,
    protocol: Protocol,
    destination: Endpoint | null,
  ): { allowed: AddressSet; allowedBy: Explanation[]; miss: Explanation | null } {
    const ports = matchRulePorts(rule.ports, protocol, port, destination);
    const peers = this.matchRulePeers(policy, rule, peer, peerAddresses);
    const portAt = ports.index === null || rule.ports === "all" ? rule : (rule.ports[ports.index] ?? rule);
    if (ports.outcome !== "allowed") {
      // The peer matched (or partly) but the port did not: that is the nearer miss.
      const peerMissed = peers.allowed.isEmpty();
      const reason = peerMissed ? peers.reason : ports.outcome;
      const at = peerMissed ? peers.at : portAt.at;
      return { allowed: AddressSet.EMPTY, allowedBy: [], miss: { ...explanation(policy, direction, rule.index, peers.index, ports.index, reason, rule), at } };
    }
    if (peers.allowed.isEmpty()) {
      return { allowed: AddressSet.EMPTY, allowedBy: [], miss: { ...explanation(policy, direction, rule.index, peers.index, ports.index, peers.reason, rule), at: peers.at } };
    }
    const ok = peers.matched.map((m) => ({ ...explanation(policy, direction, rule.index, m.index, ports.index, m.reason, rule), at: m.at }));
    return { allowed: peers.allowed, allowedBy: ok, miss: null };
  }

  /** Which of the rule's peers admit the other side, and the addresses they admit. */
  private matchRulePeers(
    policy: Policy,
    rule: Rule,
    peer: Target,
    peerAddresses: AddressSet,
  ): {
    allowed: AddressSet;
    matched: { index: number | null; reason: Reason; at: Rule["at"] }[];
    reason: Reason;
    index: number | null;
    at: Rule["at"];
  } {
    // "If this field is empty or missing, this rule matches all destinations (traffic not restricted by destination)."
    if (rule.peers === "all") {
      return { allowed: peerAddresses, matched: [{ index: null, reason: "allowed", at: rule.at }], reason: "allowed", index: null, at: rule.at };
    }
    let allowed = AddressSet.EMPTY;
    const matched: { index: number; reason: Reason; at: Rule["at"] }[] = [];
    let nearest: { index: number | null; reason: Reason; at: Rule["at"] } = { index: null, reason: "peer-not-a-pod", at: rule.at };
    let nearestRank = -1;
    rule.peers.forEach((p, index) => {
      const outcome = this.matchPeer(policy, p, peer, peerAddresses);
      if (!outcome.allowed.isEmpty()) {
        if (outcome.allowed !== allowed) allowed = allowed.union(outcome.allowed);
        matched.push({ index, reason: outcome.reason, at: p.at });
      } else if ((PEER_MISS_RANK[outcome.reason] ?? 0) > nearestRank) {
        nearestRank = PEER_MISS_RANK[outcome.reason] ?? 0;
        nearest = { index, reason: outcome.reason, at: p.at };
      }
    });
    const best = matched[0] ?? nearest;
    return { allowed, matched, reason: best.reason, index: best.index, at: best.at };
  }

  /** Whether one peer admits the other side of the connection. */
  matchPeer(policy: Policy, p: Peer, peer: Target, peerAddresses: AddressSet): PeerOutcome {
    if (p.kind === "ipBlock") return this.matchIpBlock(p, peer, peerAddresses);
    if (peer.kind === "external") return { reason: "peer-not-a-pod", allowed: AddressSet.EMPTY };
    const endpoint = peer.endpoint;
    // Host-network pods are the node: selectors do not select them.
    if (endpoint.hostNetwork) return { reason: "peer-host-network", allowed: AddressSet.EMPTY };
    const c = this.classes.classOf(endpoint);
    if (p.namespaces.kind === "own") {
      // "podSelector ... selects particular Pods in the same namespace as the NetworkPolicy."
      if (c.namespace !== policy.namespace) return { reason: "peer-namespace-mismatch", allowed: AddressSet.EMPTY };
    } else if (!selectsNamespace(p.namespaces.selector, c)) {
      // "namespaceSelector ... selects particular namespaces for which all Pods should be allowed";
      // with podSelector too, "selects particular Pods within particular namespaces" (AND).
      return { reason: "peer-namespace-mismatch", allowed: AddressSet.EMPTY };
    }
    if (!selectsPods(p.pods, c)) return { reason: "peer-pod-mismatch", allowed: AddressSet.EMPTY };
    return { reason: "allowed", allowed: peerAddresses };
  }

  private matchIpBlock(p: Extract<Peer, { kind: "ipBlock" }>, peer: Target, peerAddresses: AddressSet): PeerOutcome {
    // Whether an ipBlock matches pod IPs is implementation-defined; --ipblock-matches-pods chooses.
    if (peer.kind === "endpoint" && !peer.endpoint.hostNetwork && !this.options.ipBlockMatchesPods) {
      return { reason: "ipblock-ignores-pods", allowed: AddressSet.EMPTY };
    }
    const block = ipBlockAddresses(p);
    const allowed = peerAddresses.intersect(block);
    if (allowed.isEmpty()) {
      const inCidr = peerAddresses.intersect(AddressSet.fromCidr(p.cidr));
      return { reason: inCidr.isEmpty() ? "ipblock-outside-cidr" : "ipblock-in-except", allowed };
    }
    return { reason: allowed.contains(peerAddresses) ? "allowed" : "ipblock-partial", allowed };
  }

  private selfDecision(conn: Connection): Decision {
    // The peer of egress is the destination, of ingress the source (one pod, maybe at two addresses).
    const side = (direction: Direction): DirectionResult => ({
      direction,
      verdict: "allowed",
      governance: { kind: "self" },
      allowedBy: [],
      misses: [],
      allowedPeerAddresses: targetAddresses(direction === "egress" ? conn.to : conn.from, this.options),
      // "A pod connecting to its own IP is not subject to ClusterNetworkPolicy" (issue 9): no tier is walked.
      tiers: [],
    });
    return { verdict: "allowed", egress: side("egress"), ingress: side("ingress"), self: true };
  }
}

/** What changed between an engine's cluster and the next: see `Engine.derive`. */
export type EngineChange =
  /**
   * The policies of some namespaces are now `lists` (each in cluster order): `added` was appended
   * or put in the place of `removed`, or `removed` was taken out.
   */
  | { readonly kind: "policies"; readonly lists: ReadonlyMap<string, readonly Policy[]>; readonly added: Policy | null; readonly removed: Policy | null }
  | { readonly kind: "endpoints"; readonly removed: readonly Endpoint[]; readonly added: readonly Endpoint[] };

const NONE: readonly Policy[] = [];
const NO_ADMIN: readonly AdminPolicy[] = [];
const NO_NODES: readonly NonNullable<Cluster["nodes"]>[number][] = [];

const sameOptions = (a: EngineOptions, b: EngineOptions): boolean =>
  a === b || (a.ipBlockMatchesPods === b.ipBlockMatchesPods && a.podNetwork.key() === b.podNetwork.key() && a.dns === b.dns);

/** The same objects in the same order. */
function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a === b || (a.length === b.length && a.every((x, i) => x === b[i]));
}

function sameNamespaces(a: Cluster["namespaces"], b: Cluster["namespaces"]): boolean {
  if (a === b) return true;
  if (a.size !== b.size) return false;
  for (const [name, ns] of a) if (b.get(name) !== ns) return false;
  return true;
}

/**
 * The objects of `before` not in `after`, and those of `after` not in `before` (by identity; each
 * list holds an object once). The runs both lists begin and end with are the same objects, so only
 * what lies between is compared: an event changes one place of a list.
 */
function difference<T>(before: readonly T[], after: readonly T[]): { removed: T[]; added: T[] } {
  if (before === after) return { removed: [], added: [] };
  let head = 0;
  const shorter = Math.min(before.length, after.length);
  while (head < shorter && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < shorter - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  const was = before.slice(head, before.length - tail);
  const is = after.slice(head, after.length - tail);
  const old = new Set(was);
  const now = new Set(is);
  return { removed: was.filter((x) => !now.has(x)), added: is.filter((x) => !old.has(x)) };
}

/** An admin tier the subject does not meet. */
const NO_ADMIN_TIER = { policies: [], rules: [] } as const satisfies { policies: readonly AdminPolicy[]; rules: readonly AdminRuleMatch[] };

/** The NetworkPolicy layer of each (cached, immutable) list of selecting policies, made once per list. */
const layersOf: Record<Direction, WeakMap<readonly Policy[], readonly NetworkPolicyTier[]>> = { ingress: new WeakMap(), egress: new WeakMap() };

/** Every layer, per NetworkPolicy layer, Admin policies and Baseline policies (each a cached, immutable list). */
type TierLayersCache = WeakMap<readonly NetworkPolicyTier[], WeakMap<readonly AdminPolicy[], WeakMap<readonly AdminPolicy[], readonly VerdictLayer[]>>>;
const tierLayersOf: Record<Direction, TierLayersCache> = { ingress: new WeakMap(), egress: new WeakMap() };


/** The policies of the NetworkPolicy v1 layer: those that isolate the subject. */
function isolatingPolicies(layers: readonly VerdictLayer[]): readonly Policy[] {
  for (const layer of layers) if (layer.kind === "networkpolicy") return layer.policies;
  return NONE;
}

/** What the rules of a direction allowed, and the closest miss of each rule that did not. */
interface Found {
  readonly allowedBy: Explanation[];
  readonly misses: Explanation[];
}

/**
 * Addresses of one peer as the pieces of traffic a tier walk decides. Rules that admit the peer in
 * full all return its very address set: nothing to unite then.
 */
const ADDRESS_SETS: TrafficSets<AddressSet> = {
  empty: AddressSet.EMPTY,
  isEmpty: (a) => a.isEmpty(),
  union: (a, b) => (a === b ? a : a.union(b)),
  intersect: (a, b) => (a === b ? a : a.intersect(b)),
  subtract: (a, b) => a.subtract(b),
};

/**
 * The policies selecting class `c` after a policy change, from those before: the removed one
 * leaves, the added one joins where the cluster order puts it (last when appended, in the place of
 * the one it replaces). Undefined (select again) when that place cannot be told from the list.
 */
function reselect(before: readonly Policy[], c: LabelClass, direction: Direction, change: Extract<EngineChange, { kind: "policies" }>): readonly Policy[] | undefined {
  const { added, removed } = change;
  const joins = added !== null && !c.hostNetwork && added.namespace === c.namespace && added.affects[direction] && selectsPods(added.podSelector, c);
  const at = removed === null ? -1 : before.indexOf(removed);
  if (!joins) return at < 0 ? before : before.filter((p) => p !== removed);
  if (at >= 0) return before.map((p) => (p === removed ? (added as Policy) : p));
  if (removed !== null && removed.namespace === c.namespace) return undefined;
  const list = change.lists.get(c.namespace);
  return list !== undefined && list[list.length - 1] === added ? [...before, added as Policy] : undefined;
}

function groupByNamespace(policies: readonly Policy[]): OverlayMap<string, Policy[]> {
  const out = OverlayMap.of<string, Policy[]>();
  for (const p of policies) {
    const list = out.get(p.namespace);
    if (list === undefined) out.set(p.namespace, [p]);
    else list.push(p);
  }
  return out;
}

/** "A pod can always reach itself": only a single pod, not a workload's distinct replicas. */
function isSelf(from: Target, to: Target): boolean {
  return from.kind === "endpoint" && to.kind === "endpoint" && from.endpoint === to.endpoint && from.endpoint.kind === "Pod";
}

export function policyRef(p: Policy): PolicyRef {
  return { namespace: p.namespace, name: p.name, at: p.at };
}

/** The references of a (cached, immutable) list of selecting policies, made once per list. */
const refsOf = new WeakMap<readonly Policy[], readonly PolicyRef[]>();

function policyRefs(policies: readonly Policy[]): readonly PolicyRef[] {
  let refs = refsOf.get(policies);
  if (refs === undefined) {
    refs = policies.map(policyRef);
    refsOf.set(policies, refs);
  }
  return refs;
}

function explanation(
  policy: Policy,
  direction: Direction,
  rule: number | null,
  peer: number | null,
  port: number | null,
  reason: Reason,
  where: { readonly at: Policy["at"] },
): Explanation {
  return { policy: { namespace: policy.namespace, name: policy.name }, direction, rule, peer, port, reason, at: where.at };
}

function verdictOf(allowed: AddressSet, whole: AddressSet): Verdict {
  if (allowed.contains(whole)) return "allowed";
  return allowed.overlaps(whole) ? "depends" : "denied";
}

/** "both the egress policy on the source pod and the ingress policy on the destination pod need to allow" it. */
export function combine(a: Verdict, b: Verdict): Verdict {
  if (a === "denied" || b === "denied") return "denied";
  return a === "allowed" && b === "allowed" ? "allowed" : "depends";
}


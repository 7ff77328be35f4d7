import type { Cluster, Direction, Endpoint, Peer, Policy, Rule } from "../model/cluster.js";
import type { Protocol } from "../model/ports.js";
import { selectorKey, selectorMatches } from "../model/selector.js";
import { AddressSet } from "../net/address-set.js";
import { endpointAddresses, ipBlockAddresses, targetAddresses } from "./addresses.js";
import { type LabelClass, LabelClasses } from "./classes.js";
import { matchRulePorts } from "./ports.js";
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
  readonly classes: LabelClasses;
  private readonly selecting = { ingress: new Map<number, Policy[]>(), egress: new Map<number, Policy[]>() };
  private readonly policiesByNamespace = new Map<string, Policy[]>();
  private readonly selectorCache = new Map<string, boolean>();

  private constructor(
    readonly cluster: Cluster,
    readonly options: EngineOptions,
  ) {
    this.classes = new LabelClasses(cluster);
    for (const p of cluster.policies) {
      const list = this.policiesByNamespace.get(p.namespace) ?? [];
      list.push(p);
      this.policiesByNamespace.set(p.namespace, list);
    }
  }

  static compile(cluster: Cluster, options: EngineOptions): Engine {
    return new Engine(cluster, options);
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
    const hit = cache.get(c.index);
    if (hit !== undefined) return hit;
    const found = c.hostNetwork
      ? []
      : (this.policiesByNamespace.get(c.namespace) ?? []).filter(
          (p) => p.affects[direction] && this.selectorMatchesCached(p.podSelector, c, "pod"),
        );
    cache.set(c.index, found);
    return found;
  }

  governance(endpoint: Endpoint, direction: Direction): Governance {
    if (endpoint.hostNetwork) return { kind: "host-network" };
    const policies = this.policiesSelecting(endpoint, direction);
    return policies.length === 0 ? { kind: "not-isolated" } : { kind: "isolated", policies: policies.map(policyRef) };
  }

  check(conn: Connection): Decision {
    if (isSelf(conn.from, conn.to)) return this.selfDecision(conn);
    const egress = this.evaluateDirection("egress", conn.from, conn.to, conn.port, conn.protocol);
    const ingress = this.evaluateDirection("ingress", conn.to, conn.from, conn.port, conn.protocol);
    return { verdict: combine(egress.verdict, ingress.verdict), egress, ingress, self: false };
  }

  /**
   * Evaluates one direction for the endpoint `subject` (the source for egress, the destination for
   * ingress) against the other side `peer`.
   */
  evaluateDirection(direction: Direction, subject: Target, peer: Target, port: number, protocol: Protocol): DirectionResult {
    const peerAddresses = targetAddresses(peer, this.options);
    const open = (governance: Governance): DirectionResult => ({
      direction,
      verdict: "allowed",
      governance,
      allowedBy: [],
      misses: [],
      allowedPeerAddresses: peerAddresses,
    });
    // External endpoints have no policies.
    if (subject.kind === "external") return open({ kind: "external" });
    if (subject.endpoint.hostNetwork) return open({ kind: "host-network" });
    const policies = this.policiesSelecting(subject.endpoint, direction);
    // "By default, a pod is non-isolated for egress; all outbound connections are allowed."
    if (policies.length === 0) return open({ kind: "not-isolated" });
    // Egress names the destination's ports; for ingress the subject is the destination.
    const destination = direction === "egress" ? (peer.kind === "endpoint" ? peer.endpoint : null) : subject.endpoint;
    const allowedBy: Explanation[] = [];
    const misses: Explanation[] = [];
    let allowed = AddressSet.EMPTY;
    for (const policy of policies) {
      const rules = policy[direction];
      // "an empty rule list ... this policy allows no traffic" for the pods it isolates.
      if (rules.length === 0) misses.push(explanation(policy, direction, null, null, null, "no-rules", policy));
      for (const rule of rules) {
        const r = this.evaluateRule(policy, direction, rule, peer, peerAddresses, port, protocol, destination);
        allowed = allowed.union(r.allowed);
        allowedBy.push(...r.allowedBy);
        if (r.miss !== null) misses.push(r.miss);
      }
    }
    // "the egress/ingress traffic allowed for a pod is the union of what all applicable policies allow."
    return {
      direction,
      verdict: verdictOf(allowed, peerAddresses),
      governance: { kind: "isolated", policies: policies.map(policyRef) },
      allowedBy,
      misses: allowed.contains(peerAddresses) ? [] : misses,
      allowedPeerAddresses: allowed,
    };
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
      const reason = peers.allowed.isEmpty() ? peers.reason : ports.outcome;
      const peerIndex = peers.allowed.isEmpty() ? peers.index : peers.index;
      const at = peers.allowed.isEmpty() ? peers.at : portAt.at;
      return { allowed: AddressSet.EMPTY, allowedBy: [], miss: { ...explanation(policy, direction, rule.index, peerIndex, ports.index, reason, rule), at } };
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
        allowed = allowed.union(outcome.allowed);
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
    } else if (!this.selectorMatchesCached(p.namespaces.selector, c, "namespace")) {
      // "namespaceSelector ... selects particular namespaces for which all Pods should be allowed";
      // with podSelector too, "selects particular Pods within particular namespaces" (AND).
      return { reason: "peer-namespace-mismatch", allowed: AddressSet.EMPTY };
    }
    if (!this.selectorMatchesCached(p.pods, c, "pod")) return { reason: "peer-pod-mismatch", allowed: AddressSet.EMPTY };
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

  private selectorMatchesCached(selector: Policy["podSelector"], c: LabelClass, on: "pod" | "namespace"): boolean {
    const key = `${on}\u0004${c.index}\u0004${selectorKey(selector)}`;
    const hit = this.selectorCache.get(key);
    if (hit !== undefined) return hit;
    const result = selectorMatches(selector, on === "pod" ? c.labels : c.namespaceLabels);
    this.selectorCache.set(key, result);
    return result;
  }

  private selfDecision(conn: Connection): Decision {
    const addresses = targetAddresses(conn.to, this.options);
    const side = (direction: Direction): DirectionResult => ({
      direction,
      verdict: "allowed",
      governance: { kind: "self" },
      allowedBy: [],
      misses: [],
      allowedPeerAddresses: addresses,
    });
    return { verdict: "allowed", egress: side("egress"), ingress: side("ingress"), self: true };
  }
}

/** "A pod can always reach itself": only a single pod, not a workload's distinct replicas. */
function isSelf(from: Target, to: Target): boolean {
  return from.kind === "endpoint" && to.kind === "endpoint" && from.endpoint === to.endpoint && from.endpoint.kind === "Pod";
}

export function policyRef(p: Policy): PolicyRef {
  return { namespace: p.namespace, name: p.name, at: p.at };
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

export { endpointAddresses };

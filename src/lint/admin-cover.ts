/**
 * Proofs about admin policies as written (model/admin-policy.ts), for the lint rules that must
 * report only what holds for every pod and every connection: whether one subject, peer or
 * protocol match covers another. Each answer is sound and incomplete: `true` is proven, `false`
 * may be a cover these simple proofs do not see (then lint reports nothing).
 */
import type { AdminEgressPeer, AdminPolicy, AdminProtocolMatch, AdminRule, AdminSubject, DomainName } from "../model/admin-policy.js";
import type { Direction } from "../model/cluster.js";
import { type LabelSelector, isMatchAll, selectorKey } from "../model/selector.js";
import { AddressSet } from "../net/address-set.js";
import { patternMatches } from "../dns/names.js";

/** One requirement's canonical key (as selectorKey writes each). */
const requirementKeys = (s: LabelSelector): Set<string> => new Set(s.requirements.map((r) => selectorKey({ requirements: [r] })));

/**
 * `a` selects every object `b` selects: a selector is the AND of its requirements, so one whose
 * requirements are among `b`'s (the empty one included: "An empty label selector matches all objects")
 * asks no more than `b`.
 */
export function selectorCovers(a: LabelSelector, b: LabelSelector): boolean {
  if (isMatchAll(a)) return true;
  const theirs = requirementKeys(b);
  return [...requirementKeys(a)].every((k) => theirs.has(k));
}

/** The pods selector of a subject or of a `pods` peer; a `namespaces` one selects every pod of its namespaces. */
const podsOf = (s: AdminSubject): LabelSelector => (s.kind === "pods" ? s.pods : { requirements: [] });

/** Subject `a` selects every pod subject `b` selects (the same holds of `namespaces`/`pods` peers). */
export function subjectCovers(a: AdminSubject, b: AdminSubject): boolean {
  return selectorCovers(a.namespaces, b.namespaces) && selectorCovers(podsOf(a), podsOf(b));
}

/** `*.example.com` covers `a.example.com` and `*.a.example.com`: "matches subdomains of" it. */
function domainCovers({ pattern: a }: DomainName, { pattern: b }: DomainName): boolean {
  if (a === null || b === null) return false;
  if (a.kind === "exact") return b.kind === "exact" && a.name === b.name;
  return b.kind === "exact" ? patternMatches(a, b.name) : b.parent === a.parent || patternMatches(a, b.parent);
}

/** Every address of both families: a `networks` peer holding them matches every peer, pods and nodes included. */
const everyAddress = (peer: AdminEgressPeer): boolean => peer.kind === "networks" && AddressSet.fromCidrs(peer.networks).contains(AddressSet.ALL);

/** Peer `q` matches everything peer `p` matches. */
export function peerCovers(q: AdminEgressPeer, p: AdminEgressPeer): boolean {
  if (everyAddress(q)) return true;
  switch (p.kind) {
    case "namespaces":
    case "pods":
      return (q.kind === "namespaces" || q.kind === "pods") && subjectCovers(q, p);
    case "nodes":
      return q.kind === "nodes" && selectorCovers(q.nodes, p.nodes);
    case "networks":
      return q.kind === "networks" && AddressSet.fromCidrs(q.networks).contains(AddressSet.fromCidrs(p.networks));
    case "domainNames":
      return q.kind === "domainNames" && p.domainNames.every((d) => q.domainNames.some((c) => domainCovers(c, d)));
  }
}

/** The protocols `q` matches hold entry `e` ("all": every protocol and port). */
export function protocolsCover(q: readonly AdminProtocolMatch[] | "all", e: AdminProtocolMatch | "all"): boolean {
  if (q === "all") return true;
  if (e === "all") return false;
  if (e.kind === "namedPort") return q.some((c) => c.kind === "namedPort" && c.name === e.name);
  const [lo, hi] = e.port.kind === "number" ? [e.port.port, e.port.port] : [e.port.start, e.port.end];
  return q.some((c) => c.kind === "protocol" && c.protocol === e.protocol && (c.port.kind === "number" ? c.port.port === lo && lo === hi : c.port.start <= lo && hi <= c.port.end));
}

/** The pieces of a rule as written: each peer with each protocol entry (or every protocol). Null for a rule that fails closed. */
export function rulePieces(rule: AdminRule<AdminEgressPeer>): { peer: AdminEgressPeer; protocol: AdminProtocolMatch | "all" }[] | null {
  const m = rule.match;
  if (m.kind !== "as-written") return null;
  const protocols: (AdminProtocolMatch | "all")[] = m.protocols === "all" ? ["all"] : [...m.protocols];
  return m.peers.flatMap((peer) => protocols.map((protocol) => ({ peer, protocol })));
}

/** Whether `earlier` matches every connection `piece` of a later rule matches. A Deny or Pass that fails closed denies everything. */
export function ruleCoversPiece(earlier: AdminRule<AdminEgressPeer>, piece: { peer: AdminEgressPeer; protocol: AdminProtocolMatch | "all" }): boolean {
  const m = earlier.match;
  if (m.kind === "denies-all") return true;
  if (m.kind === "matches-nothing") return false;
  return m.peers.some((q) => peerCovers(q, piece.peer)) && protocolsCover(m.protocols, piece.protocol);
}

/**
 * Whether policy `a` comes strictly before `b` in their tier: "Policies with lower priority values
 * have higher precedence"; the BaselineAdminNetworkPolicy (no priority) comes after every Baseline
 * ClusterNetworkPolicy. Equal priorities are not ordered by the API (any may apply first).
 */
export function strictlyBefore(a: AdminPolicy, b: AdminPolicy): boolean {
  if (a.tier !== b.tier) return false;
  if (a.priority === null) return false;
  return b.priority === null || a.priority < b.priority;
}

export const rulesOf = (p: AdminPolicy, direction: "ingress" | "egress"): readonly AdminRule<AdminEgressPeer>[] => p[direction] as readonly AdminRule<AdminEgressPeer>[];

/**
 * Whether a tier's walk (`policies`: those selecting a pod, in precedence order) ends every egress
 * connection of the pod's address families: some rule denies all of them (a Deny on every protocol
 * whose `networks` hold every address of those families, or a Deny or Pass failing closed), and no
 * Pass before it hands traffic on. Accept rules before it are explicit allowances: the pod's egress
 * is restricted to them.
 */
export function tierDeniesRest(policies: readonly AdminPolicy[], everything: AddressSet): boolean {
  for (const policy of policies) {
    for (const rule of rulesOf(policy, "egress")) {
      const m = rule.match;
      if (m.kind === "denies-all") return true;
      if (m.kind === "matches-nothing") continue;
      if (rule.action === "Pass") return false;
      if (rule.action !== "Deny" || m.protocols !== "all") continue;
      const networks = m.peers.flatMap((p) => (p.kind === "networks" ? p.networks : []));
      if (AddressSet.fromCidrs(networks).contains(everything)) return true;
    }
  }
  return false;
}

/**
 * The rules that decide, before `rule` of `policy`, every connection it matches for every pod the
 * policy selects (one per piece of it, once each): rules written above it in the same policy, and
 * rules of policies of the same tier that come strictly before it and select every pod it selects.
 * Null when some piece is not proven decided (or the rule fails closed).
 */
export function shadowingRules(
  policies: readonly AdminPolicy[],
  policy: AdminPolicy,
  direction: Direction,
  rule: AdminRule<AdminEgressPeer>,
): { policy: AdminPolicy; rule: AdminRule<AdminEgressPeer> }[] | null {
  const pieces = rulePieces(rule);
  if (pieces === null || pieces.length === 0) return null;
  const before = policies.filter((q) => strictlyBefore(q, policy) && subjectCovers(q.subject, policy.subject)).sort((a, b) => (a.priority ?? Infinity) - (b.priority ?? Infinity));
  const earlier = [...before.flatMap((q) => rulesOf(q, direction).map((r) => ({ policy: q, rule: r }))), ...rulesOf(policy, direction).filter((r) => r.index < rule.index).map((r) => ({ policy, rule: r }))];
  const deciders = pieces.map((piece) => earlier.find((e) => ruleCoversPiece(e.rule, piece)));
  if (deciders.some((d) => d === undefined)) return null;
  return [...new Set(deciders.flatMap((d) => (d === undefined ? [] : [d])))];
}

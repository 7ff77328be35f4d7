import type { Direction, Policy } from "../../model/cluster.js";
import type { ContainerPort } from "../../model/ports.js";
import { MAX_PORT, MIN_PORT, type PortAtoms } from "./port-atoms.js";
import { ALL_ROW, EMPTY_ROW, type WalkTier, walkTierOf } from "./terms.js";
import { portsKey } from "./classes.js";
import { type Action, type TierEnd, type VerdictLayer, ADMIN_TIER_END, NETWORK_POLICY_ACTION, NETWORK_POLICY_END } from "../tiers.js";
import { type AdminEgressPeer, type AdminPolicy, type AdminRule, adminRuleNamesPort } from "../../model/admin-policy.js";
import { MATCH_ALL } from "../../model/selector.js";
import { PROTOCOLS } from "../../model/ports.js";
import { type AdminTiers, ruleAction } from "../admin-tiers.js";
import type { Universe } from "./universe.js";
import { cachedIn } from "../cached-in.js";

/**
 * Classes whose side of a connection is decided by the same rules form a group: for egress, the
 * classes selected by the same policies; for ingress, the same policies and (when those name
 * ports) the same declared ports. A group has one row per port atom: the classes its rules admit
 * on the other side. A group of no policies is not isolated: its rows admit every class.
 */
export interface Group {
  readonly key: string;
  readonly policies: readonly Policy[];
  /** Whether admin tiers decide too: then the rows are walks, not unions of the policies' terms. */
  readonly tiered: boolean;
  /** Row id per port atom of its generation (see GroupTable). */
  readonly rows: Int32Array;
  readonly generation: number;
}

const ordinals = new WeakMap<Policy | AdminPolicy, number>();
let nextOrdinal = 0;

/** A stable number per policy object, for group keys. */
function ordinal(p: Policy | AdminPolicy): number {
  let n = ordinals.get(p);
  if (n === undefined) {
    n = nextOrdinal++;
    ordinals.set(p, n);
  }
  return n;
}

export function groupKey(direction: Direction, policies: readonly Policy[] | null, ports: readonly ContainerPort[], portsKey: string): string {
  if (policies === null) return "open";
  const ids = policies.map(ordinal).join(",");
  const named = direction === "ingress" && policies.some(namesV1Port);
  return named && ports.length > 0 ? `${ids}#${portsKey}` : ids;
}

/**
 * The key of a group whose layers include admin tiers: its layers' policies, tier by tier; for
 * ingress, when some rule names a port, the declared ports too (names resolve on the subject).
 */
export function tieredGroupKey(direction: Direction, layers: readonly VerdictLayer[], ports: readonly ContainerPort[], portsKey: string): string {
  let named = false;
  const parts = layers.map((layer) => {
    if (direction === "ingress") named ||= layer.kind === "admin" ? layer.policies.some(namesAdminPort) : layer.policies.some(namesV1Port);
    return `${layer.kind === "admin" ? layer.tier[0] : "N"}:${layer.policies.map(ordinal).join(",")}`;
  });
  const key = `t|${parts.join("|")}`;
  return named && ports.length > 0 ? `${key}#${portsKey}` : key;
}

function namesV1Port(p: Policy): boolean {
  return p.ingress.some((r) => r.ports !== "all" && r.ports.some((s) => s.port.kind === "named"));
}

function namesAdminPort(p: AdminPolicy): boolean {
  return p.ingress.some(adminRuleNamesPort);
}

interface Span {
  readonly first: number;
  readonly last: number;
  readonly term: number;
}

/**
 * The rows of a group at every atom: the walk of its verdict layers (none: not isolated).
 * `subjectPorts`: for ingress, the declared ports of the group's classes (named ports resolve
 * against the destination, which is the subject).
 */
export function groupRows(
  u: Universe,
  atoms: PortAtoms,
  direction: Direction,
  layers: readonly VerdictLayer[],
  subjectPorts: readonly ContainerPort[],
  admin: AdminTiers | null,
): Int32Array {
  const rows = new Int32Array(atoms.length);
  // No layer decides: "By default, a pod is non-isolated", the group admits everything.
  if (layers.length === 0) return rows.fill(ALL_ROW);
  if (admin !== null && layers.some((l) => l.kind === "admin")) return tieredRows(u, atoms, direction, layers, subjectPorts, admin);
  const spans: Span[] = [];
  for (const layer of layers) {
    switch (layer.kind) {
      case "admin":
        throw new Error("an admin tier layer without the cluster's admin tiers");
      case "networkpolicy":
        // The v1 tier: every rule accepts, so a row is the union of the terms of the rules covering
        // its atom; isolation denies the rest (an atom no rule covers is the empty row).
        for (const policy of layer.policies) for (const rule of policy[direction]) for (const s of ruleSpans(u, atoms, direction, policy, rule, subjectPorts)) spans.push(s);
    }
  }
  if (spans.length === 0) return rows.fill(EMPTY_ROW);
  const starts = new Set<number>([0]);
  for (const s of spans) starts.add(s.first).add(s.last + 1);
  const sorted = [...starts].filter((a) => a < atoms.length).sort((a, b) => a - b);
  sorted.forEach((first, i) => {
    const end = sorted[i + 1] ?? atoms.length;
    const active = new Set<number>();
    for (const s of spans) if (s.first <= first && first <= s.last) active.add(s.term);
    const row = active.size === 0 ? EMPTY_ROW : u.row([...active].sort((a, b) => a - b));
    rows.fill(row, first, end);
  });
  return rows;
}

/**
 * The rows of a group whose policies are those of another (whose row at each atom `base` gives)
 * plus `added`: at each atom, the base row's terms and the terms of `added` that cover the atom.
 * Both groups' only layer is the NetworkPolicy v1 tier, whose rules all accept: rows unite.
 */
export function extendedRows(u: Universe, atoms: PortAtoms, direction: Direction, base: (atom: number) => number, added: Policy, subjectPorts: readonly ContainerPort[]): Int32Array {
  const spans: Span[] = [];
  for (const rule of added[direction]) for (const s of ruleSpans(u, atoms, direction, added, rule, subjectPorts)) spans.push(s);
  const rows = new Int32Array(atoms.length);
  for (let a = 0; a < atoms.length; a++) {
    const row = base(a);
    const extra = spans.filter((s) => s.first <= a && a <= s.last).map((s) => s.term);
    rows[a] = extra.length === 0 ? row : u.row([...new Set([...(u.rows[row]?.terms ?? []), ...extra])].sort((x, y) => x - y));
  }
  return rows;
}

/** The atoms a rule's ports cover, each with the term admitting peers there. */
/** An ordered rule of a tier for the rows: its action, and the atoms it covers with the term it matches there. */
interface SpannedRule {
  readonly action: Action;
  readonly spans: readonly Span[];
}

/**
 * The rows of a group whose layers include admin tiers. Deny and Pass break unions, so at each
 * atom the row is the walk of the group's tiers (engine/tiers.ts) over every class: the Admin
 * tier's rules in order, the NetworkPolicy tier (its rules accepting, isolation denying the rest),
 * the Baseline tier's rules; what no tier decides is allowed. Each tier is cut into runs of atoms
 * where the same rules are active (an admin tier's runs are made once per selection and shared by
 * the groups it selects); rows are interned by their walk, across groups.
 */
function tieredRows(u: Universe, atoms: PortAtoms, direction: Direction, layers: readonly VerdictLayer[], subjectPorts: readonly ContainerPort[], admin: AdminTiers): Int32Array {
  const tracks = layers.map((layer): Track => {
    switch (layer.kind) {
      case "admin":
        return adminTrack(u, atoms, direction, layer.policies, subjectPorts, admin);
      case "networkpolicy": {
        const spans: Span[] = [];
        for (const policy of layer.policies) for (const rule of policy[direction]) for (const s of ruleSpans(u, atoms, direction, policy, rule, subjectPorts)) spans.push(s);
        // Every v1 rule accepts: one rule of their union, at each atom.
        return trackOf(u, atoms, [{ action: NETWORK_POLICY_ACTION, spans }], NETWORK_POLICY_END);
      }
    }
  });
  const starts = new Set<number>();
  for (const t of tracks) for (const a of t.starts) starts.add(a);
  const sorted = [...starts].sort((a, b) => a - b);
  const at = tracks.map(() => 0);
  const rows = new Int32Array(atoms.length);
  sorted.forEach((first, i) => {
    const walk = tracks.map((t, k) => {
      let j = at[k] as number;
      while (j + 1 < t.starts.length && (t.starts[j + 1] as number) <= first) j++;
      at[k] = j;
      return t.tiers[j] as WalkTier;
    });
    rows.fill(u.walkRow(walk), first, sorted[i + 1] ?? atoms.length);
  });
  return rows;
}

/** A tier cut into runs of atoms: run `i` starts at `starts[i]` (the first at 0) and is walked as `tiers[i]`. */
interface Track {
  readonly starts: readonly number[];
  readonly tiers: readonly WalkTier[];
}

function trackOf(u: Universe, atoms: PortAtoms, rules: readonly SpannedRule[], end: TierEnd): Track {
  const cuts = new Set<number>([0]);
  for (const r of rules) for (const s of r.spans) cuts.add(s.first).add(s.last + 1);
  const starts = [...cuts].filter((a) => a < atoms.length).sort((a, b) => a - b);
  const tiers = starts.map((first) =>
    walkTierOf(
      rules.flatMap((r) => {
        const active: number[] = [];
        for (const s of r.spans) if (s.first <= first && first <= s.last) active.push(s.term);
        return active.length === 0 ? [] : [{ action: r.action, term: u.unionTerm(active) }];
      }),
      end,
    ),
  );
  return { starts, tiers };
}

/** Admin tier tracks per universe, atoms, selecting policies and direction (and, for ingress rules naming ports, the subject's ports). */
const adminTracks = new WeakMap<Universe, WeakMap<PortAtoms, WeakMap<readonly AdminPolicy[], Map<string, Track>>>>();

function adminTrack(u: Universe, atoms: PortAtoms, direction: Direction, policies: readonly AdminPolicy[], subjectPorts: readonly ContainerPort[], admin: AdminTiers): Track {
  const byAtoms = cachedIn(adminTracks, u, () => new WeakMap<PortAtoms, WeakMap<readonly AdminPolicy[], Map<string, Track>>>());
  const byPolicies = cachedIn(byAtoms, atoms, () => new WeakMap<readonly AdminPolicy[], Map<string, Track>>());
  const tracks = cachedIn(byPolicies, policies, () => new Map<string, Track>());
  const key = direction === "ingress" && policies.some(namesAdminPort) ? `ingress#${portsKey(subjectPorts)}` : direction;
  let track = tracks.get(key);
  if (track === undefined) {
    track = trackOf(u, atoms, policies.flatMap((p) => adminRulesSpans(u, atoms, direction, p, subjectPorts, admin)), ADMIN_TIER_END);
    tracks.set(key, track);
  }
  return track;
}


/** The rules of one admin policy for `direction`, in order, as spans (a rule that fails closed as matching nothing has none). */
function adminRulesSpans(u: Universe, atoms: PortAtoms, direction: Direction, policy: AdminPolicy, subjectPorts: readonly ContainerPort[], admin: AdminTiers): SpannedRule[] {
  const out: SpannedRule[] = [];
  for (const rule of policy[direction] as readonly AdminRule<AdminEgressPeer>[]) {
    const m = rule.match;
    const action = ruleAction(rule);
    const all = { first: 0, last: atoms.length - 1 };
    // "For "Accept" rules, "fail closed" means: "treat the rule as matching no traffic"."
    if (m.kind === "matches-nothing") continue;
    // "For "Deny" and "Pass" rules, "fail closed" means: "treat the rule as a 'Deny all' rule"."
    if (m.kind === "denies-all") {
      out.push({ action, spans: [{ ...all, term: u.unionTerm("all") }] });
      continue;
    }
    const term = u.unionTerm(m.peers.flatMap((peer) => adminPeerTerms(u, peer, admin)));
    // "If unspecified, protocol-specific attributes will not be used to match traffic."
    if (m.protocols === "all") {
      out.push({ action, spans: [{ ...all, term }] });
      continue;
    }
    const spans: Span[] = [];
    for (const entry of m.protocols) {
      if (entry.kind === "protocol") {
        const [lo, hi] = entry.port.kind === "number" ? [entry.port.port, entry.port.port] : [entry.port.start, entry.port.end];
        spans.push({ first: atoms.atomOf(entry.protocol, lo), last: atoms.atomOf(entry.protocol, hi), term });
        continue;
      }
      // A named port resolves on the destination by name, protocol and number.
      for (const protocol of PROTOCOLS) {
        if (direction === "ingress") {
          // The destination is the subject: its own declared ports.
          for (const p of subjectPorts) if (p.name === entry.name && p.protocol === protocol) spans.push({ first: atoms.atomOf(protocol, p.port), last: atoms.atomOf(protocol, p.port), term });
        } else {
          // Egress: per destination class; each number the name stands for is an atom of its own.
          for (const port of u.portsNamed(entry.name, protocol)) {
            const a = atoms.atomOf(protocol, port);
            spans.push({ first: a, last: a, term: u.namedTerm(term, entry.name, protocol, port) });
          }
        }
      }
    }
    out.push({ action, spans });
  }
  return out;
}

/**
 * The terms of one admin peer: selected pods, or matched addresses; a `domainNames` peer matches
 * the addresses the resolution snapshot gives its names (as in check), none without a snapshot.
 */
function adminPeerTerms(u: Universe, peer: AdminEgressPeer, admin: AdminTiers): number[] {
  switch (peer.kind) {
    case "namespaces":
      return [u.adminPodsTerm(peer.namespaces, MATCH_ALL)];
    case "pods":
      return [u.adminPodsTerm(peer.namespaces, peer.pods)];
    case "nodes":
    case "networks":
      return [u.addressesTerm(admin.peerAddresses(peer))];
    case "domainNames": {
      const addresses = admin.peerAddresses(peer);
      return addresses.isEmpty() ? [] : [u.addressesTerm(addresses)];
    }
  }
}

function ruleSpans(u: Universe, atoms: PortAtoms, direction: Direction, policy: Policy, rule: Policy["egress"][number], subjectPorts: readonly ContainerPort[]): Span[] {
  // Kept even when the rule admits no class yet: a class added later may be admitted.
  const term = u.ruleTerm(policy, rule);
  // "If this field is empty or missing, this rule matches all ports."
  if (rule.ports === "all") return [{ first: 0, last: atoms.length - 1, term }];
  const out: Span[] = [];
  for (const spec of rule.ports) {
    const m = spec.port;
    if (m.kind === "any") {
      const [first, last] = atoms.protocolRange(spec.protocol);
      out.push({ first, last, term });
    } else if (m.kind === "range") {
      const lo = Math.max(m.from, MIN_PORT);
      const hi = Math.min(m.to, MAX_PORT);
      if (lo <= hi) out.push({ first: atoms.atomOf(spec.protocol, lo), last: atoms.atomOf(spec.protocol, hi), term });
    } else if (direction === "ingress") {
      // The destination is the subject: its own declared ports resolve the name.
      for (const p of subjectPorts) {
        if (p.name !== m.name || p.protocol !== spec.protocol) continue;
        const a = atoms.atomOf(p.protocol, p.port);
        if (a >= 0) out.push({ first: a, last: a, term });
      }
    } else {
      // Egress: the name resolves per destination class; each port number it may stand for is an atom.
      for (const port of u.portsNamed(m.name, spec.protocol)) {
        const a = atoms.atomOf(spec.protocol, port);
        if (a >= 0) out.push({ first: a, last: a, term: u.namedTerm(term, m.name, spec.protocol, port) });
      }
    }
  }
  return out;
}

import type { Direction, Policy } from "../../model/cluster.js";
import type { ContainerPort } from "../../model/ports.js";
import { MAX_PORT, MIN_PORT, type PortAtoms } from "./port-atoms.js";
import { ALL_ROW, EMPTY_ROW } from "./terms.js";
import type { VerdictLayer } from "../tiers.js";
import type { Universe } from "./universe.js";

/**
 * Classes whose side of a connection is decided by the same rules form a group: for egress, the
 * classes selected by the same policies; for ingress, the same policies and (when those name
 * ports) the same declared ports. A group has one row per port atom: the classes its rules admit
 * on the other side. A group of no policies is not isolated: its rows admit every class.
 */
export interface Group {
  readonly key: string;
  readonly policies: readonly Policy[];
  /** Row id per port atom of its generation (see GroupTable). */
  readonly rows: Int32Array;
  readonly generation: number;
}

const ordinals = new WeakMap<Policy, number>();
let nextOrdinal = 0;

/** A stable number per policy object, for group keys. */
function ordinal(p: Policy): number {
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
  const named = direction === "ingress" && policies.some((p) => p.ingress.some((r) => r.ports !== "all" && r.ports.some((s) => s.port.kind === "named")));
  return named && ports.length > 0 ? `${ids}#${portsKey}` : ids;
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
export function groupRows(u: Universe, atoms: PortAtoms, direction: Direction, layers: readonly VerdictLayer[], subjectPorts: readonly ContainerPort[]): Int32Array {
  const rows = new Int32Array(atoms.length);
  // No layer decides: "By default, a pod is non-isolated", the group admits everything.
  if (layers.length === 0) return rows.fill(ALL_ROW);
  const spans: Span[] = [];
  for (const layer of layers) {
    switch (layer.kind) {
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

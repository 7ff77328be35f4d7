import type { ContainerPort, Protocol } from "../../model/ports.js";
import { PROTOCOLS } from "../../model/ports.js";
import type { Policy } from "../../model/cluster.js";
import type { AdminPolicy, AdminProtocolMatch } from "../../model/admin-policy.js";

export const MIN_PORT = 1;
export const MAX_PORT = 65535;

/** A run of ports of one protocol that every rule treats alike. */
export interface PortAtom {
  readonly protocol: Protocol;
  readonly lo: number;
  readonly hi: number;
}

/** Where atoms start, per protocol: sorted, unique, each in 2..65535 (1 is always a start). */
export type Cuts = Readonly<Record<Protocol, ReadonlySet<number>>>;

/**
 * The (protocol, port) space split at every boundary a rule can draw: the ends of port ranges and
 * the container ports a named port can resolve to. Atoms are numbered TCP first, then UDP, SCTP.
 */
export class PortAtoms {
  readonly atoms: readonly PortAtom[];
  private readonly starts: Readonly<Record<Protocol, Int32Array>>;
  private readonly offset: Readonly<Record<Protocol, number>>;

  constructor(cuts: Cuts) {
    const atoms: PortAtom[] = [];
    const starts = {} as Record<Protocol, Int32Array>;
    const offset = {} as Record<Protocol, number>;
    for (const protocol of PROTOCOLS) {
      const s = Int32Array.from([MIN_PORT, ...[...cuts[protocol]].filter((c) => c > MIN_PORT && c <= MAX_PORT)]).sort();
      const unique = s.filter((v, i) => i === 0 || v !== s[i - 1]);
      starts[protocol] = unique;
      offset[protocol] = atoms.length;
      unique.forEach((lo, i) => atoms.push({ protocol, lo, hi: (unique[i + 1] ?? MAX_PORT + 1) - 1 }));
    }
    this.atoms = atoms;
    this.starts = starts;
    this.offset = offset;
  }

  get length(): number {
    return this.atoms.length;
  }

  /** The atom holding `port`, or -1 outside 1..65535. */
  atomOf(protocol: Protocol, port: number): number {
    if (!(port >= MIN_PORT && port <= MAX_PORT)) return -1;
    const s = this.starts[protocol];
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((s[mid] as number) <= port) lo = mid;
      else hi = mid - 1;
    }
    return this.offset[protocol] + lo;
  }

  /** The first and last atom of a protocol. */
  protocolRange(protocol: Protocol): readonly [number, number] {
    return [this.offset[protocol], this.offset[protocol] + this.starts[protocol].length - 1];
  }

  /** The cuts these atoms were made from. */
  cuts(): Cuts {
    const out = {} as Record<Protocol, ReadonlySet<number>>;
    for (const p of PROTOCOLS) out[p] = new Set(this.starts[p]);
    return out;
  }

  /** Whether every cut of `cuts` is already a start of an atom. */
  refines(cuts: Cuts): boolean {
    return PROTOCOLS.every((p) => [...cuts[p]].every((c) => c <= MIN_PORT || c > MAX_PORT || this.atoms[this.atomOf(p, c)]?.lo === c));
  }

  /** Atoms with more cuts, and for each new atom the old atom it lies in. */
  refine(more: Cuts): { readonly atoms: PortAtoms; readonly parent: Int32Array } {
    const mine = this.cuts();
    const merged = {} as Record<Protocol, ReadonlySet<number>>;
    for (const p of PROTOCOLS) merged[p] = new Set([...mine[p], ...more[p]]);
    const atoms = new PortAtoms(merged);
    return { atoms, parent: Int32Array.from(atoms.atoms, (a) => this.atomOf(a.protocol, a.lo)) };
  }
}

export function emptyCuts(): Record<Protocol, Set<number>> {
  return { TCP: new Set(), UDP: new Set(), SCTP: new Set() };
}

/** The named ports the rules of `policies` refer to, as `name/protocol`. */
export function namedPortsOf(policies: Iterable<Policy>): Set<string> {
  const out = new Set<string>();
  for (const p of policies) {
    for (const rules of [p.ingress, p.egress]) {
      for (const rule of rules) {
        if (rule.ports === "all") continue;
        for (const spec of rule.ports) if (spec.port.kind === "named") out.add(namedKey(spec.port.name, spec.protocol));
      }
    }
  }
  return out;
}

export function namedKey(name: string, protocol: Protocol): string {
  return `${name}/${protocol}`;
}

/** Adds the boundaries drawn by the port ranges of `policies`. */
export function addRangeCuts(cuts: Record<Protocol, Set<number>>, policies: Iterable<Policy>): void {
  for (const p of policies) {
    for (const rules of [p.ingress, p.egress]) {
      for (const rule of rules) {
        if (rule.ports === "all") continue;
        for (const spec of rule.ports) {
          if (spec.port.kind !== "range") continue;
          cuts[spec.protocol].add(spec.port.from);
          cuts[spec.protocol].add(spec.port.to + 1);
        }
      }
    }
  }
}

/** Adds the boundaries of declared container ports that a referenced named port resolves to. */
export function addNamedCuts(cuts: Record<Protocol, Set<number>>, ports: readonly ContainerPort[], referenced: ReadonlySet<string>): void {
  for (const c of ports) {
    if (c.name === undefined || !referenced.has(namedKey(c.name, c.protocol))) continue;
    cuts[c.protocol].add(c.port);
    cuts[c.protocol].add(c.port + 1);
  }
}

/** The named ports admin rules refer to, as `name/protocol` for every protocol (a name resolves on whichever protocol the destination names it). */
export function adminNamedPortsOf(policies: Iterable<AdminPolicy>): Set<string> {
  const out = new Set<string>();
  for (const entry of adminProtocolEntries(policies)) if (entry.kind === "namedPort") for (const protocol of PROTOCOLS) out.add(namedKey(entry.name, protocol));
  return out;
}

/** Adds the boundaries drawn by the port numbers and ranges of admin rules. */
export function addAdminCuts(cuts: Record<Protocol, Set<number>>, policies: Iterable<AdminPolicy>): void {
  for (const entry of adminProtocolEntries(policies)) {
    if (entry.kind !== "protocol") continue;
    const [from, to] = entry.port.kind === "number" ? [entry.port.port, entry.port.port] : [entry.port.start, entry.port.end];
    cuts[entry.protocol].add(from).add(to + 1);
  }
}

function* adminProtocolEntries(policies: Iterable<AdminPolicy>): Generator<AdminProtocolMatch> {
  for (const p of policies) {
    for (const rule of [...p.ingress, ...p.egress]) {
      if (rule.match.kind !== "as-written" || rule.match.protocols === "all") continue;
      yield* rule.match.protocols;
    }
  }
}

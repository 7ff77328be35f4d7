/**
 * The all-pairs reachability matrix over classes and port atoms, as bitsets.
 *
 * Endpoints that every rule treats alike form a class (label class, declared ports, ipBlock atoms);
 * ports that every rule treats alike form an atom. A source's egress at an atom is a row: the set
 * of destination classes its rules admit (in full, or for some of their addresses only). Classes
 * selected by the same policies share their rows (a group), and rows are unions of interned
 * per-rule admissions, so a cluster of many namespaces with look-alike policies has few distinct
 * rows. A pair is allowed at an atom when the source's egress row admits the destination and the
 * destination's ingress row admits the source.
 */
import type { Endpoint } from "../model/cluster.js";
import type { Labels } from "../model/labels.js";
import type { Protocol } from "../model/ports.js";
import type { Engine } from "./engine.js";
import type { Verdict } from "./types.js";
import { AddressBounds } from "./matrix/address-bounds.js";
import type { ClassSet } from "./matrix/class-set.js";
import { type AtomCount, type CountMethod, countAtom, weightsOf } from "./matrix/count.js";
import { type Cuts, PortAtoms, type PortAtom, addAdminCuts, addNamedCuts, addRangeCuts, adminNamedPortsOf, emptyCuts, namedPortsOf } from "./matrix/port-atoms.js";
import { type MatrixState, groupOf, groupRow, newGroupTable, rowAt } from "./matrix/state.js";
import type { Row } from "./matrix/terms.js";
import { EMPTY_HULL, extendHull } from "./matrix/hull.js";
import { spanOf } from "./matrix/spans.js";
import { Universe } from "./matrix/universe.js";
import { OverlayMap } from "./overlay-map.js";

export type { PortAtom } from "./matrix/port-atoms.js";
export type { AtomCount, CountMethod } from "./matrix/count.js";

export interface ClassMatrixOptions {
  /** Ports that get an atom of their own, so that counts can be read per port. */
  readonly splitPorts?: readonly { readonly protocol: Protocol; readonly port: number }[];
}

/** What a caller may see of a class. */
export interface ClassView {
  readonly index: number;
  readonly namespace: string;
  readonly labels: Labels;
  readonly hostNetwork: boolean;
  readonly endpoints: readonly Endpoint[];
}

export interface MatrixCounts {
  /** Per atom. */
  readonly atoms: readonly AtomCount[];
  /** Summed over atoms: (endpoint pair, port atom) entries. */
  readonly allowed: number;
  readonly depends: number;
  /** Atoms that behave alike for every group (the matrix is the same at each): counted once. */
  readonly portClasses: number;
}

export function computeClassMatrix(engine: Engine, opts: ClassMatrixOptions = {}): ClassMatrix {
  engine.selectAll();
  const { cluster, options } = engine;
  // Admin `networks` and `nodes` peers split classes like ipBlocks do (of every endpoint, pods too).
  const admin = engine.adminTiers();
  const adminPolicies = admin?.policies ?? [];
  const bounds = AddressBounds.of(cluster.policies, admin?.addressSets() ?? []);
  const { universe, ofEndpoint } = Universe.build(options, engine.classes, bounds, cluster.endpoints);
  const referenced = new Set([...namedPortsOf(cluster.policies), ...adminNamedPortsOf(adminPolicies)]);
  const cuts = emptyCuts();
  addRangeCuts(cuts, cluster.policies);
  addAdminCuts(cuts, adminPolicies);
  for (const c of universe.classes) addNamedCuts(cuts, c.ports, referenced);
  for (const p of opts.splitPorts ?? []) cuts[p.protocol].add(p.port).add(p.port + 1);
  const atoms = new PortAtoms(cuts);
  const members: Endpoint[][] = universe.classes.map(() => []);
  const byEndpoint = OverlayMap.of<Endpoint, number>();
  cluster.endpoints.forEach((e, i) => {
    const cls = ofEndpoint[i] as number;
    members[cls]?.push(e);
    byEndpoint.set(e, cls);
  });
  // Computed now rather than on the first change that adds ipBlock boundaries (see spans.ts).
  for (const m of members) spanOf(m);
  const egress = newGroupTable(atoms.length);
  const ingress = newGroupTable(atoms.length);
  const n = universe.size;
  const egressOf = new Int32Array(n);
  const ingressOf = new Int32Array(n);
  for (let cls = 0; cls < n; cls++) {
    egressOf[cls] = groupOf(engine, universe, atoms, egress, "egress", cls);
    ingressOf[cls] = groupOf(engine, universe, atoms, ingress, "ingress", cls);
  }
  const hull = extendHull(EMPTY_HULL, cluster.endpoints, options);
  return new ClassMatrix({ engine, universe, atoms, referenced, egress, ingress, egressOf, ingressOf, members, ofEndpoint: byEndpoint, hull });
}

export class ClassMatrix {
  constructor(readonly state: MatrixState) {}

  get engine(): Engine {
    return this.state.engine;
  }

  get classes(): readonly ClassView[] {
    return this.state.universe.classes.map((c) => ({
      index: c.index,
      namespace: c.namespace,
      labels: c.labelClass.labels,
      hostNetwork: c.hostNetwork,
      endpoints: this.state.members[c.index] ?? [],
    }));
  }

  get portAtoms(): readonly PortAtom[] {
    return this.state.atoms.atoms;
  }

  atomOf(protocol: Protocol, port: number): number {
    return this.state.atoms.atomOf(protocol, port);
  }

  classOf(endpoint: Endpoint): number | undefined {
    return this.state.ofEndpoint.get(endpoint);
  }

  /** The verdict for two distinct endpoints of classes `src` and `dst` at `atom`. */
  allowed(src: number, dst: number, atom: number): Verdict {
    const rows = this.state.universe.rows;
    const E = rows[rowAt(this.state, "egress", src, atom)] as Row;
    const I = rows[rowAt(this.state, "ingress", dst, atom)] as Row;
    const eFull = E.full.has(dst);
    const iFull = I.full.has(src);
    if (eFull && iFull) return "allowed";
    return (eFull || E.partial.has(dst)) && (iFull || I.partial.has(src)) ? "depends" : "denied";
  }

  /** The verdict for a connection between two endpoints of the cluster (as the pair analysis gives it). */
  verdict(from: Endpoint, to: Endpoint, protocol: Protocol, port: number): Verdict {
    const atom = this.state.atoms.atomOf(protocol, port);
    if (atom < 0) return "denied";
    // "A pod can always reach itself" (a single pod; a workload's replicas are distinct).
    if (from === to && from.kind === "Pod") return "allowed";
    const src = this.state.ofEndpoint.get(from);
    const dst = this.state.ofEndpoint.get(to);
    if (src === undefined || dst === undefined) throw new Error(`endpoint not in the matrix: ${src === undefined ? from.id : to.id}`);
    return this.allowed(src, dst, atom);
  }

  /** The destination classes `src` reaches at `atom`: for all their addresses, and for some only. */
  row(src: number, atom: number): { readonly allowed: Int32Array; readonly depends: Int32Array } {
    const rows = this.state.universe.rows;
    const E = rows[rowAt(this.state, "egress", src, atom)] as Row;
    const allowed: number[] = [];
    const depends: number[] = [];
    const visit = (set: ClassSet, eFull: boolean): void => {
      set.forEach(this.state.universe.size, (dst) => {
        const I = rows[rowAt(this.state, "ingress", dst, atom)] as Row;
        const iFull = I.full.has(src);
        if (eFull && iFull) allowed.push(dst);
        else if (iFull || I.partial.has(src)) depends.push(dst);
      });
    };
    visit(E.full, true);
    visit(E.partial, false);
    return { allowed: Int32Array.from(allowed).sort(), depends: Int32Array.from(depends).sort() };
  }

  /** Allowed and depending (endpoint pair, port atom) entries, without visiting pairs. */
  count(method: CountMethod = "auto"): MatrixCounts {
    const s = this.state;
    const weights = weightsOf(s);
    const byColumn = new Map<string, AtomCount>();
    const atoms = s.atoms.atoms.map((_, atom) => {
      const key = columnKey(s, atom);
      let hit = byColumn.get(key);
      if (hit === undefined) {
        hit = countAtom(s, weights, atom, method);
        byColumn.set(key, hit);
      }
      return hit;
    });
    return {
      atoms,
      allowed: atoms.reduce((n, a) => n + a.allowed, 0),
      depends: atoms.reduce((n, a) => n + a.depends, 0),
      portClasses: byColumn.size,
    };
  }

  /** The boundaries of the port atoms. */
  cuts(): Cuts {
    return this.state.atoms.cuts();
  }
}

/** Two atoms with equal keys have the same row in every group: the same matrix. */
function columnKey(s: MatrixState, atom: number): string {
  const parts: number[] = [];
  for (let g = 0; g < s.egress.groups.length; g++) parts.push(groupRow(s.egress, g, atom));
  parts.push(-1);
  for (let g = 0; g < s.ingress.groups.length; g++) parts.push(groupRow(s.ingress, g, atom));
  return parts.join(",");
}

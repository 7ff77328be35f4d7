/**
 * Applies one change to a compiled engine and its class matrix, recomputing only what the change
 * touches, and returns the new matrix (whose `engine` answers for the changed cluster). The
 * previous matrix and engine stay valid: what is shared is never changed in place.
 *
 * - A policy change in namespace N regroups the classes of N (their selecting policies changed);
 *   other groups, rows and terms are shared. New port boundaries split atoms (rows are inherited
 *   by the pieces); new ipBlock boundaries re-class the endpoints whose atoms they split.
 * - An endpoint change moves one endpoint between classes. Joining an existing class shares
 *   everything; a class that is new is put into every term and row that admits it.
 */
import type { Cluster, Endpoint, Policy } from "../model/cluster.js";
import type { Labels } from "../model/labels.js";
import { ClassMatrix, computeClassMatrix } from "./bitmatrix.js";
import { Engine, type EngineChange } from "./engine.js";
import { type AddressBounds, ipBlocksOf } from "./matrix/address-bounds.js";
import { ipBlocksApply, matrixClassKey } from "./matrix/classes.js";
import { type Cuts, addNamedCuts, addRangeCuts, emptyCuts, namedPortsOf } from "./matrix/port-atoms.js";
import { type MatrixState, copyGroupTable, groupOf } from "./matrix/state.js";
import { groupRows } from "./matrix/groups.js";
import { verdictLayers } from "./tiers.js";
import type { Universe } from "./matrix/universe.js";
import { endpointAddresses } from "./addresses.js";
import { spanCut, spanOf } from "./matrix/spans.js";
import { type AddressHull, boundsInside, extendHull } from "./matrix/hull.js";
import type { OverlayMap } from "./overlay-map.js";
import type { AddressSet } from "../net/address-set.js";

export type Change =
  | { readonly kind: "add-policy"; readonly policy: Policy }
  /** Replaces the policy with the same id. */
  | { readonly kind: "replace-policy"; readonly policy: Policy }
  | { readonly kind: "remove-policy"; readonly id: string }
  | { readonly kind: "add-endpoint"; readonly endpoint: Endpoint }
  | { readonly kind: "relabel-endpoint"; readonly id: string; readonly labels: Labels }
  | { readonly kind: "remove-endpoint"; readonly id: string };

export function applyChange(matrix: ClassMatrix, change: Change): ClassMatrix {
  const s = matrix.state;
  const next = changed(s.engine.cluster, change);
  // With admin policies the rows are walks of ordered tiers, not unions of terms: the matrix is
  // computed again (exact). No command calls applyChange (enforce --watch compiles the nftables
  // ruleset again with a CompileCache), only the bench's change phases and tests: not a hot path.
  if ((next.cluster.adminPolicies ?? []).length > 0) return computeClassMatrix(Engine.compile(next.cluster, s.engine.options));
  return new ClassMatrix(next.kind === "policies" ? policyChange(s, next.cluster, next.added, next.removed) : endpointChange(s, next.cluster, next.removed, next.added));
}

/** The cluster after `change`, with what left and what came. */
function changed(
  cluster: Cluster,
  change: Change,
):
  | { readonly kind: "policies"; readonly cluster: Cluster; readonly added: Policy | null; readonly removed: Policy | null }
  | { readonly kind: "endpoints"; readonly cluster: Cluster; readonly added: Endpoint | null; readonly removed: Endpoint | null } {
  switch (change.kind) {
    case "add-policy":
      return { kind: "policies", cluster: { ...cluster, policies: [...cluster.policies, change.policy] }, added: change.policy, removed: null };
    case "replace-policy": {
      const old = findPolicy(cluster, change.policy.id);
      const policies = cluster.policies.map((p) => (p === old ? change.policy : p));
      return { kind: "policies", cluster: { ...cluster, policies }, added: change.policy, removed: old };
    }
    case "remove-policy": {
      const old = findPolicy(cluster, change.id);
      return { kind: "policies", cluster: { ...cluster, policies: cluster.policies.filter((p) => p !== old) }, added: null, removed: old };
    }
    case "add-endpoint":
      return { kind: "endpoints", cluster: { ...cluster, endpoints: [...cluster.endpoints, change.endpoint] }, added: change.endpoint, removed: null };
    case "relabel-endpoint": {
      const old = findEndpoint(cluster, change.id);
      const next: Endpoint = { ...old, labels: change.labels };
      return { kind: "endpoints", cluster: { ...cluster, endpoints: cluster.endpoints.map((e) => (e === old ? next : e)) }, added: next, removed: old };
    }
    case "remove-endpoint": {
      const old = findEndpoint(cluster, change.id);
      return { kind: "endpoints", cluster: { ...cluster, endpoints: cluster.endpoints.filter((e) => e !== old) }, added: null, removed: old };
    }
  }
}

function findPolicy(cluster: Cluster, id: string): Policy {
  const p = cluster.policies.find((x) => x.id === id);
  if (p === undefined) throw new Error(`no policy ${id}`);
  return p;
}

function findEndpoint(cluster: Cluster, id: string): Endpoint {
  const e = cluster.endpoints.find((x) => x.id === id);
  if (e === undefined) throw new Error(`no endpoint ${id}`);
  return e;
}

/** A state being made: starts as a copy of `s` that shares every table, copying one only before changing it. */
interface Draft {
  engine: Engine;
  universe: Universe;
  atoms: MatrixState["atoms"];
  referenced: ReadonlySet<string>;
  egress: MatrixState["egress"];
  ingress: MatrixState["ingress"];
  egressOf: Int32Array;
  ingressOf: Int32Array;
  members: (readonly Endpoint[])[];
  ofEndpoint: OverlayMap<Endpoint, number>;
  hull: AddressHull;
  /** Whether the group tables are this draft's own (copied): then groups may be replaced. */
  ownTables: boolean;
  /** `ofEndpoint` once forked, which the draft may then change. */
  ownEndpoints: OverlayMap<Endpoint, number> | null;
}

function draftOf(s: MatrixState, engine: Engine): Draft {
  return { ...s, engine, egressOf: s.egressOf.slice(), ingressOf: s.ingressOf.slice(), members: s.members.slice(), ownTables: false, ownEndpoints: null };
}

function finish(d: Draft): MatrixState {
  const { ownTables: _t, ownEndpoints: _e, ...state } = d;
  return state;
}

function endpointsOf(d: Draft): OverlayMap<Endpoint, number> {
  if (d.ownEndpoints === null) {
    d.ownEndpoints = d.ofEndpoint.fork();
    d.ofEndpoint = d.ownEndpoints;
  }
  return d.ownEndpoints;
}

function policyChange(s: MatrixState, cluster: Cluster, added: Policy | null, removed: Policy | null): MatrixState {
  const namespaces = new Set([added?.namespace, removed?.namespace].filter((n): n is string => n !== undefined));
  // The namespaces' policy lists, in cluster order: a replacement keeps its place, an addition comes last.
  const lists = new Map<string, readonly Policy[]>();
  for (const ns of namespaces) {
    const before = s.engine.policiesIn(ns);
    let list = removed === null ? before : added !== null && added.namespace === ns && removed.namespace === ns ? before.map((p) => (p === removed ? added : p)) : before.filter((p) => p !== removed);
    if (added !== null && added.namespace === ns && !list.includes(added)) list = [...list, added];
    lists.set(ns, list);
  }
  const d = draftOf(s, Engine.derive(s.engine, cluster, { kind: "policies", lists, added, removed }));
  if (added !== null) {
    refineAtoms(d, [added]);
    reclassForBounds(d, d.universe.bounds.with(ipBlocksOf([added])));
  }
  regroup(d, classesIn(d, namespaces));
  return finish(d);
}

function endpointChange(s: MatrixState, cluster: Cluster, removed: Endpoint | null, added: Endpoint | null): MatrixState {
  const change: EngineChange = { kind: "endpoints", removed: removed === null ? [] : [removed], added: added === null ? [] : [added] };
  const d = draftOf(s, Engine.derive(s.engine, cluster, change));
  const ofEndpoint = endpointsOf(d);
  if (removed !== null) {
    const cls = ofEndpoint.get(removed);
    if (cls !== undefined) d.members[cls] = (d.members[cls] ?? []).filter((e) => e !== removed);
    ofEndpoint.delete(removed);
  }
  if (added !== null) place(d, [added], []);
  return finish(d);
}

/** Gives endpoints their classes (making new ones when needed), retiring `retired` classes first. */
function place(d: Draft, endpoints: readonly Endpoint[], retired: readonly number[]): void {
  const u = d.universe;
  const labelClasses = d.engine.classes;
  // An endpoint joining an existing class needs no new universe: the label classes it was built
  // with have the same indices and labels as the engine's (only their members differ).
  const known = endpoints.map((e) => (retired.length > 0 ? undefined : u.classOfKey(matrixClassKey(e, labelClasses.classOf(e), u.bounds, u.options))));
  let classes: readonly (number | undefined)[] = known;
  if (known.some((c) => c === undefined)) {
    const before = namedPortNumbers(u, d.referenced);
    const made = u.withClasses(labelClasses, u.bounds, endpoints, retired);
    d.universe = made.universe;
    classes = made.classes;
    ownTables(d);
    const cuts = emptyCuts();
    for (const cls of made.classes) addNamedCuts(cuts, made.universe.classes[cls]?.ports ?? [], d.referenced);
    refineCuts(d, cuts);
    refreshNamedGroups(d, before);
  }
  const ofEndpoint = endpointsOf(d);
  d.hull = extendHull(d.hull, endpoints, u.options);
  const fresh = new Set<number>();
  endpoints.forEach((e, i) => {
    const cls = classes[i] as number;
    d.members[cls] = [...(d.members[cls] ?? []), e];
    ofEndpoint.set(e, cls);
    fresh.add(cls);
  });
  regroup(d, [...fresh]);
}

/** Makes the group tables the draft's own, so that groups may be added without affecting `s`. */
function ownTables(d: Draft): void {
  if (d.ownTables) return;
  d.egress = copyGroupTable(d.egress);
  d.ingress = copyGroupTable(d.ingress);
  d.ownTables = true;
}

/** Splits atoms at the boundaries `policies` draw (port ranges; numbers their named ports stand for). */
function refineAtoms(d: Draft, policies: readonly Policy[]): void {
  const names = namedPortsOf(policies);
  const referenced = new Set([...d.referenced, ...names]);
  const cuts = emptyCuts();
  addRangeCuts(cuts, policies);
  for (const key of names) {
    if (d.referenced.has(key)) continue;
    const [name, protocol] = splitNamed(key);
    for (const port of d.universe.portsNamed(name, protocol)) cuts[protocol].add(port).add(port + 1);
  }
  d.referenced = referenced;
  refineCuts(d, cuts);
}

function refineCuts(d: Draft, cuts: Cuts): void {
  if (d.atoms.refines(cuts)) return;
  const { atoms, parent } = d.atoms.refine(cuts);
  d.atoms = atoms;
  d.egress = copyGroupTable(d.egress, parent);
  d.ingress = copyGroupTable(d.ingress, parent);
  d.ownTables = true;
}

function splitNamed(key: string): [string, "TCP" | "UDP" | "SCTP"] {
  const at = key.lastIndexOf("/");
  return [key.slice(0, at), key.slice(at + 1) as "TCP" | "UDP" | "SCTP"];
}

/** The port numbers each referenced named port stands for now. */
function namedPortNumbers(u: Universe, referenced: ReadonlySet<string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const key of referenced) out.set(key, u.portsNamed(...splitNamed(key)).length);
  return out;
}

/**
 * A new class may declare a referenced named port as a number no class declared before: egress
 * rows resolve names per number, so the egress groups whose rules name that port are recomputed.
 */
function refreshNamedGroups(d: Draft, before: ReadonlyMap<string, number>): void {
  const grown = [...before].filter(([key, n]) => d.universe.portsNamed(...splitNamed(key)).length !== n).map(([key]) => key);
  if (grown.length === 0) return;
  const names = new Set(grown);
  d.egress.groups.forEach((g, id) => {
    if (![...namedPortsOf(g.policies)].some((k) => names.has(k))) return;
    const rows = groupRows(d.universe, d.atoms, "egress", verdictLayers("egress", g.policies), [], null);
    d.egress.groups[id] = { ...g, rows, generation: d.egress.maps.length - 1 };
  });
}

/**
 * New ipBlock boundaries may cut an atom that the endpoints of one class share: those classes are
 * retired and their endpoints placed again (each class is judged by one endpoint's addresses).
 */
function reclassForBounds(d: Draft, bounds: AddressBounds): void {
  const u = d.universe;
  if (bounds === u.bounds) return;
  // A class can only split if an end of its intervals lies in an atom a new boundary cuts: its
  // signature then names that atom's start (under the old bounds).
  // A class of one endpoint cannot split; others split when their endpoints' interval ends fall
  // on different sides of a new boundary.
  const added = boundsInside(d.hull, u.bounds.added(bounds));
  if (added.v4.length + added.v6.length === 0) {
    d.universe = u.withBounds(bounds);
    return;
  }
  const side = (e: Endpoint): string | number => {
    const only = e.ips.length === 1 ? e.ips[0] : undefined;
    if (only === undefined) return sidesOf(endpointAddresses(e, u.options), added);
    let below = 0;
    for (const b of only.family === 4 ? added.v4 : added.v6) if (b <= only.value) below++;
    return only.family === 4 ? below : -1 - below;
  };
  const split: number[] = [];
  for (let cls = 0; cls < u.size; cls++) {
    const members = d.members[cls] ?? [];
    if (members.length < 2 || !ipBlocksApply(members[0] as Endpoint, u.options)) continue;
    const span = spanOf(members);
    if (span !== null) {
      if (spanCut(span, added)) split.push(cls);
      continue;
    }
    const first = side(members[0] as Endpoint);
    if (members.some((e) => side(e) !== first)) split.push(cls);
  }
  const moved = split.flatMap((cls) => d.members[cls] ?? []);
  d.universe = u.withBounds(bounds);
  if (split.length === 0) return;
  for (const cls of split) d.members[cls] = [];
  place(d, moved, split);
}

/** For each interval end of `a`, how many of the `added` boundaries lie at or below it. */
function sidesOf(a: AddressSet, added: { readonly v4: readonly bigint[]; readonly v6: readonly bigint[] }): string {
  let out = "";
  for (const [set, bounds] of [[a.v4, added.v4], [a.v6, added.v6]] as const) {
    for (const i of set.intervals) {
      let lo = 0;
      let hi = 0;
      for (const b of bounds) {
        if (b <= i.lo) lo++;
        if (b <= i.hi) hi++;
      }
      out += `${lo}-${hi},`;
    }
    out += "|";
  }
  return out;
}

/** The classes whose label class lives in one of `namespaces`. */
function classesIn(d: Draft, namespaces: ReadonlySet<string>): number[] {
  const out: number[] = [];
  for (const ns of namespaces) for (const lc of d.engine.classes.byNamespace.get(ns) ?? []) for (const c of d.universe.classesOfLabelClass(lc.index)) out.push(c);
  return out;
}

/** Recomputes the groups of `classes` (their selecting policies, or the class itself, are new). */
function regroup(d: Draft, classes: readonly number[]): void {
  const n = d.universe.size;
  const previousSize = d.egressOf.length;
  if (d.egressOf.length < n) {
    d.egressOf = grow(d.egressOf, n);
    d.ingressOf = grow(d.ingressOf, n);
  }
  while (d.members.length < n) d.members.push([]);
  for (const cls of classes) {
    // A class that had groups may extend them (one policy more); a new class has none yet.
    const known = cls < previousSize;
    d.egressOf[cls] = groupOf(d.engine, d.universe, d.atoms, d.egress, "egress", cls, known ? d.egressOf[cls] : undefined);
    d.ingressOf[cls] = groupOf(d.engine, d.universe, d.atoms, d.ingress, "ingress", cls, known ? d.ingressOf[cls] : undefined);
  }
}

function grow(a: Int32Array, n: number): Int32Array {
  const out = new Int32Array(n);
  out.set(a);
  return out;
}

import type { Direction, Endpoint, Policy } from "../../model/cluster.js";
import type { Engine } from "../engine.js";
import { OverlayMap } from "../overlay-map.js";
import { type Group, extendedRows, groupKey, groupRows, tieredGroupKey } from "./groups.js";
import type { PortAtoms } from "./port-atoms.js";
import type { Universe } from "./universe.js";
import type { AddressHull } from "./hull.js";

/**
 * Groups by key. Append-only, and shared like the universe and atoms it was computed with.
 * A group's rows are indexed by the atoms of its generation; `maps[generation][atom]` takes a
 * current atom to that index, so splitting atoms rewrites one map per generation, not every group.
 */
export interface GroupTable {
  readonly groups: Group[];
  readonly byKey: OverlayMap<string, number>;
  readonly maps: readonly Int32Array[];
}

export function newGroupTable(atoms: number): GroupTable {
  return { groups: [], byKey: OverlayMap.of(), maps: [identity(atoms)] };
}

/** A copy to add groups to; after splitting atoms, `parent` gives each new atom's old atom. */
export function copyGroupTable(t: GroupTable, parent?: Int32Array): GroupTable {
  if (parent === undefined) return { groups: t.groups.slice(), byKey: t.byKey.fork(), maps: t.maps };
  const maps = t.maps.map((m) => Int32Array.from(parent, (old) => m[old] as number));
  return { groups: t.groups.slice(), byKey: t.byKey.fork(), maps: [...maps, identity(parent.length)] };
}

function identity(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

/** The row id of group `g` of `table` at `atom`. */
export function groupRow(table: GroupTable, g: number, atom: number): number {
  const group = table.groups[g] as Group;
  return group.rows[(table.maps[group.generation] as Int32Array)[atom] as number] as number;
}

/**
 * Everything a class matrix is: the engine it answers for, the classes and port atoms, the egress
 * and ingress groups, and per class its groups and endpoints. Immutable once built; a change
 * (see incremental.ts) makes a new state that shares what the change leaves alone.
 */
export interface MatrixState {
  readonly engine: Engine;
  readonly universe: Universe;
  readonly atoms: PortAtoms;
  /** Named ports the rules refer to (`name/protocol`): their declared numbers are atom boundaries. */
  readonly referenced: ReadonlySet<string>;
  readonly egress: GroupTable;
  readonly ingress: GroupTable;
  /** Per class: its egress group, its ingress group, its endpoints. */
  readonly egressOf: Int32Array;
  readonly ingressOf: Int32Array;
  readonly members: readonly (readonly Endpoint[])[];
  readonly ofEndpoint: OverlayMap<Endpoint, number>;
  /** Where the endpoints' addresses lie: new ipBlock boundaries outside it split no class. */
  readonly hull: AddressHull;
}

/**
 * The group of class `cls` for `direction`, made (with its rows) when new. `previous`, the class's
 * group before a policy was added: when the new policies are those plus one, the rows are the
 * previous rows with the added policy's terms, not a computation over every policy again.
 */
export function groupOf(engine: Engine, u: Universe, atoms: PortAtoms, table: GroupTable, direction: Direction, cls: number, previous?: number): number {
  const c = u.classes[cls];
  if (c === undefined) throw new Error(`no class ${cls}`);
  const labelClass = engine.classes.all[c.labelClass.index] ?? c.labelClass;
  // Every verdict layer: the Admin tier, the NetworkPolicy tier, the Baseline tier (each when present).
  const layers = engine.layersOfClass(labelClass, direction);
  const selecting = engine.policiesSelectingClass(labelClass, direction);
  const tiered = layers.some((l) => l.kind === "admin");
  const policies: readonly Policy[] | null = layers.length === 0 ? null : selecting;
  const key = tiered ? tieredGroupKey(direction, layers, c.ports, c.portsKey) : groupKey(direction, policies, c.ports, c.portsKey);
  const hit = table.byKey.get(key);
  if (hit !== undefined) return hit;
  const id = table.groups.length;
  const base = previous === undefined ? undefined : table.groups[previous];
  const rows =
    base !== undefined && !base.tiered && !tiered && policies !== null && extendsByOne(base.policies, policies)
      ? extendedRows(u, atoms, direction, (atom) => groupRow(table, previous as number, atom), policies[policies.length - 1] as Policy, c.ports)
      : groupRows(u, atoms, direction, layers, c.ports, engine.adminTiers());
  table.groups.push({ key, policies: policies ?? [], tiered, rows, generation: table.maps.length - 1 });
  table.byKey.set(key, id);
  return id;
}

function extendsByOne(before: readonly Policy[], after: readonly Policy[]): boolean {
  return before.length > 0 && after.length === before.length + 1 && before.every((p, i) => after[i] === p);
}

/** The row id of class `cls` at `atom` for `direction`. */
export function rowAt(s: MatrixState, direction: Direction, cls: number, atom: number): number {
  const table = direction === "egress" ? s.egress : s.ingress;
  const of = direction === "egress" ? s.egressOf : s.ingressOf;
  return groupRow(table, of[cls] as number, atom);
}

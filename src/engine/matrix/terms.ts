import type { AddressSet } from "../../net/address-set.js";
import type { LabelSelector } from "../../model/selector.js";
import type { Action, TierEnd, TrafficSets } from "../tiers.js";
import { ClassSet } from "./class-set.js";

/**
 * Which classes something admits: `full` ones with all of their addresses, `partial` ones with only
 * some (an ipBlock that cuts through the addresses a class may have), with the addresses admitted.
 */
export interface Admission {
  readonly full: ClassSet;
  readonly partial: ReadonlyMap<number, AddressSet>;
}

export const NO_PARTIAL: ReadonlyMap<number, AddressSet> = new Map();

/**
 * What a term stands for. Terms are interned by a key, so rules that say the same thing share one
 * admission:
 * - `pods`: a selector peer (in the policy's own namespace, or in the namespaces a selector picks);
 * - `block`: an ipBlock peer (cidr minus except);
 * - `rule`: the peers of one rule (all of them when the rule has none), united;
 * - `named`: a rule's admission narrowed to the classes declaring a named port as one number;
 * - `addresses`: an admin `networks` or `nodes` peer: the addresses it matches, of every class
 *   (pods too: "cluster-internal traffic will be checked against the rule as well").
 */
export type TermDef =
  | { readonly kind: "pods"; readonly own: string | null; readonly namespaces: LabelSelector | null; readonly pods: LabelSelector }
  | { readonly kind: "block"; readonly block: AddressSet }
  | { readonly kind: "rule"; readonly all: boolean; readonly parts: readonly number[] }
  | { readonly kind: "named"; readonly base: number; readonly named: string }
  | { readonly kind: "addresses"; readonly block: AddressSet };

export interface Term {
  readonly def: TermDef;
  readonly set: Admission;
}

/**
 * A row: the classes admitted by the union of some terms (a source's egress at one port atom, say),
 * or, when admin tiers decide too, by the walk of ordered tiers whose rules are terms (`walk`;
 * `terms` is then empty).
 */
export interface Row {
  readonly full: ClassSet;
  readonly partial: ClassSet;
  readonly terms: readonly number[];
  readonly walk?: readonly WalkTier[];
}

/** One tier of a row's walk (see engine/tiers.ts): its rules in order, each a term with an action. */
export interface WalkTier {
  readonly rules: readonly { readonly action: Action; readonly term: number }[];
  readonly end: TierEnd;
  /** Equal for equal tiers: rows and walk states are interned by it. */
  readonly key: string;
}

export function walkTierOf(rules: readonly { readonly action: Action; readonly term: number }[], end: TierEnd): WalkTier {
  return { rules, end, key: `${end}:${rules.map((r) => `${r.action[0]}${r.term}`).join(",")}` };
}

export const EMPTY_ROW = 0;
export const ALL_ROW = 1;

export const BASE_ROWS: readonly Row[] = [
  { full: ClassSet.EMPTY, partial: ClassSet.EMPTY, terms: [] },
  { full: ClassSet.ALL, partial: ClassSet.EMPTY, terms: [] },
];

/**
 * Unites admissions: classes admitted in full by one are in full; the partial addresses of the
 * others are united per class, and a class whose addresses are all covered that way is in full too
 * ("the union of what all applicable policies allow").
 */
export function uniteAdmissions(sets: readonly Admission[], universe: number, addressesOf: (cls: number) => AddressSet): Admission {
  let full = ClassSet.unionAll(
    sets.map((s) => s.full),
    universe,
  );
  if (full.all || sets.every((s) => s.partial.size === 0)) return { full, partial: NO_PARTIAL };
  const merged = new Map<number, AddressSet>();
  for (const s of sets) {
    for (const [cls, a] of s.partial) {
      if (full.has(cls)) continue;
      const prev = merged.get(cls);
      merged.set(cls, prev === undefined ? a : prev.union(a));
    }
  }
  const promoted: number[] = [];
  for (const [cls, a] of merged) {
    if (a.contains(addressesOf(cls))) {
      promoted.push(cls);
      merged.delete(cls);
    }
  }
  if (promoted.length > 0) full = ClassSet.unionAll([full, ClassSet.of(promoted)], universe);
  return { full, partial: merged };
}

/** Whether class `cls` is admitted in full, in part (with which addresses), or not, by the union of `sets`. */
export function admitsOne(sets: readonly Admission[], cls: number, addresses: AddressSet): "full" | AddressSet | null {
  let part: AddressSet | null = null;
  for (const s of sets) {
    if (s.full.has(cls)) return "full";
    const a = s.partial.get(cls);
    if (a !== undefined) part = part === null ? a : part.union(a);
  }
  if (part === null) return null;
  return part.contains(addresses) ? "full" : part;
}

/** `set` with class `cls` admitted as `how` (which must be a fresh class, not yet in the set). */
export function admitOne(set: Admission, cls: number, how: "full" | AddressSet | null): Admission {
  if (how === null) return set;
  if (how === "full") return { full: set.full.with(cls), partial: set.partial };
  const partial = new Map(set.partial);
  partial.set(cls, how);
  return { full: set.full, partial };
}

/**
 * Admissions as the pieces of traffic a tier walk decides: per class, all of its addresses (`full`)
 * or some of them (`partial`, never all). Over `universe` classes whose addresses `addressesOf` gives.
 */
export function admissionSets(universe: number, addressesOf: (cls: number) => AddressSet): TrafficSets<Admission> {
  const empty: Admission = { full: ClassSet.EMPTY, partial: NO_PARTIAL };
  return {
    empty,
    isEmpty: (a) => a.full.isEmpty() && a.partial.size === 0,
    union: (a, b) => (a === b ? a : uniteAdmissions([a, b], universe, addressesOf)),
    intersect: (a, b) => {
      if (a === b) return a;
      const full = a.full.intersect(b.full);
      if (a.partial.size === 0 && b.partial.size === 0) return { full, partial: NO_PARTIAL };
      const partial = new Map<number, AddressSet>();
      for (const [cls, x] of a.partial) {
        if (b.full.has(cls)) partial.set(cls, x);
        else {
          const y = b.partial.get(cls);
          if (y === undefined) continue;
          const both = x.intersect(y);
          if (!both.isEmpty()) partial.set(cls, both);
        }
      }
      for (const [cls, y] of b.partial) if (a.full.has(cls)) partial.set(cls, y);
      return { full, partial: partial.size === 0 ? NO_PARTIAL : partial };
    },
    subtract: (a, b) => {
      let full = a.full.subtract(b.full, universe);
      if (b.partial.size > 0) full = full.subtract(ClassSet.of(b.partial.keys()), universe);
      if (a.partial.size === 0 && b.partial.size === 0) return { full, partial: NO_PARTIAL };
      const partial = new Map<number, AddressSet>();
      for (const [cls, y] of b.partial) {
        if (!a.full.has(cls)) continue;
        const rest = addressesOf(cls).subtract(y);
        if (!rest.isEmpty()) partial.set(cls, rest);
      }
      for (const [cls, x] of a.partial) {
        if (b.full.has(cls)) continue;
        const y = b.partial.get(cls);
        const rest = y === undefined ? x : x.subtract(y);
        if (!rest.isEmpty()) partial.set(cls, rest);
      }
      return { full, partial: partial.size === 0 ? NO_PARTIAL : partial };
    },
  };
}

import type { Endpoint } from "../../model/cluster.js";
import { endpointAddresses } from "../addresses.js";
import type { EngineOptions } from "../types.js";
import { ipBlocksApply } from "./classes.js";

interface Range {
  readonly lo: bigint;
  readonly hi: bigint;
}

/**
 * Per family, the smallest range holding every address of every endpoint that ipBlocks see (never
 * narrowed when endpoints go). A new ipBlock boundary at or below its start, or above its end,
 * falls on the same side of every endpoint, so it cannot split a class: a policy whose ipBlocks
 * lie outside the cluster's addresses (the usual external CIDRs) re-classes nothing.
 */
export interface AddressHull {
  readonly v4: Range | null;
  readonly v6: Range | null;
}

export const EMPTY_HULL: AddressHull = { v4: null, v6: null };

const widen = (r: Range | null, lo: bigint, hi: bigint): Range => (r === null ? { lo, hi } : { lo: lo < r.lo ? lo : r.lo, hi: hi > r.hi ? hi : r.hi });

export function extendHull(hull: AddressHull, endpoints: Iterable<Endpoint>, options: EngineOptions): AddressHull {
  let { v4, v6 } = hull;
  for (const e of endpoints) {
    if (!ipBlocksApply(e, options)) continue;
    const a = endpointAddresses(e, options);
    for (const i of a.v4.intervals) v4 = widen(v4, i.lo, i.hi);
    for (const i of a.v6.intervals) v6 = widen(v6, i.lo, i.hi);
  }
  return v4 === hull.v4 && v6 === hull.v6 ? hull : { v4, v6 };
}

/** The boundaries that fall strictly inside the hull: the only ones that may split a class. */
export function boundsInside(hull: AddressHull, bounds: { readonly v4: readonly bigint[]; readonly v6: readonly bigint[] }): { v4: bigint[]; v6: bigint[] } {
  const inside = (r: Range | null, bs: readonly bigint[]): bigint[] => (r === null ? [] : bs.filter((b) => r.lo < b && b <= r.hi));
  return { v4: inside(hull.v4, bounds.v4), v6: inside(hull.v6, bounds.v6) };
}

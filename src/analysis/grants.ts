import type { AddressSet } from "../net/address-set.js";
import type { TrafficSets } from "../engine/tiers.js";
import { ConnSet } from "./connset.js";

/** Connections granted for some of a peer's addresses only. */
export interface PartialGrant {
  readonly conns: ConnSet;
  readonly admitted: AddressSet;
}

/**
 * Connections with a peer: `full` ones for every address the peer may have, and the connections of
 * each partial grant for its addresses only (partial grants may overlap each other and `full`).
 * As a set of (connection, address) pairs, the pieces of traffic a tier walk over connections decides.
 */
export interface Grants {
  readonly full: ConnSet;
  readonly partials: readonly PartialGrant[];
}

export const NO_GRANTS: Grants = { full: ConnSet.EMPTY, partials: [] };

/** Everything, for a peer of any address. */
export const ALL_GRANTS: Grants = { full: ConnSet.ALL, partials: [] };

/**
 * Set operations on the grants towards a peer whose addresses are `whole` (what `full` stands for).
 * Unions stay cheap (the walk of a tier whose rules all accept only unites); intersections and
 * differences go through disjoint regions.
 */
export function grantSets(whole: AddressSet): TrafficSets<Grants> {
  const regions = (g: Grants): PartialGrant[] => disjointGrants(g.full.isEmpty() ? g.partials : [{ conns: g.full, admitted: whole }, ...g.partials]);
  const of = (rs: readonly PartialGrant[]): Grants => {
    let full = ConnSet.EMPTY;
    const partials: PartialGrant[] = [];
    for (const r of rs) {
      if (r.conns.isEmpty()) continue;
      if (r.admitted.contains(whole)) full = full.union(r.conns);
      else if (!r.admitted.isEmpty()) partials.push(r);
    }
    return { full, partials };
  };
  return {
    empty: NO_GRANTS,
    isEmpty: (g) => g.full.isEmpty() && g.partials.every((p) => p.conns.isEmpty() || p.admitted.isEmpty()),
    union: (a, b) => (a === b ? a : { full: a.full.union(b.full), partials: b.partials.length === 0 ? a.partials : a.partials.length === 0 ? b.partials : [...a.partials, ...b.partials] }),
    intersect: (a, b) => {
      const rb = regions(b);
      const out: PartialGrant[] = [];
      for (const x of regions(a)) for (const y of rb) out.push({ conns: x.conns.intersect(y.conns), admitted: x.admitted.intersect(y.admitted) });
      return of(out);
    },
    subtract: (a, b) => {
      const rb = regions(b);
      const out: PartialGrant[] = [];
      for (const x of regions(a)) {
        let rest = x.conns;
        for (const y of rb) {
          const inside = x.conns.intersect(y.conns);
          if (inside.isEmpty()) continue;
          out.push({ conns: inside, admitted: x.admitted.subtract(y.admitted) });
          rest = rest.subtract(y.conns);
        }
        out.push({ conns: rest, admitted: x.admitted });
      }
      return of(out);
    },
  };
}

/** The same (connection, address) pairs as `grants`, as regions of pairwise disjoint connections. */
export function disjointGrants(grants: readonly PartialGrant[]): PartialGrant[] {
  let regions: PartialGrant[] = [];
  for (const grant of grants) {
    let rest = grant.conns;
    const next: PartialGrant[] = [];
    for (const r of regions) {
      const inside = r.conns.intersect(grant.conns);
      rest = rest.subtract(r.conns);
      if (inside.isEmpty()) {
        next.push(r);
        continue;
      }
      next.push({ conns: inside, admitted: r.admitted.union(grant.admitted) });
      const outside = r.conns.subtract(grant.conns);
      if (!outside.isEmpty()) next.push({ conns: outside, admitted: r.admitted });
    }
    if (!rest.isEmpty()) next.push({ conns: rest, admitted: grant.admitted });
    regions = next;
  }
  return regions;
}

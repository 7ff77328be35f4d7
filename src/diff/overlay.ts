import type { AddressConns } from "../analysis/reach.js";
import { ConnSet } from "../analysis/connset.js";
import { AddressSet, compareAddressSets } from "../net/address-set.js";

/** One region of the IP space and what changed there between two versions. */
export interface RegionDelta {
  readonly addresses: AddressSet;
  readonly added: ConnSet;
  readonly removed: ConnSet;
}

interface Piece {
  readonly addresses: AddressSet;
  readonly before: ConnSet;
  readonly after: ConnSet;
}

function split(pieces: readonly Piece[], region: AddressConns, side: "before" | "after"): Piece[] {
  const out: Piece[] = [];
  for (const p of pieces) {
    const inside = p.addresses.intersect(region.addresses);
    if (inside.isEmpty()) {
      out.push(p);
      continue;
    }
    out.push({ ...p, addresses: inside, [side]: p[side].union(region.conns) });
    const outside = p.addresses.subtract(region.addresses);
    if (!outside.isEmpty()) out.push({ ...p, addresses: outside });
  }
  return out;
}

/**
 * Overlays two partitions of the IP space (regions with nothing allowed may be left out) and
 * returns, per region, added = after − before and removed = before − after. Regions with the
 * same change are merged; regions without change are left out. Sorted by first address, IPv4 first.
 */
export function regionDeltas(before: readonly AddressConns[], after: readonly AddressConns[]): RegionDelta[] {
  let pieces: Piece[] = [{ addresses: AddressSet.ALL, before: ConnSet.EMPTY, after: ConnSet.EMPTY }];
  for (const r of before) pieces = split(pieces, r, "before");
  for (const r of after) pieces = split(pieces, r, "after");
  const byKey = new Map<string, RegionDelta>();
  for (const p of pieces) {
    const added = p.after.subtract(p.before);
    const removed = p.before.subtract(p.after);
    if (added.isEmpty() && removed.isEmpty()) continue;
    const key = `${added.key()}|${removed.key()}`;
    const prev = byKey.get(key);
    byKey.set(key, { addresses: prev === undefined ? p.addresses : prev.addresses.union(p.addresses), added, removed });
  }
  return [...byKey.values()].sort((a, b) => compareAddressSets(a.addresses, b.addresses));
}

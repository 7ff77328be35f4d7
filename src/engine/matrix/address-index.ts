import type { AddressSet } from "../../net/address-set.js";
import type { Family } from "../../net/ip.js";

interface Entry {
  readonly lo: bigint;
  readonly hi: bigint;
  readonly cls: number;
}

/**
 * Finds the classes whose addresses meet an ipBlock without looking at every class: classes with
 * known IPs sit in a list sorted by interval start; classes without (the pod network, or anywhere
 * for the host network) share a few address sets, checked directly.
 */
export class AddressIndex {
  private constructor(
    private readonly entries: Record<Family, Entry[]>,
    private readonly span: Record<Family, bigint>,
    private readonly shared: Map<string, { readonly addresses: AddressSet; readonly classes: number[] }>,
  ) {}

  static empty(): AddressIndex {
    return new AddressIndex({ 4: [], 6: [] }, { 4: 0n, 6: 0n }, new Map());
  }

  clone(): AddressIndex {
    return new AddressIndex({ 4: this.entries[4].slice(), 6: this.entries[6].slice() }, { ...this.span }, new Map(this.shared));
  }

  /** Adds a class; `known` when its addresses are its own IPs rather than a shared range. */
  add(cls: number, addresses: AddressSet, known: boolean): void {
    if (!known) {
      const key = addresses.key();
      const group = this.shared.get(key);
      this.shared.set(key, { addresses, classes: [...(group?.classes ?? []), cls] });
      return;
    }
    for (const family of [4, 6] as const) {
      for (const i of addresses.family(family).intervals) {
        insertSorted(this.entries[family], { lo: i.lo, hi: i.hi, cls });
        if (i.hi - i.lo > this.span[family]) this.span[family] = i.hi - i.lo;
      }
    }
  }

  /** An index of many classes at once, sorted once. */
  static build(classes: readonly { readonly cls: number; readonly addresses: AddressSet; readonly known: boolean }[]): AddressIndex {
    const index = AddressIndex.empty();
    for (const c of classes) {
      if (!c.known) {
        index.add(c.cls, c.addresses, false);
        continue;
      }
      for (const family of [4, 6] as const) {
        for (const i of c.addresses.family(family).intervals) {
          index.entries[family].push({ lo: i.lo, hi: i.hi, cls: c.cls });
          if (i.hi - i.lo > index.span[family]) index.span[family] = i.hi - i.lo;
        }
      }
    }
    for (const family of [4, 6] as const) index.entries[family].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
    return index;
  }

  /** The classes whose addresses may meet `block` (a superset: callers intersect exactly). */
  candidates(block: AddressSet): Set<number> {
    const out = new Set<number>();
    for (const group of this.shared.values()) if (group.addresses.overlaps(block)) for (const c of group.classes) out.add(c);
    for (const family of [4, 6] as const) {
      const entries = this.entries[family];
      for (const i of block.family(family).intervals) {
        let k = lowerBound(entries, i.lo - this.span[family]);
        for (; k < entries.length; k++) {
          const e = entries[k] as Entry;
          if (e.lo > i.hi) break;
          if (e.hi >= i.lo) out.add(e.cls);
        }
      }
    }
    return out;
  }
}

function lowerBound(entries: readonly Entry[], value: bigint): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((entries[mid] as Entry).lo < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(entries: Entry[], e: Entry): void {
  entries.splice(lowerBound(entries, e.lo), 0, e);
}

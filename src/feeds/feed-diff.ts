/**
 * `feeds diff`'s first half: for every selector a bound policy names, the CIDRs the new feed adds
 * to its selection and those it removes, aggregated, with the address counts. Pure.
 */
import { AddressSet } from "../net/address-set.js";
import { type Cidr, formatCidr } from "../net/cidr.js";
import type { BoundPolicy } from "./refresh-model.js";
import { selectRanges } from "./select.js";
import { formatSelector } from "./selector.js";
import type { Feed, FeedProvider, FeedSelector } from "./types.js";

/** One selector's change between the feeds. */
export interface SelectionChange {
  readonly selector: FeedSelector;
  /** The bound policies naming it (BoundPolicy.id), in input order. */
  readonly policies: readonly string[];
  /** In the new selection only / in the old only: the fewest CIDRs, IPv4 first then IPv6, each in address order. */
  readonly added: readonly Cidr[];
  readonly removed: readonly Cidr[];
  /** Addresses in `added` / `removed`, per family (IPv6 counts exceed 2^53: bigint). */
  readonly addresses: { readonly added: FamilyCounts<bigint>; readonly removed: FamilyCounts<bigint> };
}

export interface FamilyCounts<N> {
  readonly ipv4: N;
  readonly ipv6: N;
}

export type SelectionDiff = { readonly ok: true; readonly changes: readonly SelectionChange[] } | { readonly ok: false; readonly message: string };

function addressCount(set: AddressSet): FamilyCounts<bigint> {
  return { ipv4: set.v4.size(), ipv6: set.v6.size() };
}

function selected(feed: Feed, selector: FeedSelector): AddressSet | string {
  const r = selectRanges(feed, selector);
  return r.ok ? AddressSet.fromCidrs([...r.selection.v4, ...r.selection.v6]) : `${formatSelector(selector)} in the ${feed.provider} feed: ${r.message}`;
}

/**
 * Per distinct selector (as formatted) of the bound policies whose provider both feeds have, in
 * order of first appearance: what NEW adds and removes. A selector whose selection is unchanged is
 * listed with nothing added or removed.
 */
export function diffSelections(old: ReadonlyMap<FeedProvider, Feed>, neu: ReadonlyMap<FeedProvider, Feed>, bound: readonly BoundPolicy[]): SelectionDiff {
  const bySelector = new Map<string, { selector: FeedSelector; feeds: readonly [Feed, Feed]; policies: string[] }>();
  for (const b of bound) {
    const before = old.get(b.binding.provider);
    const after = neu.get(b.binding.provider);
    if (before === undefined || after === undefined) continue;
    for (const selector of b.binding.selectors) {
      const key = formatSelector(selector);
      const entry = bySelector.get(key) ?? { selector, feeds: [before, after] as const, policies: [] };
      if (!entry.policies.includes(b.id)) entry.policies.push(b.id);
      bySelector.set(key, entry);
    }
  }
  const changes: SelectionChange[] = [];
  for (const { selector, feeds, policies } of bySelector.values()) {
    const before = selected(feeds[0], selector);
    const after = selected(feeds[1], selector);
    if (typeof before === "string") return { ok: false, message: `OLD: ${before}` };
    if (typeof after === "string") return { ok: false, message: `NEW: ${after}` };
    const added = after.subtract(before);
    const removed = before.subtract(after);
    changes.push({ selector, policies, added: added.toCidrs(), removed: removed.toCidrs(), addresses: { added: addressCount(added), removed: addressCount(removed) } });
  }
  return { ok: true, changes };
}

/** A change as JSON (docs/json.md `feeds diff`): counts as decimal text, since IPv6 counts exceed JSON's safe integers. */
export interface SelectionChangeJson {
  readonly selector: string;
  readonly policies: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly addresses: { readonly added: FamilyCounts<string>; readonly removed: FamilyCounts<string> };
}

function countsJson(c: FamilyCounts<bigint>): FamilyCounts<string> {
  return { ipv4: c.ipv4.toString(), ipv6: c.ipv6.toString() };
}

export function selectionChangeJson(c: SelectionChange): SelectionChangeJson {
  return {
    selector: formatSelector(c.selector),
    policies: c.policies,
    added: c.added.map(formatCidr),
    removed: c.removed.map(formatCidr),
    addresses: { added: countsJson(c.addresses.added), removed: countsJson(c.addresses.removed) },
  };
}

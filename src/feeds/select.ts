/** A selector applied to a feed: the matched records' CIDRs aggregated per family. */
import { AddressSet } from "../net/address-set.js";
import { type Cidr, formatCidr } from "../net/cidr.js";
import { IntervalSet } from "../net/interval-set.js";
import { knownFields, selectorMatches } from "./selector.js";
import type { Feed, FeedSelector, Selection } from "./types.js";

export type SelectResult = { readonly ok: true; readonly selection: Selection } | { readonly ok: false; readonly message: string };

/** Fewest CIDRs covering exactly the given ones (adjacent and contained prefixes merged), per family, in address order. */
export function aggregate(cidrs: readonly Cidr[]): { readonly v4: readonly Cidr[]; readonly v6: readonly Cidr[] } {
  const byFamily = (f: 4 | 6): IntervalSet => IntervalSet.of(cidrs.filter((c) => c.family === f).map((c) => ({ lo: c.first, hi: c.last })));
  const set = AddressSet.of(byFamily(4), byFamily(6));
  const all = set.toCidrs();
  return { v4: all.filter((c) => c.family === 4), v6: all.filter((c) => c.family === 6) };
}

/** The selection, or why not: another provider's feed, or a field no record of the feed has. */
export function selectRanges(feed: Feed, selector: FeedSelector): SelectResult {
  if (feed.provider !== selector.provider) return { ok: false, message: `the selector is for ${selector.provider} but the feed is ${feed.provider}'s` };
  const fields = knownFields(feed.records);
  const unknown = [...selector.filters.keys()].filter((f) => !fields.includes(f));
  if (unknown.length > 0) return { ok: false, message: `no ${feed.provider} record has the field ${unknown.join(", ")}: known fields are ${fields.join(", ")}` };
  const matched = feed.records.filter((r) => selectorMatches(selector, r));
  const distinct = (f: 4 | 6): number => new Set(matched.filter((r) => r.family === f).map((r) => formatCidr(r.cidr))).size;
  return { ok: true, selection: { selector, matched: matched.length, prefixes: { v4: distinct(4), v6: distinct(6) }, ...aggregate(matched.map((r) => r.cidr)) } };
}

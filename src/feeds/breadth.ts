/**
 * The breadth guard of `feeds fetch`: a published range wider than /8 (IPv4) or /20 (IPv6) is refused
 * unless `--allow-wide`. No provider publishes one (the widest AWS IPv4 prefixes are /11 .. /16, IPv6
 * /24 .. /32); a prefix like 0.0.0.0/1 in a feed would open half the internet to every policy built from
 * it, and is a corrupted or hostile file rather than a provider's range.
 */
import { type Cidr, formatCidr } from "../net/cidr.js";
import type { Family } from "../net/ip.js";
import type { Feed } from "./types.js";

/** The shortest prefix length accepted per family: /8 for IPv4, /20 for IPv6 ("wider than" = shorter). */
export const WIDEST_PREFIX: Readonly<Record<Family, number>> = { 4: 8, 6: 20 };

export const isWide = (cidr: Cidr): boolean => cidr.prefix < WIDEST_PREFIX[cidr.family];

/** One range too wide: its text and what the provider filed it under. */
export interface WideRange {
  readonly cidr: string;
  readonly key: string;
}

/** The feed's ranges wider than the guard allows, each once, in file order. */
export function wideRanges(feed: Feed): readonly WideRange[] {
  const seen = new Set<string>();
  const out: WideRange[] = [];
  for (const r of feed.records) {
    if (!isWide(r.cidr)) continue;
    const text = formatCidr(r.cidr);
    if (seen.has(text)) continue;
    seen.add(text);
    out.push({ cidr: text, key: r.key });
  }
  return out;
}

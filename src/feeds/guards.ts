/**
 * The guards `feeds update` applies before it rewrites a policy (and `feeds fetch` before it keeps a
 * file), as data: which guard refused, for which selection, with the figures. Without `--force` any
 * refusal means nothing is written (exit 5, docs/exit-codes.md row `feeds`).
 *
 * - `empty`: a selection of the new feed holds no range at all (a truncated or wrong file, or a
 *   selector the provider stopped publishing): an empty ipBlock list would cut the traffic off.
 * - `shrink`: the policy's ranges lose more than `maxShrinkPercent` of their addresses (addresses,
 *   not prefixes: two /24 merged into a /23 lose nothing), per address family.
 * - `older`: the feed's version token is older than the one the policy records (compareVersions).
 * - `not-internet`: the new ranges reach outside the internet (`internetAddresses`, the one
 *   definition: private, link-local, loopback, shared, multicast ...); the cloud metadata addresses
 *   inside them are named.
 */
import type { Ip } from "../net/ip.js";
import { formatIp } from "../net/ip.js";
import { type Cidr, formatCidr } from "../net/cidr.js";
import { AddressSet } from "../net/address-set.js";
import type { Family } from "../net/ip.js";
import { internetAddresses, metadataAddresses } from "../model/well-known.js";
import { compareVersions } from "./parsers.js";
import { formatSelector } from "./selector.js";
import type { FeedVersion, Selection } from "./types.js";

export type Guard =
  | { readonly guard: "empty"; readonly selector: string }
  | { readonly guard: "shrink"; readonly family: Family; readonly addressesBefore: string; readonly addressesAfter: string; readonly addressesLost: string; readonly lostPercent: number; readonly maxShrinkPercent: number }
  | { readonly guard: "older"; readonly recordedVersion: string; readonly feedVersion: string }
  | { readonly guard: "not-internet"; readonly cidrs: readonly string[]; readonly metadata: readonly string[] };

export interface GuardSettings {
  readonly maxShrinkPercent: number;
  /** Metadata addresses besides the defaults (`--metadata`). */
  readonly metadata: readonly Ip[];
}

export interface GuardInput {
  readonly selections: readonly Selection[];
  /** The ranges the policy holds now (its feed peers). */
  readonly before: readonly Cidr[];
  /** The ranges it would hold. */
  readonly after: readonly Cidr[];
  /** The feed version the policy records (portcullis.dev/feed-version), null if none. */
  readonly recordedVersion: string | null;
  readonly feedVersion: FeedVersion | null;
}

function addressCount(set: AddressSet, family: Family): bigint {
  return set.family(family).size();
}

function shrinkGuards(before: AddressSet, after: AddressSet, maxShrinkPercent: number): Guard[] {
  const out: Guard[] = [];
  for (const family of [4, 6] as const) {
    const had = addressCount(before, family);
    if (had === 0n) continue;
    const lost = addressCount(before.subtract(after), family);
    // Hundredths of a percent, exact in bigint, then as a number.
    const lostPercent = Number((lost * 10000n) / had) / 100;
    if (lostPercent > maxShrinkPercent) {
      out.push({ guard: "shrink", family, addressesBefore: had.toString(), addressesAfter: addressCount(after, family).toString(), addressesLost: lost.toString(), lostPercent, maxShrinkPercent });
    }
  }
  return out;
}

function olderGuard(recorded: string | null, feed: FeedVersion | null): Guard[] {
  if (recorded === null || feed === null) return [];
  const was: FeedVersion = { text: recorded, order: feed.order };
  const valid = feed.order === "number" ? /^\d+$/.test(recorded) : !Number.isNaN(Date.parse(recorded));
  // A recorded version that does not read as the feed's kind of token orders nothing: refuse as older.
  if (!valid || compareVersions(feed, was) < 0) return [{ guard: "older", recordedVersion: recorded, feedVersion: feed.text }];
  return [];
}

function notInternetGuard(after: readonly Cidr[], settings: GuardSettings): Guard[] {
  const internet = internetAddresses(new Set<Family>([4, 6]));
  const outside = after.filter((c) => !internet.contains(AddressSet.fromCidr(c)));
  if (outside.length === 0) return [];
  const set = AddressSet.fromCidrs(outside);
  const metadata = metadataAddresses(settings.metadata).filter((ip) => set.has(ip));
  return [{ guard: "not-internet", cidrs: outside.map(formatCidr), metadata: metadata.map(formatIp) }];
}

/** Every guard that refuses this update, in a fixed order (empty, shrink, older, not-internet); none: it may go. */
export function checkGuards(input: GuardInput, settings: GuardSettings): Guard[] {
  const empty: Guard[] = input.selections.filter((s) => s.v4.length === 0 && s.v6.length === 0).map((s) => ({ guard: "empty", selector: formatSelector(s.selector) }));
  return [
    ...empty,
    ...shrinkGuards(AddressSet.fromCidrs(input.before), AddressSet.fromCidrs(input.after), settings.maxShrinkPercent),
    ...olderGuard(input.recordedVersion, input.feedVersion),
    ...notInternetGuard(input.after, settings),
  ];
}

/** One line saying why: `shrink: IPv4 loses 40% of its addresses (2048 of 5120), above --max-shrink 10%`. */
export function describeGuard(g: Guard): string {
  switch (g.guard) {
    case "empty":
      return `empty: ${g.selector} selects no range in this feed`;
    case "shrink":
      return `shrink: IPv${g.family} loses ${g.lostPercent}% of its addresses (${g.addressesLost} of ${g.addressesBefore}), above --max-shrink ${g.maxShrinkPercent}%`;
    case "older":
      return `older: the feed's version ${g.feedVersion} is older than the policy's ${g.recordedVersion}`;
    case "not-internet":
      return `not-internet: ${g.cidrs.join(", ")} ${g.cidrs.length === 1 ? "lies" : "lie"} outside the internet${g.metadata.length > 0 ? ` (cloud metadata ${g.metadata.join(", ")})` : ""}`;
  }
}

/**
 * Which peers of a policy are the feed's: the one definition `feeds update`, `feeds diff` and lint share.
 *
 * In a policy bound to a feed (a `portcullis.dev/feed-selector` annotation, annotations.ts):
 * - NetworkPolicy: every egress rule's `to` peers that are `ipBlock` are the feed's;
 * - ClusterNetworkPolicy / AdminNetworkPolicy / BaselineAdminNetworkPolicy: every egress rule's `to`
 *   peers with `networks` are the feed's.
 * They are replaced by the union of the policy's selections: NetworkPolicy one ipBlock per CIDR (IPv4
 * first, then IPv6, each in address order); admin `networks` peers of at most 25 CIDRs each (the API's
 * `maxItems: 25`), same order. Rules without such peers are untouched. An ipBlock with `except` in a
 * bound policy was edited by hand: it is refused rather than guessed at (`hasExcept`).
 */
import { type Cidr, formatCidr } from "../net/cidr.js";
import type { FeedBinding } from "./annotations.js";
import { aggregate, selectRanges } from "./select.js";
import { formatSelector } from "./selector.js";
import type { Feed, FeedProvider, Selection } from "./types.js";

/** How a kind holds the feed's ranges: NetworkPolicy ipBlocks, the admin kinds' `networks`; null: neither. */
export type ManagedStyle = "ipBlock" | "networks";

const ADMIN_KINDS = new Set(["ClusterNetworkPolicy", "AdminNetworkPolicy", "BaselineAdminNetworkPolicy"]);

/** At most this many CIDRs in one admin `networks` peer (the CRD's `maxItems`). */
export const MAX_NETWORKS_PER_PEER = 25;

export function managedStyle(kind: unknown): ManagedStyle | null {
  if (kind === "NetworkPolicy") return "ipBlock";
  return typeof kind === "string" && ADMIN_KINDS.has(kind) ? "networks" : null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The rule: an egress `to` peer (plain data, as decoded) is the feed's when it has the style's field. */
export function isFeedPeer(style: ManagedStyle, peer: unknown): boolean {
  return isObject(peer) && peer[style] !== undefined && peer[style] !== null;
}

/** An ipBlock peer that carries `except`: a hand edit `feeds update` will not guess at. */
export function hasExcept(style: ManagedStyle, peer: unknown): boolean {
  if (style !== "ipBlock" || !isObject(peer)) return false;
  const block = peer["ipBlock"];
  return isObject(block) && block["except"] !== undefined && block["except"] !== null;
}

/** The CIDR texts a feed peer holds, as written (ipBlock.cidr, or every `networks` entry). */
export function peerCidrTexts(style: ManagedStyle, peer: unknown): string[] {
  if (!isObject(peer)) return [];
  const value = peer[style];
  if (style === "ipBlock") return isObject(value) && typeof value["cidr"] === "string" ? [value["cidr"]] : [];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** What the binding's selections hold now: each selection, and their union aggregated (IPv4 then IPv6). */
export interface Replacement {
  readonly feed: Feed;
  readonly selections: readonly Selection[];
  readonly v4: readonly Cidr[];
  readonly v6: readonly Cidr[];
}

export type ReplacementResult = { readonly ok: true; readonly replacement: Replacement } | { readonly ok: false; readonly message: string };

/** The CIDRs that replace a bound policy's feed peers, from the feeds given (by provider). */
export function replacementFor(binding: FeedBinding, feeds: ReadonlyMap<FeedProvider, Feed>): ReplacementResult {
  const feed = feeds.get(binding.provider);
  if (feed === undefined) return { ok: false, message: `no ${binding.provider} feed given for ${binding.selectors.map(formatSelector).join(" ")}: add --feed ${binding.provider}=FILE` };
  const selections: Selection[] = [];
  for (const selector of binding.selectors) {
    const r = selectRanges(feed, selector);
    if (!r.ok) return { ok: false, message: `${formatSelector(selector)}: ${r.message}` };
    selections.push(r.selection);
  }
  const union = aggregate(selections.flatMap((s) => [...s.v4, ...s.v6]));
  return { ok: true, replacement: { feed, selections, v4: union.v4, v6: union.v6 } };
}

/** The CIDRs in the order the peers hold them: IPv4 first, then IPv6, each in address order. */
export function replacementCidrs(r: Pick<Replacement, "v4" | "v6">): string[] {
  return [...r.v4, ...r.v6].map(formatCidr);
}

/** The peers (plain data) that hold `cidrs`: one ipBlock each, or `networks` peers of at most 25. */
export function feedPeers(style: ManagedStyle, cidrs: readonly string[]): unknown[] {
  if (style === "ipBlock") return cidrs.map((cidr) => ({ ipBlock: { cidr } }));
  return networksChunks(cidrs).map((networks) => ({ networks }));
}

/** Items in runs of at most MAX_NETWORKS_PER_PEER, in order: the `networks` of one admin peer each. */
export function networksChunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += MAX_NETWORKS_PER_PEER) out.push(items.slice(i, i + MAX_NETWORKS_PER_PEER));
  return out;
}

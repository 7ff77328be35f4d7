/**
 * The annotations that bind a policy to a feed selection, so that `feeds update`, `feeds diff` and lint
 * can refresh or judge it later. Written by `feeds policy`, read by everything else: one definition.
 *
 *   portcullis.dev/feed:          aws                                  (the provider)
 *   portcullis.dev/feed-selector: aws:service=S3,region=eu-west-1      (one or more, space-separated)
 *   portcullis.dev/feed-version:  "1764892387"                         (absent: the feed has no version token)
 *   portcullis.dev/feed-sha256:   <64 hex>                             (the feed file the ranges came from)
 */
import type { Labels } from "../model/labels.js";
import { formatSelector, parseSelector } from "./selector.js";
import type { Feed, FeedProvider, FeedSelector } from "./types.js";

export const FEED_ANNOTATION = "portcullis.dev/feed";
export const FEED_SELECTOR_ANNOTATION = "portcullis.dev/feed-selector";
export const FEED_VERSION_ANNOTATION = "portcullis.dev/feed-version";
export const FEED_SHA256_ANNOTATION = "portcullis.dev/feed-sha256";

/** What a policy's annotations say about the ranges it holds. */
export interface FeedBinding {
  readonly provider: FeedProvider;
  readonly selectors: readonly FeedSelector[];
  /** The feed's version token when the ranges were written; null when the feed had none. */
  readonly version: string | null;
  readonly sha256: string | null;
}

/** Not bound (no portcullis.dev/feed-selector), bound, or annotations that contradict each other. */
export type BindingRead = { readonly kind: "none" } | { readonly kind: "bound"; readonly binding: FeedBinding } | { readonly kind: "invalid"; readonly annotation: string; readonly message: string };

export function readBinding(annotations: Labels): BindingRead {
  const text = annotations.get(FEED_SELECTOR_ANNOTATION);
  if (text === undefined) return { kind: "none" };
  const selectors: FeedSelector[] = [];
  for (const word of text.trim().split(/\s+/).filter((w) => w !== "")) {
    const s = parseSelector(word);
    if (!s.ok) return { kind: "invalid", annotation: FEED_SELECTOR_ANNOTATION, message: s.message };
    selectors.push(s.selector);
  }
  const first = selectors[0];
  if (first === undefined) return { kind: "invalid", annotation: FEED_SELECTOR_ANNOTATION, message: "empty: no selector" };
  if (selectors.some((s) => s.provider !== first.provider)) return { kind: "invalid", annotation: FEED_SELECTOR_ANNOTATION, message: "selectors of more than one provider: one policy holds one provider's ranges" };
  const provider = annotations.get(FEED_ANNOTATION);
  if (provider !== undefined && provider.trim().toLowerCase() !== first.provider) return { kind: "invalid", annotation: FEED_ANNOTATION, message: `says ${provider} but the selectors are ${first.provider}'s` };
  const sha256 = annotations.get(FEED_SHA256_ANNOTATION) ?? null;
  if (sha256 !== null && !/^[0-9a-f]{64}$/.test(sha256)) return { kind: "invalid", annotation: FEED_SHA256_ANNOTATION, message: "expected 64 lowercase hex digits" };
  return { kind: "bound", binding: { provider: first.provider, selectors, version: annotations.get(FEED_VERSION_ANNOTATION) ?? null, sha256 } };
}

/** The annotations `feeds policy` writes (and `feeds update` rewrites), in this order. */
export function bindingAnnotations(selectors: readonly FeedSelector[], feed: Feed): ReadonlyArray<readonly [string, string]> {
  const out: Array<readonly [string, string]> = [
    [FEED_ANNOTATION, feed.provider],
    [FEED_SELECTOR_ANNOTATION, selectors.map(formatSelector).join(" ")],
  ];
  if (feed.version !== null) out.push([FEED_VERSION_ANNOTATION, feed.version.text]);
  out.push([FEED_SHA256_ANNOTATION, feed.sha256]);
  return out;
}

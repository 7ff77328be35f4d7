/** One entry point for every provider's format: the files of a feed, read into a `Feed`. */
import { parseAws } from "./aws.js";
import type { FeedParse, FeedProvider, FeedVersion } from "./types.js";

/** A feed file as the edge read it: its name (for messages), text, and sha256 of its bytes (lowercase hex). */
export interface FeedFile {
  readonly name: string;
  readonly text: string;
  readonly sha256: string;
}

/**
 * Reads the provider's file(s). Every provider takes one file except `google-apis`, which takes goog.json
 * and cloud.json (either order: told apart by content) and is goog minus cloud.
 */
export function parseFeed(provider: FeedProvider, files: readonly FeedFile[]): FeedParse {
  const one = files.length === 1 ? files[0] : undefined;
  if (provider !== "google-apis" && one === undefined) return { ok: false, errors: [{ path: "(feed)", message: `${provider} takes one feed file, given ${files.length}` }] };
  switch (provider) {
    case "aws":
      return parseAws((one as FeedFile).text, (one as FeedFile).sha256);
    default:
      return { ok: false, errors: [{ path: "(feed)", message: `reading ${provider} feeds is not built yet` }] };
  }
}

/** Older < newer: negative when `a` is older. Numeric tokens compare as numbers, time tokens as instants. */
export function compareVersions(a: FeedVersion, b: FeedVersion): number {
  if (a.order === "number" && b.order === "number") {
    const x = BigInt(a.text);
    const y = BigInt(b.text);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return Date.parse(a.text) - Date.parse(b.text);
}


/** One entry point for every provider's format: the files of a feed, read into a `Feed`. */
import { parseAtlassian } from "./atlassian.js";
import { parseAws } from "./aws.js";
import { parseAzure } from "./azure.js";
import { parseCloudflare } from "./cloudflare.js";
import { parseFastly } from "./fastly.js";
import { parseGithub } from "./github.js";
import { parseGoogleApis, parseGoogleCloud } from "./google.js";
import { parseOracle } from "./oracle.js";
import type { FeedParse, FeedProvider, FeedVersion } from "./types.js";

/** A feed file as the edge read it: its name (for messages), text, and sha256 of its bytes (lowercase hex). */
export interface FeedFile {
  readonly name: string;
  readonly text: string;
  readonly sha256: string;
}

/** Providers whose one feed is read from one file. */
const ONE_FILE: Readonly<Record<Exclude<FeedProvider, "google-apis" | "cloudflare">, (text: string, sha256: string) => FeedParse>> = {
  aws: parseAws,
  google: parseGoogleCloud,
  azure: parseAzure,
  github: parseGithub,
  atlassian: parseAtlassian,
  fastly: parseFastly,
  oracle: parseOracle,
};

/**
 * Reads the provider's file(s). Every provider takes one file except `google-apis`, which takes goog.json
 * and cloud.json (either order: told apart by content) and is goog minus cloud, and `cloudflare`, which
 * takes ips-v4 and/or ips-v6 (text) or the one /client/v4/ips JSON.
 */
export function parseFeed(provider: FeedProvider, files: readonly FeedFile[]): FeedParse {
  if (provider === "google-apis") return parseGoogleApis(files);
  if (provider === "cloudflare") return parseCloudflare(files);
  const one = files.length === 1 ? files[0] : undefined;
  if (one === undefined) return { ok: false, errors: [{ path: "(feed)", message: `${provider} takes one feed file, given ${files.length}` }] };
  return ONE_FILE[provider](one.text, one.sha256);
}

/** ISO 8601 time as an instant; a time written without a zone (Oracle's) is UTC, never the reader's local time. */
function instant(text: string): number {
  return Date.parse(/(Z|[+-]\d{2}:\d{2})$/.test(text) || !text.includes("T") ? text : `${text}Z`);
}

/**
 * Older < newer: negative when `a` is older. Numeric tokens compare as numbers, time tokens as instants.
 * Tokens of one provider share an order; should two orders ever meet, they are ordered by the order's
 * name (number before time), so the comparison stays total instead of guessing.
 */
export function compareVersions(a: FeedVersion, b: FeedVersion): number {
  if (a.order !== b.order) return a.order === "number" ? -1 : 1;
  if (a.order === "number") {
    const x = BigInt(a.text);
    const y = BigInt(b.text);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return Math.sign(instant(a.text) - instant(b.text));
}

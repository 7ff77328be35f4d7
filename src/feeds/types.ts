/**
 * Published IP ranges ("feeds"): what a provider's file says, as data. Pure: no I/O here; the file's
 * bytes and their sha256 come from the edge (src/cli, src/feeds-io).
 *
 * A feed is read whole into `Feed` (one parser per provider format, `parsers.ts`); a `FeedSelector`
 * (`aws:service=S3,region=eu-west-1`, selector.ts) picks records; `selectRanges` (select.ts) aggregates
 * what it picked into the fewest CIDRs per family.
 */
import type { Cidr } from "../net/cidr.js";
import type { Family } from "../net/ip.js";
import type { Protocol } from "../model/ports.js";

/** The providers whose files Portcullis reads. `google-apis` is computed: goog.json minus cloud.json. */
export type FeedProvider = "aws" | "google" | "google-apis" | "azure" | "github" | "cloudflare" | "atlassian" | "fastly" | "oracle";

export const FEED_PROVIDERS: readonly FeedProvider[] = ["aws", "google", "google-apis", "azure", "github", "cloudflare", "atlassian", "fastly", "oracle"];

/**
 * One published range. `key` is what the provider calls the group the range belongs to (AWS `service`,
 * Google `service`, Azure `values[].name`, GitHub's `/meta` key; Atlassian's products and Oracle's tags
 * joined with ","; a provider with a single list uses its name, google-apis "Google APIs"), `region` its
 * region when the provider says (else null; Atlassian's regions joined with ","). `attributes` holds every field a selector may filter on, by the provider's own field name
 * (AWS: service, region, network_border_group; Google: scope, service; Azure: name, region, systemService,
 * platform; GitHub: key; Atlassian: product, direction, region; Oracle: region, tag); values as
 * published (matching is case-insensitive).
 */
export interface FeedRecord {
  readonly provider: FeedProvider;
  readonly key: string;
  readonly region: string | null;
  readonly family: Family;
  readonly cidr: Cidr;
  readonly attributes: Readonly<Record<string, readonly string[]>>;
}

/**
 * A whole file as read. `version` is the provider's own token, compared as the provider orders it
 * (`versionOrder`): AWS `syncToken` (epoch seconds), Azure `changeNumber`, Atlassian `syncToken`, Google
 * `syncToken` (epoch ms), Oracle `last_updated_timestamp`; null when the format has none (GitHub,
 * Cloudflare, Fastly; Cloudflare's API etag is `etag`): such feeds are ordered by nothing and `feeds update` says so.
 * `published`: the file's own creation time when it has one (ISO 8601 text as published), else null.
 */
export interface Feed {
  readonly provider: FeedProvider;
  readonly version: FeedVersion | null;
  readonly published: string | null;
  /** sha256 of the file's bytes, lowercase hex (given by the edge). */
  readonly sha256: string;
  readonly records: readonly FeedRecord[];
  /**
   * A token the file carries that says "different" but never "newer" (Cloudflare's API `etag`): kept so
   * a change can be told, never compared for order (so it is not a `version`). Absent when none.
   */
  readonly etag?: string;
  /**
   * A feed computed from several files (`google-apis`: goog.json minus cloud.json): each file's own
   * version and sha256. `version` and `sha256` above are the first part's (goog.json's). Absent otherwise.
   */
  readonly parts?: readonly FeedPart[];
}

/** One input file of a computed feed: what it is, its own version token and the sha256 of its bytes. */
export interface FeedPart {
  readonly name: string;
  readonly version: FeedVersion | null;
  readonly sha256: string;
}

/**
 * A version token and how it orders: numerically (AWS, Azure, Atlassian, Google) or as ISO 8601 time
 * text (Oracle; a time without a zone is UTC). Only tokens that order are versions: an opaque token
 * (Cloudflare's etag) is `Feed.etag`, so `compareVersions` stays total over versions.
 */
export interface FeedVersion {
  readonly text: string;
  readonly order: "number" | "time";
}

/** An error reading a feed file: where (a JSON path like `prefixes[12].ip_prefix`, or `line 7`) and what. */
export interface FeedError {
  readonly path: string;
  readonly message: string;
}

export type FeedParse = { readonly ok: true; readonly feed: Feed } | { readonly ok: false; readonly errors: readonly FeedError[] };

/**
 * `aws:service=S3,region=eu-west-1`: a provider and filters. Filters on one field are OR (`region=a,region=b`
 * or `region=a|b`), filters on different fields AND. No filter: every record of the feed.
 */
export interface FeedSelector {
  readonly provider: FeedProvider;
  /** Field → accepted values, as written (matching is case-insensitive); fields in written order. */
  readonly filters: ReadonlyMap<string, readonly string[]>;
}

/** A selection aggregated: adjacent and contained prefixes merged, per family, in address order. */
export interface Selection {
  readonly selector: FeedSelector;
  /** Records the selector matched (a range listed under two matching keys counts twice). */
  readonly matched: number;
  /** Distinct prefixes among them, per family: the count before merging. */
  readonly prefixes: { readonly v4: number; readonly v6: number };
  readonly v4: readonly Cidr[];
  readonly v6: readonly Cidr[];
}

/** `--port 443`, `--port 53/UDP`, `--port 8000-8100/TCP`: what the generated rule allows. */
export interface FeedPort {
  readonly protocol: Protocol;
  readonly port: number;
  /** Inclusive end of a range; null for one port. */
  readonly endPort: number | null;
}

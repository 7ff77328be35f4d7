/**
 * `portcullis feeds show|policy|update|diff|fetch` as typed options (the `feeds` member of
 * CommandOptions, options.ts). docs/feeds.md is the user's guide.
 */
import type { FeedPort, FeedProvider, FeedSelector } from "../feeds/types.js";
import type { CommonOptions, WellKnownFlags } from "./options.js";
import type { OutputFormat } from "./spec.js";

/** Where a feed file comes from: a file, or an https/http URL fetched (bounded) on the way. */
export type FeedLocation = { readonly kind: "file"; readonly path: string } | { readonly kind: "url"; readonly url: string };

/**
 * One `--feed [PROVIDER=]FILE|URL` (or a positional OLD/NEW of `feeds diff`). `provider` null: told from
 * the content (feeds/detect.ts); a file that says nothing a provider's format says is an error asking
 * for PROVIDER=. Several sources of one provider are that provider's files (google-apis: goog.json and
 * cloud.json).
 */
export interface FeedSource {
  readonly provider: FeedProvider | null;
  readonly location: FeedLocation;
}

/** Refusals `feeds update` makes unless `--force` (each also a flag to tune it). */
export interface UpdateGuards {
  /** `--max-shrink PERCENT` (default 10): refuse when a selection loses more than this share of its addresses. */
  readonly maxShrinkPercent: number;
}

export type FeedsOptions =
  | {
      /** `feeds show SELECTOR... --feed F`: each selection aggregated, before/after counts, IPv4 and IPv6. */
      readonly name: "feeds";
      readonly action: "show";
      readonly output: OutputFormat;
      readonly selectors: readonly FeedSelector[];
      readonly feeds: readonly FeedSource[];
    }
  | {
      /**
       * `feeds policy --name N -n NS --select LABELS --feed F SELECTOR... [--port P]... [--cluster]`: a
       * NetworkPolicy (ipBlocks) or, with `--cluster`, a ClusterNetworkPolicy (networks, peers of at most
       * 25 CIDRs), annotated portcullis.dev/feed, feed-version, feed-selector (and feed-sha256).
       */
      readonly name: "feeds";
      readonly action: "policy";
      readonly output: OutputFormat;
      readonly selectors: readonly FeedSelector[];
      readonly feeds: readonly FeedSource[];
      readonly policyName: string;
      /** `-n`: the NetworkPolicy's namespace; with --cluster, the namespace the subject selects (null: --namespace-selector or every namespace). */
      readonly namespace: string | null;
      /** `--select`: the pod label selector, kubectl's syntax (`app=x,tier in (a,b)`), as written; '' selects every pod. */
      readonly podSelector: string;
      readonly ports: readonly FeedPort[];
      readonly cluster: boolean;
      /** With --cluster: the tier's priority (`--priority`, default 100) and the API version (`--api`). */
      readonly priority: number;
      readonly api: "v1alpha2" | "v1alpha1";
      readonly wellKnown: WellKnownFlags;
    }
  | {
      /** `feeds update -f PATH... --feed F [--dry-run] [--force] [--max-shrink PERCENT]`: annotated policies refreshed in place. */
      readonly name: "feeds";
      readonly action: "update";
      readonly output: OutputFormat;
      readonly files: readonly string[];
      readonly feeds: readonly FeedSource[];
      readonly dryRun: boolean;
      readonly force: boolean;
      readonly guards: UpdateGuards;
      readonly wellKnown: WellKnownFlags;
    }
  | {
      /** `feeds diff OLD NEW -f PATH... [-o text|json|md]`: CIDRs added/removed per selection and the semantic effect. */
      readonly name: "feeds";
      readonly action: "diff";
      readonly common: CommonOptions;
      readonly old: readonly FeedSource[];
      readonly new: readonly FeedSource[];
      readonly wellKnown: WellKnownFlags;
    }
  | {
      /** `feeds fetch PROVIDER -o FILE [--url URL] [--timeout D] [--max-size BYTES] [--allow-wide] [--md5 HEX]`: the one networked step. */
      readonly name: "feeds";
      readonly action: "fetch";
      readonly provider: FeedProvider;
      /** `-o FILE`: where the feed is written (atomically; the last good file kept on failure). */
      readonly file: string;
      /** `--url`: instead of the provider's published address. */
      readonly url: string | null;
      readonly timeoutMs: number;
      readonly maxBytes: number;
      /** `--allow-wide`: accept prefixes wider than /8 (IPv4) or /20 (IPv6). */
      readonly allowWide: boolean;
      /** `--force`: accept a version older than the file's (the monotonic check). */
      readonly force: boolean;
      /** `--md5 HEX`: the digest the provider announced (AWS: its SNS notification), lowercase hex; null: none given. */
      readonly md5: string | null;
    };

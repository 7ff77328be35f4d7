/** The JSON document of `portcullis diff` (docs/diff.md). Text and Markdown render this same object. */
import type { ConnSetJson } from "../analysis/connset.js";

/**
 * - `widened`: between endpoints present in both versions (or such an endpoint and the IP space),
 *   something is allowed that was not; `removed` may be non-empty too (a port moved).
 * - `narrowed`: only removals.
 * - `added` / `removed`: connections of an endpoint that exists only in the new / old version.
 */
export type ChangeKind = "widened" | "narrowed" | "added" | "removed";

export const CHANGE_KINDS: readonly ChangeKind[] = ["widened", "narrowed", "added", "removed"];

export type ChangeClass = "internet-egress-added" | "metadata-reachable" | "dns-lost" | "cross-namespace-widened";

export const CHANGE_CLASSES: readonly ChangeClass[] = ["internet-egress-added", "metadata-reachable", "dns-lost", "cross-namespace-widened"];

export interface DiffChange {
  readonly kind: ChangeKind;
  readonly class: readonly ChangeClass[];
  /** `ns/name[Kind]`, or comma-separated CIDRs for a region of the IP space. */
  readonly src: string;
  readonly dst: string;
  /** Allowed in the new version only. */
  readonly added: ConnSetJson;
  /** Allowed in the old version only. */
  readonly removed: ConnSetJson;
}

export type DiffSummary = Readonly<Record<ChangeKind | ChangeClass | "endpoints-added" | "endpoints-removed", number>>;

export interface DiffReport {
  readonly summary: DiffSummary;
  /** Endpoints (`ns/name[Kind]`) present in one version only, matched by endpoint id. */
  readonly endpoints: { readonly added: readonly string[]; readonly removed: readonly string[] };
  /** Ordered by kind (as CHANGE_KINDS), then source, then destination. */
  readonly changes: readonly DiffChange[];
}

export type FailOn = "widened" | "never";

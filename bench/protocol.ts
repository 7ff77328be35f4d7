/** Messages from a shape's child process to the bench driver. */

export type PhaseName =
  | "generate"
  | "parse"
  | "parse json"
  | "decode"
  | "compile"
  | "check"
  | "matrix"
  | "count"
  | "rebuild, warm"
  | "policy change"
  | "relabel (existing class)"
  | "relabel (new class)"
  | "20 more policy changes"
  | "nft compile"
  | "nft compile, cached"
  | "nft policy change";

export const PHASES: readonly PhaseName[] = [
  "generate",
  "parse",
  "parse json",
  "decode",
  "compile",
  "check",
  "matrix",
  "count",
  "rebuild, warm",
  "policy change",
  "relabel (existing class)",
  "relabel (new class)",
  "20 more policy changes",
  "nft compile",
  "nft compile, cached",
  "nft policy change",
];

export interface PhaseResult {
  readonly phase: PhaseName;
  readonly status: "ok" | "timeout" | "skipped" | "failed";
  /** Wall-clock and CPU (user + system, all threads) milliseconds. */
  readonly ms?: number;
  readonly cpuMs?: number;
  /** Highest resident set size during the phase, and heap in use after it (after a GC). */
  readonly peakRssMb?: number;
  readonly heapMb?: number;
  readonly note?: string;
}

export interface ShapeSizes {
  readonly pods: number;
  readonly namespaces: number;
  readonly policies: number;
  readonly labelClasses?: number;
  readonly matrixClasses?: number;
  readonly portAtoms?: number;
  readonly portClasses?: number;
  readonly rows?: number;
  readonly groups?: number;
  readonly allowedEntries?: number;
  readonly dependsEntries?: number;
  readonly checkP50Us?: number;
  readonly checkP99Us?: number;
  readonly checkMaxUs?: number;
  /** Median and slowest of the policy changes after the first (warm code). */
  readonly warmChangeMedianMs?: number;
  readonly warmChangeMaxMs?: number;
  /** The nftables ruleset of one node (bench/nft.ts): its size. */
  readonly nftSets?: number;
  readonly nftElements?: number;
  readonly nftRules?: number;
  readonly nftChains?: number;
  readonly nftBytes?: number;
}

export type Message =
  | { readonly type: "start"; readonly phase: PhaseName; readonly limitS: number }
  | { readonly type: "phase"; readonly result: PhaseResult }
  | { readonly type: "sizes"; readonly sizes: Partial<ShapeSizes> };

/** The bench's tables: sizes per shape, figures per shape and phase, and the targets. */
import type { ShapeRun } from "./main.js";
import { PHASES, type PhaseName, type PhaseResult } from "./protocol.js";

export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ").trimEnd();
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

const kibOf = (bytes: number | undefined): number | undefined => (bytes === undefined ? undefined : bytes / 1024);
const n = (v: number | undefined, digits = 0): string => (v === undefined ? "" : v.toFixed(digits));
const count = (v: number | undefined): string => (v === undefined ? "" : v >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : String(v));

function sizes(runs: readonly ShapeRun[]): string {
  const head = ["shape", "pods", "namespaces", "policies", "label classes", "matrix classes", "port atoms", "port classes", "groups", "rows", "allowed (pair, atom)", "depends"];
  return table(
    head,
    runs.map(({ shape, sizes: s }) => [shape.name, count(s.pods), count(s.namespaces), count(s.policies), count(s.labelClasses), count(s.matrixClasses), count(s.portAtoms), count(s.portClasses), count(s.groups), count(s.rows), count(s.allowedEntries), count(s.dependsEntries)]),
  );
}

function phases(runs: readonly ShapeRun[]): string {
  const head = ["shape", "phase", "wall ms", "cpu ms", "peak RSS MB", "heap after MB", "note"];
  const rows: string[][] = [];
  for (const { shape, results } of runs) {
    for (const p of PHASES) {
      const r = results.get(p);
      if (r === undefined) continue;
      const time = r.status === "ok" || r.ms !== undefined ? n(r.ms) : r.status;
      rows.push([shape.name, p, time, n(r.cpuMs), n(r.peakRssMb), n(r.heapMb), `${r.status === "ok" ? "" : `[${r.status}] `}${r.note ?? ""}`]);
    }
  }
  return table(head, rows);
}

function get(run: ShapeRun | undefined, phase: PhaseName): PhaseResult | undefined {
  return run?.results.get(phase);
}

function targets(runs: readonly ShapeRun[]): string {
  const byName = new Map(runs.map((r) => [r.shape.name, r]));
  const rows: string[][] = [];
  const verdict = (ok: boolean | undefined): string => (ok === undefined ? "not run" : ok ? "met" : "MISSED");
  for (const [name, limitMs, limitMb] of [
    ["M", 200, undefined],
    ["XL", 2000, 1024],
  ] as const) {
    const run = byName.get(name);
    const m = get(run, "matrix");
    const c = get(run, "count");
    if (run === undefined) continue;
    const done = m?.status === "ok" && c?.status === "ok";
    const ms = done ? (m.ms ?? 0) + (c.ms ?? 0) : undefined;
    const mb = done ? Math.max(m.peakRssMb ?? 0, c.peakRssMb ?? 0) : undefined;
    // The matrix's own memory: the heap it adds to the compiled cluster (which stays loaded).
    const before = get(run, "check")?.heapMb ?? get(run, "compile")?.heapMb;
    const own = done && before !== undefined ? Math.max(m.heapMb ?? 0, c.heapMb ?? 0) - before : undefined;
    const classes = run.sizes.portClasses ?? 1;
    const warm = get(run, "rebuild, warm");
    const within = ms !== undefined && ms <= limitMs && (limitMb === undefined || (own ?? Infinity) <= limitMb);
    rows.push([
      `${name} all-pairs matrix (build + count)`,
      `<= ${limitMs} ms${limitMb === undefined ? "" : `, <= ${limitMb} MB`}`,
      ms === undefined
        ? (m?.note ?? c?.note ?? "")
        : `${n(ms)} ms (cpu ${n((m?.cpuMs ?? 0) + (c?.cpuMs ?? 0))}), ${n(ms / classes, 1)} ms per port class; warm rebuild incl. compile ${n(warm?.ms)} ms; matrix heap ${n(own)} MB, process peak RSS ${n(mb)} MB`,
      verdict(ms === undefined ? false : within),
    ]);
  }
  for (const run of runs) {
    const p99 = run.sizes.checkP99Us;
    rows.push([`${run.shape.name} check + explanation p99`, "< 1 ms", p99 === undefined ? "" : `${n(p99)} µs`, verdict(p99 === undefined ? undefined : p99 < 1000)]);
  }
  for (const run of runs) {
    const r = get(run, "policy change");
    const ok = r?.status === "ok" ? (r.ms ?? 0) < 50 : r === undefined ? undefined : false;
    rows.push([`${run.shape.name} one policy change reflected (first, cold)`, "< 50 ms", r?.status === "ok" ? `${n(r.ms, 1)} ms (cpu ${n(r.cpuMs, 1)})` : (r?.note ?? ""), verdict(ok)]);
    const median = run.sizes.warmChangeMedianMs;
    rows.push([`${run.shape.name} one policy change reflected (warm median)`, "< 50 ms", median === undefined ? "" : `${n(median, 1)} ms (max ${n(run.sizes.warmChangeMaxMs, 1)})`, verdict(median === undefined ? undefined : median < 50)]);
  }
  return table(["target (one core)", "goal", "measured", "verdict"], rows);
}

/**
 * Each shape with admin policies beside the NetworkPolicy-only shape it extends: compile (the
 * engine's; admin selections are indexed on first use, inside the check and matrix figures),
 * single checks, the all-pairs matrix, memory, one node's nftables ruleset (bench/nft.ts), and the
 * ratio (goal: under 1.5x).
 */
function adminTiers(runs: readonly ShapeRun[]): string {
  const byName = new Map(runs.map((r) => [r.shape.name, r]));
  const rows: string[][] = [];
  const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined || b === 0 ? "" : `${(a / b).toFixed(2)}x`);
  for (const run of runs) {
    const base = run.shape.base === undefined ? undefined : byName.get(run.shape.base);
    if (base === undefined) continue;
    const ms = (r: ShapeRun, p: PhaseName): number | undefined => (get(r, p)?.status === "ok" ? get(r, p)?.ms : undefined);
    const allPairs = (r: ShapeRun): number | undefined => {
      const m = ms(r, "matrix");
      const c = ms(r, "count");
      return m === undefined || c === undefined ? undefined : m + c;
    };
    const peak = (r: ShapeRun): number | undefined => get(r, "matrix")?.peakRssMb;
    const heap = (r: ShapeRun): number | undefined => get(r, "count")?.heapMb;
    const figures: [string, number | undefined, number | undefined, string][] = [
      ["compile (engine)", ms(base, "compile"), ms(run, "compile"), "ms"],
      ["check p50", base.sizes.checkP50Us, run.sizes.checkP50Us, "µs"],
      ["check p99", base.sizes.checkP99Us, run.sizes.checkP99Us, "µs"],
      ["check phase (all checks)", ms(base, "check"), ms(run, "check"), "ms"],
      ["all-pairs (matrix + count)", allPairs(base), allPairs(run), "ms"],
      ["matrix peak RSS", peak(base), peak(run), "MB"],
      ["heap after count", heap(base), heap(run), "MB"],
      // The nftables ruleset of one node (110 pods): compile + render, and its size.
      ["nft compile + render", ms(base, "nft compile"), ms(run, "nft compile"), "ms"],
      ["nft compile, cached", ms(base, "nft compile, cached"), ms(run, "nft compile, cached"), "ms"],
      ["nft text", kibOf(base.sizes.nftBytes), kibOf(run.sizes.nftBytes), "KiB"],
      ["nft sets", base.sizes.nftSets, run.sizes.nftSets, ""],
      ["nft elements", base.sizes.nftElements, run.sizes.nftElements, ""],
      ["nft rules", base.sizes.nftRules, run.sizes.nftRules, ""],
      ["nft chains", base.sizes.nftChains, run.sizes.nftChains, ""],
      ["nft compile peak RSS", get(base, "nft compile")?.peakRssMb, get(run, "nft compile")?.peakRssMb, "MB"],
      // Without admin policies a NetworkPolicy changes, with them an admin policy (bench/nft.ts).
      ["nft one policy changed (cached compile + diff)", ms(base, "nft policy change"), ms(run, "nft policy change"), "ms"],
    ];
    for (const [what, b, a, unit] of figures) rows.push([`${run.shape.name} vs ${base.shape.name}`, what, b === undefined ? "" : `${n(b)} ${unit}`.trimEnd(), a === undefined ? "" : `${n(a)} ${unit}`.trimEnd(), ratio(a, b)]);
  }
  return rows.length === 0 ? "" : ["", "Admin tiers beside NetworkPolicy only (goal: under 1.5x)", table(["shapes", "figure", "NetworkPolicy only", "with admin policies", "ratio"], rows)].join("\n");
}

export function render(runs: readonly ShapeRun[]): string {
  return ["", "Sizes", sizes(runs), "", "Phases", phases(runs), "", "Targets", targets(runs), adminTiers(runs), ""].join("\n");
}

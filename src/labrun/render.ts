/**
 * `lab run` and `lab probe` output, pure. JSON is the report itself (`entries` first); the text
 * view prints the same report: the observed matrix beside the expected one, then the mismatches
 * and what was skipped.
 */
import { columns, pad, width } from "../render/table.js";
import { skipMessages, verdictWord } from "./messages.js";
import type { LabEntry, LabReport, Mismatch, Skipped } from "./types.js";

/** What `--output json` prints: `entries` as the contract fixes them, then the rest of the report. */
export function labView(r: LabReport): object {
  return { entries: r.entries, mismatches: r.mismatches, skipped: r.skipped, lab: r.prefix, retried: r.retried, timings: r.timings };
}

export function renderLabJson(r: LabReport): string {
  return `${JSON.stringify(labView(r), null, 2)}\n`;
}

type Cell = "allowed" | "blocked" | "some" | "none";
const MARK: Readonly<Record<Cell, string>> = { allowed: "✓", blocked: "✗", some: "◐", none: "·" };
const LEGEND = "✓ allowed on every probed port   ✗ blocked on every probed port   ◐ allowed on some ports   · not probed";

function cellOf(entries: readonly LabEntry[], pick: (e: LabEntry) => boolean): Cell {
  if (entries.length === 0) return "none";
  if (entries.every(pick)) return "allowed";
  return entries.some(pick) ? "some" : "blocked";
}

const portText = (e: { readonly port?: number; readonly protocol?: string }): string => (e.port === undefined ? "" : ` ${e.protocol ?? ""} ${e.port}`);

function mismatchLine(m: Mismatch): string {
  const how = m.outcome === "answered" ? `answered by ${m.identity ?? "?"}, not ${m.wanted}` : m.outcome + (m.detail === undefined ? "" : ` ${m.detail}`);
  return `${m.from} → ${m.to}${portText(m)}: expected ${verdictWord(m.expected)}, observed ${verdictWord(m.observed)} (${how})`;
}

function skippedLine(s: Skipped): string {
  return `${s.from === undefined ? "" : `${s.from} → `}${s.to}${portText(s)}: ${skipMessages[s.reason]}`;
}

function uniq(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

function grid(r: LabReport): string[] {
  const sources = uniq(r.entries.map((e) => e.from));
  const dests = uniq(r.entries.map((e) => e.to));
  const cells = new Map<string, LabEntry[]>();
  for (const e of r.entries) cells.set(`${e.from}\u0000${e.to}`, [...(cells.get(`${e.from}\u0000${e.to}`) ?? []), e]);
  const nw = String(dests.length).length;
  const label = (i: number): string => String(i + 1).padStart(nw);
  const head = Math.max(...sources.map((s) => s.length)) + nw + 1;
  const half = (from: string, pick: (e: LabEntry) => boolean): string =>
    dests.map((to) => MARK[cellOf(cells.get(`${from}\u0000${to}`) ?? [], pick)].padStart(nw + 1)).join("");
  const numbers = dests.map((_, j) => label(j).padStart(nw + 1)).join("");
  const w = Math.max(width(numbers), width(" expected"));
  const lines = [`${pad("", head)}  ${pad(" expected", w)}    observed`, `${pad("", head)}  ${pad(numbers, w)}   ${numbers}`];
  for (const from of sources) {
    const mark = r.mismatches.some((m) => m.from === from) ? "!" : " ";
    lines.push(`${pad(from, head)}  ${pad(half(from, (e) => e.expected), w)} ${mark} ${half(from, (e) => e.observed)}`.trimEnd());
  }
  const ports = new Map<string, string[]>();
  for (const e of r.entries) ports.set(e.to, uniq([...(ports.get(e.to) ?? []), `${e.protocol} ${e.port}`]));
  lines.push("", LEGEND, "", "Destinations and the ports probed:");
  lines.push(...columns(dests.map((to, j) => [label(j), to, (ports.get(to) ?? []).join(", ")]), "  "));
  return lines;
}

export function renderLabText(r: LabReport): string {
  const t = r.timings;
  const n = (k: number, one: string, many: string): string => `${k} ${k === 1 ? one : many}`;
  const lines = [
    `Lab ${r.prefix}: ${n(r.entries.length, "probe", "probes")}, ${n(r.mismatches.length, "mismatch", "mismatches")}, ${r.skipped.length} skipped`,
    `up ${t.upMs} ms, enforce ${t.enforceMs} ms, probe ${t.probeMs} ms, down ${t.downMs} ms` + (r.retried === 0 ? "" : `; ${n(r.retried, "probe", "probes")} retried`),
    "",
  ];
  if (r.entries.length > 0) lines.push(...grid(r), "");
  if (r.mismatches.length === 0) lines.push("Mismatches: none: the kernel did what the engine said, for every probe.");
  else lines.push("Mismatches (! in the grid):", ...r.mismatches.map((m) => `  ${mismatchLine(m)}`));
  if (r.skipped.length > 0) lines.push("", "Skipped:", ...r.skipped.map((s) => `  ${skippedLine(s)}`));
  return `${lines.join("\n")}\n`;
}

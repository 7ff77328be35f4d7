/** What `lab up` and `lab down` print: pure. `lab run` and `lab probe` print the report (src/labrun/render.ts). */
import type { LabUpInfo } from "../labrun/index.js";

export function renderLabUpText(info: LabUpInfo): string {
  return [
    `lab ${info.prefix} is up: ${info.pods} pod${info.pods === 1 ? "" : "s"}, ${info.probes} probe${info.probes === 1 ? "" : "s"} planned (up ${info.upMs} ms, enforce ${info.enforceMs} ms)`,
    `state: ${info.statePath}`,
    `probe it:     portcullis lab probe --lab ${info.prefix}`,
    `take it down: portcullis lab down --lab ${info.prefix}`,
    "",
  ].join("\n");
}

export interface LabDownView {
  readonly prefix: string;
  /** Network namespaces removed. */
  readonly removed: number;
}

export function renderLabDownText(view: LabDownView): string {
  return `lab ${view.prefix} removed (${view.removed} network namespace${view.removed === 1 ? "" : "s"})\n`;
}

export interface LabListRow {
  readonly prefix: string;
  readonly status: string;
  readonly owner?: number;
  readonly namespaces: readonly string[];
  readonly ageMs?: number;
}

/** kubectl's short age: 45s, 12m, 3h, 2d. */
function age(ms: number | undefined): string {
  if (ms === undefined) return "<unknown>";
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** `lab list`: one row per lab, kubectl-style columns; "No labs found." when there is none. */
export function renderLabListText(labs: readonly LabListRow[]): string {
  if (labs.length === 0) return "No labs found.\n";
  const rows = [["PREFIX", "STATUS", "OWNER", "NAMESPACES", "AGE"], ...labs.map((l) => [l.prefix, l.status, l.owner === undefined ? "<none>" : String(l.owner), String(l.namespaces.length), age(l.ageMs)])];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd((widths[i] ?? 0) + 3))).join("")).join("\n") + "\n";
}

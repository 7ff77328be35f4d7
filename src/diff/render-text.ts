import { CHANGE_CLASSES, type DiffChange, type DiffReport } from "./types.js";
import { changeEnds, formatConns, kindCounts } from "./format.js";

function changeLines(c: DiffChange): string[] {
  const { src, dst } = changeEnds(c);
  const lines = [`${c.kind.padEnd(8)} ${src} -> ${dst}`];
  const added = formatConns(c.added);
  const removed = formatConns(c.removed);
  if (added !== "") lines.push(`  + ${added}`);
  if (removed !== "") lines.push(`  - ${removed}`);
  if (c.class.length > 0) lines.push(`  class: ${c.class.join(", ")}`);
  return lines;
}

/** The text view of the diff report: the summary, then each change with its added (+) and removed (-) connections. */
export function renderDiffText(report: DiffReport): string {
  const s = report.summary;
  const classes = CHANGE_CLASSES.filter((k) => s[k] > 0).map((k) => `${k} ${s[k]}`);
  const lines = [
    `${kindCounts(report)}; endpoints: ${s["endpoints-added"]} added, ${s["endpoints-removed"]} removed`,
    ...(classes.length > 0 ? [`classes: ${classes.join(", ")}`] : []),
  ];
  for (const id of report.endpoints.added) lines.push(`endpoint added:   ${id}`);
  for (const id of report.endpoints.removed) lines.push(`endpoint removed: ${id}`);
  if (report.changes.length === 0) lines.push("", "no change in allowed connections");
  for (const c of report.changes) lines.push("", ...changeLines(c));
  return `${lines.join("\n")}\n`;
}

/** The JSON view: the report object itself. */
export function renderDiffJson(report: DiffReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

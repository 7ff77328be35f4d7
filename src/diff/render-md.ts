/**
 * Markdown for a pull-request comment: a hidden marker (so a bot can update its own comment), a
 * summary line of badges, the widened then narrowed changes as a table, the rest collapsed.
 */
import { describeSide } from "./addresses.js";
import { changeEnds, formatConns } from "./format.js";
import { CHANGE_CLASSES, type ChangeKind, type DiffChange, type DiffReport } from "./types.js";

export const MARKDOWN_MARKER = "<!-- portcullis-diff -->";

/** Inline code that survives a table cell: pipes escaped, backticks avoided. */
function code(text: string): string {
  return text === "" ? "" : `\`${text.replace(/`/g, "'").replace(/\|/g, "\\|")}\``;
}

function badges(report: DiffReport): string {
  const s = report.summary;
  const kinds = (["widened", "narrowed", "added", "removed"] as const).map((k) => code(`${k}: ${s[k]}`));
  const endpoints = code(`endpoints: +${s["endpoints-added"]} -${s["endpoints-removed"]}`);
  const classes = CHANGE_CLASSES.filter((k) => s[k] > 0).map((k) => code(`${k}: ${s[k]}`));
  return [...kinds, endpoints, ...classes].join(" ");
}

function table(changes: readonly DiffChange[]): string[] {
  const rows = changes.map((c) => {
    const { src, dst } = changeEnds(c);
    const kind = c.kind === "widened" ? "**widened**" : c.kind;
    return `| ${kind} | ${code(src)} | ${code(dst)} | ${code(formatConns(c.added))} | ${code(formatConns(c.removed))} | ${c.class.map(code).join(" ")} |`;
  });
  return ["| Change | Source | Destination | Added | Removed | Class |", "| --- | --- | --- | --- | --- | --- |", ...rows];
}

function ofKind(report: DiffReport, ...kinds: ChangeKind[]): DiffChange[] {
  return report.changes.filter((c) => kinds.includes(c.kind));
}

/** Regions printed compactly in the table, with their exact CIDR lists. */
function exactRegions(changes: readonly DiffChange[]): string[] {
  const out = new Set<string>();
  for (const c of changes) {
    for (const side of [c.src, c.dst]) {
      if (describeSide(side).includes(" except ")) out.add(`- ${code(describeSide(side))}: ${side.split(",").map(code).join(", ")}`);
    }
  }
  return [...out];
}

function details(report: DiffReport): string[] {
  const lifecycle = ofKind(report, "added", "removed");
  const endpoints = [
    ...report.endpoints.added.map((id) => `- added: ${code(id)}`),
    ...report.endpoints.removed.map((id) => `- removed: ${code(id)}`),
  ];
  const exact = exactRegions(report.changes);
  const body: string[] = [];
  if (endpoints.length > 0) body.push("**Endpoints in one version only**", "", ...endpoints, "");
  if (lifecycle.length > 0) body.push("**Connections of those endpoints**", "", ...table(lifecycle), "");
  if (exact.length > 0) body.push("**Exact address lists**", "", ...exact, "");
  if (body.length === 0) return [];
  return ["", "<details>", `<summary>Details</summary>`, "", ...body, "</details>"];
}

/** The comment's body without marker and heading: badges, the table, the details (`feeds diff` embeds it under its own heading). */
export function diffMarkdownBody(report: DiffReport): string[] {
  const main = ofKind(report, "widened", "narrowed");
  const lines = [badges(report), ""];
  if (main.length === 0) lines.push("No connection between existing workloads was widened or narrowed.");
  else lines.push(...table(main));
  lines.push(...details(report));
  return lines;
}

export function renderDiffMarkdown(report: DiffReport): string {
  return `${[MARKDOWN_MARKER, "### Portcullis: egress policy diff", "", ...diffMarkdownBody(report)].join("\n")}\n`;
}

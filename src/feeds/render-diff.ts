/** `feeds diff` as text and Markdown (a pull-request comment); JSON/YAML are the view itself. */
import { diffMarkdownBody } from "../diff/render-md.js";
import { renderDiffText } from "../diff/render-text.js";
import type { DiffReport } from "../diff/types.js";
import type { SelectionChangeJson } from "./feed-diff.js";

/** The document of `feeds diff -o json` (docs/json.md): per selection the CIDRs added and removed, and the effect on the cluster. */
export interface FeedsDiffView {
  readonly selections: readonly SelectionChangeJson[];
  /** `portcullis diff`'s report between the cluster refreshed with OLD and with NEW. */
  readonly effect: DiffReport;
}

export const FEEDS_DIFF_MARKER = "<!-- portcullis-feeds-diff -->";

function unchanged(s: SelectionChangeJson): boolean {
  return s.added.length === 0 && s.removed.length === 0;
}

/** `IPv4 addresses: +2048 -32768` (and IPv6 when it changed). */
function counts(s: SelectionChangeJson): string {
  const { added, removed } = s.addresses;
  const family = (name: string, a: string, r: string): string => `${name} addresses: +${a} -${r}`;
  const v6 = added.ipv6 !== "0" || removed.ipv6 !== "0" ? [family("IPv6", added.ipv6, removed.ipv6)] : [];
  return [family("IPv4", added.ipv4, removed.ipv4), ...v6].join(", ");
}

function selectionText(s: SelectionChangeJson): string[] {
  const head = `${s.selector}  (${s.policies.join(", ")})`;
  if (unchanged(s)) return [head, "  unchanged"];
  return [head, ...s.added.map((c) => `  + ${c}`), ...s.removed.map((c) => `  - ${c}`), `  ${counts(s)}`];
}

export function renderFeedsDiffText(view: FeedsDiffView): string {
  const selections = view.selections.length === 0 ? ["no policy is bound to a selector of these feeds"] : view.selections.flatMap((s, i) => [...(i === 0 ? [] : [""]), ...selectionText(s)]);
  return `${["Selections:", ...selections, "", "Effect on the cluster:"].join("\n")}\n${renderDiffText(view.effect)}`;
}

function cidrList(cidrs: readonly string[]): string {
  return cidrs.length === 0 ? "" : cidrs.map((c) => `\`${c}\``).join(" ");
}

export function renderFeedsDiffMarkdown(view: FeedsDiffView): string {
  const rows = view.selections.map((s) => `| \`${s.selector.replace(/\|/g, "\\|")}\` | ${s.policies.map((p) => `\`${p}\``).join(" ")} | ${cidrList(s.added)} | ${cidrList(s.removed)} | ${unchanged(s) ? "unchanged" : counts(s)} |`);
  const table = rows.length === 0 ? ["No policy is bound to a selector of these feeds."] : ["| Selector | Policies | Added | Removed | Addresses |", "| --- | --- | --- | --- | --- |", ...rows];
  return `${[FEEDS_DIFF_MARKER, "### Portcullis: published IP ranges changed", "", ...table, "", "#### Effect on egress", "", ...diffMarkdownBody(view.effect)].join("\n")}\n`;
}

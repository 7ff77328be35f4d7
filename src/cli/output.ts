import { stringify } from "yaml";
import { isIncomplete } from "../k8s/live.js";
import type { LiveNotes } from "./options.js";
import type { OutputFormat } from "./spec.js";

/** How a command writes its view in the formats it supports beyond json and yaml. */
export type Renderers<T> = Partial<Record<Exclude<OutputFormat, "json" | "yaml">, (view: T) => string>>;

/** The format, and for an answer from a live cluster what it did not see. */
export type Output = OutputFormat | { readonly output: OutputFormat; readonly live?: LiveNotes };

/**
 * Writes one view in the chosen format: json and yaml serialise the very object the other
 * renderers print. The argument parser has already refused formats a command does not list.
 * An answer from a live cluster says what it did not see: JSON/YAML `unseen` (and `readNamespace`
 * when one namespace was read), text and Markdown a closing note; the other formats (csv, dot,
 * mermaid, sarif) cannot carry a note, and the warnings on stderr and exit 6 say it (docs/live.md).
 */
export function render<T>(how: Output, view: T, renderers: Renderers<T>): string {
  const format = typeof how === "string" ? how : how.output;
  const live = typeof how === "string" ? undefined : how.live;
  if (format === "json" || format === "yaml") {
    const noted = live === undefined || typeof view !== "object" || view === null || Array.isArray(view) ? view : { ...view, ...liveJson(live) };
    return format === "json" ? `${JSON.stringify(noted, null, 2)}\n` : stringify(noted, { lineWidth: 0, aliasDuplicateObjects: false });
  }
  const renderer = renderers[format];
  if (renderer === undefined) throw new Error(`no ${format} renderer`);
  const text = renderer(view);
  if (live === undefined || (format !== "text" && format !== "md")) return text;
  // Never a silent partial answer: an answer that may be wrong for what was not seen says so first.
  const head = isIncomplete(live.unseen) ? "UNKNOWN: objects this answer depends on could not be read (Not seen, below); what follows is from the objects that were seen only.\n" : "";
  const lines = liveLines(live);
  return `${head}${text}${lines.map((l) => `${l}\n`).join("")}`;
}

function liveJson(live: LiveNotes): object {
  const unseen = live.unseen.map((u) => ({ verb: u.verb, resource: u.resource, kind: u.kind, namespace: u.namespace, reason: u.reason, effect: u.effect, message: u.message }));
  return { unseen, ...(live.namespace === null ? {} : { readNamespace: live.namespace }) };
}

/** The closing lines of a text answer read from a live cluster. */
function liveLines(live: LiveNotes): string[] {
  return [
    ...(live.namespace === null ? [] : [`Read: namespace ${live.namespace} only: answers do not see other namespaces' pods, Services and NetworkPolicies (-A reads every namespace).`]),
    ...live.unseen.map((u) => `Not seen: ${u.message}.`),
  ];
}

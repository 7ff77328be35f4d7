/**
 * `portcullis connlist`: the JSON document is the analysis's list as is
 * (`[{"src", "dst", "conns"}]`); the other formats print that list.
 */
import type { ConnlistEntry } from "../analysis/connlist.js";
import { compactAddresses, parseCidrList } from "./addresses.js";
import { formatConns } from "./conns.js";
import { columns, csv, markdownTable } from "./table.js";

/** An endpoint reads `ns/name[Kind]`; anything else is a CIDR list, shown compactly. */
function isEndpoint(name: string): boolean {
  return name.endsWith("]");
}

function display(name: string): string {
  return isEndpoint(name) ? name : compactAddresses(parseCidrList(name));
}

export function renderConnlistText(list: readonly ConnlistEntry[]): string {
  if (list.length === 0) return "No connections are allowed.\n";
  return columns(list.map((e) => [display(e.src), "=>", display(e.dst), ":", formatConns(e.conns)])).join("\n") + "\n";
}

export function renderConnlistCsv(list: readonly ConnlistEntry[]): string {
  return csv(["src", "dst", "conns"], list.map((e) => [e.src, e.dst, formatConns(e.conns)]));
}

export function renderConnlistMarkdown(list: readonly ConnlistEntry[]): string {
  return markdownTable(["src", "dst", "conns"], list.map((e) => [display(e.src), display(e.dst), formatConns(e.conns)]));
}

function dotString(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** Graphviz: endpoints as ellipses grouped by namespace, address ranges as boxes. */
export function renderConnlistDot(list: readonly ConnlistEntry[]): string {
  const names = [...new Set(list.flatMap((e) => [e.src, e.dst]))].sort();
  const byNamespace = new Map<string, string[]>();
  for (const n of names.filter(isEndpoint)) {
    const ns = n.slice(0, n.indexOf("/"));
    byNamespace.set(ns, [...(byNamespace.get(ns) ?? []), n]);
  }
  const lines = ["digraph connlist {", "  rankdir=LR;", "  node [fontname=Helvetica fontsize=10];", "  edge [fontname=Helvetica fontsize=9];"];
  let cluster = 0;
  for (const [ns, members] of byNamespace) {
    lines.push(`  subgraph cluster_${cluster++} {`, `    label=${dotString(ns)};`);
    for (const m of members) lines.push(`    ${dotString(m)} [label=${dotString(m.slice(ns.length + 1))} shape=ellipse];`);
    lines.push("  }");
  }
  for (const n of names.filter((n) => !isEndpoint(n))) lines.push(`  ${dotString(n)} [label=${dotString(display(n))} shape=box style=dashed];`);
  for (const e of list) lines.push(`  ${dotString(e.src)} -> ${dotString(e.dst)} [label=${dotString(formatConns(e.conns))}];`);
  lines.push("}");
  return lines.join("\n") + "\n";
}

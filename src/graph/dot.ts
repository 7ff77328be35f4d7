/** Graphviz DOT: namespaces as clusters, blocked edges dashed, unrestricted ones bold, guardrail (admin tier) edges coloured, domains as hexagons. */
import type { EdgeStyle, EgressGraph, GraphNode } from "./types.js";

/** A DOT double-quoted string: backslashes and quotes escaped, line breaks as `\n`. */
export function dotString(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r?\n/g, "\\n")}"`;
}

function node(n: GraphNode): string {
  const shape = n.kind === "endpoint" ? "" : n.kind === "domain" ? ", shape=hexagon" : ", shape=ellipse";
  const dashed = n.kind === "internet" || n.kind === "metadata" ? ", style=dashed" : "";
  return `${n.id} [label=${dotString(n.label)}${shape}${dashed}];`;
}

const STYLE: Readonly<Record<EdgeStyle, string>> = {
  allowed: "",
  blocked: ", style=dashed",
  unrestricted: ", style=bold",
  // Guardrails (admin tiers): coloured, a denial also dashed with a cross at its end.
  "guardrail-accepted": ", color=darkgreen, penwidth=2",
  "guardrail-denied": ", style=dashed, color=red, arrowhead=tee",
  // Domains: an Accept blue, a Deny or Pass red and dashed; an address a name resolves to dotted, no arrow.
  "domain-accepted": ", color=blue",
  "domain-denied": ", style=dashed, color=red, arrowhead=tee",
  resolves: ", style=dotted, arrowhead=none",
};

export function renderDot(graph: EgressGraph): string {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const lines = ["digraph egress {", "  rankdir=LR;", "  node [shape=box];"];
  for (const g of graph.groups) {
    // Graphviz draws a subgraph as a box only when its name starts with `cluster`.
    lines.push(`  subgraph cluster_${g.id} {`, `    label=${dotString(g.namespace)};`);
    for (const id of g.nodes) {
      const n = byId.get(id);
      if (n !== undefined) lines.push(`    ${node(n)}`);
    }
    lines.push("  }");
  }
  for (const n of graph.nodes) if (n.namespace === null) lines.push(`  ${node(n)}`);
  for (const e of graph.edges) lines.push(`  ${e.from} -> ${e.to} [label=${dotString(e.label)}${STYLE[e.style]}];`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

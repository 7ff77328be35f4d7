/** Mermaid flowchart: namespaces as subgraphs, blocked edges dashed, unrestricted ones thick, guardrail (admin tier) edges ending in a circle or a cross, domains as hexagons. */
import type { EdgeStyle, EgressGraph, GraphNode } from "./types.js";

/** A quoted Mermaid string: quotes and angle brackets as entity codes, so no label breaks the syntax. */
export function mermaidString(text: string): string {
  const escaped = text.replace(/&/g, "#amp;").replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
  return `"${escaped}"`;
}

function node(n: GraphNode): string {
  const label = mermaidString(n.label);
  // Workloads are boxes; domains hexagons; addresses and the special destinations are rounded.
  return n.kind === "endpoint" ? `${n.id}[${label}]` : n.kind === "domain" ? `${n.id}{{${label}}}` : `${n.id}(${label})`;
}

/** Guardrail (admin tier) edges end in a circle (accepted) or a cross (denied). */
const ARROW: Readonly<Record<EdgeStyle, string>> = {
  allowed: "-->",
  blocked: "-.->",
  unrestricted: "==>",
  "guardrail-accepted": "--o",
  "guardrail-denied": "--x",
  // Domains: an Accept like an allowed edge (its node is a hexagon), a Deny or Pass with a cross; an address a name resolves to, a dotted line.
  "domain-accepted": "-->",
  "domain-denied": "--x",
  resolves: "-.-",
};

export function renderMermaid(graph: EgressGraph): string {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const lines = ["flowchart LR"];
  for (const g of graph.groups) {
    lines.push(`  subgraph ${g.id}[${mermaidString(g.namespace)}]`);
    for (const id of g.nodes) {
      const n = byId.get(id);
      if (n !== undefined) lines.push(`    ${node(n)}`);
    }
    lines.push("  end");
  }
  for (const n of graph.nodes) if (n.namespace === null) lines.push(`  ${node(n)}`);
  for (const e of graph.edges) lines.push(`  ${e.from} ${ARROW[e.style]}|${mermaidString(e.label)}| ${e.to}`);
  const blocked = graph.nodes.filter((n) => n.kind === "internet" || n.kind === "metadata").map((n) => n.id);
  if (blocked.length > 0) {
    lines.push("  classDef blocked stroke-dasharray: 4 4");
    lines.push(`  class ${blocked.join(",")} blocked`);
  }
  return `${lines.join("\n")}\n`;
}

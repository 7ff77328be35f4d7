/**
 * The page's view (types.ts) from what the other commands compute: the egress graph (`graph`),
 * the lint findings (`lint`), and a diff report (`diff`). Pure: no I/O.
 */
import type { EgressGraph, GraphEdge } from "../graph/types.js";
import type { FindingsJson } from "../lint/render-json.js";
import { UI_VIEW_VERSION, type UiEdge, type UiFinding, type UiNode, type UiView } from "./types.js";

export interface ViewInput {
  readonly graph: EgressGraph;
  readonly findings: FindingsJson;
  /** What was read, as the page shows it. */
  readonly source: string;
  readonly edited: boolean;
  readonly assumptions: readonly string[];
}

/** An edge's id: `from->to`, with the style, so two edges between the same nodes stay apart. */
export function edgeId(edge: Pick<GraphEdge, "from" | "to" | "style">): string {
  return `${edge.from}->${edge.to}:${edge.style}`;
}

export function buildView(input: ViewInput): UiView {
  const nodes: UiNode[] = input.graph.nodes.map((n) => ({ id: n.id, kind: n.kind, label: n.label, namespace: n.namespace, target: n.endpoint, change: null }));
  const edges: UiEdge[] = input.graph.edges.map((e) => ({ id: edgeId(e), from: e.from, to: e.to, style: e.style, label: e.label, change: null }));
  const findings = linkFindings(input.findings, nodes, edges);
  return {
    version: UI_VIEW_VERSION,
    source: { label: input.source, edited: input.edited },
    groups: input.graph.groups,
    nodes,
    edges,
    findings,
    diff: null,
    assumptions: input.assumptions,
    counts: {
      namespaces: input.graph.groups.length,
      workloads: nodes.filter((n) => n.kind === "endpoint").length,
      edges: edges.length,
      findings: findings.length,
    },
  };
}

/**
 * Each finding with the nodes of the workloads it names (lint names them `namespace/name`) and the
 * edges leaving them. Numbered in lint's order: `f1`, `f2` …
 */
function linkFindings(json: FindingsJson, nodes: readonly UiNode[], edges: readonly UiEdge[]): UiFinding[] {
  const byWorkload = new Map<string, string[]>();
  for (const n of nodes) {
    if (n.kind !== "endpoint" || n.namespace === null) continue;
    const key = `${n.namespace}/${workloadName(n.label)}`;
    byWorkload.set(key, [...(byWorkload.get(key) ?? []), n.id]);
  }
  return json.findings.map((f, i) => {
    const ids = [...new Set(f.endpoints.flatMap((w) => byWorkload.get(w) ?? []))];
    const from = new Set(ids);
    return { ...f, id: `f${i + 1}`, nodes: ids, edges: edges.filter((e) => from.has(e.from)).map((e) => e.id) };
  });
}

/** `web-api[Deployment]` → `web-api`: an endpoint label without its kind. */
function workloadName(label: string): string {
  const bracket = label.indexOf("[");
  return bracket < 0 ? label : label.slice(0, bracket);
}

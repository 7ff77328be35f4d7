/** `portcullis graph`: pure core. Build the egress graph from an engine, then draw it. */
export { buildEgressGraph } from "./build.js";
export { connsLabel } from "./label.js";
export { renderDot, dotString } from "./dot.js";
export { renderMermaid, mermaidString } from "./mermaid.js";
export type { EdgeStyle, EgressGraph, GraphEdge, GraphNode, GraphOptions, NodeKind } from "./types.js";

import type { Engine } from "../engine/engine.js";
import { buildEgressGraph } from "./build.js";
import { renderDot } from "./dot.js";
import { renderMermaid } from "./mermaid.js";
import type { GraphOptions } from "./types.js";

export type GraphFormat = "mermaid" | "dot";

export function renderGraph(engine: Engine, options: GraphOptions, format: GraphFormat): string {
  const graph = buildEgressGraph(engine, options);
  return format === "mermaid" ? renderMermaid(graph) : renderDot(graph);
}

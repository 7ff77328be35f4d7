import type { Engine } from "../../engine/engine.js";
import { buildEgressGraph, renderDot, renderMermaid } from "../../graph/index.js";
import type { CommandOptions } from "../options.js";
import { render } from "../output.js";
import { type CommandResult, done, usage } from "./result.js";
import { unknownNamespace } from "./scope.js";

/** `graph`: the egress picture drawn in Mermaid or DOT; `-o json` writes the graph those draw. */
export function runGraph(options: Extract<CommandOptions, { name: "graph" }>, engine: Engine): CommandResult {
  const unknown = unknownNamespace(options.namespace, engine.cluster);
  if (unknown !== null) return usage(unknown);
  const graph = buildEgressGraph(engine, { namespace: options.namespace, metadata: options.metadata });
  return done("ok", render(options.common, graph, { mermaid: renderMermaid, dot: renderDot }));
}

import type { Engine } from "../../engine/engine.js";
import { buildEgressGraph, renderDot, renderMermaid } from "../../graph/index.js";
import type { CommandOptions } from "../options.js";
import { render } from "../output.js";
import { suggestions } from "../suggest.js";
import { type CommandResult, done, usage } from "./result.js";

/** `graph`: the egress picture drawn in Mermaid or DOT; `-o json` writes the graph those draw. */
export function runGraph(options: Extract<CommandOptions, { name: "graph" }>, engine: Engine): CommandResult {
  const ns = options.namespace;
  if (ns !== null && !engine.cluster.namespaces.has(ns)) return usage(unknownNamespace(ns, [...engine.cluster.namespaces.keys()].sort()));
  const graph = buildEgressGraph(engine, { namespace: ns, metadata: options.metadata });
  return done("ok", render(options.common.output, graph, { mermaid: renderMermaid, dot: renderDot }));
}

function unknownNamespace(ns: string, known: readonly string[]): string {
  const close = suggestions(ns, known);
  const hint = close.length > 0 ? ` (did you mean ${close.map((c) => `"${c}"`).join(", ")}?)` : known.length === 0 ? "" : ` (the manifests have ${known.join(", ")})`;
  return `-n: no namespace "${ns}" in the manifests${hint}`;
}

import { computeConnlist } from "../../analysis/connlist.js";
import { policiesAssumptions } from "../../analysis/assumptions.js";
import type { Engine } from "../../engine/engine.js";
import { assumedLines, assumptionJson } from "../../render/assumptions.js";
import { renderConnlistCsv, renderConnlistDot, renderConnlistMarkdown, renderConnlistText } from "../../render/connlist.js";
import type { CommandOptions } from "../args.js";
import { render } from "../output.js";
import { type CommandResult, done, usage } from "./result.js";
import { inScope, unknownNamespace } from "./scope.js";

/** `connlist`: the allowed connections; with -n, those whose source is in the namespace. */
export function runConnlist(options: Extract<CommandOptions, { name: "connlist" }>, engine: Engine): CommandResult {
  const unknown = unknownNamespace(options.namespace, engine.cluster);
  if (unknown !== null) return usage(unknown);
  const list = computeConnlist(engine).filter((e) => inScope(e.src, options.namespace));
  const assumed = assumedLines(policiesAssumptions(engine.cluster, engine.cluster.policies).map(assumptionJson));
  const text = (l: typeof list): string => renderConnlistText(l) + (assumed.length === 0 ? "" : ["", ...assumed, ""].join("\n"));
  return done("ok", render(options.common, list, { text, csv: renderConnlistCsv, md: renderConnlistMarkdown, dot: renderConnlistDot }));
}

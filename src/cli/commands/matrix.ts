import { computeMatrix, type MatrixOptions } from "../../analysis/matrix.js";
import { policiesAssumptions } from "../../analysis/assumptions.js";
import type { Engine } from "../../engine/engine.js";
import { assumptionJson } from "../../render/assumptions.js";
import { renderMatrixCsv, renderMatrixMarkdown, renderMatrixText } from "../../render/matrix.js";
import type { CommandOptions } from "../args.js";
import { render } from "../output.js";
import { type CommandResult, done, usage } from "./result.js";
import { inScope, unknownNamespace } from "./scope.js";

/** `matrix`: every pair; with -n, rows (sources) in the namespace and destinations anywhere. */
export function runMatrix(options: Extract<CommandOptions, { name: "matrix" }>, engine: Engine): CommandResult {
  const ns = options.namespace;
  const unknown = unknownNamespace(ns, engine.cluster);
  if (unknown !== null) return usage(unknown);
  const probe: MatrixOptions = {
    ...(options.ports === null ? {} : { ports: options.ports }),
    ...(options.protocols === null ? {} : { protocols: options.protocols }),
  };
  const m = computeMatrix(engine, probe);
  // `entries` first: the documented shape is {"entries": [...]} plus the extra sections.
  const view = {
    entries: m.entries.filter((e) => inScope(e.from, ns)),
    externalEgress: m.externalEgress.filter((e) => inScope(e.from, ns)),
    endpoints: m.endpoints,
    ...(ns === null ? {} : { sources: m.endpoints.filter((e) => inScope(e, ns)) }),
    assumptions: policiesAssumptions(engine.cluster, engine.cluster.policies).map(assumptionJson),
  };
  return done("ok", render(options.common, view, { text: renderMatrixText, csv: renderMatrixCsv, md: renderMatrixMarkdown }));
}

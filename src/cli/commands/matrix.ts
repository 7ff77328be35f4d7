import { computeMatrix, type MatrixOptions } from "../../analysis/matrix.js";
import type { Engine } from "../../engine/engine.js";
import { renderMatrixCsv, renderMatrixMarkdown, renderMatrixText } from "../../render/matrix.js";
import type { CommandOptions } from "../args.js";
import { render } from "../output.js";
import { type CommandResult, done } from "./result.js";

export function runMatrix(options: Extract<CommandOptions, { name: "matrix" }>, engine: Engine): CommandResult {
  const probe: MatrixOptions = {
    ...(options.ports === null ? {} : { ports: options.ports }),
    ...(options.protocols === null ? {} : { protocols: options.protocols }),
  };
  const m = computeMatrix(engine, probe);
  // `entries` first: the documented shape is {"entries": [...]} plus the extra sections.
  const view = { entries: m.entries, externalEgress: m.externalEgress, endpoints: m.endpoints };
  return done("ok", render(options.common.output, view, { text: renderMatrixText, csv: renderMatrixCsv, md: renderMatrixMarkdown }));
}

import { computeConnlist } from "../../analysis/connlist.js";
import type { Engine } from "../../engine/engine.js";
import { renderConnlistCsv, renderConnlistDot, renderConnlistMarkdown, renderConnlistText } from "../../render/connlist.js";
import type { CommandOptions } from "../args.js";
import { render } from "../output.js";
import { type CommandResult, done } from "./result.js";

export function runConnlist(options: Extract<CommandOptions, { name: "connlist" }>, engine: Engine): CommandResult {
  const list = computeConnlist(engine);
  return done("ok", render(options.common.output, list, { text: renderConnlistText, csv: renderConnlistCsv, md: renderConnlistMarkdown, dot: renderConnlistDot }));
}

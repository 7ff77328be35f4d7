import type { Engine } from "../../engine/engine.js";
import type { Connection } from "../../engine/types.js";
import { checkJson, renderCheckText } from "../../render/check.js";
import type { CommandOptions } from "../args.js";
import { render } from "../output.js";
import { resolveTarget } from "../target.js";
import { type CommandResult, done, usage } from "./result.js";

/** `check`: exit ok when allowed; negative when denied, or allowed only for some addresses. */
export function runCheck(options: Extract<CommandOptions, { name: "check" }>, engine: Engine): CommandResult {
  const from = resolveTarget(options.from, engine.cluster);
  if (!from.ok) return usage(`--from: ${from.message}`);
  const to = resolveTarget(options.to, engine.cluster);
  if (!to.ok) return usage(`--to: ${to.message}`);
  const conn: Connection = { from: from.target, to: to.target, port: options.port, protocol: options.protocol };
  const view = checkJson(conn, engine.check(conn), engine.options, engine.cluster);
  return done(view.verdict === "allowed" ? "ok" : "negative", render(options.common.output, view, { text: renderCheckText }));
}

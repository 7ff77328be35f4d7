import type { Engine } from "../../engine/engine.js";
import { egressOverview } from "../../render/egress-view.js";
import { renderEgressText } from "../../render/egress-text.js";
import type { CommandOptions } from "../args.js";
import { render } from "../output.js";
import { type CommandResult, done } from "./result.js";

/** The default command: the egress picture of every namespace with policies. */
export function runEgress(options: Extract<CommandOptions, { name: "egress" }>, engine: Engine): CommandResult {
  return done("ok", render(options.common.output, egressOverview(engine, options.common.podNetworkFrom), { text: renderEgressText }));
}

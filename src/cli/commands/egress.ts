import type { Engine } from "../../engine/engine.js";
import { type EgressJson, egressOverview } from "../../render/egress-view.js";
import { renderEgressText } from "../../render/egress-text.js";
import type { CommandOptions } from "../args.js";
import { render } from "../output.js";
import { type CommandResult, done, usage } from "./result.js";
import { unknownNamespace } from "./scope.js";

/** The default command: the egress picture of every namespace with policies (or of -n's). */
export function runEgress(options: Extract<CommandOptions, { name: "egress" }>, engine: Engine): CommandResult {
  const unknown = unknownNamespace(options.namespace, engine.cluster);
  if (unknown !== null) return usage(unknown);
  const view = egressOverview(engine, options.common.podNetworkFrom, { metadata: options.wellKnown.metadata, dns: { ips: options.wellKnown.dns } });
  return done("ok", render(options.common, scoped(view, options.namespace), { text: renderEgressText }));
}

function scoped(view: EgressJson, ns: string | null): EgressJson {
  if (ns === null) return view;
  return { ...view, namespaces: view.namespaces.filter((n) => n.namespace === ns), unrestricted: view.unrestricted.filter((n) => n.namespace === ns) };
}

import type { Engine } from "../../engine/engine.js";
import type { Connection, Target, Verdict } from "../../engine/types.js";
import type { Endpoint } from "../../model/cluster.js";
import type { Protocol } from "../../model/ports.js";
import { checkJson, renderCheckText } from "../../render/check.js";
import type { CommandOptions } from "../args.js";
import { render } from "../output.js";
import { qualified, resolveTarget } from "../target.js";
import { type CommandResult, done, usage } from "./result.js";

type CheckOptions = Extract<CommandOptions, { name: "check" }>;

/** `check`: exit ok when allowed; negative when denied, or allowed only for some addresses. */
export function runCheck(options: CheckOptions, engine: Engine): CommandResult {
  const from = resolveTarget(options.from, engine.cluster, options.namespace);
  if (!from.ok) return usage(`--from: ${from.message}`);
  const to = resolveTarget(options.to, engine.cluster, options.namespace);
  if (!to.ok) return usage(`--to: ${to.message}`);
  const ports = destinationPorts(options, to.target);
  if (typeof ports === "string") return usage(`--port ${options.port}: ${ports}`);
  const conns: Connection[] = ports.map(({ port, protocol }) => ({ from: from.target, to: to.target, port, protocol }));
  const first = conns[0];
  if (conns.length === 1 && first !== undefined) {
    const view = checkJson(first, engine.check(first), engine.options, engine.cluster);
    return done(view.verdict === "allowed" ? "ok" : "negative", render(options.common.output, view, { text: renderCheckText }));
  }
  return namedPortDepends(options, to.target, conns, engine);
}

interface PortProbe {
  readonly port: number;
  readonly protocol: Protocol;
}

/**
 * The port(s) to check: the number; or the destination's container ports of that name (and of
 * --protocol when given); several when its containers repeat the name.
 */
function destinationPorts(options: CheckOptions, to: Target): PortProbe[] | string {
  if (typeof options.port === "number") return [{ port: options.port, protocol: options.protocol ?? "TCP" }];
  const name = options.port;
  if (to.kind !== "endpoint") return `a port name needs a pod or workload destination; ${options.to} is an address: give --port NUMBER`;
  const named = to.endpoint.ports.filter((p) => p.name === name && (options.protocol === null || p.protocol === options.protocol));
  const distinct = [...new Map(named.map((p) => [`${p.protocol} ${p.port}`, { port: p.port, protocol: p.protocol }])).values()];
  if (distinct.length > 0) return distinct.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
  return `${qualified(to.endpoint)} declares no ${options.protocol === null ? "" : `${options.protocol} `}port named "${name}" (${namedPorts(to.endpoint)})`;
}

function namedPorts(e: Endpoint): string {
  const names = e.ports.flatMap((p) => (p.name === undefined ? [] : [`${p.name} ${p.protocol} ${p.port}`]));
  return names.length === 0 ? "it names no ports" : `its named ports: ${names.join(", ")}`;
}

/** The view when a port name means several ports on the destination. */
interface NamedPortJson {
  readonly verdict: Verdict;
  readonly to: string;
  readonly portName: string;
  readonly ports: readonly { readonly port: number; readonly protocol: Protocol; readonly verdict: Verdict }[];
}

function namedPortDepends(options: CheckOptions, to: Target, conns: readonly Connection[], engine: Engine): CommandResult {
  const ports = conns.map((c) => ({ port: c.port, protocol: c.protocol, verdict: engine.check(c).verdict }));
  const verdict: Verdict = ports.every((p) => p.verdict === "allowed") ? "allowed" : ports.every((p) => p.verdict === "denied") ? "denied" : "depends";
  const view: NamedPortJson = { verdict, to: to.kind === "endpoint" ? qualified(to.endpoint) : options.to, portName: String(options.port), ports };
  return done(verdict === "allowed" ? "ok" : "negative", render(options.common.output, view, { text: namedPortText }));
}

function namedPortText(v: NamedPortJson): string {
  return [
    `${v.verdict.toUpperCase()}: port name "${v.portName}" means several ports on ${v.to}: ${v.ports.map((p) => `${p.protocol} ${p.port}`).join(", ")}`,
    ...v.ports.map((p) => `  ${p.protocol} ${p.port}: ${p.verdict}`),
    "Run check with --port NUMBER for the explanation of one.",
    "",
  ].join("\n");
}

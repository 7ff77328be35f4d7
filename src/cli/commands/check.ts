import { connectionAssumptions } from "../../analysis/assumptions.js";
import { answerCases, type Cases, overallVerdict } from "../../analysis/cases.js";
import { serviceCases, type Destination as CaseDestination } from "../../analysis/service-cases.js";
import { sameFamily } from "../../engine/addresses.js";
import type { Engine } from "../../engine/engine.js";
import type { Connection, Target, Verdict } from "../../engine/types.js";
import type { Endpoint } from "../../model/cluster.js";
import type { Protocol } from "../../model/ports.js";
import { type AssumptionJson, assumptionJson, type CheckJson, checkJson, renderCheckText } from "../../render/check.js";
import { type CheckCasesJson, renderCheckCasesText } from "../../render/check-cases.js";
import type { CommandOptions } from "../args.js";
import { render } from "../output.js";
import { qualified, resolveDestination, resolveTarget } from "../target.js";
import { type CommandResult, done, usage } from "./result.js";

type CheckOptions = Extract<CommandOptions, { name: "check" }>;

/** `check`: exit ok when allowed; negative when denied, or allowed only for some addresses. */
export function runCheck(options: CheckOptions, engine: Engine): CommandResult {
  const from = resolveTarget(options.from, engine.cluster, options.namespace);
  if (!from.ok) return usage(`--from: ${from.message}`);
  const to = resolveDestination(options.to, engine.cluster, options.namespace);
  if (!to.ok) return usage(`--to: ${to.message}`);
  if (to.destination.kind === "service") {
    const { service, clusterIp } = to.destination;
    const cases = serviceCases(engine.cluster, { service, clusterIp, port: options.port, protocol: options.protocol });
    if (typeof cases === "string") return usage(`--to ${options.to}: ${cases}`);
    return checkCases(options, answerCases(cases, (d) => connection(from.target, d)), engine);
  }
  const target = to.destination.target;
  if (options.port === null) return usage("missing required flag --port (only a Service with one port needs none)");
  const ports = destinationPorts(options, target, options.port);
  if (typeof ports === "string") return usage(`--port ${options.port}: ${ports}`);
  const conns: Connection[] = ports.map(({ port, protocol }) => sameFamily({ from: from.target, to: target, port, protocol }));
  const first = conns[0];
  if (conns.length === 1 && first !== undefined) {
    const view = checkView(first, engine);
    return done(view.verdict === "allowed" ? "ok" : "negative", render(options.common.output, view, { text: renderCheckText }));
  }
  return namedPortDepends(options, target, conns, engine);
}

function connection(from: Target, d: CaseDestination): Connection {
  return sameFamily({ from, to: d.target, port: d.port, protocol: d.protocol });
}

function checkView(conn: Connection, engine: Engine): CheckJson {
  return checkJson(conn, engine.check(conn), engine.options, engine.cluster, connectionAssumptions(engine, conn));
}

/** One question, several connections (a Service's backends): each checked, the verdicts together. */
function checkCases(options: CheckOptions, cases: Cases<Connection>, engine: Engine): CommandResult {
  const each = cases.cases.map((c) => {
    if ("skipped" in c) return c;
    const check = checkView(c.subject, engine);
    return { label: c.label, verdict: check.verdict, check };
  });
  const verdict = overallVerdict(each.flatMap((c) => ("verdict" in c ? [c.verdict] : [])));
  const view: CheckCasesJson = { verdict, translation: cases.translation, cases: each };
  return done(verdict === "allowed" ? "ok" : "negative", render(options.common.output, view, { text: renderCheckCasesText }));
}

interface PortProbe {
  readonly port: number;
  readonly protocol: Protocol;
}

/**
 * The port(s) to check: the number; or the destination's container ports of that name (and of
 * --protocol when given); several when its containers repeat the name.
 */
function destinationPorts(options: CheckOptions, to: Target, port: number | string): PortProbe[] | string {
  if (typeof port === "number") return [{ port, protocol: options.protocol ?? "TCP" }];
  const name = port;
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
  /** As in the single check: namespaces not in the input whose labels the answers assumed. */
  readonly assumptions: readonly AssumptionJson[];
}

function namedPortDepends(options: CheckOptions, to: Target, conns: readonly Connection[], engine: Engine): CommandResult {
  const ports = conns.map((c) => ({ port: c.port, protocol: c.protocol, verdict: engine.check(c).verdict }));
  const verdict: Verdict = ports.every((p) => p.verdict === "allowed") ? "allowed" : ports.every((p) => p.verdict === "denied") ? "denied" : "depends";
  const assumed = new Map(conns.flatMap((c) => connectionAssumptions(engine, c)).map((a) => [a.namespace, assumptionJson(a)]));
  const assumptions = [...assumed.values()];
  const view: NamedPortJson = { verdict, to: to.kind === "endpoint" ? qualified(to.endpoint) : options.to, portName: String(options.port ?? ""), ports, assumptions };
  return done(verdict === "allowed" ? "ok" : "negative", render(options.common.output, view, { text: namedPortText }));
}

function namedPortText(v: NamedPortJson): string {
  return [
    `${v.verdict.toUpperCase()}: port name "${v.portName}" means several ports on ${v.to}: ${v.ports.map((p) => `${p.protocol} ${p.port}`).join(", ")}`,
    ...v.ports.map((p) => `  ${p.protocol} ${p.port}: ${p.verdict}`),
    "Run check with --port NUMBER for the explanation of one.",
    ...v.assumptions.map((a) => `Assumed: ${a.message}.`),
    "",
  ].join("\n");
}

import { connectionAssumptions } from "../../analysis/assumptions.js";
import { answerCases, type Case, type Cases, overallVerdict } from "../../analysis/cases.js";
import { ownerTranslation, podTargetLabel, podTargets } from "../../analysis/owner-cases.js";
import { serviceCases, type Destination as CaseDestination } from "../../analysis/service-cases.js";
import { sameFamily } from "../../engine/addresses.js";
import type { Engine } from "../../engine/engine.js";
import type { Connection, Target, Verdict } from "../../engine/types.js";
import type { Endpoint } from "../../model/cluster.js";
import type { Protocol } from "../../model/ports.js";
import { type AssumptionJson, assumptionJson, assumedLines } from "../../render/assumptions.js";
import { type CheckJson, checkJson, renderCheckText } from "../../render/check.js";
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
  const froms = podTargets(engine.cluster, from.target);
  if (to.destination.kind === "service") {
    const { service, clusterIp } = to.destination;
    const cases = serviceCases(engine.cluster, { service, clusterIp, port: options.port, protocol: options.protocol });
    if (typeof cases === "string") return usage(`--to ${options.to}: ${cases}`);
    return checkCases(options, acrossSources(from.target, froms, options.from, (f) => answerCases(cases, (d) => connection(f, d))), engine);
  }
  const target = to.destination.target;
  if (options.port === null) return usage("missing required flag --port (only a Service with one port needs none)");
  const tos = podTargets(engine.cluster, target);
  if (froms.length > 1 || tos.length > 1) {
    const cases = workloadCases(options, from.target, froms, target, tos, options.port);
    return typeof cases === "string" ? usage(`--port ${options.port}: ${cases}`) : checkCases(options, cases, engine);
  }
  const ports = destinationPorts(options, target, options.port);
  if (typeof ports === "string") return usage(`--port ${options.port}: ${ports}`);
  const conns: Connection[] = ports.map(({ port, protocol }) => sameFamily({ from: from.target, to: target, port, protocol }));
  const first = conns[0];
  if (conns.length === 1 && first !== undefined) {
    const view = checkView(first, engine);
    return done(view.verdict === "allowed" ? "ok" : "negative", render(options.common, view, { text: renderCheckText }));
  }
  return namedPortDepends(options, target, conns, engine);
}

/** The translation of a workload whose pods differ, when `target` is one. */
function ownerSentence(target: Target, pods: readonly Target[]): string[] {
  return pods.length > 1 && target.kind === "endpoint" ? [ownerTranslation(target.endpoint)] : [];
}

/** How a case names one side: the endpoint (with its pods when a workload's pods differ), or the address as written. */
function sideLabel(side: Target, written: string): string {
  if (side.kind !== "endpoint") return written;
  const e = side.endpoint;
  return e.owner !== undefined || (e.splitPods ?? []).length > 0 ? podTargetLabel(e) : `${e.kind}/${e.id}`;
}

/** A Service's cases from each endpoint that stands for the source's pods (one source: its cases as they are). */
function acrossSources(from: Target, froms: readonly Target[], written: string, build: (from: Target) => Cases<Connection>): Cases<Connection> {
  if (froms.length === 1) return build(from);
  const each = froms.map((f) => ({ f, cases: build(f) }));
  const translation = [...ownerSentence(from, froms), ...each.slice(0, 1).map((e) => e.cases.translation)].join("; ");
  return { translation, cases: each.flatMap(({ f, cases }) => cases.cases.map((c) => ({ ...c, label: `${sideLabel(f, written)} → ${c.label}` }))) };
}

/**
 * A source or destination workload whose pods differ: one case per pair of endpoints that stand
 * for their pods, at each port the name means on that destination; a string when no pair has it.
 */
function workloadCases(options: CheckOptions, from: Target, froms: readonly Target[], to: Target, tos: readonly Target[], port: number | string): Cases<Connection> | string {
  const cases = froms.flatMap((f) =>
    tos.flatMap((t): Case<Connection>[] => {
      const label = `${sideLabel(f, options.from)} → ${sideLabel(t, options.to)}`;
      const ports = destinationPorts(options, t, port);
      if (typeof ports === "string") return [{ label, skipped: ports }];
      return ports.map((p) => ({ label, subject: sameFamily({ from: f, to: t, port: p.port, protocol: p.protocol }) }));
    }),
  );
  const firstSkip = cases.find((c) => "skipped" in c);
  if (!cases.some((c) => "subject" in c) && firstSkip !== undefined && "skipped" in firstSkip) return firstSkip.skipped;
  return { translation: [...ownerSentence(from, froms), ...ownerSentence(to, tos)].join("; "), cases };
}

/** A Service backend as kube-proxy reaches it: through the Service (a pod reaching itself this way is subject to the admin tiers). */
function connection(from: Target, d: CaseDestination): Connection {
  return sameFamily({ from, to: d.target, port: d.port, protocol: d.protocol, viaService: true });
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
  return done(verdict === "allowed" ? "ok" : "negative", render(options.common, view, { text: renderCheckCasesText }));
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
  return done(verdict === "allowed" ? "ok" : "negative", render(options.common, view, { text: namedPortText }));
}

function namedPortText(v: NamedPortJson): string {
  return [
    `${v.verdict.toUpperCase()}: port name "${v.portName}" means several ports on ${v.to}: ${v.ports.map((p) => `${p.protocol} ${p.port}`).join(", ")}`,
    ...v.ports.map((p) => `  ${p.protocol} ${p.port}: ${p.verdict}`),
    "Run check with --port NUMBER for the explanation of one.",
    ...assumedLines(v.assumptions),
    "",
  ].join("\n");
}

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
import { type CheckCasesJson, type NameResolutionJson, renderCheckCasesText } from "../../render/check-cases.js";
import { type TierStepJson, tierStepJson, tierStepLine } from "../../render/check.js";
import { resolutionJson } from "../../render/dns.js";
import { type DnsName, dnsName, patternMatches } from "../../dns/names.js";
import { type Resolution, recordType } from "../../dns/snapshot.js";
import { dnsStep, ruleAction } from "../../engine/admin-tiers.js";
import type { AdminEgressPeer, AdminRule } from "../../model/admin-policy.js";
import { AddressSet } from "../../net/address-set.js";
import { formatIp, parseIp } from "../../net/ip.js";
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
  const froms = podTargets(engine.cluster, from.target);
  if (!to.ok) {
    const name = destinationName(options.to);
    return name === null ? usage(`--to: ${to.message}`) : checkName(options, from.target, froms, name, engine);
  }
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

/** `--to` as a DNS name (`api.stripe.com`): dotted, no `/` or `[Kind]`, not an address; null otherwise. */
function destinationName(text: string): DnsName | null {
  if (!text.includes(".") || /[/[\]*]/.test(text) || parseIp(text) !== undefined) return null;
  return dnsName(text);
}

/**
 * `check --to NAME`: with a resolution snapshot, every address it gives the name, each checked
 * (a pod's IP is that pod: a headless Service's name); allowed when every address is, denied
 * when every one is, else depends. A name the snapshot does not resolve is a usage error. Without
 * a snapshot the answer depends on DNS: the domain rules that match the name are named.
 */
function checkName(options: CheckOptions, from: Target, froms: readonly Target[], name: DnsName, engine: Engine): CommandResult {
  if (typeof options.port !== "number") return usage(`--port: ${options.port === null ? "missing required flag --port" : `a port name needs a pod or workload destination; ${options.to} is a DNS name: give --port NUMBER`}`);
  const port = options.port;
  const protocol = options.protocol ?? "TCP";
  const dns = engine.options.dns;
  if (dns === undefined) return nameDepends(options, froms, name, port, protocol, engine);
  const resolutions = dns.resolve(name);
  if (resolutions.length === 0) {
    return usage(`--to ${options.to}: the DNS snapshot does not resolve ${name} (no A or AAAA record for it, nor along its CNAMEs): add it to the --dns-records file or give --resolve ${name}=IP`);
  }
  const translation = `${name} resolves to ${resolutions.length === 1 ? "1 address" : `${resolutions.length} addresses`} in the DNS snapshot (every pod taken to have resolved it); each is checked: allowed when every one is, denied when every one is, else depends`;
  const asked = acrossSources(from, froms, options.from, (f) => ({ translation, cases: resolutions.flatMap((r) => addressCases(f, r, port, protocol, engine)) }));
  return checkCases(options, asked, engine, { name, addresses: resolutions.map(resolutionJson) });
}

/**
 * The connections to one address a name resolves to: a pod's IP is that pod (a headless
 * Service's name); a ClusterIP is its Service, whose backends kube-proxy picks (DNAT: the domain
 * rule then meets the backend's pod IP, so a ClusterIP Service's name never matches); anything
 * else, the address outside the model.
 */
function addressCases(from: Target, r: Resolution, port: number, protocol: Protocol, engine: Engine): Case<Connection>[] {
  const label = resolutionLabel(r);
  const destination = resolveDestination(formatIp(r.address), engine.cluster);
  if (!destination.ok) return [{ label, skipped: destination.message }];
  const d = destination.destination;
  if (d.kind === "target") return [{ label, subject: sameFamily({ from, to: d.target, port, protocol }) }];
  const cases = serviceCases(engine.cluster, { service: d.service, clusterIp: d.clusterIp, port, protocol });
  if (typeof cases === "string") return [{ label, skipped: cases }];
  return answerCases(cases, (c) => connection(from, c)).cases.map((c) => ({ ...c, label: `${label} → ${c.label}` }));
}

/** `api.stripe.com A 54.187.174.169`, `m.stripe.network CNAME stripe.map.fastly.net A 151.101.1.51`: the records from the name to the address. */
function resolutionLabel(r: Resolution): string {
  return r.records.map((x, i) => `${i === 0 ? `${x.name} ` : ""}${recordType(x)} ${x.kind === "cname" ? x.target : formatIp(x.address)}`).join(" ");
}

/** The view of a name the answer cannot resolve offline: it depends on DNS; the domain rules that match the name. */
interface NameDependsJson {
  readonly verdict: "depends";
  readonly name: string;
  /** Always false: no --dns-records/--resolve gave what the name resolves to. */
  readonly resolved: false;
  readonly from: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** The egress rules of the admin policies selecting the source whose domainNames match the name (outcome `depends-on-dns`). */
  readonly domainRules: readonly TierStepJson[];
}

function nameDepends(options: CheckOptions, froms: readonly Target[], name: DnsName, port: number, protocol: Protocol, engine: Engine): CommandResult {
  const admin = engine.adminTiers();
  const rules = new Map<AdminRule<AdminEgressPeer>, TierStepJson>();
  for (const f of froms) {
    if (f.kind !== "endpoint" || admin === null) continue;
    for (const layer of engine.layersSelecting(f.endpoint, "egress")) {
      if (layer.kind !== "admin") continue;
      for (const policy of layer.policies) {
        for (const rule of policy.egress) {
          if (rules.has(rule) || !domainRuleMatches(rule, name)) continue;
          rules.set(rule, tierStepJson(dnsStep({ tier: layer.tier, policy, rule, action: ruleAction(rule), match: AddressSet.EMPTY })));
        }
      }
    }
  }
  const view: NameDependsJson = { verdict: "depends", name, resolved: false, from: options.from, port, protocol, domainRules: [...rules.values()] };
  return done("negative", render(options.common, view, { text: nameDependsText }));
}

/** Whether a rule has a domainNames peer with a pattern that matches `name`. */
function domainRuleMatches(rule: AdminRule<AdminEgressPeer>, name: DnsName): boolean {
  if (rule.match.kind !== "as-written") return false;
  return rule.match.peers.some((p) => p.kind === "domainNames" && p.domainNames.some((d) => d.pattern !== null && patternMatches(d.pattern, name)));
}

function nameDependsText(v: NameDependsJson): string {
  return [
    `DEPENDS: ${v.from} → ${v.name}, ${v.protocol} port ${v.port}`,
    `  ${v.name} is resolved by DNS, which is not known offline: the answer depends on the addresses ${v.from} resolves it to.`,
    `  Give --dns-records FILE or --resolve ${v.name}=IP to check them.`,
    ...(v.domainRules.length === 0
      ? [`  no domainNames rule of the admin policies selecting ${v.from} matches ${v.name}`]
      : [`  domainNames rules that match ${v.name} (they match only the addresses ${v.from} resolved it to):`, ...v.domainRules.map((t) => `    ${tierStepLine(t)}`)]),
    "",
  ].join("\n");
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

/** One question, several connections (a Service's backends, a name's addresses): each checked, the verdicts together. */
function checkCases(options: CheckOptions, cases: Cases<Connection>, engine: Engine, resolution?: NameResolutionJson): CommandResult {
  const each = cases.cases.map((c) => {
    if ("skipped" in c) return c;
    const check = checkView(c.subject, engine);
    return { label: c.label, verdict: check.verdict, check };
  });
  const verdict = overallVerdict(each.flatMap((c) => ("verdict" in c ? [c.verdict] : [])));
  const view: CheckCasesJson = { verdict, translation: cases.translation, cases: each, ...(resolution === undefined ? {} : { resolution }) };
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

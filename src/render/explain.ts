/**
 * `portcullis explain`: the analysis's policy and endpoint views with locations in their JSON form
 * (`{file, line, column, path}`); the text view prints that same document.
 */
import type { DirectionView, EndpointView, PeerView, PolicyView, RuleView } from "../analysis/explain.js";
import type { Direction } from "../model/cluster.js";
import { compactAddresses, parseCidrList } from "./addresses.js";
import { type AdminRuleJson, adminRuleJson, adminRuleLine } from "./admin-rules.js";
import { type AssumptionJson, assumedLines } from "./assumptions.js";
import { type DnsAssumptionJson, admissionLine, dnsAssumedLines } from "./dns.js";
import { type GovernanceJson, governanceJson } from "./check.js";
import { formatConns } from "./conns.js";
import { trailingLocation } from "../diag/location.js";
import { type LocationJson, locationJson } from "./json.js";
import { governanceSentence } from "./reasons.js";
import { columns } from "./table.js";

/** The same view with its locations in JSON form (distributes over unions). */
type Located<T> = T extends unknown ? Omit<T, "at"> & { readonly at: LocationJson } : never;

export type PeerJson = Located<PeerView>;
export type RuleJson = Omit<Located<RuleView>, "peers"> & { readonly peers: readonly PeerJson[] | "all" };
export type PolicyJson = Omit<Located<PolicyView>, "ingress" | "egress"> & { readonly ingress: readonly RuleJson[]; readonly egress: readonly RuleJson[] };
export type DirectionJson = Omit<DirectionView, "governance" | "rules" | "adminRules"> & {
  readonly governance: GovernanceJson;
  readonly rules: readonly RuleJson[];
  readonly adminRules: readonly AdminRuleJson[];
};
export type EndpointJson = Omit<EndpointView, "egress" | "ingress"> & { readonly egress: DirectionJson; readonly ingress: DirectionJson };

/** One endpoint of several a target means (a Service's backends). */
export interface ExplainCaseJson {
  readonly label: string;
  readonly endpoint: EndpointJson;
}

/**
 * Every view may carry `assumptions`: the namespaces not in the input whose labels (assumed: the
 * name label only) a namespaceSelector of the shown policies was evaluated against.
 */
export type ExplainJson = (
  | { readonly policies: readonly PolicyJson[]; readonly assumptions?: readonly AssumptionJson[] }
  | { readonly endpoint: EndpointJson; readonly assumptions?: readonly AssumptionJson[] }
  | { readonly translation: string; readonly cases: readonly ExplainCaseJson[]; readonly assumptions?: readonly AssumptionJson[] }
) & {
  /** Present when a resolution snapshot was given (--dns-records/--resolve): the assumption the answer makes of DNS. */
  readonly dns?: DnsAssumptionJson;
};

function ruleJson(r: RuleView): RuleJson {
  return { ...r, peers: r.peers === "all" ? "all" : r.peers.map((p) => ({ ...p, at: locationJson(p.at) })), at: locationJson(r.at) };
}

export function policyJson(p: PolicyView): PolicyJson {
  return { ...p, at: locationJson(p.at), ingress: p.ingress.map(ruleJson), egress: p.egress.map(ruleJson) };
}

export function endpointExplainJson(e: EndpointView): EndpointJson {
  const direction = (d: DirectionView): DirectionJson => ({ ...d, governance: governanceJson(d.governance), rules: d.rules.map(ruleJson), adminRules: d.adminRules.map(adminRuleJson) });
  return { ...e, egress: direction(e.egress), ingress: direction(e.ingress) };
}

function list(items: readonly string[]): string {
  return items.length === 0 ? "nothing" : items.join(", ");
}

function peerText(p: PeerJson): string {
  if (p.kind === "ipBlock") return `ipBlock ${p.cidr}${p.except.length === 0 ? "" : ` except ${p.except.join(", ")}`}`;
  const ns = p.namespaces === "own" ? "this namespace" : `namespaces ${p.namespaces}`;
  return `pods ${p.pods} in ${ns} (now: ${list(p.selects)})`;
}

function ruleLines(r: RuleJson, indent: string): string[] {
  const side = r.direction === "egress" ? "to" : "from";
  const ports = r.ports === "all" ? "all ports" : r.ports.join(", ");
  const head = `${indent}${r.direction}[${r.rule}]${trailingLocation(r.at, " ")}: ${ports}`;
  if (r.peers === "all") return [`${head}, ${side} anywhere`];
  return [`${head}, ${side}:`, ...r.peers.map((p) => `${indent}  - ${peerText(p)}`)];
}

export function renderPolicyText(p: PolicyJson): string[] {
  const affects = p.affects.length === 0 ? "nothing" : p.affects.join(" and ");
  const lines = [
    `NetworkPolicy ${p.namespace}/${p.name}${trailingLocation(p.at)}`,
    `  selects pods ${p.podSelector} in ${p.namespace} (now: ${list(p.selects)})`,
    `  isolates them for ${affects}${p.policyTypesDeclared ? "" : " (policyTypes not written: defaulted)"}`,
  ];
  for (const d of ["ingress", "egress"] as const satisfies readonly Direction[]) {
    if (!p.affects.includes(d)) continue;
    const rules = p[d];
    lines.push(rules.length === 0 ? `  ${d}: no rules (allows no ${d})` : `  ${d} rules:`);
    for (const r of rules) lines.push(...ruleLines(r, "    "));
  }
  return lines;
}

function directionLines(d: DirectionJson, direction: Direction): string[] {
  const count = d.governance.kind === "isolated" ? d.governance.policies.length : 0;
  const admin = d.adminRules;
  const sentence =
    admin.length > 0 && d.governance.kind === "not-isolated"
      ? `not isolated by NetworkPolicy for ${direction}: the admin tiers decide, the rest is allowed`
      : governanceSentence(d.governance.kind, direction, count);
  const lines = [`${direction === "egress" ? "Egress" : "Ingress"}: ${sentence}`];
  // "Policy tiers are evaluated in the following order: * Admin tier * NetworkPolicy tier * Baseline tier."
  const tier = (t: AdminRuleJson["tier"]): string[] =>
    admin.filter((r) => r.tier === t).flatMap((r) => [`    ${adminRuleLine(r)}${trailingLocation(r.at)}`, ...admissionLines(r)]);
  const adminLines = tier("Admin");
  const baselineLines = tier("Baseline");
  if (adminLines.length > 0) lines.push("  Admin tier (first):", ...adminLines);
  if (d.governance.kind === "isolated") {
    for (const p of d.governance.policies) {
      const rules = d.rules.filter((r) => r.policy.namespace === p.namespace && r.policy.name === p.name);
      lines.push(`  ${p.namespace}/${p.name}${trailingLocation(p.at)}`);
      lines.push(...(rules.length === 0 ? [`    no ${direction} rules`] : rules.flatMap((r) => ruleLines(r, "    "))));
    }
  }
  if (baselineLines.length > 0) lines.push(`  Baseline tier (${d.governance.kind === "isolated" ? "not reached: NetworkPolicy isolates it" : "last"}):`, ...baselineLines);
  const side = direction === "egress" ? "may reach" : "may be reached from";
  const reach = [...d.endpoints.map((e) => [e.peer, formatConns(e.conns)]), ...d.external.map((e) => [compactAddresses(parseCidrList(e.peer)), formatConns(e.conns)])];
  lines.push(reach.length === 0 ? `  ${side}: nothing` : `  ${side}:`, ...columns(reach, "    "));
  return lines;
}

/** Under a domain rule, with a snapshot: what each pattern admits, and from which records; or that the snapshot resolves none of its names. */
function admissionLines(r: AdminRuleJson): string[] {
  if (r.admissions === undefined) return [];
  if (r.admissions.length === 0) return ["      (the DNS snapshot resolves none of its names: it matches no address)"];
  return r.admissions.map((a) => `      ${admissionLine(a)}`);
}

export function renderEndpointText(e: EndpointJson): string[] {
  const labels = Object.entries(e.labels).map(([k, v]) => `${k}=${v}`).join(",");
  return [
    `${e.kind} ${e.id}${e.hostNetwork ? " (host network)" : ""}`,
    `  labels: ${labels === "" ? "none" : labels}`,
    `  addresses: ${e.addresses === "" ? "not known (somewhere in the pod network)" : compactAddresses(parseCidrList(e.addresses))}`,
    "",
    ...directionLines(e.egress, "egress"),
    "",
    ...directionLines(e.ingress, "ingress"),
  ];
}

export function renderExplainText(v: ExplainJson): string {
  const assumed = [...assumedLines(v.assumptions ?? []), ...dnsAssumedLines(v.dns)];
  const tail = assumed.length === 0 ? "" : `\n${assumed.join("\n")}\n`;
  if ("endpoint" in v) return renderEndpointText(v.endpoint).join("\n") + "\n" + tail;
  if ("cases" in v) return [v.translation, ...v.cases.map((c) => `  - ${c.label}`), "", ...v.cases.map((c) => renderEndpointText(c.endpoint).join("\n") + "\n")].join("\n") + tail;
  if (v.policies.length === 0) return "No NetworkPolicy in the manifests: no pod is isolated.\n";
  return v.policies.map((p) => renderPolicyText(p).join("\n")).join("\n\n") + "\n" + tail;
}

/**
 * `portcullis check`: the JSON document is a direct rendering of the engine's Decision; the text
 * view prints that same document.
 */
import type { NamespaceAssumption } from "../analysis/assumptions.js";
import { type AssumptionJson, assumedLines, assumptionJson } from "./assumptions.js";
import type { Cluster, Direction } from "../model/cluster.js";
import { explanationSpecs } from "./explanation-specs.js";
import type { Protocol } from "../model/ports.js";
import { targetAddresses } from "../engine/addresses.js";
import type { Connection, Decision, DirectionResult, EngineOptions, Explanation, Governance, Reason, TierStep, Verdict } from "../engine/types.js";
import { type AdminAction, type AdminPolicyKind, type AdminTier, formatAdminRule } from "../model/admin-policy.js";
import { cidrSet, compactAddresses } from "./addresses.js";
import { formatLocationJson, trailingLocation } from "../diag/location.js";
import { type LocationJson, type TargetJson, addressesJson, formatAddresses, locationJson, targetJson } from "./json.js";
import { governanceSentence, type ReasonContext, reasonSentence } from "./reasons.js";
import { type AdmissionJson, type DnsAssumptionJson, admissionJson, admissionLine, dnsAssumedLines, dnsAssumptionJson } from "./dns.js";

export interface ExplanationJson {
  readonly policy: { readonly namespace: string; readonly name: string };
  readonly direction: Direction;
  readonly rule: number | null;
  readonly peer: number | null;
  readonly port: number | null;
  readonly reason: Reason;
  readonly at: LocationJson;
  /** The peer as written, e.g. `ipBlock 203.0.113.0/24`; null when the rule names no peers or the reason is not about one. */
  readonly peerSpec: string | null;
  /** The rule's ports as written, e.g. `["TCP 443"]`; null when the rule names none (all ports). */
  readonly ports: readonly string[] | null;
  /** The port at `port`, as written, e.g. `TCP http`; null when none. */
  readonly portSpec: string | null;
}

export type GovernanceJson =
  | { readonly kind: "isolated"; readonly policies: readonly { readonly namespace: string; readonly name: string; readonly at: LocationJson }[] }
  | { readonly kind: "not-isolated" | "external" | "host-network" | "self" };

export interface DirectionJson {
  readonly direction: Direction;
  readonly verdict: Verdict;
  readonly governance: GovernanceJson;
  readonly allowedBy: readonly ExplanationJson[];
  readonly misses: readonly ExplanationJson[];
  /** The part of the other side's addresses this direction allows, and the rest. */
  readonly allowedPeerAddresses: readonly string[];
  readonly deniedPeerAddresses: readonly string[];
  /**
   * The admin tier walk (Admin, then Baseline when NetworkPolicy does not isolate); empty when no
   * admin policy selects the subject. Present when the input holds admin policies.
   */
  readonly tiers?: readonly TierStepJson[];
}

/**
 * One step of the admin tier walk: `matched`, the rule that decided (some of) the addresses in its
 * tier (`action` Pass hands them on); `no-match`, no rule of the tier's `policies` selecting
 * policies matched (the rule fields are null).
 */
export interface TierStepJson {
  readonly tier: AdminTier;
  /** `depends-on-dns`: a rule with `domainNames` peers (`domainNames`) that would decide otherwise if the pod resolved one of them to the other side's address. */
  readonly outcome: "matched" | "no-match" | "depends-on-dns";
  readonly policy: { readonly kind: AdminPolicyKind; readonly name: string } | null;
  readonly priority: number | null;
  readonly rule: number | null;
  readonly name: string | null;
  readonly action: AdminAction | null;
  /** The rule has an entry of a newer CRD and fails closed (a Deny/Pass rule denies everything). */
  readonly failClosed: boolean;
  readonly at: LocationJson | null;
  /** For `no-match`: how many policies of the tier select the subject. */
  readonly policies: number | null;
  /** For `depends-on-dns` only: the rule's domain names, as written. */
  readonly domainNames?: readonly string[];
  /**
   * For `matched` with a resolution snapshot (--dns-records/--resolve), a rule with domainNames
   * peers: which pattern, name and records admitted each address it decided. Absent when none did.
   */
  readonly admissions?: readonly AdmissionJson[];
}

/** A namespace the input does not contain, whose assumed labels the answer evaluated. */

export interface CheckJson {
  readonly verdict: Verdict;
  readonly from: TargetJson;
  readonly to: TargetJson;
  readonly port: number;
  readonly protocol: Protocol;
  readonly self: boolean;
  readonly egress: DirectionJson;
  readonly ingress: DirectionJson;
  /** Namespaces not in the input whose labels a namespaceSelector was evaluated against (assumed: the name label only). */
  readonly assumptions: readonly AssumptionJson[];
  /** Present when a resolution snapshot was given (--dns-records/--resolve): the assumption the answer makes of DNS. */
  readonly dns?: DnsAssumptionJson;
}


export function checkJson(conn: Connection, decision: Decision, options: EngineOptions, cluster: Cluster, assumptions: readonly NamespaceAssumption[] = []): CheckJson {
  const explain = (e: Explanation): ExplanationJson => explanationJson(e, cluster);
  const hasAdminPolicies = (cluster.adminPolicies ?? []).length > 0;
  const side = (r: DirectionResult, peer: Connection["from"]): DirectionJson => ({
    direction: r.direction,
    verdict: r.verdict,
    governance: governanceJson(r.governance),
    allowedBy: r.allowedBy.map(explain),
    misses: r.misses.map(explain),
    allowedPeerAddresses: addressesJson(r.allowedPeerAddresses),
    deniedPeerAddresses: addressesJson(targetAddresses(peer, options).subtract(r.allowedPeerAddresses)),
    // Only inputs with admin policies carry the key: the documents of NetworkPolicy-only inputs stay as they were.
    ...(hasAdminPolicies ? { tiers: r.tiers.map(tierStepJson) } : {}),
  });
  return {
    verdict: decision.verdict,
    from: targetJson(conn.from, options),
    to: targetJson(conn.to, options),
    port: conn.port,
    protocol: conn.protocol,
    self: decision.self,
    egress: side(decision.egress, conn.to),
    ingress: side(decision.ingress, conn.from),
    assumptions: assumptions.map(assumptionJson),
    ...dnsKey(options),
  };
}

/** `{dns: ...}` when the options hold a resolution snapshot; nothing otherwise (the document stays as it was). */
export function dnsKey(options: EngineOptions): { readonly dns?: DnsAssumptionJson } {
  const dns = dnsAssumptionJson(options.dns);
  return dns === undefined ? {} : { dns };
}

export function explanationJson(e: Explanation, cluster: Cluster): ExplanationJson {
  const specs = explanationSpecs(cluster, e);
  return { policy: { ...e.policy }, direction: e.direction, rule: e.rule, peer: e.peer, port: e.port, reason: e.reason, at: locationJson(e.at), ...specs };
}

export function tierStepJson(s: TierStep): TierStepJson {
  if (s.kind === "no-match") {
    return { tier: s.tier, outcome: "no-match", policy: null, priority: null, rule: null, name: null, action: null, failClosed: false, at: null, policies: s.policies };
  }
  if (s.kind === "depends-on-dns") {
    const step = { tier: s.tier, policy: { ...s.policy }, priority: s.priority, rule: s.rule, name: s.name, action: s.action, failClosed: false, at: locationJson(s.at), policies: null };
    return { ...step, outcome: "depends-on-dns", domainNames: [...s.domainNames] };
  }
  const step: TierStepJson = { tier: s.tier, outcome: "matched", policy: { ...s.policy }, priority: s.priority, rule: s.rule, name: s.name, action: s.action, failClosed: s.failClosed, at: locationJson(s.at), policies: null };
  return s.admissions.length === 0 ? step : { ...step, admissions: s.admissions.map(admissionJson) };
}

export function governanceJson(g: Governance): GovernanceJson {
  if (g.kind !== "isolated") return { kind: g.kind };
  return { kind: "isolated", policies: g.policies.map((p) => ({ namespace: p.namespace, name: p.name, at: locationJson(p.at) })) };
}

/** How a target reads in text: `production/web-api (Deployment)`, or its addresses. */
export function targetText(t: TargetJson): string {
  return t.kind === "endpoint" ? `${t.id} (${t.workload})${oneOfItsAddresses(t)}` : formatAddresses(t.addresses);
}

function targetShort(t: TargetJson): string {
  return t.kind === "endpoint" ? `${t.id}${oneOfItsAddresses(t)}` : formatAddresses(t.addresses);
}

/** ` at 10.244.1.5` when the endpoint was named by one of its several addresses. */
function oneOfItsAddresses(t: Extract<TargetJson, { kind: "endpoint" }>): string {
  return t.address === undefined || t.ips.length < 2 ? "" : ` at ${t.address}`;
}

export function renderCheckText(v: CheckJson): string {
  const lines = [`${v.verdict.toUpperCase()}: ${targetText(v.from)} → ${targetText(v.to)}, ${v.protocol} port ${v.port}`];
  lines.push(...addressNote([v.from, v.to]));
  for (const [d, subject, peer] of [
    [v.egress, v.from, v.to],
    [v.ingress, v.to, v.from],
  ] as const) {
    lines.push("", ...directionText(d, subject, peer, v));
  }
  if (v.assumptions.length > 0) lines.push("", ...assumedLines(v.assumptions));
  if (v.dns !== undefined) lines.push("", ...dnsAssumedLines(v.dns));
  return lines.join("\n") + "\n";
}

/** Says which addresses the endpoints stand for when their IPs are not known. */
function addressNote(targets: readonly TargetJson[]): string[] {
  const unknown = targets.filter((t): t is Extract<TargetJson, { kind: "endpoint" }> => t.kind === "endpoint" && t.ips.length === 0);
  const pods = [...new Set(unknown.filter((t) => !t.hostNetwork).map((t) => t.id))];
  const hosts = [...new Set(unknown.filter((t) => t.hostNetwork).map((t) => t.id))];
  const notes: string[] = [];
  const first = unknown.find((t) => !t.hostNetwork);
  if (first !== undefined) notes.push(`  (no known IP for ${pods.join(" or ")}: taken to be anywhere in ${formatAddresses(first.addresses)})`);
  if (hosts.length > 0) notes.push(`  (${hosts.join(" and ")} use${hosts.length === 1 ? "s" : ""} the host network: the node's address is not modelled)`);
  return notes;
}

function directionText(d: DirectionJson, subject: TargetJson, peer: TargetJson, v: CheckJson): string[] {
  const title = d.direction === "egress" ? `Egress from ${targetShort(subject)}` : `Ingress to ${targetShort(subject)}`;
  const lines = [`${title}: ${d.verdict}`];
  const tiers = (d.tiers ?? []).filter((t) => t.outcome !== "depends-on-dns");
  const dns = (d.tiers ?? []).filter((t) => t.outcome === "depends-on-dns");
  if (tiers.length > 0) lines.push(`  admin tiers:`, ...tiers.flatMap((t) => [`    ${tierStepLine(t)}`, ...(t.admissions ?? []).map((a) => `      ${admissionLine(a)}`)]));
  lines.push(
    tiers.length > 0 && d.governance.kind === "not-isolated"
      ? `  not isolated by NetworkPolicy for ${d.direction}: the admin tiers decide, the rest is allowed`
      : `  ${governanceSentence(d.governance.kind, d.direction, d.governance.kind === "isolated" ? d.governance.policies.length : 0)}`,
  );
  if (d.governance.kind === "isolated") {
    const width = Math.max(...d.governance.policies.map((p) => p.namespace.length + p.name.length + 1));
    for (const p of d.governance.policies) lines.push(`    NetworkPolicy ${`${p.namespace}/${p.name}`.padEnd(p.at.file === undefined ? 0 : width)}${trailingLocation(p.at)}`.trimEnd());
    // The engine reports no NetworkPolicy rule as allowing or missing only when the Admin tier decided every address.
    const hairpin = subject.kind === "endpoint" && peer.kind === "endpoint" && subject.id === peer.id;
    // Through a Service back to itself, the admin tiers apply but NetworkPolicy never blocks a pod's traffic to itself.
    if (hairpin) lines.push(`    (a pod can always reach itself: NetworkPolicy allows this connection through a Service back to it)`);
    else if (tiers.length > 0 && d.allowedBy.length === 0 && d.misses.length === 0) lines.push(`    (not reached: the Admin tier decided)`);
  }
  const context: ReasonContext = {
    direction: d.direction,
    peer: targetShort(peer),
    peerNamespace: peer.kind === "endpoint" ? peer.namespace : null,
    peerNamespaceAssumed: peer.kind === "endpoint" && v.assumptions.some((a) => a.namespace === peer.namespace),
    destination: targetShort(v.to),
    port: v.port,
    protocol: v.protocol,
  };
  if (d.allowedBy.length > 0) {
    lines.push(`  allowed by:`, ...d.allowedBy.map((e) => `    ${explanationLine(e, context)}`));
  }
  if (d.misses.length > 0) {
    lines.push(d.allowedBy.length > 0 ? `  not allowed by (closest miss of each rule):` : `  no rule allows it; the closest miss of each rule:`);
    lines.push(...d.misses.map((e) => `    ${explanationLine(e, context)}`));
  }
  if (dns.length > 0) {
    const source = d.direction === "egress" ? targetShort(v.from) : targetShort(v.to);
    lines.push(`  depends on DNS: these rules match only the addresses ${source} resolved for their names (not known offline):`);
    lines.push(...dns.map((t) => `    ${tierStepLine(t)}`));
  } else if (d.verdict === "depends") {
    lines.push(`  depends on the ${d.direction === "egress" ? "destination" : "source"} address:`);
    lines.push(`    allowed: ${compactAddresses(cidrSet(d.allowedPeerAddresses))}`, `    denied:  ${compactAddresses(cidrSet(d.deniedPeerAddresses))}`);
  }
  return lines;
}

/** `Admin ClusterNetworkPolicy deny-metadata (priority 10) rule 0 "block-imds" Deny → final  file:line:column`. */
export function tierStepLine(t: TierStepJson): string {
  const onward = t.tier === "Admin" ? "next tier" : "default allow";
  if (t.outcome === "no-match" || t.policy === null || t.at === null) {
    return `${t.tier}: no rule of the ${t.policies === 1 ? "policy" : `${t.policies ?? 0} policies`} selecting it matches → ${onward}`;
  }
  const rule = formatAdminRule({ tier: t.tier, policy: t.policy, priority: t.priority, rule: t.rule ?? 0, name: t.name });
  if (t.outcome === "depends-on-dns") return `${rule} ${t.action ?? ""} to ${(t.domainNames ?? []).join(", ")}${trailingLocation(t.at)}`;
  const closed = t.failClosed ? " (fails closed: an entry this version does not know)" : "";
  const after = t.action === "Pass" ? onward : "final";
  return `${rule} ${t.action ?? ""}${closed} → ${after}${trailingLocation(t.at)}`;
}

/** `file:line:column: ns/policy spec.egress[0].to[1]: sentence` — the shape of a diagnostic line. */
export function explanationLine(e: ExplanationJson, context: ReasonContext): string {
  const path = e.at.path === "" ? "" : ` ${e.at.path}`;
  const facts = { ...context, peerSpec: e.peerSpec, ports: e.ports, portSpec: e.portSpec };
  // A live object has no file position: the line starts with the policy it names.
  const where = e.at.file === undefined ? "NetworkPolicy " : `${formatLocationJson(e.at)}: `;
  return `${where}${e.policy.namespace}/${e.policy.name}${path}: ${reasonSentence(e.reason, facts)}`;
}

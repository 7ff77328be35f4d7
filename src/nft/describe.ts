import { formatAdminRule } from "../model/admin-policy.js";
import type { Direction } from "../model/cluster.js";
import { type Ip, formatIp } from "../net/ip.js";
import { type LoggedPacket, parseKernelLogLine } from "./logline.js";
import type { PolicyKey, RuleIdEntry, RuleIdMap } from "./types.js";

export interface PacketEnd {
  readonly address: string;
  /** The endpoint holding the address, when the ruleset knew it. */
  readonly endpoint?: string;
}

/** Why a logged packet was denied (or, in audit mode, would have been): data, rendered by `renderDenial`. */
export interface Denial {
  readonly action: "denied" | "audit";
  readonly ruleId: string;
  readonly direction: Direction;
  readonly source: PacketEnd;
  readonly destination: PacketEnd;
  readonly protocol: string;
  readonly port?: number;
  /**
   * `no-rule-allows`: the group's default deny; `unknown-local-pod`: fail closed on an unknown pod
   * address; `admin-deny`: a Deny rule of an admin policy (named in `adminRule`).
   */
  readonly reason: "no-rule-allows" | "unknown-local-pod" | "admin-deny";
  /** The policies isolating the pod on the side of `direction` (none for the other reasons). */
  readonly isolatedBy: readonly PolicyKey[];
  /** For `admin-deny`: the tier, policy, priority, rule index and name of the Deny rule. */
  readonly adminRule?: AdminRuleRef;
}

/** An admin rule as a denial names it. */
export type AdminRuleRef = Pick<Extract<RuleIdEntry, { kind: "admin-rule" }>, "tier" | "policy" | "priority" | "rule" | "name" | "failClosed">;


function end(ruleIds: RuleIdMap, ip: Ip): PacketEnd {
  const address = formatIp(ip);
  const endpoint = ruleIds.endpoints.get(address);
  return endpoint === undefined ? { address } : { address, endpoint };
}

/** The denial a logged packet stands for; null when its id is not a deny of this ruleset. */
export function explainPacket(ruleIds: RuleIdMap, packet: LoggedPacket): Denial | null {
  const entry = ruleIds.entries.get(packet.id);
  if (entry === undefined || entry.kind === "rule" || (entry.kind === "admin-rule" && entry.action !== "Deny")) return null;
  const base = {
    ruleId: packet.id,
    direction: entry.direction,
    source: end(ruleIds, packet.source),
    destination: end(ruleIds, packet.destination),
    protocol: packet.protocol,
    ...(packet.port === undefined ? {} : { port: packet.port }),
  };
  if (entry.kind === "unknown-pod") return { ...base, action: "denied", reason: "unknown-local-pod", isolatedBy: [] };
  if (entry.kind === "admin-rule") {
    const { tier, policy, priority, rule, name, failClosed } = entry;
    return { ...base, action: entry.mode === "audit" ? "audit" : "denied", reason: "admin-deny", isolatedBy: [], adminRule: { tier, policy, priority, rule, name, failClosed } };
  }
  return { ...base, action: entry.mode === "audit" ? "audit" : "denied", reason: "no-rule-allows", isolatedBy: entry.policies };
}

const name = (e: PacketEnd): string => e.endpoint ?? e.address;
const policyName = (p: PolicyKey): string => `${p.namespace}/${p.name}`;

/**
 * `denied production/web-api -> 203.0.113.9:80/TCP: egress isolated by production/default-deny-egress,
 * no rule allows port 80`.
 */
export function renderDenial(d: Denial): string {
  const to = d.port === undefined ? `${name(d.destination)} (${d.protocol})` : `${name(d.destination)}:${d.port}/${d.protocol}`;
  const head = `${d.action === "audit" ? "audit: would deny" : "denied"} ${name(d.source)} -> ${to}`;
  if (d.reason === "unknown-local-pod") {
    const local = d.direction === "egress" ? d.source : d.destination;
    return `${head}: ${local.address} is in the node's pod CIDRs but no known local pod (fail closed)`;
  }
  if (d.reason === "admin-deny" && d.adminRule !== undefined) {
    const closed = d.adminRule.failClosed ? " (fails closed: an entry this version does not know)" : "";
    return `${head}: ${d.direction} denied by ${formatAdminRule(d.adminRule)}${closed}`;
  }
  const what = d.port === undefined ? d.protocol : `port ${d.port}`;
  return `${head}: ${d.direction} isolated by ${d.isolatedBy.map(policyName).join(", ")}, no rule allows ${what}`;
}

/** A kernel log line of a deny rule, as a sentence; null when the line is not one. */
export function describeDenial(ruleIds: RuleIdMap, logLine: string): string | null {
  const packet = parseKernelLogLine(logLine);
  const denial = packet === null ? null : explainPacket(ruleIds, packet);
  return denial === null ? null : renderDenial(denial);
}

/** How the explain and egress views print an admin rule that applies to a workload. */
import type { AdminRuleView, AdmissionView } from "../analysis/admin-rules.js";
import { formatAdminRule } from "../model/admin-policy.js";
import { type LocationJson, locationJson } from "./json.js";
import { type AdmissionJson, admissionJson } from "./dns.js";

export type AdminRuleJson = Omit<AdminRuleView, "at" | "admissions"> & {
  readonly at: LocationJson;
  /** With a resolution snapshot, a rule with domainNames peers: every address its patterns admit, and why. */
  readonly admissions?: readonly AdmissionJson[];
};

export function adminRuleJson(r: AdminRuleView): AdminRuleJson {
  const { admissions, ...rest } = r;
  const json = (a: AdmissionView): AdmissionJson => ({ ...admissionJson(a), ...(a.clusterIpOf === undefined ? {} : { clusterIpOf: a.clusterIpOf }) });
  return { ...rest, at: locationJson(r.at), ...(admissions === undefined ? {} : { admissions: admissions.map(json) }) };
}

/** `Admin ClusterNetworkPolicy deny-metadata (priority 10) rule 0 "block-imds" Deny to networks 169.254.169.254/32`, then `: TCP 53, UDP 53` when it names protocols. */
export function adminRuleLine(r: AdminRuleJson): string {
  const closed = r.failClosed ? " (fails closed: an entry this version does not know)" : "";
  const side = r.direction === "egress" ? "to" : "from";
  const peers = r.peers === "all" ? "everything" : r.peers.length === 0 ? "nothing" : r.peers.join("; ");
  const protocols = r.protocols === "all" ? "" : `: ${r.protocols.join(", ")}`;
  return `${formatAdminRule(r)} ${r.action}${closed} ${side} ${peers}${protocols}`;
}

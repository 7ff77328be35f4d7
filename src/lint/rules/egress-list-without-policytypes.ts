import type { Policy } from "../../model/cluster.js";
import { IGNORE_ANNOTATION } from "../ignore.js";
import { policyObject } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import type { Draft, LintRule } from "../types.js";

export const egressListWithoutPolicyTypes: LintRule = {
  id: "egress-list-without-policytypes",
  severity: "warning",
  summary: "A policy meant for egress, with no egress rules and no policyTypes, isolates nothing for egress.",
  description:
    "Without policyTypes, a policy affects Egress only when it has at least one egress rule (the API server defaults on len(spec.egress) != 0), so `egress: []` or no egress at all leaves egress open, while the policy still isolates ingress. Flagged when the policy looks meant for egress: it writes `egress: []`, or its name or an annotation mentions egress.",
  docs: "docs/rules/egress-list-without-policytypes.md",
  check: (ctx) => ctx.cluster.policies.filter((p) => !p.policyTypesDeclared && p.egress.length === 0 && meantForEgress(p)).map(draft),
};

/**
 * Whether a policy reads as meant for egress: it writes `egress: []` explicitly, or (with no
 * `egress` field at all) its name or an annotation mentions egress.
 */
function meantForEgress(p: Policy): boolean {
  if (p.egressWritten) return true;
  const mentions = (text: string): boolean => text.toLowerCase().includes("egress");
  return mentions(p.name) || [...p.annotations].some(([k, v]) => k !== IGNORE_ANNOTATION && (mentions(k) || mentions(v)));
}

function draft(p: Policy): Draft {
  return {
    message: m.egressListWithoutTypes(p.ingress.length > 0),
    object: policyObject(p),
    at: p.at,
    endpoints: [],
    hint: m.egressListWithoutTypesHint(),
    annotations: p.annotations,
  };
}

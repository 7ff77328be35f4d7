import { policyObject, sortedIds } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import type { LintRule } from "../types.js";

export const redundantRule: LintRule = {
  id: "redundant-rule",
  severity: "info",
  summary: "A rule allows nothing that other rules do not already allow.",
  description:
    "The engine compares, on a copy of the cluster, what the pods a rule applies to may send or receive with and without the rule (towards every workload, witness pod and the whole IP space). When nothing changes, the rule is redundant. Rules are tried from last to first and each redundant one is removed before the next is tried: of two identical rules the later is reported, and all reported rules can be removed together. Rules that allow nothing at all, and the rules of a policy that policy-adds-nothing reports, are left to those rules.",
  docs: "docs/rules/redundant-rule.md",
  check: (ctx) =>
    ctx.redundancy().rules.map((r) => ({
      message: m.redundantRule(),
      object: policyObject(r.policy),
      at: r.rule.at,
      endpoints: sortedIds(ctx.matchedBy(r.policy).filter((e) => !e.hostNetwork).map((e) => e.id)),
      hint: m.redundantRuleHint(),
      annotations: r.policy.annotations,
    })),
};

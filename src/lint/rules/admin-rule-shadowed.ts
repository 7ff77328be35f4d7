import { effectiveAction } from "../../model/admin-policy.js";
import type { Direction } from "../../model/cluster.js";
import { rulesOf, shadowingRules } from "../admin-cover.js";
import { adminObject, adminRuleText, atText } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import type { Draft, LintRule } from "../types.js";

const DIRECTIONS: readonly Direction[] = ["ingress", "egress"];

export const adminRuleShadowed: LintRule = {
  id: "admin-rule-shadowed",
  severity: "warning",
  summary: "An admin rule that never applies: earlier rules of its tier decide everything it matches.",
  description:
    "In a tier the first rule that matches a connection decides it: the policies by priority (\"Policies with lower priority values have higher precedence\"), each policy's rules in order (\"a rule that appears at the top of the ... rules would take the highest precedence\"). A rule of a ClusterNetworkPolicy, AdminNetworkPolicy or BaselineAdminNetworkPolicy is reported when, for every pod its policy selects, the rules before it decide every connection it matches: rules written above it in the same policy, and rules of policies of the same tier with a strictly lower priority whose subject selects every pod this one selects. A typical case is an Accept that shadows a later Deny. Only what can be proven from the policies as written is reported (selectors that ask for a subset of the requirements, CIDRs that contain the others, port ranges that hold the ports); policies of equal priority are never taken to come first (the API does not order them: see admin-same-priority-conflict).",
  docs: "docs/rules/admin-rule-shadowed.md",
  check: (ctx) => {
    const policies = ctx.cluster.adminPolicies ?? [];
    const drafts: Draft[] = [];
    for (const policy of policies) {
      for (const direction of DIRECTIONS) {
        for (const rule of rulesOf(policy, direction)) {
          const named = shadowingRules(policies, policy, direction, rule);
          if (named === null) continue;
          const action = effectiveAction(rule);
          const others = [...new Set(named.map((d) => effectiveAction(d.rule)).filter((a) => a !== action))];
          drafts.push({
            message: m.adminRuleShadowed(action, named.map((d) => `${adminRuleText(d.policy, direction, d.rule)} (${effectiveAction(d.rule)}, ${atText(d.rule.at)})`), others),
            object: adminObject(policy),
            at: rule.at,
            endpoints: ctx.adminSubjects(policy, direction).map((e) => e.id),
            hint: m.adminRuleShadowedHint(),
          });
        }
      }
    }
    return drafts;
  },
};


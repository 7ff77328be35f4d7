import { policyObject, selectorText } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import { selectorHint } from "../selector-hint.js";
import type { Draft, LintRule } from "../types.js";

export const policySelectsNothing: LintRule = {
  id: "policy-selects-nothing",
  severity: "warning",
  summary: "A policy's podSelector matches no workload in its namespace (label drift).",
  description:
    "A policy whose podSelector matches none of the workloads of its namespace protects nothing, usually because the labels changed on one side. The hint names the existing label closest to the one the selector asks for. The rule says nothing about namespaces with no workloads in the input, where it cannot tell drift from a repository that holds only policies.",
  docs: "docs/rules/policy-selects-nothing.md",
  check: (ctx) => {
    const drafts: Draft[] = [];
    for (const policy of ctx.cluster.policies) {
      const workloads = ctx.endpointsIn(policy.namespace);
      if (workloads.length === 0 || ctx.matchedBy(policy).length > 0) continue;
      drafts.push({
        message: m.policySelectsNothing(selectorText(policy.podSelector), policy.namespace, workloads.length),
        object: policyObject(policy),
        at: policy.podSelectorAt,
        endpoints: [],
        hint: selectorHint(policy.podSelector, workloads.map((e) => e.labels)),
        annotations: policy.annotations,
      });
    }
    return drafts;
  },
};

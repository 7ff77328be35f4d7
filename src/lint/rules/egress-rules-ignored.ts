import { policyObject } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import type { Draft, LintRule } from "../types.js";

export const egressRulesIgnored: LintRule = {
  id: "egress-rules-ignored",
  severity: "error",
  summary: "Egress rules in a policy whose policyTypes omits Egress are ignored.",
  description:
    "When policyTypes is written, it alone decides which directions a policy affects: egress rules in a policy with `policyTypes: [Ingress]` have no effect at all, and the pods it selects stay unrestricted for egress unless another policy isolates them.",
  docs: "docs/rules/egress-rules-ignored.md",
  check: (ctx) => {
    const drafts: Draft[] = [];
    for (const p of ctx.cluster.policies) {
      const first = p.egress[0];
      if (!p.policyTypesDeclared || p.affects.egress || first === undefined) continue;
      drafts.push({
        message: m.egressRulesIgnored(p.egress.length),
        object: policyObject(p),
        at: first.at,
        endpoints: ctx.matchedBy(p).filter((e) => !e.hostNetwork).map((e) => e.id),
        hint: m.egressRulesIgnoredHint(),
        annotations: p.annotations,
      });
    }
    return drafts;
  },
};

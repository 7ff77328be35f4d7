import { formatAdminPolicy } from "../../model/admin-policy.js";
import { type Policy, formatObjectRef } from "../../model/cluster.js";
import { policyObject, sortedIds } from "../describe.js";
import { isBaseline } from "../redundancy.js";
import { lintMessages as m } from "../messages.js";
import type { LintRule } from "../types.js";

export const policyAddsNothing: LintRule = {
  id: "policy-adds-nothing",
  severity: "info",
  summary: "A policy whose removal would change no allowed or denied connection.",
  description:
    "The engine compares, on a copy of the cluster, what the pods a policy selects may send and receive with and without the policy, isolation included. When nothing changes, other policies already allow those pods at least as much; the finding names them. Policies are tried from last to first and each one found is removed before the next is tried. Policies that each add nothing given the other (two copies) are one finding naming the set: keep one. A default-deny baseline (podSelector: {} and no rules) is never reported for what allow policies allow: it keeps the pods isolated when they are removed; only a second baseline makes it redundant. Policies that select no pod are left to policy-selects-nothing. When the policy adds nothing only because the Admin tier decides, before NetworkPolicy is reached, all the traffic its rules would allow, the finding names those admin policies instead.",
  docs: "docs/rules/policy-adds-nothing.md",
  check: (ctx) => {
    // A policy a finding already names as one of a mutually redundant set gets no finding of its own.
    const named = new Set<Policy>();
    return ctx.redundancy().policies.flatMap((r) => {
      if (named.has(r.policy)) return [];
      for (const p of r.mutual) named.add(p);
      const set = [...r.mutual, r.policy];
      const names = (ps: readonly Policy[]): string[] => ps.map((p) => formatObjectRef(policyObject(p)));
      const mutual = r.mutual.length > 0;
      const message = mutual
        ? m.policiesMutuallyRedundant(names(set))
        : isBaseline(r.policy)
          ? m.baselineAddsNothing(names(r.given))
          : r.admin.length > 0
            ? m.policyAddsNothingAdmin(r.admin.map(formatAdminPolicy))
            : m.policyAddsNothing(names(r.given));
      return [
        {
          message,
          object: policyObject(r.policy),
          at: r.policy.at,
          endpoints: sortedIds(set.flatMap((p) => ctx.matchedBy(p)).filter((e) => !e.hostNetwork).map((e) => e.id)),
          hint: mutual ? m.policiesMutuallyRedundantHint() : m.policyAddsNothingHint(),
          annotations: r.policy.annotations,
        },
      ];
    });
  },
};

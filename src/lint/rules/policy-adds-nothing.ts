import { policyObject, sortedIds } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import type { LintRule } from "../types.js";

export const policyAddsNothing: LintRule = {
  id: "policy-adds-nothing",
  severity: "info",
  summary: "A policy whose removal would change no allowed or denied connection.",
  description:
    "The engine compares, on a copy of the cluster, what the pods a policy selects may send and receive with and without the policy, isolation included. When nothing changes, other policies already isolate those pods and allow them at least as much. Policies are tried from last to first and each one found is removed before the next is tried, so of two identical policies the later is reported. Policies that select no pod are left to policy-selects-nothing.",
  docs: "docs/rules/policy-adds-nothing.md",
  check: (ctx) =>
    ctx.redundancy().policies.map((r) => ({
      message: m.policyAddsNothing(),
      object: policyObject(r.policy),
      at: r.policy.at,
      endpoints: sortedIds(ctx.matchedBy(r.policy).filter((e) => !e.hostNetwork).map((e) => e.id)),
      hint: m.policyAddsNothingHint(),
      annotations: r.policy.annotations,
    })),
};

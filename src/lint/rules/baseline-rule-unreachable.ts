import { type AdminPolicy, formatAdminPolicy } from "../../model/admin-policy.js";
import { type Direction, type Policy, formatObjectRef } from "../../model/cluster.js";
import { METADATA_NAME } from "../../engine/classes.js";
import { selectorCovers } from "../admin-cover.js";
import type { LintContext } from "../context.js";
import { adminObject, policyObject } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import type { Draft, LintRule } from "../types.js";

const DIRECTIONS: readonly Direction[] = ["ingress", "egress"];

export const baselineRuleUnreachable: LintRule = {
  id: "baseline-rule-unreachable",
  severity: "warning",
  summary: "Baseline rules no pod reaches: NetworkPolicy isolates every pod the policy selects.",
  description:
    "\"v1.NetworkPolicy always makes a final decision for selected pods. Further evaluation only happens for Pods not selected by a v1.NetworkPolicy.\" The Baseline tier (Baseline ClusterNetworkPolicies, the BaselineAdminNetworkPolicy) decides only for pods that no NetworkPolicy isolates in that direction. A Baseline policy's rules of a direction are reported when every pod it can select is isolated in that direction: its subject names its namespaces by kubernetes.io/metadata.name (so no namespace created later joins them), and each of those namespaces holds a NetworkPolicy for that direction whose podSelector selects every pod the subject's pod selector does (podSelector: {}, say). One finding per policy and direction, at its first rule.",
  docs: "docs/rules/baseline-rule-unreachable.md",
  check: (ctx) => {
    const drafts: Draft[] = [];
    for (const policy of ctx.cluster.adminPolicies ?? []) {
      if (policy.tier !== "Baseline") continue;
      for (const direction of DIRECTIONS) {
        const first = policy[direction][0];
        if (first === undefined) continue;
        const isolating = isolatingEveryPod(ctx, policy, direction);
        if (isolating === null) continue;
        drafts.push({
          message: m.baselineRuleUnreachable(direction, policy[direction].length, isolating.map((p) => formatObjectRef(policyObject(p)))),
          object: adminObject(policy),
          at: first.at,
          endpoints: ctx.adminSubjects(policy, direction).map((e) => e.id),
          hint: m.baselineRuleUnreachableHint(formatAdminPolicy(policy), direction),
        });
      }
    }
    return drafts;
  },
};

/**
 * The NetworkPolicies that isolate every pod the Baseline policy's subject can select for
 * `direction`, one per namespace; null when that cannot be proven: the subject's namespaces must be
 * named (`kubernetes.io/metadata.name In (...)`, which the API server sets), and each must hold a
 * policy for the direction whose podSelector selects all the subject's pods.
 */
function isolatingEveryPod(ctx: LintContext, policy: AdminPolicy, direction: Direction): Policy[] | null {
  const names = policy.subject.namespaces.requirements.flatMap((r) => (r.key === METADATA_NAME && r.operator === "In" ? [r.values] : []));
  const named = names[0];
  if (named === undefined) return null;
  // Several `In` requirements on the name: only the names in all of them.
  const namespaces = named.filter((n) => names.every((values) => values.includes(n)));
  const pods = policy.subject.kind === "pods" ? policy.subject.pods : { requirements: [] };
  const out: Policy[] = [];
  for (const namespace of namespaces) {
    const np = ctx.cluster.policies.find((p) => p.namespace === namespace && p.affects[direction] && selectorCovers(p.podSelector, pods));
    if (np === undefined) return null;
    out.push(np);
  }
  return out.length === 0 ? null : out;
}

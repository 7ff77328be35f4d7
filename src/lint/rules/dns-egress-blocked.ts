import { type Policy, formatObjectRef } from "../../model/cluster.js";
import type { Decision } from "../../engine/types.js";
import type { DnsTarget } from "../dns.js";
import type { LintContext } from "../context.js";
import { compareLocations, firstPolicy, policyObject, sortedIds } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import { missSentence, probe } from "../probe.js";
import type { Draft, LintRule } from "../types.js";

export const dnsEgressBlocked: LintRule = {
  id: "dns-egress-blocked",
  severity: "error",
  summary: "A pod isolated for egress cannot reach the cluster DNS on UDP 53.",
  description:
    "Once a policy isolates a pod for egress, DNS queries are denied like any other traffic unless a rule allows them. The engine is asked, for every pod isolated for egress, whether it may send UDP 53 to the DNS pods (the kube-system/kube-dns Service's pods, the pods labelled k8s-app=kube-dns, or the addresses given with --dns); when the input holds no DNS pods a synthetic kube-dns endpoint stands for them.",
  docs: "docs/rules/dns-egress-blocked.md",
  check: (ctx) => {
    if (ctx.dns.targets.length === 0) return [];
    // One finding per policy to fix: the first (by file and line) of those isolating each pod.
    const groups = new Map<Policy, { policies: Set<Policy>; endpoints: string[]; why: string }>();
    for (const subject of ctx.subjects()) {
      const policies = ctx.engine.policiesSelecting(subject, "egress");
      const owner = firstPolicy(policies);
      if (owner === undefined) continue;
      const decisions = ctx.dns.targets.map((t) => ({ t, d: probe(ctx, subject, t.target, 53, "UDP") }));
      if (decisions.some(({ d }) => d.egress.verdict !== "denied")) continue;
      const group = groups.get(owner) ?? { policies: new Set<Policy>(), endpoints: [], why: whyBlocked(decisions[0]) };
      for (const p of policies) group.policies.add(p);
      group.endpoints.push(subject.id);
      groups.set(owner, group);
    }
    return [...groups].map(([owner, g]) => draft(ctx, owner, [...g.policies], g.endpoints, g.why));
  },
};

/** The nearest miss towards the first DNS target, as the engine explains it. */
function whyBlocked(first: { t: DnsTarget; d: Decision } | undefined): string {
  const miss = first?.d.egress.misses[0];
  if (first === undefined || miss === undefined) return "";
  const namespace = first.t.target.kind === "endpoint" ? first.t.target.endpoint.namespace : null;
  return missSentence(miss, first.t.name, namespace, 53, "UDP");
}

/** The finding on `owner`, the first of the policies isolating the pods. */
function draft(ctx: LintContext, owner: Policy, policies: readonly Policy[], endpoints: readonly string[], why: string): Draft {
  const sorted = [...policies].sort((a, b) => compareLocations(a.at, b.at));
  const ips = ctx.dns.targets.flatMap((t) => (t.target.kind === "external" ? [t.target.addresses.toString()] : []));
  const hasPods = ctx.dns.targets.some((t) => t.target.kind === "endpoint");
  return {
    message: m.dnsBlocked(sorted.map((p) => formatObjectRef(policyObject(p))), ctx.dns.description, why),
    object: policyObject(owner),
    at: owner.egress[0]?.at ?? owner.at,
    endpoints: sortedIds(endpoints),
    hint: hasPods || ips.length === 0 ? m.dnsBlockedHintPods() : m.dnsBlockedHintIps(ips),
    annotations: owner.annotations,
  };
}

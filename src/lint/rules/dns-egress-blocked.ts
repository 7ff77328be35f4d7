import type { Location } from "../../diag/location.js";
import { type Endpoint, type Policy, formatObjectRef } from "../../model/cluster.js";
import type { AdminPolicy, AdminRule } from "../../model/admin-policy.js";
import type { Decision } from "../../engine/types.js";
import type { DnsTarget } from "../dns.js";
import type { LintContext } from "../context.js";
import { type NamespaceAssumption, assumptionText } from "../dns-reach.js";
import { adminObject, adminRuleText, compareLocations, policyObject, sortedIds } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import { adminDenial, adminRuleKey, explanationKey, missSentence } from "../probe.js";
import type { Draft, LintRule, Severity } from "../types.js";

export const dnsEgressBlocked: LintRule = {
  id: "dns-egress-blocked",
  severity: "error",
  summary: "A pod isolated for egress cannot reach the cluster DNS on UDP 53, or an admin Deny blocks DNS (UDP or TCP 53).",
  description:
    "Once a policy isolates a pod for egress, DNS queries are denied like any other traffic unless a rule allows them. The engine is asked, for every pod isolated for egress, whether it may send UDP 53 to the DNS pods (the kube-system/kube-dns Service's pods, the pods labelled k8s-app=kube-dns, or the addresses given with --dns); when the input holds no DNS pods a synthetic kube-dns endpoint stands for them. One finding per namespace: an error when a policy isolating some of its pods allows them other egress (DNS was forgotten), a warning when rule-less baselines alone isolate them (baselines are paired with an allow-DNS policy that may live outside the input). A warning naming the assumption when DNS is allowed only if the DNS pods' namespace, which the input does not hold, carries a label a namespaceSelector asks for. The admin tiers are walked first: an Admin or Baseline Deny (ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy) that decides a pod's queries to the DNS pods over UDP 53 or TCP 53 is an error at that rule, for every pod it blocks, isolated or not: a Deny is final, no NetworkPolicy can allow them again.",
  docs: "docs/rules/dns-egress-blocked.md",
  check: (ctx) => {
    if (ctx.dns.targets.length === 0) return [];
    const groups = new Map<string, Group>();
    const join = (key: string, make: () => Group, policies: readonly Policy[], endpoint: string): void => {
      const group = groups.get(key) ?? make();
      for (const p of policies) group.policies.add(p);
      group.endpoints.push(endpoint);
      groups.set(key, group);
    };
    const denials = new Map<string, AdminDenial>();
    for (const subject of ctx.subjects()) {
      // An admin Deny is final: no NetworkPolicy can allow the queries again (UDP, or TCP for answers too large for UDP).
      const denied = { UDP: adminDnsDenial(ctx, subject, "UDP"), TCP: adminDnsDenial(ctx, subject, "TCP") };
      for (const protocol of ["UDP", "TCP"] as const) {
        const d = denied[protocol];
        if (d === undefined) continue;
        const key = adminRuleKey(d.policy, "egress", d.rule);
        const group = denials.get(key) ?? { ...d, protocols: new Set(), endpoints: [] };
        group.protocols.add(protocol);
        group.endpoints.push(subject.id);
        denials.set(key, group);
      }
      if (denied.UDP !== undefined) continue;
      const policies = ctx.engine.policiesSelecting(subject, "egress");
      if (policies.length === 0) continue;
      const reach = ctx.dnsReachOf(subject, "UDP");
      if (reach.kind === "allowed") continue;
      if (reach.kind === "assumed") {
        const first = reach.assumptions[0];
        const by = first?.decision.egress.allowedBy[0];
        const holder = by === undefined ? undefined : ctx.policy(by.policy);
        if (first === undefined || by === undefined || holder === undefined) continue;
        const assumption = first.assumption;
        const key = `assumed\u0000${explanationKey(by)}\u0000${assumption.namespace}\u0000${assumptionText(assumption)}`;
        join(key, () => ({ kind: { kind: "assumed", assumption, by: holder, at: by.at }, policies: new Set(), endpoints: [] }), policies, subject.id);
      } else {
        // Once per namespace; an error when a policy allows some of its pods other egress (DNS was forgotten).
        const forgotten = policies.some((p) => p.egress.length > 0);
        const key = `denied\u0000${subject.namespace}`;
        join(key, () => ({ kind: { kind: "baseline", namespace: subject.namespace }, policies: new Set(), endpoints: [] }), policies, subject.id);
        const group = groups.get(key);
        if (forgotten && group !== undefined && group.kind.kind === "baseline") groups.set(key, { ...group, kind: { kind: "forgotten", why: whyBlocked(reach.first) } });
      }
    }
    return [...[...groups.values()].map((g) => draft(ctx, g)), ...[...denials.values()].map((d) => denialDraft(ctx, d))];
  },
};

/** An admin rule that denies DNS queries: the pods, and over which protocols. */
interface AdminDenial {
  readonly policy: AdminPolicy;
  readonly rule: AdminRule<unknown>;
  readonly protocols: Set<"UDP" | "TCP">;
  readonly endpoints: string[];
}

/** The admin rule whose Deny decides `subject`'s DNS queries over `protocol`, when one does. */
function adminDnsDenial(ctx: LintContext, subject: Endpoint, protocol: "UDP" | "TCP"): { policy: AdminPolicy; rule: AdminRule<unknown> } | undefined {
  if (ctx.cluster.adminPolicies === undefined) return undefined;
  const reach = ctx.dnsReachOf(subject, protocol);
  return reach.kind === "denied" && reach.first !== undefined ? adminDenial(ctx, reach.first.decision.egress) : undefined;
}

function denialDraft(ctx: LintContext, d: AdminDenial): Draft {
  const protocols = (["UDP", "TCP"] as const).filter((p) => d.protocols.has(p));
  return {
    message: m.dnsAdminDenied(adminRuleText(d.policy, "egress", d.rule), d.policy.tier, protocols, ctx.dns.description),
    object: adminObject(d.policy),
    at: d.rule.at,
    endpoints: sortedIds(d.endpoints),
    hint: m.dnsAdminDeniedHint(d.policy.tier),
    severity: "error",
  };
}

type Kind =
  | { readonly kind: "forgotten"; readonly why: string }
  | { readonly kind: "baseline"; readonly namespace: string }
  /** Allowed by the peer at `at` of policy `by` if the namespace carries the labels. */
  | { readonly kind: "assumed"; readonly assumption: NamespaceAssumption; readonly by: Policy; readonly at: Location };

interface Group {
  readonly kind: Kind;
  readonly policies: Set<Policy>;
  readonly endpoints: string[];
}

const SEVERITY: Readonly<Record<Kind["kind"], Severity>> = { forgotten: "error", baseline: "warning", assumed: "warning" };

/** The nearest miss towards the first DNS target, as the engine explains it. */
function whyBlocked(first: { readonly target: DnsTarget; readonly decision: Decision } | undefined): string {
  const miss = first?.decision.egress.misses[0];
  if (first === undefined || miss === undefined) return "";
  const namespace = first.target.target.kind === "endpoint" ? first.target.target.endpoint.namespace : null;
  return missSentence(miss, first.target.name, namespace, 53, "UDP");
}

/**
 * The finding on the first (by file and line) of the policies isolating the pods; when DNS hinges
 * on a namespace's labels, on the peer that asks for them.
 */
function draft(ctx: LintContext, g: Group): Draft {
  const sorted = [...g.policies].sort((a, b) => compareLocations(a.at, b.at));
  const k = g.kind;
  const owner = k.kind === "assumed" ? k.by : (sorted[0] as Policy);
  const names = sorted.map((p) => formatObjectRef(policyObject(p)));
  const ips = ctx.dns.targets.flatMap((t) => (t.target.kind === "external" ? [t.target.addresses.toString()] : []));
  const hasPods = ctx.dns.targets.some((t) => t.target.kind === "endpoint");
  const rule = hasPods || ips.length === 0 ? m.dnsBlockedHintPods() : m.dnsBlockedHintIps(ips);
  const message =
    k.kind === "forgotten"
      ? m.dnsBlocked(names, ctx.dns.description, k.why)
      : k.kind === "baseline"
        ? m.dnsBaselineAlone(k.namespace, names, ctx.dns.description)
        : m.dnsAssumed(names, ctx.dns.description, k.assumption.namespace, assumptionText(k.assumption));
  const hint = k.kind === "forgotten" ? rule : k.kind === "baseline" ? m.dnsBaselineAloneHint(rule) : m.dnsAssumedHint(k.assumption.namespace, assumptionText(k.assumption));
  return {
    message,
    object: policyObject(owner),
    at: k.kind === "assumed" ? k.at : (owner.egress[0]?.at ?? owner.at),
    endpoints: sortedIds(g.endpoints),
    hint,
    annotations: owner.annotations,
    severity: SEVERITY[k.kind],
  };
}

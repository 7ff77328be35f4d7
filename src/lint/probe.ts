import type { Direction, Endpoint } from "../model/cluster.js";
import type { AdminPolicy, AdminRule } from "../model/admin-policy.js";
import type { Protocol } from "../model/ports.js";
import type { Decision, DirectionResult, Explanation, Target, TierStep } from "../engine/types.js";
import { reasonSentence } from "../render/reasons.js";
import type { LintContext } from "./context.js";
import { formatObjectRef } from "../model/cluster.js";
import { adminObject, policyObject } from "./describe.js";
import type { Draft } from "./types.js";

/** Asks the engine whether `subject` may open `protocol`/`port` towards `to`. */
export function probe(ctx: LintContext, subject: Endpoint, to: Target, port: number, protocol: Protocol): Decision {
  return ctx.engine.check({ from: { kind: "endpoint", endpoint: subject }, to, port, protocol });
}

/** Where an explanation points, as text: `NetworkPolicy a/b spec.egress[0].to[1]`. */
export function explanationWhere(e: Explanation): string {
  const list = e.direction === "egress" ? "to" : "from";
  const rule = e.rule === null ? "" : ` spec.${e.direction}[${e.rule}]${e.peer === null ? "" : `.${list}[${e.peer}]`}`;
  return `${formatObjectRef(policyObject(e.policy))}${rule}`;
}

/** The sentence for a miss, built from the reason catalogue: `NetworkPolicy a/b spec.egress[0]: UDP port 53 is not among the rule's ports`. */
export function missSentence(e: Explanation, peer: string, peerNamespace: string | null, port: number, protocol: Protocol): string {
  const sentence = reasonSentence(e.reason, { direction: e.direction, peer, peerNamespace, destination: peer, port, protocol });
  return e.rule === null ? `${formatObjectRef(policyObject(e.policy))} ${sentence}` : `${explanationWhere(e)}: ${sentence}`;
}

/** The key that groups findings by the explanation that caused them. */
export function explanationKey(e: Explanation): string {
  return `${e.policy.namespace}/${e.policy.name}\u0000${e.direction}\u0000${e.rule ?? ""}\u0000${e.peer ?? ""}\u0000${e.port ?? ""}`;
}


/**
 * What let a direction through: a NetworkPolicy rule (the engine's explanation), or an admin rule
 * whose `Accept` decided it in the tier walk (the NetworkPolicy tier then was not reached, or the
 * pod was not isolated and the Baseline tier accepted).
 */
export type Allowance =
  | { readonly kind: "networkpolicy"; readonly by: Explanation }
  | { readonly kind: "admin"; readonly policy: AdminPolicy; readonly direction: Direction; readonly rule: AdminRule<unknown> };

/** The admin rule a tier step names, found among the input's admin policies. */
export function stepRule(ctx: LintContext, direction: Direction, step: TierStep): { policy: AdminPolicy; rule: AdminRule<unknown> } | undefined {
  if (step.kind !== "rule") return undefined;
  const policy = (ctx.cluster.adminPolicies ?? []).find((p) => p.source.kind === step.policy.kind && p.name === step.policy.name);
  const rule = policy?.[direction][step.rule];
  return policy === undefined || rule === undefined ? undefined : { policy, rule };
}

/** The rules that allowed a direction: the admin rules whose `Accept` decided, and the NetworkPolicy rules the engine names. */
export function allowancesOf(ctx: LintContext, result: DirectionResult): Allowance[] {
  if (result.verdict === "denied") return [];
  const admin = result.tiers.flatMap((step): Allowance[] => {
    if (step.kind !== "rule" || step.action !== "Accept") return [];
    const found = stepRule(ctx, result.direction, step);
    return found === undefined ? [] : [{ kind: "admin", direction: result.direction, ...found }];
  });
  return [...admin, ...result.allowedBy.map((by): Allowance => ({ kind: "networkpolicy", by }))];
}

/** The admin rule whose `Deny` (as written, or failing closed) decided a denied direction, if one did. */
export function adminDenial(ctx: LintContext, result: DirectionResult): { policy: AdminPolicy; rule: AdminRule<unknown> } | undefined {
  if (result.verdict !== "denied") return undefined;
  for (const step of result.tiers) {
    if (step.kind === "rule" && step.action === "Deny") return stepRule(ctx, result.direction, step);
  }
  return undefined;
}

/** The key that groups findings by the rule that allowed them. */
export function allowanceKey(a: Allowance): string {
  return a.kind === "networkpolicy" ? explanationKey(a.by) : adminRuleKey(a.policy, a.direction, a.rule);
}

export function adminRuleKey(policy: AdminPolicy, direction: Direction, rule: AdminRule<unknown>): string {
  return `admin\u0000${policy.source.kind}\u0000${policy.name}\u0000${direction}\u0000${rule.index}`;
}

/** The object, place and annotations of the finding about an allowance: the NetworkPolicy rule (peer), or the admin rule. */
export function allowanceSite(ctx: LintContext, a: Allowance): Pick<Draft, "object" | "at" | "annotations"> {
  if (a.kind === "admin") return { object: adminObject(a.policy), at: a.rule.at };
  const policy = ctx.policy(a.by.policy);
  const base = { object: policyObject(a.by.policy), at: a.by.at };
  return policy === undefined ? base : { ...base, annotations: policy.annotations };
}

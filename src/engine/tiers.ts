/**
 * Ordered verdicts: the one model of how the policies of a subject decide one direction of its
 * traffic, which every evaluator walks (the engine's check, the pair analysis, the class matrix,
 * the nftables compiler).
 *
 * A direction is decided by tiers, in order. A tier's rules are in order too, and each rule
 * accepts, denies or passes what it matches: the first rule of a tier that matches a piece of
 * traffic decides it there. `accept` and `deny` are final; `pass` skips the rest of the tier and
 * hands the traffic to the next tier. What no rule of a tier matched meets the tier's end: `deny`,
 * or `next` (the next tier decides). What no tier decides is allowed.
 *
 * NetworkPolicy v1 is one such tier: it exists for a subject only when the subject is isolated in
 * that direction, its rules all accept ("the union of what all applicable policies allow"), and
 * isolation denies the rest (its end is `deny`). The admin tiers of ClusterNetworkPolicy go before
 * it (Admin) and after it (Baseline) as further layers, without touching it.
 */
import type { AdminPolicy, AdminTier } from "../model/admin-policy.js";
import type { Direction, Policy } from "../model/cluster.js";

/** What a rule does with the traffic it matches. */
export type Action = "accept" | "deny" | "pass";

/** What a tier does with the traffic none of its rules matched: deny it, or let the next tier decide. */
export type TierEnd = "deny" | "next";

/**
 * A layer of verdicts for one direction of a subject, as the engine finds it: the NetworkPolicy v1
 * tier, present only when the subject is isolated in that direction, and the admin tiers (Admin
 * before it, Baseline after it), present only when some admin policy's subject selects the subject
 * and has rules for that direction. Evaluators switch on `kind` exhaustively, so a new kind of
 * layer fails to compile in every evaluator that has not learnt it yet.
 */
export type VerdictLayer = AdminTierLayer | NetworkPolicyTier;

export interface NetworkPolicyTier {
  readonly kind: "networkpolicy";
  readonly direction: Direction;
  /** The policies that select the subject for the direction, in cluster order (never empty). */
  readonly policies: readonly Policy[];
}

/**
 * An admin tier of a subject: "Policy tiers are evaluated in the following order: * Admin tier *
 * NetworkPolicy tier * Baseline tier." Its rules accept, deny or pass (engine/admin-tiers.ts says
 * what each matches); what none of them matches goes on to the next tier.
 */
export interface AdminTierLayer {
  readonly kind: "admin";
  readonly tier: AdminTier;
  readonly direction: Direction;
  /**
   * The admin policies of the tier whose subject selects the subject and that have rules for the
   * direction, in precedence order (never empty): their rules are the tier's rules, policy by policy.
   */
  readonly policies: readonly AdminPolicy[];
}

/** What no rule of an admin tier matched goes on to the next tier (and, after Baseline, is allowed). */
export const ADMIN_TIER_END = "next" satisfies TierEnd;

/** "the egress/ingress traffic allowed for a pod is the union of what all applicable policies allow": every v1 rule accepts. */
export const NETWORK_POLICY_ACTION = "accept" satisfies Action;

/** An isolated pod's traffic that no NetworkPolicy rule allows is denied: the v1 tier ends in `deny`. */
export const NETWORK_POLICY_END = "deny" satisfies TierEnd;

/** The NetworkPolicy v1 layer of a direction whose subject the `policies` select: none when it is not isolated. */
export function verdictLayers(direction: Direction, policies: readonly Policy[]): readonly NetworkPolicyTier[] {
  // "By default, a pod is non-isolated for egress; all outbound connections are allowed."
  return policies.length === 0 ? [] : [{ kind: "networkpolicy", direction, policies }];
}

/**
 * Every verdict layer of a direction, in evaluation order: the Admin tier, the NetworkPolicy tier,
 * the Baseline tier, each only when present (`admin`/`baseline`: the selecting admin policies of
 * that tier, in precedence order; empty when none).
 */
export function tierLayers(
  direction: Direction,
  admin: readonly AdminPolicy[],
  networkPolicy: readonly NetworkPolicyTier[],
  baseline: readonly AdminPolicy[],
): readonly VerdictLayer[] {
  const out: VerdictLayer[] = [];
  if (admin.length > 0) out.push({ kind: "admin", tier: "Admin", direction, policies: admin });
  for (const layer of networkPolicy) out.push(layer);
  if (baseline.length > 0) out.push({ kind: "admin", tier: "Baseline", direction, policies: baseline });
  return out;
}

/** Set operations on pieces of traffic in some domain (addresses of one peer, connections, ...). */
export interface TrafficSets<S> {
  readonly empty: S;
  isEmpty(a: S): boolean;
  union(a: S, b: S): S;
  intersect(a: S, b: S): S;
  subtract(a: S, b: S): S;
}

export interface TierRule<S> {
  readonly action: Action;
  /** The traffic the rule matches; within the `whole` the walk is given. */
  readonly match: S;
}

/**
 * One tier for the walk: its rules in order. The walk reads a tier's rules once, in order and to
 * the end (so they may be computed lazily, explanations collected as they are read); a tier that
 * no traffic reaches is not read.
 */
export interface Tier<S> {
  readonly rules: Iterable<TierRule<S>>;
  readonly end: TierEnd;
}

/** Where a walk stands between tiers: what was accepted, and what the tiers so far left undecided. */
export interface WalkState<S> {
  readonly accepted: S;
  readonly open: S;
}

/** The state of a walk before any tier: nothing accepted, everything open. */
export function walkStart<S>(sets: TrafficSets<S>, whole: S): WalkState<S> {
  return { accepted: sets.empty, open: whole };
}

/**
 * Walks `tiers` over the traffic `whole` and returns the part accepted; the rest is denied.
 * Within a tier the first matching rule decides each piece; `pass` and a `next` end hand the piece
 * to the next tier; after the last tier what is undecided is allowed.
 * Rules' matches must lie within `whole`: while no rule has decided anything, nothing is narrowed.
 */
export function walkTiers<S>(sets: TrafficSets<S>, whole: S, tiers: Iterable<Tier<S>>): S {
  let state = walkStart(sets, whole);
  for (const tier of tiers) {
    if (sets.isEmpty(state.open)) break;
    state = walkTier(sets, whole, state, tier);
  }
  return walkEnd(sets, state);
}

/** What a walk that stopped at `state` allows: no tier decided the open part, so it is allowed. */
export function walkEnd<S>(sets: TrafficSets<S>, state: WalkState<S>): S {
  return sets.isEmpty(state.open) ? state.accepted : sets.union(state.accepted, state.open);
}

/** One tier of a walk (see `walkTiers`): the state after it, from the state before it. */
export function walkTier<S>(sets: TrafficSets<S>, whole: S, state: WalkState<S>, tier: Tier<S>): WalkState<S> {
  let { accepted, open } = state;
  let accept = sets.empty;
  let deny = sets.empty;
  let pass = sets.empty;
  // Whether each bucket holds anything yet (cheaper than asking the sets for every rule).
  let accepting = false;
  let denying = false;
  let passing = false;
  for (const rule of tier.rules) {
    let match = open === whole ? rule.match : sets.intersect(rule.match, open);
    // The first rule that matches decides: take out what earlier rules of the tier decided otherwise.
    if (accepting && rule.action !== "accept") match = sets.subtract(match, accept);
    if (denying && rule.action !== "deny") match = sets.subtract(match, deny);
    if (passing && rule.action !== "pass") match = sets.subtract(match, pass);
    if (sets.isEmpty(match)) continue;
    if (rule.action === "accept") {
      accept = sets.union(accept, match);
      accepting = true;
    } else if (rule.action === "deny") {
      deny = sets.union(deny, match);
      denying = true;
    } else {
      pass = sets.union(pass, match);
      passing = true;
    }
  }
  if (accepting) accepted = sets.union(accepted, accept);
  if (tier.end === "deny") {
    // Only what a rule passed goes on; the unmatched rest is denied.
    open = pass;
  } else {
    // Passed and unmatched traffic both go on to the next tier.
    if (accepting) open = sets.subtract(open, accept);
    if (denying) open = sets.subtract(open, deny);
  }
  return { accepted, open };
}

import type { AdminPolicy } from "../model/admin-policy.js";
import type { Cluster, Direction, Endpoint, Peer, Policy, Rule } from "../model/cluster.js";
import { isMatchAll, selectorMatches } from "../model/selector.js";
import { Engine } from "../engine/engine.js";
import { directionConns, externalConns } from "../analysis/reach.js";
import { ruleConns } from "../analysis/rule-conns.js";
import type { LintContext } from "./context.js";
import { Alike, peerMatches as matches } from "./alike.js";
import { compareLocations } from "./describe.js";

/**
 * A policy that adds nothing: removing it changes no connection.
 * - `given`: the policies that make it so (those it cannot do without, else every policy selecting
 *   its pods in its directions); empty when, without it, its pods are not isolated and may do as much.
 * - `mutual`: the policies of `given` that add nothing given it either (each of the set can go,
 *   not all of them): one finding names the set.
 * - `admin`: when it adds nothing only because the Admin tier decides, before NetworkPolicy is
 *   reached, what its rules would allow: the Admin-tier policies selecting its pods in its
 *   directions (empty otherwise).
 */
export interface RedundantPolicy {
  readonly policy: Policy;
  readonly given: readonly Policy[];
  readonly mutual: readonly Policy[];
  readonly admin: readonly AdminPolicy[];
}

export interface RedundantRule {
  readonly policy: Policy;
  readonly direction: Direction;
  readonly rule: Rule;
}

export interface Redundancy {
  readonly policies: readonly RedundantPolicy[];
  readonly rules: readonly RedundantRule[];
}

const DIRECTIONS: readonly Direction[] = ["ingress", "egress"];

/** What may change when a candidate is removed: the connections of `subjects` with `targets` (and the IP space). */
interface Scope {
  readonly subjects: readonly Endpoint[];
  readonly directions: readonly Direction[];
  readonly targets: readonly Endpoint[];
  readonly external: boolean;
}

/**
 * A default-deny baseline: `podSelector: {}` and no rules. It is never reported for what other
 * policies allow: its purpose is to keep the namespace's pods isolated when allow policies are
 * removed (or pods come that no allow policy selects). Only another baseline of the namespace,
 * isolating at least the same directions, makes it redundant.
 */
export function isBaseline(policy: Policy): boolean {
  return isMatchAll(policy.podSelector) && policy.ingress.length === 0 && policy.egress.length === 0;
}

/**
 * Which policies, then which rules, can be removed without changing what any pod may send or
 * receive. Asked of the engine: the connections each selected pod has with the endpoints of the
 * universe and with the IP space are compared with and without the candidate, on a copy of the
 * cluster. Candidates are taken from the last (by file and line) to the first, and each one found
 * is removed before the next is tried, so of two identical rules the later one is reported, and
 * everything reported can be removed together. Baselines (`isBaseline`) are judged against the
 * namespace's other baselines only.
 */
export function analyseRedundancy(ctx: LintContext): Redundancy {
  const universe = ctx.universe.cluster;
  const alike = new Alike(universe, ctx.engine);
  const targets = alike.targets(universe.endpoints);
  let working: Cluster = universe;
  const policies: RedundantPolicy[] = [];
  const isRedundant = (cluster: Cluster, policy: Policy, subjects: readonly Endpoint[]): boolean => {
    const without: Cluster = { ...cluster, policies: cluster.policies.filter((p) => p !== policy) };
    const scope = policyScope(compile(cluster, [...subjects, ...targets], ctx), policy, subjects, targets);
    return sameConns(cluster, without, scope, ctx);
  };
  for (const policy of byLocationDescending(ctx.cluster.policies)) {
    if (isBaseline(policy)) {
      const found = redundantBaseline(working, policy);
      if (found === null) continue;
      policies.push(found);
      working = { ...working, policies: working.policies.filter((p) => p !== policy) };
      continue;
    }
    const subjects = alike.subjects(selectedBy(working, policy));
    if (subjects.length === 0 || baselineWouldDecide(ctx, working, policy, selectedBy(working, policy)) || !isRedundant(working, policy, subjects)) continue;
    // Which of the others it cannot do without, and which of those could go instead of it.
    const engine = compile(working, subjects, ctx);
    const directions = DIRECTIONS.filter((d) => policy.affects[d]);
    const others = working.policies.filter((p) => p !== policy && subjects.some((s) => directions.some((d) => engine.policiesSelecting(s, d).includes(p))));
    const without = (q: Policy): Cluster => ({ ...working, policies: working.policies.filter((p) => p !== q) });
    const needed = others.filter((q) => !isRedundant(without(q), policy, subjects));
    const mutual = needed.filter((q) => {
      if (isBaseline(q)) return false;
      const theirs = alike.subjects(selectedBy(working, q));
      return theirs.length > 0 && isRedundant(working, q, theirs);
    });
    policies.push({ policy, given: byLocation(needed.length > 0 ? needed : others), mutual: byLocation(mutual), admin: adminDecides(ctx, working, policy, subjects, isRedundant) });
    working = { ...working, policies: working.policies.filter((p) => p !== policy) };
  }
  const rules: RedundantRule[] = [];
  for (const original of byLocationDescending(working.policies)) {
    for (const direction of DIRECTIONS.filter((d) => original.affects[d])) {
      for (const rule of [...original[direction]].reverse()) {
        const current = working.policies.find((p) => p.id === original.id) ?? original;
        const subjects = alike.subjects(selectedBy(working, current));
        const engine = compile(working, [...subjects, ...targets], ctx);
        const scope = ruleScope(engine, current, direction, [rule], subjects, targets);
        if (subjects.length === 0 || !allowsSomething(engine, current, direction, rule, subjects, scope.targets)) continue;
        const reduced: Policy = { ...current, [direction]: current[direction].filter((r) => r !== rule) };
        const without: Cluster = { ...working, policies: working.policies.map((p) => (p === current ? reduced : p)) };
        if (sameConns(working, without, scope, ctx)) {
          rules.push({ policy: original, direction, rule });
          working = without;
        }
      }
    }
  }
  return { policies, rules };
}

/**
 * The engine over a working copy, holding only the endpoints asked about: the engine's answers do
 * not depend on the other endpoints, and compiling all of them for every candidate would dominate.
 */
function compile(cluster: Cluster, endpoints: readonly Endpoint[], ctx: LintContext): Engine {
  return Engine.compile({ ...cluster, endpoints }, ctx.options.engine);
}

function byLocationDescending(policies: readonly Policy[]): Policy[] {
  return [...policies].sort((a, b) => compareLocations(b.at, a.at));
}

function byLocation(policies: readonly Policy[]): Policy[] {
  return [...policies].sort((a, b) => compareLocations(a.at, b.at));
}

/**
 * A baseline another baseline of its namespace makes redundant: one isolating at least the same
 * directions (both select every pod and allow nothing). Mutual when they isolate the same ones.
 */
function redundantBaseline(working: Cluster, policy: Policy): RedundantPolicy | null {
  const covers = (q: Policy): boolean => q !== policy && q.namespace === policy.namespace && isBaseline(q) && DIRECTIONS.every((d) => !policy.affects[d] || q.affects[d]);
  const given = working.policies.filter(covers);
  if (given.length === 0) return null;
  const mutual = given.filter((q) => DIRECTIONS.every((d) => q.affects[d] === policy.affects[d]));
  return { policy, given: byLocation(given), mutual: byLocation(mutual), admin: [] };
}

/**
 * Whether removing `policy` would leave one of its pods isolated by no NetworkPolicy in a direction
 * where a Baseline admin policy selects it: "Further evaluation only happens for Pods not selected
 * by a v1.NetworkPolicy", so the Baseline tier would decide instead, and the comparison of
 * connections (the pair analysis, which does not walk the admin tiers yet) cannot tell.
 */
function baselineWouldDecide(ctx: LintContext, working: Cluster, policy: Policy, subjects: readonly Endpoint[]): boolean {
  if (ctx.cluster.adminPolicies === undefined) return false;
  const others = working.policies.filter((p) => p !== policy && p.namespace === policy.namespace);
  return subjects.some((s) =>
    DIRECTIONS.some((d) => policy.affects[d] && ctx.adminSelecting(s, d).Baseline.length > 0 && !others.some((p) => p.affects[d] && selectorMatches(p.podSelector, s.labels))),
  );
}

/**
 * The Admin-tier policies that make `policy` add nothing: none when it adds nothing without any
 * admin policy too; else those of the Admin tier selecting its pods in its directions.
 */
function adminDecides(
  ctx: LintContext,
  working: Cluster,
  policy: Policy,
  subjects: readonly Endpoint[],
  isRedundant: (cluster: Cluster, policy: Policy, subjects: readonly Endpoint[]) => boolean,
): readonly AdminPolicy[] {
  if ((working.adminPolicies ?? []).length === 0 || isRedundant({ ...working, adminPolicies: [] }, policy, subjects)) return [];
  const found = new Set<AdminPolicy>();
  for (const s of subjects) for (const d of DIRECTIONS) if (policy.affects[d]) for (const a of ctx.adminSelecting(s, d).Admin) found.add(a);
  return [...found];
}

/** Pods a policy selects in the universe (host-network pods are never selected). */
function selectedBy(cluster: Cluster, policy: Policy): Endpoint[] {
  return cluster.endpoints.filter((e) => !e.hostNetwork && e.namespace === policy.namespace && selectorMatches(policy.podSelector, e.labels));
}

/**
 * Removing a policy changes the connections of its pods only with what its rules' peers match,
 * as long as other policies still isolate them; a pod it alone isolates may change with anything.
 */
function policyScope(engine: Engine, policy: Policy, subjects: readonly Endpoint[], targets: readonly Endpoint[]): Scope {
  const directions = DIRECTIONS.filter((d) => policy.affects[d]);
  const staysIsolated = subjects.every((s) => directions.every((d) => engine.policiesSelecting(s, d).some((p) => p !== policy)));
  if (!staysIsolated) return { subjects, directions, targets, external: true };
  const scopes = directions.map((d) => ruleScope(engine, policy, d, policy[d], subjects, targets));
  const matched = new Set(scopes.flatMap((s) => s.targets));
  return { subjects, directions, targets: targets.filter((t) => matched.has(t)), external: scopes.some((s) => s.external) };
}

/** Removing rules changes the connections of the policy's pods only with what the rules' peers match. */
function ruleScope(engine: Engine, policy: Policy, direction: Direction, rules: readonly Rule[], subjects: readonly Endpoint[], targets: readonly Endpoint[]): Scope {
  const all = rules.some((r) => r.peers === "all");
  const peers: Peer[] = rules.flatMap((r) => (r.peers === "all" ? [] : [...r.peers]));
  const matched = all ? targets : targets.filter((t) => peers.some((p) => matches(engine, policy, p, t)));
  return { subjects, directions: [direction], targets: matched, external: all || peers.some((p) => p.kind === "ipBlock") };
}

function sameConns(before: Cluster, after: Cluster, scope: Scope, ctx: LintContext): boolean {
  return signature(before, scope, ctx) === signature(after, scope, ctx);
}

/** Everything the subjects may send (egress) or receive (ingress) within the scope, as one comparable string. */
function signature(cluster: Cluster, scope: Scope, ctx: LintContext): string {
  const engine = compile(cluster, [...scope.subjects, ...scope.targets], ctx);
  const parts: string[] = [];
  for (const s of scope.subjects) {
    for (const d of scope.directions) {
      for (const t of scope.targets) {
        const c = directionConns(engine, d, { kind: "endpoint", endpoint: s }, { kind: "endpoint", endpoint: t });
        parts.push(`${c.full.key()}~${c.partial.key()}`);
      }
      if (scope.external) parts.push(externalConns(engine, s, d).map((r) => `${r.addresses.key()}=${r.conns.key()}`).join(";"));
    }
  }
  return parts.join("\n");
}

/** Whether the rule, on its own, admits any connection for one of the subjects. */
function allowsSomething(engine: Engine, policy: Policy, direction: Direction, rule: Rule, subjects: readonly Endpoint[], targets: readonly Endpoint[]): boolean {
  for (const s of subjects) {
    for (const t of targets) {
      if (ruleConns(rule, direction === "egress" ? t : s).isEmpty()) continue;
      if (rule.peers === "all" || rule.peers.some((p) => matches(engine, policy, p, t))) return true;
    }
    if (ruleConns(rule, direction === "egress" ? null : s).isEmpty()) continue;
    if (rule.peers === "all" || rule.peers.some((p) => p.kind === "ipBlock")) return true;
  }
  return false;
}

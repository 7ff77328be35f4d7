import type { Direction, Policy } from "../model/cluster.js";
import type { Group } from "./groups.js";
import { groupChain, groupId, unknownChain, unknownId } from "./ids.js";
import type { RuleLookups, RuleSpec } from "./rule-sets.js";
import type { Mode, NftChain } from "./types.js";
import { type Action, NETWORK_POLICY_ACTION, NETWORK_POLICY_END, tierLayers, verdictLayers } from "../engine/tiers.js";
import { type AdminPolicy, type AdminTier, effectiveAction, formatAdminPolicy } from "../model/admin-policy.js";
import type { AdminRuleSpec } from "./admin-rules.js";
import { ruleAction } from "../engine/admin-tiers.js";
import { IP_KEYWORD } from "./elements.js";
import type { ClusterFamilies } from "./families.js";

export const BASE_CHAIN = "forward";

/** At most this many log/trace events per second per deny rule; the counter still counts every packet. */
const LOG_LIMIT = "limit rate 10/second burst 20 packets";

/**
 * The only base chain. Pod traffic that crosses the node is forwarded (routed veths, or bridged with
 * br_netfilter); traffic between a pod and its own node is not ("traffic to and from the node
 * where a Pod is running is always allowed").
 * Order matters: replies pass first; unknown local addresses fail closed; then the source's egress
 * verdict (its chain `return`s on allow, drops otherwise), then the destination's ingress verdict.
 * A connection thus needs both, as NetworkPolicy requires.
 * A pod reaching its own IP never leaves its network namespace: a packet from a pod to itself that
 * crosses the node came back through a Service (hairpin), and "A Pod connecting to a Service IP that
 * the service proxy load-balances back to the same Pod is subject to ClusterNetworkPolicy": it walks
 * the tiers too, and the NetworkPolicy tier accepts it (see `groupChainsOf`).
 *
 * Only the families the cluster has (`families`): a family without an address in the cluster has
 * no pod CIDR on the node, so its fail-closed drop could match nothing, and no verdict map.
 */
export function baseChain(families: ClusterFamilies): NftChain {
  const dispatch = (direction: Direction, field: "saddr" | "daddr", map: string): string[] =>
    families.flatMap((f) => {
      const ip = IP_KEYWORD[f];
      return [`${ip} ${field} @pod_cidr_v${f} ${ip} ${field} != @local_v${f} jump ${unknownChain(direction)}`, `${ip} ${field} vmap @${map}_v${f}`];
    });
  return {
    name: BASE_CHAIN,
    base: "type filter hook forward priority filter; policy accept;",
    comments: [],
    rules: [
      "ct state established,related accept",
      "ct state invalid drop",
      ...dispatch("egress", "saddr", "egress"),
      ...dispatch("ingress", "daddr", "ingress"),
    ],
  };
}

function denyRules(id: string, verdict: "drop" | "return"): string[] {
  return [`${LOG_LIMIT} meta nftrace set 1 log prefix "${id} " level info comment "${id}"`, `counter ${verdict} comment "${id}"`];
}

/** Fail closed: an address of the node's pod CIDRs that is no known local pod is dropped. */
export function unknownPodChain(direction: Direction): NftChain {
  return { name: unknownChain(direction), comments: [], rules: denyRules(unknownId(direction), "drop") };
}

/** A compiled admin rule: its spec and its lookups (in the tier's order). */
export interface CompiledAdminRule {
  readonly spec: AdminRuleSpec;
  readonly lookups: RuleLookups;
}

/**
 * What a rule's action does to a packet in a subject's chain: `accept` returns to the base chain
 * (which goes on to the other direction's verdict: "an egress Accept ends egress evaluation but the
 * destination's ingress still applies"), `deny` drops ("Deny" drops, it does not reject). `pass`
 * goes to the next tier's rules, which each chain says.
 */
const ACTION_VERDICT: Readonly<Record<Exclude<Action, "pass">, "return" | "drop">> = { accept: "return", deny: "drop" };

/** The NetworkPolicy tier's first rules, one per family the cluster has: a pod's packets to itself (hairpin through a Service) are accepted there. */
const selfAccept = (families: ClusterFamilies): string[] => families.map((f) => `${IP_KEYWORD[f]} saddr . ${IP_KEYWORD[f]} daddr @self_v${f} counter return`);

/** The name of the chain a group's Admin `Pass` goes to: the tiers after Admin. */
export const nextTierChain = (chain: string): string => `${chain}_next`;

/**
 * The rules of one admin rule: per lookup, a counted verdict; a Deny first logs (rate-limited, in a
 * rule of its own so that the limit never lets a packet through) and drops, or in audit mode logs
 * and returns. `pass`: the verdict that skips the rest of the tier.
 */
function adminRuleLines(r: CompiledAdminRule, pass: string, mode: Mode): string[] {
  const action = ruleAction(r.spec.rule);
  const id = r.spec.id;
  const verdict = action === "pass" ? pass : action === "deny" && mode === "audit" ? "return" : ACTION_VERDICT[action];
  const out: string[] = [];
  for (const match of r.lookups.matches) {
    const m = match === "" ? "" : `${match} `;
    if (action === "deny") out.push(`${m}${LOG_LIMIT} meta nftrace set 1 log prefix "${id} " level info comment "${id}"`);
    out.push(`${m}counter ${verdict} comment "${id}"`);
  }
  return out;
}

/**
 * The chains of one group: its verdict layers in order (see engine/tiers.ts), each rule a counted
 * lookup, so "the first rule that matches decides" is the chain's rule order.
 * - Admin tier: its policies in precedence order, each policy's rules in order. Accept returns,
 *   Deny drops, Pass goes to the chain of the tiers after Admin (`<chain>_next`), so the rest of
 *   the Admin tier is skipped; what no Admin rule matches falls through to the same rules.
 * - NetworkPolicy tier, when a NetworkPolicy isolates the members: a pod's packets to itself
 *   (hairpin) are accepted, then one lookup per rule of its policies, accepting on the first match (the union of what all applicable policies allow), then
 *   the group's default deny, which is final (in audit mode it logs and returns instead).
 * - Baseline tier, only when no NetworkPolicy isolates them: as the Admin tier, but Pass returns
 *   (the rest of Baseline is skipped, and after Baseline traffic is allowed).
 * - Falling off the end returns: no tier decided, allowed.
 */
export function groupChainsOf(
  group: Group,
  specs: SpecIndex,
  lookups: ReadonlyMap<RuleSpec, RuleLookups>,
  admin: ReadonlyMap<AdminPolicy, readonly CompiledAdminRule[]>,
  adminMode: Mode,
  families: ClusterFamilies,
): NftChain[] {
  const id = groupId(group.direction, group.hash);
  const name = groupChain(group.direction, group.hash);
  const rulesOf = (policy: AdminPolicy): readonly CompiledAdminRule[] => admin.get(policy) ?? [];
  const after: string[] = [];
  for (const layer of tierLayers(group.direction, [], verdictLayers(group.direction, group.lookup), group.baseline)) {
    switch (layer.kind) {
      case "networkpolicy":
        // "A pod can always reach itself": NetworkPolicy never blocks a pod's traffic to itself (hairpin).
        after.push(...selfAccept(families));
        for (const spec of specsOf(layer.policies, specs)) {
          for (const match of lookups.get(spec)?.matches ?? []) after.push(`${match} counter ${ACTION_VERDICT[NETWORK_POLICY_ACTION]} comment "${spec.id}"`);
        }
        // Isolation denies the rest (NETWORK_POLICY_END).
        after.push(...denyRules(id, group.mode === "audit" ? "return" : ACTION_VERDICT[NETWORK_POLICY_END]));
        break;
      case "admin":
        for (const policy of layer.policies) for (const r of rulesOf(policy)) after.push(...adminRuleLines(r, "return", adminMode));
    }
  }
  const next = nextTierChain(name);
  const passes = after.length > 0 && group.admin.some((p) => rulesOf(p).some((r) => effectiveAction(r.spec.rule) === "Pass" && r.lookups.matches.length > 0));
  const head = group.admin.flatMap((p) => rulesOf(p).flatMap((r) => adminRuleLines(r, after.length === 0 ? "return" : `goto ${next}`, adminMode)));
  const comments = [`${id} ${group.mode}: ${[...group.lookup.map((p) => p.id), ...adminComment("Admin", group.admin), ...adminComment("Baseline", group.baseline)].join(", ")}`];
  if (!passes) return [{ name, comments, rules: [...head, ...after] }];
  // The tiers after Admin in a chain of their own, which Pass and the end of the Admin tier go to (declared first).
  return [
    { name: next, comments: [`${id}: after the Admin tier`], rules: after },
    { name, comments, rules: [...head, `goto ${next}`] },
  ];
}

/** The rule specs of a direction (in their order), by policy. */
export type SpecIndex = ReadonlyMap<Policy, readonly { readonly at: number; readonly spec: RuleSpec }[]>;

export function specIndex(specs: readonly RuleSpec[]): SpecIndex {
  const out = new Map<Policy, { at: number; spec: RuleSpec }[]>();
  specs.forEach((spec, at) => {
    const list = out.get(spec.policy);
    if (list === undefined) out.set(spec.policy, [{ at, spec }]);
    else list.push({ at, spec });
  });
  return out;
}

/** The specs of `policies`, in the order of all specs. */
export function specsOf(policies: readonly Policy[], specs: SpecIndex): RuleSpec[] {
  return [...new Set(policies)]
    .flatMap((p) => specs.get(p) ?? [])
    .sort((a, b) => a.at - b.at)
    .map((x) => x.spec);
}

/** `Admin ClusterNetworkPolicy deny-metadata (priority 10)` per policy of a tier. */
function adminComment(tier: AdminTier, policies: readonly AdminPolicy[]): string[] {
  return policies.map((p) => `${tier} ${formatAdminPolicy(p)}${p.priority === null ? "" : ` (priority ${p.priority})`}`);
}

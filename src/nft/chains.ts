import type { Direction } from "../model/cluster.js";
import type { Group } from "./groups.js";
import { groupChain, groupId, unknownChain, unknownId } from "./ids.js";
import type { RuleLookups, RuleSpec } from "./rule-sets.js";
import type { NftChain } from "./types.js";
import { type Action, NETWORK_POLICY_ACTION, NETWORK_POLICY_END, verdictLayers } from "../engine/tiers.js";

export const BASE_CHAIN = "forward";

/** At most this many log/trace events per second per deny rule; the counter still counts every packet. */
const LOG_LIMIT = "limit rate 10/second burst 20 packets";

/**
 * The only base chain. Pod traffic that crosses the node is forwarded (routed veths, or bridged with
 * br_netfilter); traffic between a pod and its own node is not ("traffic to and from the node
 * where a Pod is running is always allowed").
 * Order matters: replies pass first; a pod may reach itself; unknown local addresses fail closed;
 * then the source's egress verdict (its chain `return`s on allow, drops otherwise), then the
 * destination's ingress verdict. A connection thus needs both, as NetworkPolicy requires.
 */
export function baseChain(): NftChain {
  const dispatch = (direction: Direction, field: "saddr" | "daddr", map: string): string[] =>
    (
      [
        ["ip", 4],
        ["ip6", 6],
      ] as const
    ).flatMap(([ip, f]) => [
      `${ip} ${field} @pod_cidr_v${f} ${ip} ${field} != @local_v${f} jump ${unknownChain(direction)}`,
      `${ip} ${field} vmap @${map}_v${f}`,
    ]);
  return {
    name: BASE_CHAIN,
    base: "type filter hook forward priority filter; policy accept;",
    comments: [],
    rules: [
      "ct state established,related accept",
      "ct state invalid drop",
      // "A pod can always reach itself" (hairpin through a Service comes back to the node).
      "ip saddr . ip daddr @self_v4 accept",
      "ip6 saddr . ip6 daddr @self_v6 accept",
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

/**
 * What a rule's action does to a packet in a subject's chain: `accept` returns to the base chain
 * (which goes on to the other direction's verdict), `deny` drops. (`pass` will jump to the next
 * tier's rules once there are tiers to pass to.)
 */
const ACTION_VERDICT: Readonly<Record<Exclude<Action, "pass">, "return" | "drop">> = { accept: "return", deny: "drop" };

/**
 * One chain per group: its verdict layers in order (see engine/tiers.ts). The NetworkPolicy v1
 * layer is one counted lookup per rule of its policies, accepting on the first match (the union
 * of what all applicable policies allow), then the group's default deny. In audit mode the deny
 * logs and returns instead of dropping.
 */
export function groupChainOf(group: Group, specs: readonly RuleSpec[], lookups: ReadonlyMap<RuleSpec, RuleLookups>): NftChain {
  const rules: string[] = [];
  const id = groupId(group.direction, group.hash);
  for (const layer of verdictLayers(group.direction, group.lookup)) {
    switch (layer.kind) {
      case "networkpolicy":
        for (const spec of specs) {
          if (!layer.policies.includes(spec.policy)) continue;
          for (const match of lookups.get(spec)?.matches ?? []) rules.push(`${match} counter ${ACTION_VERDICT[NETWORK_POLICY_ACTION]} comment "${spec.id}"`);
        }
        // Isolation denies the rest (NETWORK_POLICY_END).
        rules.push(...denyRules(id, group.mode === "audit" ? "return" : ACTION_VERDICT[NETWORK_POLICY_END]));
    }
  }
  return {
    name: groupChain(group.direction, group.hash),
    comments: [`${id} ${group.mode}: ${group.lookup.map((p) => p.id).join(", ")}`],
    rules,
  };
}

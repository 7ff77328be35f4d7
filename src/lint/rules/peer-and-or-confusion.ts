import type { Direction, Peer, Policy, Rule } from "../../model/cluster.js";
import { isMatchAll } from "../../model/selector.js";
import { endpointAddresses } from "../../engine/addresses.js";
import { type LintContext, perRule } from "../context.js";
import { listText, plural, policyObject, selectorText, sortedIds } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import type { Draft, LintRule } from "../types.js";

type PodsPeer = Extract<Peer, { kind: "pods" }>;

export const peerAndOrConfusion: LintRule = {
  id: "peer-and-or-confusion",
  severity: "warning",
  summary: "A namespaceSelector-only peer next to a podSelector-only peer: OR where AND was likely meant.",
  description:
    "Two list items `- namespaceSelector: …` and `- podSelector: …` are two peers, and a rule allows traffic matching either: every pod of the selected namespaces, plus the selected pods of the policy's own namespace. Written as one item (no dash before podSelector) they select the pods matching both. The finding shows what each reading selects in the input. A warning when one peer with both selectors would select workloads of the input; quiet when it would select none while each peer selects some (a deliberate OR, like the Kubernetes documentation's test-network-policy); info when the input holds too few workloads to tell.",
  docs: "docs/rules/peer-and-or-confusion.md",
  check: (ctx) => perRule(ctx, checkRule),
};

function checkRule(ctx: LintContext, policy: Policy, direction: Direction, rule: Rule): Draft[] {
  if (rule.peers === "all") return [];
  const peers = rule.peers.map((peer, index) => ({ peer, index }));
  const nsOnly = peers.filter((p): p is { peer: PodsPeer; index: number } => p.peer.kind === "pods" && p.peer.namespaces.kind === "selected" && isMatchAll(p.peer.pods));
  const podOnly = peers.filter((p): p is { peer: PodsPeer; index: number } => p.peer.kind === "pods" && p.peer.namespaces.kind === "own" && !isMatchAll(p.peer.pods));
  const list = direction === "egress" ? "to" : "from";
  return podOnly.flatMap((pod) => {
    const ns = [...nsOnly].sort((a, b) => Math.abs(a.index - pod.index) - Math.abs(b.index - pod.index))[0];
    if (ns === undefined || ns.peer.namespaces.kind !== "selected") return [];
    const nsSel = selectorText(ns.peer.namespaces.selector);
    const podSel = selectorText(pod.peer.pods);
    const together: PodsPeer = { kind: "pods", namespaces: ns.peer.namespaces, pods: pod.peer.pods, at: pod.peer.at };
    const byNamespaces = selects(ctx, policy, ns.peer);
    const byPods = selects(ctx, policy, pod.peer);
    const asWritten = sortedIds([...byNamespaces, ...byPods]);
    const combined = sortedIds(selects(ctx, policy, together));
    // A deliberate OR: one peer with both selectors would select no workload, while each peer selects some.
    if (combined.length === 0 && byNamespaces.length > 0 && byPods.length > 0) return [];
    const suffix = (ids: readonly string[]): string => (ctx.cluster.endpoints.length === 0 ? "" : ` (${ids.length === 0 ? "no workload of the input" : `${plural(ids.length, "workload")}: ${listText(ids)}`})`);
    const message = m.andOrConfusion(
      `${list}[${ns.index}] (namespaceSelector ${nsSel})`,
      `${list}[${pod.index}] (podSelector ${podSel})`,
      `every pod in namespaces matching ${nsSel}, and pods matching ${podSel} in namespace ${policy.namespace}${suffix(asWritten)}`,
      `pods matching ${podSel} in namespaces matching ${nsSel}${suffix(combined)}`,
    );
    // The AND reading selects workloads: the OR was likely a slip. Otherwise the input cannot tell.
    const undecided = combined.length === 0;
    return [
      {
        message: undecided ? m.andOrUndecided(message) : message,
        object: policyObject(policy),
        at: (ns.index > pod.index ? ns.peer : pod.peer).at,
        endpoints: asWritten,
        hint: m.andOrHint(),
        annotations: policy.annotations,
        ...(undecided ? { severity: "info" as const } : {}),
      },
    ];
  });
}

/** The workloads of the input a peer selects, as the engine matches it. */
function selects(ctx: LintContext, policy: Policy, peer: PodsPeer): string[] {
  return ctx.cluster.endpoints
    .filter((e) => !ctx.engine.matchPeer(policy, peer, { kind: "endpoint", endpoint: e }, endpointAddresses(e, ctx.options.engine)).allowed.isEmpty())
    .map((e) => e.id);
}

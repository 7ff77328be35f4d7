import { policyObject } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import type { Draft, LintRule } from "../types.js";

export const hostNetworkSelected: LintRule = {
  id: "hostnetwork-selected",
  severity: "info",
  summary: "A policy's podSelector matches host-network pods, which NetworkPolicy does not govern.",
  description:
    "Pods with hostNetwork: true use the node's network namespace; NetworkPolicy does not apply to them, so a policy selecting them restricts nothing for those pods, whatever it says.",
  docs: "docs/rules/hostnetwork-selected.md",
  check: (ctx) => {
    const drafts: Draft[] = [];
    for (const p of ctx.cluster.policies) {
      const host = ctx.matchedBy(p).filter((e) => e.hostNetwork).map((e) => e.id);
      if (host.length === 0) continue;
      drafts.push({
        message: m.hostNetworkSelected(host),
        object: policyObject(p),
        at: p.podSelectorAt,
        endpoints: host,
        hint: m.hostNetworkHint(),
        annotations: p.annotations,
      });
    }
    return drafts;
  },
};

import { formatCidr } from "../../net/cidr.js";
import { selectorMatches } from "../../model/selector.js";
import { ruleConns } from "../../analysis/rule-conns.js";
import { policyObject } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import type { Draft, LintRule } from "../types.js";

export const egressInternetOpen: LintRule = {
  id: "egress-internet-open",
  severity: "warning",
  summary: "An egress rule allows 0.0.0.0/0 or ::/0 (or every destination) on all ports.",
  description:
    "A rule whose destinations are 0.0.0.0/0 or ::/0 (whatever its except list), or which names no destinations at all, and whose ports admit every port of every protocol lets the selected pods connect anywhere on the internet; it undoes most of what egress isolation is for. Not reported when the Admin tier, which comes before NetworkPolicy, closes the egress of every pod the policy selects (an Admin rule denying every address on every protocol with no Pass before it: only its Accepts are open).",
  docs: "docs/rules/egress-internet-open.md",
  check: (ctx) => {
    const drafts: Draft[] = [];
    for (const policy of ctx.cluster.policies) {
      if (!policy.affects.egress) continue;
      const selected = ctx.matchedBy(policy).filter((e) => !e.hostNetwork).map((e) => e.id);
      // The Admin tier comes first: when it closes the egress of every pod the policy selects (witnesses included), the rule opens nothing to the internet.
      const pods = ctx.universe.cluster.endpoints.filter((e) => !e.hostNetwork && e.namespace === policy.namespace && selectorMatches(policy.podSelector, e.labels));
      if (pods.length > 0 && pods.every((e) => ctx.adminClosesEgress(e, ["Admin"]))) continue;
      for (const rule of policy.egress) {
        if (!ruleConns(rule, null).isAll()) continue;
        const common = { object: policyObject(policy), endpoints: selected, hint: m.internetOpenHint(), annotations: policy.annotations };
        if (rule.peers === "all") {
          drafts.push({ ...common, message: m.internetOpenAll(), at: rule.at });
          continue;
        }
        for (const peer of rule.peers) {
          if (peer.kind !== "ipBlock" || peer.cidr.prefix !== 0) continue;
          drafts.push({ ...common, message: m.internetOpenCidr(formatCidr(peer.cidr), peer.except.map(formatCidr)), at: peer.at });
        }
      }
    }
    return drafts;
  },
};

import { formatCidr } from "../../net/cidr.js";
import { ruleConns } from "../../analysis/rule-conns.js";
import { policyObject } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import type { Draft, LintRule } from "../types.js";

export const egressInternetOpen: LintRule = {
  id: "egress-internet-open",
  severity: "warning",
  summary: "An egress rule allows 0.0.0.0/0 or ::/0 (or every destination) on all ports.",
  description:
    "A rule whose destinations are 0.0.0.0/0 or ::/0 (whatever its except list), or which names no destinations at all, and whose ports admit every port of every protocol lets the selected pods connect anywhere on the internet; it undoes most of what egress isolation is for.",
  docs: "docs/rules/egress-internet-open.md",
  check: (ctx) => {
    const drafts: Draft[] = [];
    for (const policy of ctx.cluster.policies) {
      if (!policy.affects.egress) continue;
      const selected = ctx.matchedBy(policy).filter((e) => !e.hostNetwork).map((e) => e.id);
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

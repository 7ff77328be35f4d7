import { rulesOf } from "../admin-cover.js";
import { adminObject } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import type { Draft, LintRule } from "../types.js";

export const domainNamesNotAdminAccept: LintRule = {
  id: "domain-names-not-admin-accept",
  severity: "warning",
  summary: "A `domainNames` peer outside an Admin-tier Accept rule.",
  description:
    "\"DomainNames is only supported for Accept rules. In order to control access, DomainNames Accept rules should be used with a lower precedence egress deny -- this allows the admin to maintain an explicit \"allowlist\" of reachable domains.\" A domainNames peer in a Deny or Pass rule is a warning: implementations need not support it, and what a name resolves to changes under the rule; a Deny of names fails open (NPEP-133: \"If a Network Policy plugin has incomplete information, it may accidentally allow traffic to an IP belonging to a denied domain\"), and in the Baseline tier it reaches only pods no NetworkPolicy isolates. In a Baseline Accept it is info: the Baseline tier decides only for pods no NetworkPolicy isolates, and v1alpha1 has no domainNames in the BaselineAdminNetworkPolicy at all; an allowlist of domains belongs in the Admin tier, before a Deny.",
  docs: "docs/rules/domain-names-not-admin-accept.md",
  check: (ctx) => {
    const drafts: Draft[] = [];
    for (const policy of ctx.cluster.adminPolicies ?? []) {
      for (const rule of rulesOf(policy, "egress")) {
        if (rule.match.kind !== "as-written") continue;
        if (rule.action === "Accept" && policy.tier === "Admin") continue;
        for (const peer of rule.match.peers) {
          if (peer.kind !== "domainNames") continue;
          const names = peer.domainNames.map((d) => d.text);
          const common = { object: adminObject(policy), at: peer.at, endpoints: ctx.adminSubjects(policy, "egress").map((e) => e.id) };
          drafts.push(
            rule.action === "Accept"
              ? { ...common, message: m.domainNamesBaselineAccept(names), hint: m.domainNamesBaselineAcceptHint(), severity: "info" }
              : { ...common, message: m.domainNamesNotAccept(names, rule.action, policy.tier), hint: m.domainNamesNotAcceptHint() },
          );
        }
      }
    }
    return drafts;
  },
};

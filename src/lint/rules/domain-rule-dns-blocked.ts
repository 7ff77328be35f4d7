import type { Endpoint } from "../../model/cluster.js";
import type { LintContext } from "../context.js";
import { adminObject, adminRuleText, sortedIds } from "../describe.js";
import { domainRules } from "../domains.js";
import { lintMessages as m } from "../messages.js";
import type { Draft, LintRule } from "../types.js";

type Protocol = "UDP" | "TCP";

export const domainRuleDnsBlocked: LintRule = {
  id: "domain-rule-dns-blocked",
  severity: "error",
  summary: "A domain rule whose pods cannot reach the cluster DNS over UDP 53 and TCP 53.",
  description:
    "A `domainNames` peer matches only the addresses a pod received in a DNS answer for a matching name, and \"the rule grants no DNS access itself\". For every Accept rule with a domainNames peer, the engine is asked, for every pod the rule's policy selects, whether it may send DNS queries to the cluster DNS (the kube-system/kube-dns pods, or the --dns addresses) over UDP 53 and over TCP 53, without counting on a domain rule (a verdict that depends on DNS is no answer for DNS itself). One error per rule and set of missing protocols: without UDP no name resolves and the rule matches nothing; without TCP the answers too large for UDP never arrive. When DNS is allowed only if the DNS pods' namespace, which the input does not hold, carries a label, the DNS rules (dns-egress-blocked, dns-tcp-missing) name that assumption and this rule says nothing.",
  docs: "docs/rules/domain-rule-dns-blocked.md",
  check: (ctx) => {
    if (ctx.dns.targets.length === 0) return [];
    const drafts: Draft[] = [];
    for (const { policy, rule, peers } of domainRules(ctx.cluster)) {
      if (rule.action !== "Accept") continue;
      const groups = new Map<string, { missing: Protocol[]; endpoints: string[] }>();
      for (const subject of ctx.adminSubjects(policy, "egress")) {
        const missing = (["UDP", "TCP"] as const).filter((p) => reach(ctx, subject, p) === "blocked");
        if (missing.length === 0) continue;
        const key = missing.join("+");
        const group = groups.get(key) ?? { missing, endpoints: [] };
        group.endpoints.push(subject.id);
        groups.set(key, group);
      }
      for (const g of groups.values()) {
        drafts.push({
          message: m.domainRuleDnsBlocked(adminRuleText(policy, "egress", rule), g.missing, ctx.dns.description),
          object: adminObject(policy),
          at: peers[0]?.at ?? rule.at,
          endpoints: sortedIds(g.endpoints),
          hint: m.domainRuleDnsBlockedHint(policy.tier, g.missing),
        });
      }
    }
    return drafts;
  },
};

/**
 * Whether `subject` may send DNS queries over `protocol`: `allowed` when the engine allows them to
 * some DNS target outright; `assumed` when only a namespace label the input cannot show would allow
 * them (the DNS rules report that); `blocked` otherwise. A verdict that depends on DNS (a domain
 * rule would match the DNS server's address, if the pod had resolved a name to it) is blocked: the
 * pod cannot resolve anything before it reaches DNS.
 */
function reach(ctx: LintContext, subject: Endpoint, protocol: Protocol): "allowed" | "assumed" | "blocked" {
  const asked = ctx.dnsReachOf(subject, protocol);
  if (asked.kind === "assumed") return "assumed";
  if (asked.kind === "denied") return "blocked";
  if (asked.decision.egress.verdict === "allowed") return "allowed";
  const outright = ctx.dns.targets.some((t) => ctx.engine.check({ from: { kind: "endpoint", endpoint: subject }, to: t.target, port: 53, protocol }).egress.verdict === "allowed");
  return outright ? "allowed" : "blocked";
}

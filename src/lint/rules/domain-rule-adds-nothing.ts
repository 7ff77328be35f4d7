import { type ConnSet } from "../../analysis/connset.js";
import { externalConns } from "../../analysis/reach.js";
import { adminProtocolsConns } from "../../analysis/rule-conns.js";
import { Engine } from "../../engine/engine.js";
import type { AdminEgressPeer, AdminPolicy, AdminRule } from "../../model/admin-policy.js";
import { type Endpoint, formatObjectRef } from "../../model/cluster.js";
import type { Protocol } from "../../model/ports.js";
import { AddressSet } from "../../net/address-set.js";
import type { Ip } from "../../net/ip.js";
import { connsLabel } from "../../graph/label.js";
import { shadowingRules } from "../admin-cover.js";
import type { LintContext } from "../context.js";
import { adminObject, adminRuleText, atText, policyObject, sortedIds } from "../describe.js";
import { domainRules } from "../domains.js";
import { lintMessages as m } from "../messages.js";
import { allowancesOf } from "../probe.js";
import type { Draft, LintRule } from "../types.js";

export const domainRuleAddsNothing: LintRule = {
  id: "domain-rule-adds-nothing",
  severity: "warning",
  summary: "A domain Accept rule whose pods may already connect to every address on its ports.",
  description:
    "A `domainNames` Accept opens, for its pods, the addresses they resolve a matching name to, on its protocols and ports. When, without the rule, every pod its policy selects may already connect to every address of the pods' address families (0.0.0.0/0, and ::/0 for IPv6 pods) on all of those ports — an ipBlock or `networks` 0.0.0.0/0 and ::/0 in a NetworkPolicy or an admin Accept, whichever tier decides — the rule adds nothing: removing it changes no connection, and the allowlist it looks like is not one. Found by the same tier walk as `check` over addresses outside the cluster, with the rule removed; a rule that earlier admin rules shadow as written is admin-rule-shadowed's to report.",
  docs: "docs/rules/domain-rule-adds-nothing.md",
  check: (ctx) => {
    const drafts: Draft[] = [];
    const policies = ctx.cluster.adminPolicies ?? [];
    const everything = ctx.everyAddress();
    for (const { policy, rule, peers } of domainRules(ctx.cluster)) {
      if (rule.action !== "Accept" || shadowingRules(policies, policy, "egress", rule) !== null) continue;
      const subjects = ctx.adminSubjects(policy, "egress");
      if (subjects.length === 0) continue;
      const conns = adminProtocolsConns(rule.match.kind === "as-written" ? rule.match.protocols : "all", null);
      const without = engineWithout(ctx, policy, rule);
      if (!subjects.every((s) => openEverywhere(without, s, conns, everything))) continue;
      drafts.push({
        message: m.domainRuleAddsNothing(adminRuleText(policy, "egress", rule), connsLabel(conns), allowedBy(ctx, without, subjects[0] as Endpoint, conns, everything)),
        object: adminObject(policy),
        at: peers[0]?.at ?? rule.at,
        endpoints: sortedIds(subjects.map((s) => s.id)),
        hint: m.domainRuleAddsNothingHint(),
      });
    }
    return drafts;
  },
};

/** The engine over the lint universe with `rule` of `policy` removed. */
function engineWithout(ctx: LintContext, policy: AdminPolicy, rule: AdminRule<AdminEgressPeer>): Engine {
  const cluster = ctx.universe.cluster;
  const adminPolicies = (cluster.adminPolicies ?? []).map((p) => (p === policy ? { ...p, egress: p.egress.filter((r) => r !== rule) } : p));
  return Engine.compile({ ...cluster, adminPolicies }, ctx.options.engine);
}

/** Whether `subject` may connect to every address of `everything` on every connection of `conns`. */
function openEverywhere(engine: Engine, subject: Endpoint, conns: ConnSet, everything: AddressSet): boolean {
  const open = externalConns(engine, subject, "egress").reduce((acc, r) => (r.conns.contains(conns) ? acc.union(r.addresses) : acc), AddressSet.EMPTY);
  return open.contains(everything);
}

/** The rules that allow the first port of `conns` to the first address of `everything` without the domain rule, as messages name them. */
function allowedBy(ctx: LintContext, engine: Engine, subject: Endpoint, conns: ConnSet, everything: AddressSet): string[] {
  const probe = firstConnection(conns);
  const address = firstAddress(everything);
  if (probe === undefined || address === undefined) return [];
  const decision = engine.check({ from: { kind: "endpoint", endpoint: subject }, to: { kind: "external", addresses: AddressSet.fromIp(address) }, port: probe.port, protocol: probe.protocol });
  return allowancesOf(ctx, decision.egress).map((a) =>
    a.kind === "admin" ? `${adminRuleText(a.policy, "egress", a.rule)} (${atText(a.rule.at)})` : `${formatObjectRef(policyObject(a.by.policy))} ${a.by.at.path} (${atText(a.by.at)})`,
  );
}

function firstConnection(conns: ConnSet): { protocol: Protocol; port: number } | undefined {
  for (const protocol of ["TCP", "UDP", "SCTP"] as const) {
    const port = conns.ports(protocol).first();
    if (port !== undefined) return { protocol, port: Number(port) };
  }
  return undefined;
}

function firstAddress(set: AddressSet): Ip | undefined {
  for (const family of [4, 6] as const) {
    const value = set.family(family).first();
    if (value !== undefined) return { family, value };
  }
  return undefined;
}

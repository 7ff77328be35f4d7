import type { Decision } from "../../engine/types.js";
import type { LintContext } from "../context.js";
import { type DnsReach, type NamespaceAssumption, assumptionText, sameAssumption } from "../dns-reach.js";
import { sortedIds } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import { type Allowance, adminDenial, allowanceKey, allowanceSite, allowancesOf } from "../probe.js";
import type { Draft, LintRule } from "../types.js";

export const dnsTcpMissing: LintRule = {
  id: "dns-tcp-missing",
  severity: "warning",
  summary: "DNS is allowed over UDP 53 but not over TCP 53.",
  description:
    "DNS falls back to TCP when an answer does not fit in a UDP datagram (many records, DNSSEC, long names). For every pod isolated for egress (or selected by an admin policy with egress rules) that may send UDP 53 to the cluster DNS, the engine is asked whether it may also open TCP 53 to it; the finding points at the rule that allows UDP, a NetworkPolicy rule or an admin Accept rule. When TCP is allowed only if the DNS pods' namespace, which the input does not hold, carries a label a namespaceSelector asks for, the finding is info and names the assumption. When an admin Deny blocks TCP 53, dns-egress-blocked reports it (an error) instead.",
  docs: "docs/rules/dns-tcp-missing.md",
  check: (ctx) => {
    const groups = new Map<string, { by: Allowance; endpoints: string[]; udpAssumed: NamespaceAssumption | null; tcpAssumed: NamespaceAssumption | null }>();
    for (const subject of ctx.subjects()) {
      if (!ctx.governed(subject, "egress")) continue;
      const udp = ctx.dnsReachOf(subject, "UDP");
      const allowed = allowedBy(ctx, udp);
      if (allowed === null) continue;
      const tcp = ctx.dnsReachOf(subject, "TCP");
      if (tcp.kind === "allowed") continue;
      // An admin Deny of TCP 53 is dns-egress-blocked's (an error at that rule).
      if (tcp.kind === "denied" && tcp.first !== undefined && adminDenial(ctx, tcp.first.decision.egress) !== undefined) continue;
      // TCP on the same assumption as UDP: dns-egress-blocked names that assumption.
      if (tcp.kind === "assumed" && allowed.assumption !== null && tcp.assumptions.some((t) => sameAssumption(t.assumption, allowed.assumption as NamespaceAssumption))) continue;
      const tcpAssumed = tcp.kind === "assumed" ? (tcp.assumptions[0]?.assumption ?? null) : null;
      const key = `${allowanceKey(allowed.by)}\u0000${allowed.assumption === null ? "" : assumptionText(allowed.assumption)}\u0000${tcpAssumed === null ? "" : assumptionText(tcpAssumed)}`;
      const group = groups.get(key) ?? { by: allowed.by, endpoints: [], udpAssumed: allowed.assumption, tcpAssumed };
      group.endpoints.push(subject.id);
      groups.set(key, group);
    }
    return [...groups.values()].map((g) => draft(ctx, g.by, g.endpoints, g.udpAssumed, g.tcpAssumed));
  },
};

/** The rule that lets UDP through (a NetworkPolicy rule, or an admin Accept), and the assumption it needs (null: none). */
function allowedBy(ctx: LintContext, reach: DnsReach): { by: Allowance; assumption: NamespaceAssumption | null } | null {
  const first = (d: Decision | undefined): Allowance | undefined => (d === undefined ? undefined : allowancesOf(ctx, d.egress)[0]);
  if (reach.kind === "allowed") {
    const by = first(reach.decision);
    return by === undefined ? null : { by, assumption: null };
  }
  if (reach.kind === "assumed") {
    const a = reach.assumptions[0];
    const by = first(a?.decision);
    return a === undefined || by === undefined ? null : { by, assumption: a.assumption };
  }
  return null;
}

function draft(ctx: LintContext, by: Allowance, endpoints: readonly string[], udpAssumed: NamespaceAssumption | null, tcpAssumed: NamespaceAssumption | null): Draft {
  const udpCondition = udpAssumed === null ? "" : ` if namespace ${udpAssumed.namespace} carries ${assumptionText(udpAssumed)}`;
  return {
    ...allowanceSite(ctx, by),
    message:
      tcpAssumed === null
        ? m.dnsTcpMissing(ctx.dns.description, udpCondition)
        : m.dnsTcpAssumed(ctx.dns.description, udpCondition, tcpAssumed.namespace, assumptionText(tcpAssumed)),
    endpoints: sortedIds(endpoints),
    hint: tcpAssumed === null ? (by.kind === "admin" ? m.dnsTcpMissingHintAdmin() : m.dnsTcpMissingHint()) : m.dnsAssumedHint(tcpAssumed.namespace, assumptionText(tcpAssumed)),
    ...(tcpAssumed === null ? {} : { severity: "info" as const }),
  };
}

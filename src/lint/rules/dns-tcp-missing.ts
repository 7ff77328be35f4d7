import type { Decision, Explanation } from "../../engine/types.js";
import type { LintContext } from "../context.js";
import { type DnsReach, type NamespaceAssumption, assumptionText, sameAssumption } from "../dns-reach.js";
import { policyObject, sortedIds } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import { explanationKey } from "../probe.js";
import type { Draft, LintRule } from "../types.js";

export const dnsTcpMissing: LintRule = {
  id: "dns-tcp-missing",
  severity: "warning",
  summary: "DNS is allowed over UDP 53 but not over TCP 53.",
  description:
    "DNS falls back to TCP when an answer does not fit in a UDP datagram (many records, DNSSEC, long names). For every pod isolated for egress that may send UDP 53 to the cluster DNS, the engine is asked whether it may also open TCP 53 to it; the finding points at the rule that allows UDP. When TCP is allowed only if the DNS pods' namespace, which the input does not hold, carries a label a namespaceSelector asks for, the finding is info and names the assumption.",
  docs: "docs/rules/dns-tcp-missing.md",
  check: (ctx) => {
    const groups = new Map<string, { by: Explanation; endpoints: string[]; udpAssumed: NamespaceAssumption | null; tcpAssumed: NamespaceAssumption | null }>();
    for (const subject of ctx.subjects()) {
      if (ctx.engine.policiesSelecting(subject, "egress").length === 0) continue;
      const udp = ctx.dnsReachOf(subject, "UDP");
      const allowed = allowedBy(udp);
      if (allowed === null) continue;
      const tcp = ctx.dnsReachOf(subject, "TCP");
      if (tcp.kind === "allowed") continue;
      // TCP on the same assumption as UDP: dns-egress-blocked names that assumption.
      if (tcp.kind === "assumed" && allowed.assumption !== null && tcp.assumptions.some((t) => sameAssumption(t.assumption, allowed.assumption as NamespaceAssumption))) continue;
      const tcpAssumed = tcp.kind === "assumed" ? (tcp.assumptions[0]?.assumption ?? null) : null;
      const key = `${explanationKey(allowed.by)}\u0000${allowed.assumption === null ? "" : assumptionText(allowed.assumption)}\u0000${tcpAssumed === null ? "" : assumptionText(tcpAssumed)}`;
      const group = groups.get(key) ?? { by: allowed.by, endpoints: [], udpAssumed: allowed.assumption, tcpAssumed };
      group.endpoints.push(subject.id);
      groups.set(key, group);
    }
    return [...groups.values()].map((g) => draft(ctx, g.by, g.endpoints, g.udpAssumed, g.tcpAssumed));
  },
};

/** The rule that lets UDP through, and the assumption it needs (null: none). */
function allowedBy(reach: DnsReach): { by: Explanation; assumption: NamespaceAssumption | null } | null {
  const first = (d: Decision | undefined): Explanation | undefined => d?.egress.allowedBy[0];
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

function draft(ctx: LintContext, by: Explanation, endpoints: readonly string[], udpAssumed: NamespaceAssumption | null, tcpAssumed: NamespaceAssumption | null): Draft {
  const policy = ctx.policy(by.policy);
  const udpCondition = udpAssumed === null ? "" : ` if namespace ${udpAssumed.namespace} carries ${assumptionText(udpAssumed)}`;
  const base = {
    message:
      tcpAssumed === null
        ? m.dnsTcpMissing(ctx.dns.description, udpCondition)
        : m.dnsTcpAssumed(ctx.dns.description, udpCondition, tcpAssumed.namespace, assumptionText(tcpAssumed)),
    object: policyObject(by.policy),
    at: by.at,
    endpoints: sortedIds(endpoints),
    hint: tcpAssumed === null ? m.dnsTcpMissingHint() : m.dnsAssumedHint(tcpAssumed.namespace, assumptionText(tcpAssumed)),
    ...(tcpAssumed === null ? {} : { severity: "info" as const }),
  };
  return policy === undefined ? base : { ...base, annotations: policy.annotations };
}

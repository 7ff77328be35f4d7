import type { Explanation } from "../../engine/types.js";
import type { LintContext } from "../context.js";
import { policyObject, sortedIds } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import { explanationKey, probe } from "../probe.js";
import type { Draft, LintRule } from "../types.js";

export const dnsTcpMissing: LintRule = {
  id: "dns-tcp-missing",
  severity: "warning",
  summary: "DNS is allowed over UDP 53 but not over TCP 53.",
  description:
    "DNS falls back to TCP when an answer does not fit in a UDP datagram (many records, DNSSEC, long names). For every pod isolated for egress that may send UDP 53 to the cluster DNS, the engine is asked whether it may also open TCP 53 to it; the finding points at the rule that allows UDP.",
  docs: "docs/rules/dns-tcp-missing.md",
  check: (ctx) => {
    const groups = new Map<string, { by: Explanation; endpoints: string[] }>();
    for (const subject of ctx.subjects()) {
      if (ctx.engine.policiesSelecting(subject, "egress").length === 0) continue;
      const udp = ctx.dns.targets.map((t) => probe(ctx, subject, t.target, 53, "UDP")).find((d) => d.egress.verdict !== "denied");
      const by = udp?.egress.allowedBy[0];
      if (by === undefined) continue;
      const tcp = ctx.dns.targets.some((t) => probe(ctx, subject, t.target, 53, "TCP").egress.verdict !== "denied");
      if (tcp) continue;
      const key = explanationKey(by);
      const group = groups.get(key) ?? { by, endpoints: [] };
      group.endpoints.push(subject.id);
      groups.set(key, group);
    }
    return [...groups.values()].map((g) => draft(ctx, g.by, g.endpoints));
  },
};

function draft(ctx: LintContext, by: Explanation, endpoints: readonly string[]): Draft {
  const policy = ctx.policy(by.policy);
  const base = {
    message: m.dnsTcpMissing(ctx.dns.description),
    object: policyObject(by.policy),
    at: by.at,
    endpoints: sortedIds(endpoints),
    hint: m.dnsTcpMissingHint(),
  };
  return policy === undefined ? base : { ...base, annotations: policy.annotations };
}

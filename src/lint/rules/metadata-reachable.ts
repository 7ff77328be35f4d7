import type { Explanation } from "../../engine/types.js";
import { AddressSet } from "../../net/address-set.js";
import { hostCidr, formatCidr } from "../../net/cidr.js";
import { type Ip, formatIp } from "../../net/ip.js";
import { metadataAddresses } from "../../model/well-known.js";
import type { LintContext } from "../context.js";
import { policyObject, sortedIds } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import { explanationKey, probe } from "../probe.js";
import type { Draft, LintRule } from "../types.js";

export const metadataReachable: LintRule = {
  id: "metadata-reachable",
  severity: "warning",
  summary: "A pod isolated for egress may reach a cloud metadata address.",
  description:
    "Cloud metadata services (169.254.169.254, fd00:ec2::254, 100.100.100.200, and those given with --metadata) hand out the node's credentials to whoever asks. For every pod isolated for egress the engine is asked whether it may open TCP 80 to each of these addresses; the finding points at the rule (and peer) that allows it and lists the pods.",
  docs: "docs/rules/metadata-reachable.md",
  check: (ctx) => {
    const groups = new Map<string, { by: Explanation; addresses: Set<string>; endpoints: string[] }>();
    const metadata = metadataAddresses(ctx.options.metadata);
    for (const subject of ctx.subjects()) {
      if (ctx.engine.policiesSelecting(subject, "egress").length === 0) continue;
      for (const ip of metadata) {
        const decision = probe(ctx, subject, { kind: "external", addresses: AddressSet.fromIp(ip) }, 80, "TCP");
        for (const by of decision.egress.allowedBy) {
          const key = explanationKey(by);
          const group = groups.get(key) ?? { by, addresses: new Set<string>(), endpoints: [] };
          group.addresses.add(formatIp(ip));
          group.endpoints.push(subject.id);
          groups.set(key, group);
        }
      }
    }
    return [...groups.values()].map((g) => draft(ctx, metadata, g.by, [...g.addresses], g.endpoints));
  },
};

function draft(ctx: LintContext, metadata: readonly Ip[], by: Explanation, addresses: readonly string[], endpoints: readonly string[]): Draft {
  const policy = ctx.policy(by.policy);
  const ordered = metadata.map(formatIp).filter((a) => addresses.includes(a));
  const cidrs = metadata.filter((ip) => addresses.includes(formatIp(ip))).map((ip) => formatCidr(hostCidr(ip)));
  const rule = by.rule === null ? undefined : policy?.egress[by.rule];
  const peer = by.peer === null || rule === undefined || rule.peers === "all" ? undefined : rule.peers[by.peer];
  const base = {
    message: m.metadataReachable(ordered),
    object: policyObject(by.policy),
    at: by.at,
    endpoints: sortedIds(endpoints),
    hint: peer?.kind === "ipBlock" ? m.metadataHintIpBlock(cidrs) : m.metadataHintOther(cidrs),
  };
  return policy === undefined ? base : { ...base, annotations: policy.annotations };
}

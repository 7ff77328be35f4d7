import { AddressSet } from "../../net/address-set.js";
import { hostCidr, formatCidr } from "../../net/cidr.js";
import { type Ip, formatIp } from "../../net/ip.js";
import { metadataAddresses } from "../../model/well-known.js";
import type { LintContext } from "../context.js";
import { sortedIds } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import { type Allowance, allowanceKey, allowanceSite, allowancesOf, probe } from "../probe.js";
import type { Draft, LintRule } from "../types.js";

export const metadataReachable: LintRule = {
  id: "metadata-reachable",
  severity: "warning",
  summary: "A pod isolated for egress may reach a cloud metadata address.",
  description:
    "Cloud metadata services (169.254.169.254, fd00:ec2::254, 100.100.100.200, and those given with --metadata) hand out the node's credentials to whoever asks. For every pod isolated for egress, or selected by an admin policy with egress rules, the engine is asked whether it may open TCP 80 to each of these addresses, walking the admin tiers (ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy) first; the finding points at the rule (and peer) that allows it, a NetworkPolicy rule or an admin Accept rule, and lists the pods. An Admin Deny of an address closes it: no finding.",
  docs: "docs/rules/metadata-reachable.md",
  check: (ctx) => {
    const groups = new Map<string, { by: Allowance; addresses: Set<string>; endpoints: string[] }>();
    const metadata = metadataAddresses(ctx.options.metadata);
    for (const subject of ctx.subjects()) {
      if (!ctx.governed(subject, "egress")) continue;
      for (const ip of metadata) {
        const decision = probe(ctx, subject, { kind: "external", addresses: AddressSet.fromIp(ip) }, 80, "TCP");
        for (const by of allowancesOf(ctx, decision.egress)) {
          const key = allowanceKey(by);
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

function draft(ctx: LintContext, metadata: readonly Ip[], by: Allowance, addresses: readonly string[], endpoints: readonly string[]): Draft {
  const ordered = metadata.map(formatIp).filter((a) => addresses.includes(a));
  const cidrs = metadata.filter((ip) => addresses.includes(formatIp(ip))).map((ip) => formatCidr(hostCidr(ip)));
  return { ...allowanceSite(ctx, by), message: m.metadataReachable(ordered), endpoints: sortedIds(endpoints), hint: hint(ctx, by, cidrs) };
}

function hint(ctx: LintContext, by: Allowance, cidrs: readonly string[]): string {
  if (by.kind === "admin") return m.metadataHintAdmin(cidrs);
  const rule = by.by.rule === null ? undefined : ctx.policy(by.by.policy)?.egress[by.by.rule];
  const peer = by.by.peer === null || rule === undefined || rule.peers === "all" ? undefined : rule.peers[by.by.peer];
  return peer?.kind === "ipBlock" ? m.metadataHintIpBlock(cidrs) : m.metadataHintOther(cidrs);
}

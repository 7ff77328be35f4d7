import type { Direction, Peer, Policy } from "../../model/cluster.js";
import { formatObjectRef } from "../../model/cluster.js";
import { AddressSet } from "../../net/address-set.js";
import { formatCidr } from "../../net/cidr.js";
import { ipBlockAddresses } from "../../engine/addresses.js";
import { type LintContext, perRule } from "../context.js";
import { policyObject, sortedIds } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import type { Draft, LintRule } from "../types.js";

type IpBlock = Extract<Peer, { kind: "ipBlock" }>;

export const ipBlockInCluster: LintRule = {
  id: "ipblock-in-cluster",
  severity: "warning",
  summary: "An ipBlock names pod or Service addresses.",
  description:
    "An ipBlock that covers part of the pod network (--pod-cidr, and the known pod IPs) picks pods by address, and pod addresses change whenever pods are recreated. One that covers part of the Service CIDR (--service-cidr, default 10.96.0.0/12, and the clusterIPs of the Services in the input) never matches: traffic to a ClusterIP is translated to a pod address before policy applies. Blocks that contain the whole pod network or Service range (like 0.0.0.0/0 or 10.0.0.0/8) are not flagged.",
  docs: "docs/rules/ipblock-in-cluster.md",
  check: (ctx) =>
    perRule(ctx, (c, policy, direction, rule) =>
      rule.peers === "all" ? [] : rule.peers.flatMap((peer) => (peer.kind === "ipBlock" ? checkBlock(c, policy, direction, peer) : [])),
    ),
};

function checkBlock(ctx: LintContext, policy: Policy, direction: Direction, peer: IpBlock): Draft[] {
  const block = ipBlockAddresses(peer);
  const pods = ctx.cluster.endpoints.filter((e) => !e.hostNetwork && e.ips.length > 0);
  const podRange = ctx.options.engine.podNetwork.union(AddressSet.fromIps(pods.flatMap((e) => e.ips)));
  const serviceRange = ctx.serviceCidr.union(AddressSet.fromIps(ctx.cluster.services.flatMap((s) => s.clusterIps)));
  // Per family: a block that holds all of the IPv4 pod network is broad, even when pods also have IPv6 addresses.
  const partly = (range: AddressSet): boolean =>
    (block.v4.overlaps(range.v4) && !block.v4.contains(range.v4)) || (block.v6.overlaps(range.v6) && !block.v6.contains(range.v6));
  const common = { object: policyObject(policy), at: peer.at, hint: m.ipBlockHint(), annotations: policy.annotations };
  const cidr = formatCidr(peer.cidr);
  const drafts: Draft[] = [];
  if (partly(serviceRange)) {
    const services = ctx.cluster.services.filter((s) => s.clusterIps.some((ip) => block.has(ip)));
    const names = sortedIds(services.map((s) => formatObjectRef({ kind: "Service", namespace: s.namespace, name: s.name })));
    drafts.push({ ...common, message: m.ipBlockServices(cidr, names, ctx.serviceCidr.toString(), direction), endpoints: [] });
  }
  if (partly(podRange)) {
    const inside = sortedIds(pods.filter((e) => e.ips.some((ip) => block.has(ip))).map((e) => e.id));
    drafts.push({ ...common, message: m.ipBlockPods(cidr, ctx.options.engine.podNetwork.toString(), inside), endpoints: inside });
  }
  return drafts;
}

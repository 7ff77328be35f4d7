import { type AdminEgressPeer, type AdminPolicy, type AdminRule, effectiveAction } from "../../model/admin-policy.js";
import { formatObjectRef } from "../../model/cluster.js";
import { nodePodCidrs } from "../../model/pod-network.js";
import { MATCH_ALL } from "../../model/selector.js";
import { AddressSet } from "../../net/address-set.js";
import { formatCidr } from "../../net/cidr.js";
import { ruleCoversPiece, rulesOf, strictlyBefore, subjectCovers } from "../admin-cover.js";
import { adminObject, sortedIds } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import type { Draft, LintRule } from "../types.js";

export const adminNetworksCoverCluster: LintRule = {
  id: "admin-networks-cover-cluster",
  severity: "warning",
  summary: "An admin `networks` peer covers pod or Service addresses.",
  description:
    "A `networks` peer of an admin policy \"is intended for representing entities that live outside the cluster ... but note that cluster-internal traffic will be checked against the rule as well. So if you Accept or Deny traffic to \"0.0.0.0/0\", that will allow or deny all IPv4 pod-to-pod traffic as well. If you don't want that, add a rule that Passes all pod traffic before the Networks rule.\" A networks CIDR that overlaps the pod network (--pod-cidr, the Nodes' podCIDRs, the known pod IPs) is reported (info) unless a rule before it in its tier, for every pod the policy selects, already decides all traffic to pods (a Pass of `namespaces: {}`, say). A CIDR that lies in the Service range, or covers part of it (--service-cidr, default 10.96.0.0/12, and the Services' clusterIPs), is a warning: policies see the addresses after Service translation, so a ClusterIP never matches.",
  docs: "docs/rules/admin-networks-cover-cluster.md",
  check: (ctx) => {
    const drafts: Draft[] = [];
    const policies = ctx.cluster.adminPolicies ?? [];
    const pods = ctx.cluster.endpoints.filter((e) => !e.hostNetwork && e.ips.length > 0);
    const podRange = ctx.options.engine.podNetwork.union(AddressSet.fromCidrs(nodePodCidrs(ctx.cluster))).union(AddressSet.fromIps(pods.flatMap((e) => e.ips)));
    const serviceRange = ctx.serviceCidr.union(AddressSet.fromIps(ctx.cluster.services.flatMap((s) => s.clusterIps)));
    for (const policy of policies) {
      for (const rule of rulesOf(policy, "egress")) {
        if (rule.match.kind !== "as-written") continue;
        for (const peer of rule.match.peers) {
          if (peer.kind !== "networks") continue;
          const block = AddressSet.fromCidrs(peer.networks);
          const cidrs = peer.networks.map(formatCidr);
          const common = { object: adminObject(policy), at: peer.at, endpoints: ctx.adminSubjects(policy, "egress").map((e) => e.id) };
          // Inside the Service range, or part of it: a block holding all of it and more (10.0.0.0/8) is broad, not about Services.
          if (block.overlaps(serviceRange) && (!block.contains(serviceRange) || serviceRange.contains(block))) {
            const services = ctx.cluster.services.filter((s) => s.clusterIps.some((ip) => block.has(ip)));
            const names = sortedIds(services.map((s) => formatObjectRef({ kind: "Service", namespace: s.namespace, name: s.name })));
            drafts.push({ ...common, message: m.adminNetworksServices(cidrs, names, ctx.serviceCidr.toString()), hint: m.adminNetworksServicesHint() });
          }
          if (block.overlaps(podRange) && !podTrafficDecidedBefore(policies, policy, rule)) {
            const action = effectiveAction(rule);
            drafts.push({ ...common, message: m.adminNetworksPods(cidrs, podRange.describe(), action), hint: m.adminNetworksPodsHint(), severity: "info" });
          }
        }
      }
    }
    return drafts;
  },
};

/**
 * Whether, for every pod the policy selects, a rule before `rule` in its tier decides all egress to
 * pods ("add a rule that Passes all pod traffic before the Networks rule"): one that matches
 * `namespaces: {}` on every protocol, in the policy above it or in a policy that comes strictly
 * before it and selects every pod it selects.
 */
function podTrafficDecidedBefore(policies: readonly AdminPolicy[], policy: AdminPolicy, rule: AdminRule<AdminEgressPeer>): boolean {
  const allPods = { peer: { kind: "namespaces" as const, namespaces: MATCH_ALL, at: rule.at }, protocol: "all" as const };
  const earlier = [
    ...policies.filter((q) => strictlyBefore(q, policy) && subjectCovers(q.subject, policy.subject)).flatMap((q) => rulesOf(q, "egress")),
    ...rulesOf(policy, "egress").filter((r) => r.index < rule.index),
  ];
  return earlier.some((r) => ruleCoversPiece(r, allPods));
}


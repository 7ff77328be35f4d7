import type { Cluster, Policy } from "../model/cluster.js";
import type { AdminPolicy } from "../model/admin-policy.js";
import type { Cidr } from "../net/cidr.js";
import type { Family } from "../net/ip.js";
import { FAMILIES } from "./elements.js";

/**
 * The address families the cluster has an address of, in `FAMILIES` order: one of four constant
 * arrays, so that equal answers are the same object (the compile cache compares them by identity).
 */
export type ClusterFamilies = readonly Family[];

const BY_PRESENCE: Readonly<Record<string, ClusterFamilies>> = { "00": [], "10": [4], "01": [6], "11": [...FAMILIES] };

/**
 * Which address families exist, decided from the cluster alone (never from one rule): a family
 * exists when some pod or endpoint address, Node address, Service IP, pod CIDR of the node
 * (`podCidrs`: its fail-closed sets), NetworkPolicy ipBlock or admin `networks` CIDR is of that
 * family (an IPv6 ipBlock such as `::/0` keeps IPv6: safe and simple). A family that does not
 * exist gets no rule sets and no rule lookups: no packet of the cluster carries its addresses, and
 * nft reads every set of the table before every command (issue 10: 1,818 empty IPv6 sets at 50k
 * pods in an IPv4 cluster doubled its fixed cost per command).
 */
export function clusterFamilies(cluster: Cluster, podCidrs: readonly Cidr[]): ClusterFamilies {
  const seen = new Set<Family>();
  const all = (): boolean => seen.size === FAMILIES.length;
  const add = (f: Family): void => {
    seen.add(f);
  };
  for (const c of podCidrs) add(c.family);
  for (const e of cluster.endpoints) {
    for (const ip of e.ips) add(ip.family);
    if (all()) return answer(seen);
  }
  for (const s of cluster.services) for (const ip of s.clusterIps) add(ip.family);
  for (const n of cluster.nodes ?? []) {
    for (const a of n.addresses) add(a.ip.family);
    for (const c of n.podCidrs) add(c.family);
  }
  if (all()) return answer(seen);
  for (const f of policyFamilies(cluster.policies)) add(f);
  for (const f of adminPolicyFamilies(cluster.adminPolicies ?? [])) add(f);
  return answer(seen);
}

const answer = (seen: ReadonlySet<Family>): ClusterFamilies => BY_PRESENCE[`${seen.has(4) ? 1 : 0}${seen.has(6) ? 1 : 0}`] as ClusterFamilies;

/** The families of the ipBlocks of `policies`, once per policies array (a pod event hands the same one over). */
function policyFamilies(policies: readonly Policy[]): ReadonlySet<Family> {
  let out = policyFamiliesMemo.get(policies);
  if (out === undefined) {
    const found = new Set<Family>();
    for (const p of policies) {
      for (const rule of [...p.ingress, ...p.egress]) {
        if (rule.peers === "all") continue;
        for (const peer of rule.peers) if (peer.kind === "ipBlock") found.add(peer.cidr.family);
      }
    }
    policyFamiliesMemo.set(policies, (out = found));
  }
  return out;
}

const policyFamiliesMemo = new WeakMap<readonly Policy[], ReadonlySet<Family>>();

/** The families of the `networks` CIDRs of admin egress rules (their other peers are pods and Nodes, counted above). */
function adminPolicyFamilies(policies: readonly AdminPolicy[]): ReadonlySet<Family> {
  const found = new Set<Family>();
  for (const p of policies) {
    for (const rule of p.egress) {
      if (rule.match.kind !== "as-written") continue;
      for (const peer of rule.match.peers) if (peer.kind === "networks") for (const c of peer.networks) found.add(c.family);
    }
  }
  return found;
}

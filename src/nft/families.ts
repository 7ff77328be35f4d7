import type { Cluster, Endpoint, Policy } from "../model/cluster.js";
import type { AdminPolicy } from "../model/admin-policy.js";
import type { Cidr } from "../net/cidr.js";
import type { Family } from "../net/ip.js";
import { FAMILIES } from "./elements.js";

/**
 * The address families the cluster has an address of, in `FAMILIES` order: one of four constant
 * arrays, so that equal answers are the same object (the compile cache compares them by identity).
 */
export type ClusterFamilies = readonly Family[];

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
  // A bit per family (4: 1, 6: 2), so that a scan of 50k pods is a few loads and ORs per pod.
  let seen = 0;
  for (const c of podCidrs) seen |= bit(c.family);
  if (seen !== BOTH) seen |= once(endpointsBits, cluster.endpoints, endpointFamilies);
  for (const s of cluster.services) for (const ip of s.clusterIps) seen |= bit(ip.family);
  for (const n of cluster.nodes ?? []) {
    for (const a of n.addresses) seen |= bit(a.ip.family);
    for (const c of n.podCidrs) seen |= bit(c.family);
  }
  if (seen !== BOTH) seen |= once(policiesBits, cluster.policies, policyFamilies);
  for (const p of seen === BOTH ? [] : (cluster.adminPolicies ?? [])) seen |= adminPolicyFamilies(p);
  return BY_BITS[seen] as ClusterFamilies;
}

const BOTH = 3;
const bit = (f: Family): number => (f === 4 ? 1 : 2);
/** The answers by bits seen: none, IPv4, IPv6, both. */
const BY_BITS: readonly ClusterFamilies[] = [[], [4], [6], [...FAMILIES]];

/**
 * The bits of every item of `list`, once per list object: the view hands over the same pods list
 * while no pod changed and the same policies list while no policy changed (a scan of 50k pods is
 * ~2 ms, of 10k policies more: not for every event).
 */
function once<T>(memo: WeakMap<readonly T[], number>, list: readonly T[], bitsOf: (item: T) => number): number {
  let out = memo.get(list);
  if (out === undefined) {
    out = 0;
    for (const item of list) {
      out |= bitsOf(item);
      if (out === BOTH) break;
    }
    memo.set(list, out);
  }
  return out;
}

const endpointsBits = new WeakMap<readonly Endpoint[], number>();
const policiesBits = new WeakMap<readonly Policy[], number>();

function endpointFamilies(e: Endpoint): number {
  let out = 0;
  for (const ip of e.ips) out |= bit(ip.family);
  return out;
}

/** The families of a policy's ipBlocks, as bits, once per policy object (a policy event keeps the others). */
function policyFamilies(p: Policy): number {
  let out = policyBits.get(p);
  if (out === undefined) {
    out = 0;
    for (const rule of [...p.ingress, ...p.egress]) {
      if (rule.peers === "all") continue;
      for (const peer of rule.peers) if (peer.kind === "ipBlock") out |= bit(peer.cidr.family);
    }
    policyBits.set(p, out);
  }
  return out;
}

const policyBits = new WeakMap<Policy, number>();

/** The families of the `networks` CIDRs of an admin policy's egress rules, as bits (its other peers are pods and Nodes, counted above). */
function adminPolicyFamilies(p: AdminPolicy): number {
  let out = 0;
  for (const rule of p.egress) {
    if (rule.match.kind !== "as-written") continue;
    for (const peer of rule.match.peers) if (peer.kind === "networks") for (const c of peer.networks) out |= bit(c.family);
  }
  return out;
}

/**
 * Where pods without a known IP sit: one decision for every command. An explicit `--pod-cidr`
 * wins; else the Nodes' `spec.podCIDRs`, when the input has Nodes with pod ranges; else the default.
 */
import { AddressSet } from "../net/address-set.js";
import type { Cidr } from "../net/cidr.js";
import type { Cluster } from "./cluster.js";

export type PodNetworkFrom = "flag" | "nodes" | "default";

export interface PodNetwork {
  readonly podNetwork: AddressSet;
  readonly from: PodNetworkFrom;
}

/** `given`: the `--pod-cidr` network and whether the flag was given (else it is the default). */
export function choosePodNetwork(given: PodNetwork, cluster: Cluster): PodNetwork {
  if (given.from === "flag") return given;
  const cidrs = nodePodCidrs(cluster);
  return cidrs.length === 0 ? given : { podNetwork: AddressSet.fromCidrs(cidrs), from: "nodes" };
}

/** Every pod range of the Nodes in the input, in input order. */
export function nodePodCidrs(cluster: Cluster): Cidr[] {
  return (cluster.nodes ?? []).flatMap((n) => n.podCidrs);
}

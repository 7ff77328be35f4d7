import type { Endpoint, Peer } from "../model/cluster.js";
import { AddressSet } from "../net/address-set.js";
import type { EngineOptions, Target } from "./types.js";

/**
 * The addresses an endpoint may have: its known pod IPs; otherwise somewhere in the pod network
 * (or, for a host-network pod with no known IP, anywhere: the node's address is not modelled).
 */
export function endpointAddresses(endpoint: Endpoint, options: EngineOptions): AddressSet {
  if (endpoint.ips.length > 0) return AddressSet.fromIps(endpoint.ips);
  return endpoint.hostNetwork ? AddressSet.ALL : options.podNetwork;
}

export function targetAddresses(target: Target, options: EngineOptions): AddressSet {
  return target.kind === "endpoint" ? endpointAddresses(target.endpoint, options) : target.addresses;
}

/** "cidr ... except: a list of CIDRs that should not be included within the IPBlock." */
export function ipBlockAddresses(peer: Extract<Peer, { kind: "ipBlock" }>): AddressSet {
  return AddressSet.fromCidr(peer.cidr).subtract(AddressSet.fromCidrs(peer.except));
}

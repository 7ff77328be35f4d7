/**
 * The JSON forms of shared values (docs/json.md). Every `-o json` document is built from these,
 * and the text views read the same objects.
 */
import type { Endpoint, WorkloadKind } from "../model/cluster.js";
import type { AddressSet } from "../net/address-set.js";
import { formatCidr } from "../net/cidr.js";
import { formatIp } from "../net/ip.js";
import { short } from "./addresses.js";
import { endpointAddresses, targetAddresses } from "../engine/addresses.js";
import type { EngineOptions, Target } from "../engine/types.js";

export { type LocationJson, locationJson } from "../diag/location.js";

/** An address set as its smallest list of CIDR blocks, IPv4 first. */
export function addressesJson(set: AddressSet): string[] {
  return set.toCidrs().map(formatCidr);
}

export type TargetJson =
  | {
      readonly kind: "endpoint";
      readonly id: string;
      readonly namespace: string;
      readonly name: string;
      readonly workload: WorkloadKind;
      readonly hostNetwork: boolean;
      /** Known pod IPs; empty when the manifests carry none. */
      readonly ips: readonly string[];
      /** The addresses the analysis assumes: the known IPs, else the pod network; only `address` when set. */
      readonly addresses: readonly string[];
      /** Set when the endpoint was named by one of its IPs (a dual-stack pod): the connection uses that one. */
      readonly address?: string;
    }
  | { readonly kind: "external"; readonly addresses: readonly string[] };

export function endpointJson(endpoint: Endpoint, options: EngineOptions): Extract<TargetJson, { kind: "endpoint" }> {
  return {
    kind: "endpoint",
    id: endpoint.id,
    namespace: endpoint.namespace,
    name: endpoint.name,
    workload: endpoint.kind,
    hostNetwork: endpoint.hostNetwork,
    ips: endpoint.ips.map(formatIp),
    addresses: addressesJson(endpointAddresses(endpoint, options)),
  };
}

export function targetJson(target: Target, options: EngineOptions): TargetJson {
  if (target.kind === "external") return { kind: "external", addresses: addressesJson(target.addresses) };
  const json = endpointJson(target.endpoint, options);
  if (target.address === undefined) return json;
  return { ...json, addresses: addressesJson(targetAddresses(target, options)), address: formatIp(target.address) };
}

/** `10.0.0.1` for a single address, CIDRs otherwise: how addresses read in sentences. */
export function formatAddresses(cidrs: readonly string[]): string {
  return cidrs.length === 0 ? "no address" : cidrs.map(short).join(", ");
}

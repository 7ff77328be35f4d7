import type { Endpoint } from "../../model/cluster.js";
import type { Labels } from "../../model/labels.js";
import type { ContainerPort } from "../../model/ports.js";
import type { AddressSet } from "../../net/address-set.js";
import { endpointAddresses } from "../addresses.js";
import type { LabelClass } from "../classes.js";
import type { EngineOptions } from "../types.js";
import type { AddressBounds } from "./address-bounds.js";

/**
 * A matrix class: endpoints that every rule treats alike, as source and as destination. They share
 * a label class (namespace, labels, host network), their declared container ports (named ports
 * resolve against them) and their ipBlock atoms (every ipBlock admits all, part or none of each).
 * The first endpoint stands for the others (its ports and addresses).
 */
export interface MatrixClass {
  readonly index: number;
  readonly key: string;
  readonly labelClass: LabelClass;
  readonly namespace: string;
  readonly namespaceLabels: Labels;
  readonly hostNetwork: boolean;
  readonly ports: readonly ContainerPort[];
  readonly portsKey: string;
  readonly addresses: AddressSet;
  /** Whether `addresses` are the endpoint's own IPs (rather than the pod network, or anywhere). */
  readonly knownIps: boolean;
}

export function portsKey(ports: readonly ContainerPort[]): string {
  const one = (p: ContainerPort): string => `${p.name ?? ""}:${p.port}/${p.protocol}`;
  if (ports.length <= 1) return ports.length === 0 ? "" : one(ports[0] as ContainerPort);
  return ports.map(one).sort().join(",");
}

/** Whether an ipBlock can admit this endpoint: host-network ones always, pods by the option. */
export function ipBlocksApply(endpoint: { readonly hostNetwork: boolean }, options: EngineOptions): boolean {
  return endpoint.hostNetwork || options.ipBlockMatchesPods;
}

export function matrixClassKey(endpoint: Endpoint, labelClass: LabelClass, bounds: AddressBounds, options: EngineOptions, ports = portsKey(endpoint.ports)): string {
  const sig = bounds.classSignature(endpointAddresses(endpoint, options), ipBlocksApply(endpoint, options));
  return `${labelClass.index}#${ports}#${sig}`;
}

export function newMatrixClass(index: number, key: string, endpoint: Endpoint, labelClass: LabelClass, options: EngineOptions, ports: string): MatrixClass {
  return {
    index,
    key,
    labelClass,
    namespace: labelClass.namespace,
    namespaceLabels: labelClass.namespaceLabels,
    hostNetwork: labelClass.hostNetwork,
    ports: endpoint.ports,
    portsKey: ports,
    addresses: endpointAddresses(endpoint, options),
    knownIps: endpoint.ips.length > 0,
  };
}

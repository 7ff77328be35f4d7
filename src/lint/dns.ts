import type { Location } from "../diag/location.js";
import type { Cluster, Endpoint } from "../model/cluster.js";
import { formatSelector } from "../model/selector.js";
import { type DnsConfig, assumedDnsPod, findClusterDns } from "../model/well-known.js";
import { AddressSet } from "../net/address-set.js";
import { formatIp } from "../net/ip.js";
import type { Target } from "../engine/types.js";

/** One place the pods send DNS queries to. */
export interface DnsTarget {
  /** `kube-system/coredns`, or an address like `169.254.20.10`. */
  readonly name: string;
  readonly target: Target;
}

export interface DnsResolution {
  readonly targets: readonly DnsTarget[];
  /** What the targets are, for messages: `kube-system/kube-dns (pods k8s-app=kube-dns)`. */
  readonly description: string;
  /** The conventional kube-dns endpoint, added when the input holds no DNS pods. */
  readonly synthetic: Endpoint | null;
}

const SYNTHETIC_AT: Location = { file: "<synthetic>", line: 0, column: 0, document: 0, path: "" };

/**
 * The cluster DNS as model/well-known.ts finds it, as engine targets: the `--dns` addresses, or
 * the DNS pods; when the input holds none, a synthetic kube-dns endpoint stands for them, so
 * that policy-only repositories can be checked too.
 */
export function resolveDns(cluster: Cluster, config: DnsConfig | undefined): DnsResolution {
  const dns = findClusterDns(cluster, config);
  if (dns.pods === null) {
    const targets = dns.addresses.map((ip) => ({ name: formatIp(ip), target: { kind: "external" as const, addresses: AddressSet.fromIp(ip) } }));
    return { targets, description: targets.map((t) => t.name).join(", "), synthetic: null };
  }
  const synthetic = assumedDnsPod(dns, SYNTHETIC_AT);
  const pods = synthetic === null ? dns.pods.found : [synthetic];
  const targets = pods.map((e) => ({ name: e.id, target: { kind: "endpoint" as const, endpoint: e } }));
  const { what, selector, namespace } = dns.pods;
  return { targets, description: `${what} (pods ${formatSelector(selector)} in ${namespace}${synthetic === null ? "" : ", none in the input: assumed"})`, synthetic };
}

import type { Location } from "../diag/location.js";
import type { Cluster, Endpoint } from "../model/cluster.js";
import type { ContainerPort } from "../model/ports.js";
import { type LabelSelector, formatSelector, selectorMatches } from "../model/selector.js";
import { AddressSet } from "../net/address-set.js";
import { formatIp } from "../net/ip.js";
import type { Target } from "../engine/types.js";
import type { DnsOptions } from "./types.js";
import { labelsSatisfying, witnessEndpoint } from "./witness.js";

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

export const DNS_NAMESPACE = "kube-system";
export const DNS_SERVICE = "kube-dns";
const DNS_LABELS: LabelSelector = { requirements: [{ key: "k8s-app", operator: "In", values: ["kube-dns"] }] };
const DNS_PORTS: readonly ContainerPort[] = [
  { name: "dns", port: 53, protocol: "UDP" },
  { name: "dns-tcp", port: 53, protocol: "TCP" },
];
const SYNTHETIC_AT: Location = { file: "<synthetic>", line: 0, column: 0, document: 0, path: "" };

/**
 * Where the cluster DNS is: the addresses of `dns.ips`, the pods of `dns.pods`, or by default the
 * pods behind the kube-system/kube-dns Service (its selector), else the pods labelled
 * `k8s-app=kube-dns` in kube-system. When no such pod is in the input, a synthetic kube-dns
 * endpoint stands for them (namespace kube-system, its labels, ports 53/UDP `dns` and 53/TCP
 * `dns-tcp`), so that policy-only repositories can be checked too.
 */
export function resolveDns(cluster: Cluster, options: DnsOptions | undefined): DnsResolution {
  const targets: DnsTarget[] = [];
  const parts: string[] = [];
  for (const ip of options?.ips ?? []) {
    targets.push({ name: formatIp(ip), target: { kind: "external", addresses: AddressSet.fromIp(ip) } });
  }
  if (targets.length > 0) parts.push(targets.map((t) => t.name).join(", "));
  let synthetic: Endpoint | null = null;
  if (options?.pods !== undefined || targets.length === 0) {
    const { namespace, selector, what } = podsOf(cluster, options);
    const pods = cluster.endpoints.filter((e) => e.namespace === namespace && selectorMatches(selector, e.labels));
    if (pods.length === 0) {
      const labels = labelsSatisfying(selector);
      if (labels !== null) {
        synthetic = witnessEndpoint(namespace, DNS_SERVICE, labels, SYNTHETIC_AT, DNS_PORTS);
        pods.push(synthetic);
      }
    }
    for (const e of pods) targets.push({ name: e.id, target: { kind: "endpoint", endpoint: e } });
    parts.push(`${what} (pods ${formatSelector(selector)} in ${namespace}${synthetic === null ? "" : ", none in the input: assumed"})`);
  }
  return { targets, description: parts.join(" or "), synthetic };
}

function podsOf(cluster: Cluster, options: DnsOptions | undefined): { namespace: string; selector: LabelSelector; what: string } {
  if (options?.pods !== undefined) return { ...options.pods, what: "the DNS pods" };
  const service = cluster.services.find((s) => s.namespace === DNS_NAMESPACE && s.name === DNS_SERVICE);
  if (service !== undefined && service.selector !== null) {
    const selector: LabelSelector = {
      requirements: [...service.selector.entries()].map(([key, value]) => ({ key, operator: "In" as const, values: [value] })),
    };
    return { namespace: DNS_NAMESPACE, selector, what: `${DNS_NAMESPACE}/${DNS_SERVICE}` };
  }
  return { namespace: DNS_NAMESPACE, selector: DNS_LABELS, what: `${DNS_NAMESPACE}/${DNS_SERVICE}` };
}

/**
 * Cluster DNS in the lab, pure. There is no kube-proxy and no ClusterIP in the lab: a Service's
 * name resolves to the addresses of the lab pods its selector picks, as a headless Service does.
 */
import type { Cluster, Endpoint, Service } from "../model/cluster.js";
import type { Labels } from "../model/labels.js";
import { CLUSTER_DOMAIN, findClusterDns, isDnsPod, serviceDomainName } from "../model/well-known.js";
import { type Ip, formatIp } from "../net/ip.js";

export interface LabPodAddress {
  readonly endpoint: Endpoint;
  readonly ip: Ip;
}

function selects(selector: Labels, e: Endpoint): boolean {
  for (const [k, v] of selector) if (e.labels.get(k) !== v) return false;
  return true;
}

function selected(service: Service, pods: readonly LabPodAddress[]): LabPodAddress[] {
  const selector = service.selector;
  if (selector === null) return [];
  return pods.filter((p) => p.endpoint.namespace === service.namespace && selects(selector, p.endpoint));
}

/** The lab pods that serve cluster DNS, as model/well-known.ts finds the DNS pods. */
export function dnsPods(cluster: Cluster, pods: readonly LabPodAddress[]): Set<Endpoint> {
  const dns = findClusterDns(cluster).pods;
  return new Set(pods.flatMap((p) => (dns !== null && isDnsPod(dns, p.endpoint) ? [p.endpoint] : [])));
}

/** `10-244-0-5.production.pod.cluster.local`, as Kubernetes names pod addresses (`:` becomes `-` too). */
export function podName(pod: LabPodAddress): string {
  return `${formatIp(pod.ip).replace(/[.:]/g, "-")}.${pod.endpoint.namespace}.pod.${CLUSTER_DOMAIN}`;
}

/**
 * The names cluster DNS answers in the lab:
 * - `<service>.<namespace>.svc.cluster.local` for every Service with a selector → the lab pods it picks;
 * - `<name>.<namespace>.svc.cluster.local` for every lab pod no Service of that name claims, as if
 *   each workload had a headless Service of its own name (apps name their peers so; a StatefulSet's
 *   serviceName usually is its own name);
 * - `<address with dashes>.<namespace>.pod.cluster.local` for every lab pod.
 */
export function dnsNames(cluster: Cluster, pods: readonly LabPodAddress[]): Record<string, string[]> {
  const names = new Map<string, string[]>();
  for (const s of cluster.services) {
    if (s.selector === null) continue;
    names.set(serviceDomainName(s.namespace, s.name), selected(s, pods).map((p) => formatIp(p.ip)));
  }
  for (const p of pods) {
    const name = serviceDomainName(p.endpoint.namespace, p.endpoint.name);
    if (!names.has(name)) names.set(name, [formatIp(p.ip)]);
    names.set(podName(p), [formatIp(p.ip)]);
  }
  return Object.fromEntries([...names].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

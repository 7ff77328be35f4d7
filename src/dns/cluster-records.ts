/**
 * The cluster's own names, as its DNS (CoreDNS's kubernetes plugin) serves them, made from the
 * input: `<service>.<namespace>.svc.cluster.local` → the ClusterIP(s) of a ClusterIP Service, the
 * pod IPs of a headless Service's backends, a CNAME to `externalName` for an ExternalName Service.
 * Added to every resolution snapshot, so that a domain rule naming them means what it means in a
 * cluster (issue 12: "ClusterIP Service names never match (post-DNAT), headless ones do": the
 * connection's destination after kube-proxy's DNAT is a pod IP, never the ClusterIP).
 */
import type { Cluster, Service } from "../model/cluster.js";
import { serviceBackends } from "../model/service.js";
import { CLUSTER_DNS_TTL, serviceDomainName } from "../model/well-known.js";
import { compareIps, type Ip } from "../net/ip.js";
import { type DnsName, dnsName } from "./names.js";
import type { DnsRecord } from "./snapshot.js";

/** `api.shop.svc.cluster.local`: a Service's name in the cluster DNS (null for a name DNS cannot hold). */
export function serviceDnsName(service: Pick<Service, "namespace" | "name">): DnsName | null {
  return dnsName(serviceDomainName(service.namespace, service.name));
}

/** The records of every Service of the input, in input order; each carries the Service's location. */
export function clusterServiceRecords(cluster: Cluster): DnsRecord[] {
  return cluster.services.flatMap((service) => serviceRecords(cluster, service));
}

function serviceRecords(cluster: Cluster, service: Service): DnsRecord[] {
  const name = serviceDnsName(service);
  if (name === null) return [];
  const at = service.at;
  if (service.externalName !== null) {
    const target = dnsName(service.externalName);
    return target === null ? [] : [{ kind: "cname", name, target, ttl: CLUSTER_DNS_TTL, at }];
  }
  const addresses: readonly Ip[] = service.headless ? distinct(serviceBackends(cluster, service).flatMap((e) => e.ips)) : service.clusterIps;
  return addresses.map((address) => ({ kind: "address", name, address, ttl: CLUSTER_DNS_TTL, at }));
}

function distinct(ips: readonly Ip[]): Ip[] {
  const sorted = [...ips].sort(compareIps);
  return sorted.filter((ip, i) => i === 0 || compareIps(sorted[i - 1] as Ip, ip) !== 0);
}

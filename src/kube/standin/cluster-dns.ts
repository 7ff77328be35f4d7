/**
 * The cluster DNS (what CoreDNS's kubernetes plugin answers, reduced): `<svc>.<ns>.svc.cluster.local`
 * → the Service's ClusterIP, or its ready endpoints' pod IPs when headless; `<a-b-c-d>.<ns>.pod.cluster.local`
 * → that address; the external names given; NXDOMAIN otherwise. The records are written to a file
 * the DNS pod's server (dns-serve.ts) reads again whenever it changes.
 */
import { renameSync, writeFileSync } from "node:fs";
import { clusterIpOf, serviceEndpoints } from "./kube-proxy.js";
import type { KubeObject } from "./store.js";
import { CLUSTER_DOMAIN, serviceDomainName } from "../../model/well-known.js";

/** Every name the cluster DNS answers, with its addresses. */
export function clusterDnsRecords(services: readonly KubeObject[], pods: readonly KubeObject[], external: Readonly<Record<string, readonly string[]>>): Record<string, string[]> {
  const records: Record<string, string[]> = {};
  const add = (name: string, ips: readonly string[]): void => {
    records[name.toLowerCase()] = [...(records[name.toLowerCase()] ?? []), ...ips];
  };
  for (const [name, ips] of Object.entries(external)) add(name.replace(/\.$/, ""), ips);
  for (const svc of services) {
    const name = serviceDomainName(svc.metadata.namespace ?? "default", svc.metadata.name);
    const ip = clusterIpOf(svc);
    add(name, ip !== undefined ? [ip] : serviceEndpoints(svc, pods).map((e) => e.ip));
  }
  for (const pod of pods) {
    const ip = (pod["status"] as { podIP?: string } | undefined)?.podIP;
    if (ip !== undefined) add(`${ip.replaceAll(".", "-")}.${pod.metadata.namespace ?? "default"}.pod.${CLUSTER_DOMAIN}`, [ip]);
  }
  return records;
}

/** Replaces the records file atomically (the server never reads half of it). */
export function writeDnsRecords(path: string, records: Readonly<Record<string, readonly string[]>>): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(records));
  renameSync(`${path}.tmp`, path);
}

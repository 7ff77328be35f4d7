/**
 * The three destinations the default view reports for every workload: the public internet, the
 * cloud metadata addresses, and cluster DNS, as model/well-known.ts defines them. Each is
 * computed from the reachability analyses.
 */
import { ConnSet } from "../analysis/connset.js";
import { sortedEndpoints } from "../analysis/matrix.js";
import { type externalConns, pairConns } from "../analysis/reach.js";
import type { Cluster, Endpoint } from "../model/cluster.js";
import { type DnsConfig, assumedDnsPod, findClusterDns } from "../model/well-known.js";
import { AddressSet } from "../net/address-set.js";
import { type Ip, formatIp } from "../net/ip.js";
import { Engine } from "../engine/engine.js";
import type { Target } from "../engine/types.js";
import type { Access, WorkloadEgressJson } from "./egress-view.js";
import { addressesJson } from "./json.js";

export type Regions = ReturnType<typeof externalConns>;

export function internet(regions: Regions, space: AddressSet): WorkloadEgressJson["internet"] {
  const allowed = regions.flatMap((r) => {
    const inside = r.addresses.intersect(space);
    return inside.isEmpty() ? [] : [{ addresses: inside, conns: r.conns }];
  });
  const covered = allowed.reduce((acc, r) => acc.union(r.addresses), AddressSet.EMPTY);
  const access: Access = allowed.length === 0 ? "blocked" : covered.contains(space) && allowed.every((r) => r.conns.isAll()) ? "allowed" : "limited";
  return { access, allowed: allowed.map((r) => ({ to: addressesJson(r.addresses), conns: r.conns.toJSON() })) };
}

type MetadataAccess = WorkloadEgressJson["cloudMetadata"]["addresses"][number];

function metadataAccess(regions: Regions, ip: Ip): MetadataAccess {
  const region = regions.find((r) => r.addresses.has(ip));
  if (region === undefined) return { address: formatIp(ip), access: "blocked", conns: null };
  return { address: formatIp(ip), access: region.conns.isAll() ? "allowed" : "limited", conns: region.conns.toJSON() };
}

const OPENNESS: readonly Access[] = ["blocked", "limited", "allowed"];

/** Every metadata address; the summary is the most open of them (the first, on ties). */
export function metadata(regions: Regions, addresses: readonly Ip[]): WorkloadEgressJson["cloudMetadata"] {
  const each = addresses.map((ip) => metadataAccess(regions, ip));
  const worst = each.reduce<MetadataAccess | undefined>((w, a) => (w === undefined || OPENNESS.indexOf(a.access) > OPENNESS.indexOf(w.access) ? a : w), undefined);
  return { access: worst?.access ?? "blocked", address: worst?.address ?? "", conns: worst?.conns ?? null, addresses: each };
}

/** The cluster DNS (model/well-known.ts): the --dns addresses, else a DNS pod, assumed when the manifests have none. */
export interface DnsServer {
  readonly engine: Engine;
  readonly target: Target;
  /** The server as shown: `kube-system/coredns-1`, or the --dns addresses. */
  readonly name: string;
  readonly assumed: boolean;
}

export function dnsServer(engine: Engine, config: DnsConfig = {}): DnsServer {
  const dns = findClusterDns(engine.cluster, config);
  if (dns.addresses.length > 0) {
    return { engine, target: { kind: "external", addresses: AddressSet.fromIps(dns.addresses) }, name: dns.addresses.map(formatIp).join(", "), assumed: false };
  }
  const found = sortedEndpoints(dns.pods?.found ?? [])[0];
  if (found !== undefined) return { engine, target: { kind: "endpoint", endpoint: found }, name: found.id, assumed: false };
  const endpoint = assumedDnsPod(dns, { file: "<assumed>", line: 0, column: 0, document: 0, path: "" });
  if (endpoint === null) throw new Error("unreachable: no DNS address and no assumed DNS pod");
  // A second engine over the cluster plus the assumed DNS pod: the analysed one stays as loaded.
  const cluster: Cluster = { ...engine.cluster, endpoints: [...engine.cluster.endpoints, endpoint] };
  return { engine: Engine.compile(cluster, engine.options), target: { kind: "endpoint", endpoint }, name: endpoint.id, assumed: true };
}

const DNS_CONNS = ConnSet.port("UDP", 53).union(ConnSet.port("TCP", 53));

export function dnsAccess(dns: DnsServer, e: Endpoint): WorkloadEgressJson["dns"] {
  // The assumed cluster holds the same endpoint objects, so `e` is one of its endpoints too.
  const conns = pairConns(dns.engine, { kind: "endpoint", endpoint: e }, dns.target);
  const full = conns.full.intersect(DNS_CONNS);
  const some = conns.partial.intersect(DNS_CONNS);
  const access: Access = full.has("UDP", 53) ? "allowed" : full.isEmpty() && some.isEmpty() ? "blocked" : "limited";
  const shown = full.union(some);
  return { access, conns: shown.isEmpty() ? null : shown.toJSON() };
}

/**
 * The three destinations the default view reports for every workload: the public internet, the
 * cloud metadata address, and cluster DNS. Each is computed from the reachability analyses.
 */
import { ConnSet } from "../analysis/connset.js";
import { sortedEndpoints } from "../analysis/matrix.js";
import { type externalConns, pairConns } from "../analysis/reach.js";
import type { Cluster, Endpoint } from "../model/cluster.js";
import { AddressSet } from "../net/address-set.js";
import { parseIp } from "../net/ip.js";
import { Engine } from "../engine/engine.js";
import { cidrSet } from "./addresses.js";
import type { Access, WorkloadEgressJson } from "./egress-view.js";
import { addressesJson } from "./json.js";

/** Address ranges that are not the public internet (RFC 6890 special-purpose, private, link-local, multicast). */
const NOT_INTERNET_V4 = ["0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4"];
const INTERNET_V6 = "2000::/3";
const METADATA = "169.254.169.254";
const DNS_LABEL = ["k8s-app", "kube-dns"] as const;

/** The public IPv4 space, and the IPv6 global unicast space when the pod network has IPv6. */
export function internetAddresses(podNetwork: AddressSet): AddressSet {
  const v4 = cidrSet(["0.0.0.0/0"]).subtract(cidrSet(NOT_INTERNET_V4));
  return podNetwork.v6.isEmpty() ? v4 : v4.union(cidrSet([INTERNET_V6]));
}

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

export function metadata(regions: Regions): WorkloadEgressJson["cloudMetadata"] {
  const ip = parseIp(METADATA);
  const region = ip === undefined ? undefined : regions.find((r) => r.addresses.has(ip));
  if (region === undefined) return { access: "blocked", address: METADATA, conns: null };
  return { access: region.conns.isAll() ? "allowed" : "limited", address: METADATA, conns: region.conns.toJSON() };
}

/** The cluster DNS pods: those labelled k8s-app=kube-dns; when the manifests have none, assumed in kube-system. */
export interface DnsServer {
  readonly engine: Engine;
  readonly endpoint: Endpoint;
  readonly assumed: boolean;
}

export function dnsServer(engine: Engine): DnsServer {
  const found = sortedEndpoints(engine.cluster.endpoints).find((e) => e.labels.get(DNS_LABEL[0]) === DNS_LABEL[1]);
  if (found !== undefined) return { engine, endpoint: found, assumed: false };
  const endpoint: Endpoint = {
    id: "kube-system/kube-dns",
    namespace: "kube-system",
    name: "kube-dns",
    kind: "Pod",
    labels: new Map([DNS_LABEL]),
    ips: [],
    hostNetwork: false,
    ports: [
      { name: "dns", port: 53, protocol: "UDP" },
      { name: "dns-tcp", port: 53, protocol: "TCP" },
    ],
    pods: ["kube-dns"],
    at: { file: "<assumed>", line: 0, column: 0, document: 0, path: "" },
  };
  // A second engine over the cluster plus the assumed DNS pod: the analysed one stays as loaded.
  const cluster: Cluster = { ...engine.cluster, endpoints: [...engine.cluster.endpoints, endpoint] };
  return { engine: Engine.compile(cluster, engine.options), endpoint, assumed: true };
}

const DNS_CONNS = ConnSet.port("UDP", 53).union(ConnSet.port("TCP", 53));

export function dnsAccess(dns: DnsServer, e: Endpoint): WorkloadEgressJson["dns"] {
  // The assumed cluster holds the same endpoint objects, so `e` is one of its endpoints too.
  const conns = pairConns(dns.engine, { kind: "endpoint", endpoint: e }, { kind: "endpoint", endpoint: dns.endpoint });
  const full = conns.full.intersect(DNS_CONNS);
  const some = conns.partial.intersect(DNS_CONNS);
  const access: Access = full.has("UDP", 53) ? "allowed" : full.isEmpty() && some.isEmpty() ? "blocked" : "limited";
  const shown = full.union(some);
  return { access, conns: shown.isEmpty() ? null : shown.toJSON() };
}

/**
 * The DNS redirect of the node agent's proxy: the queries (UDP and TCP 53) that pods some
 * `domainNames` rule selects send to the cluster DNS go to the proxy instead, which learns from the
 * answers what each pod resolved (src/enforce/dns-learner.ts). Other pods' DNS is untouched.
 *
 * "Filter before redirecting": a redirected packet is delivered to the node (input), so it never
 * crosses the forward chain where the pod's egress verdict is taken. So the verdict is taken here,
 * in a prerouting filter chain that runs before the NAT: the engine's verdict for the pod's egress
 * to the cluster DNS on port 53 (`Engine.check`, the same answer as `portcullis check`), per
 * protocol. A subject whose query its policies deny is dropped there; the others are sent to the
 * proxy by DNAT. Both chains come before kube-proxy's DNAT of the DNS Service (priority dstnat,
 * -100): the NAT core binds a connection at the first NAT chain that maps it, so ours wins.
 *
 * DNAT to an address of the node, not REDIRECT: REDIRECT maps to the first address of the
 * interface the packet came in on, and a routed pod veth (Calico, Cilium, the lab) has none; the
 * kernel then drops the packet. The proxy's address is any address the node holds (not loopback:
 * 127.0.0.0/8 from another interface is martian unless route_localnet is set).
 */
import type { Endpoint } from "../model/cluster.js";
import type { Engine } from "../engine/engine.js";
import type { Target } from "../engine/types.js";
import { findClusterDns } from "../model/well-known.js";
import type { Cluster } from "../model/cluster.js";
import type { Protocol } from "../model/ports.js";
import { AddressSet } from "../net/address-set.js";
import { type Family, compareIps, formatIp } from "../net/ip.js";
import { ADDRESS_TYPE, IP_KEYWORD, NFT_PROTOCOL } from "./elements.js";
import type { ClusterFamilies } from "./families.js";
import type { DnsProxyTarget, NftChain, NftSet } from "./types.js";

export const DNS_FILTER_CHAIN = "dns_filter";
export const DNS_REDIRECT_CHAIN = "dns_redirect";
const DNS_PORT = 53;
const DNS_PROTOCOLS: readonly Protocol[] = ["UDP", "TCP"];

/** Before kube-proxy's DNAT (`dstnat`, -100): the filter first, then our NAT. */
export const DNS_FILTER_HOOK = "type filter hook prerouting priority dstnat - 10; policy accept;";
export const DNS_REDIRECT_HOOK = "type nat hook prerouting priority dstnat - 5; policy accept;";

/** Whether `subject` may send DNS queries over `protocol` to the cluster DNS, as the engine says (the pod's egress; "depends" fails closed). */
export function dnsAllowed(engine: Engine, cluster: Cluster, proxy: DnsProxyTarget, subject: Endpoint, protocol: Protocol): boolean {
  return dnsTargets(cluster, proxy).some((to) => engine.check({ from: { kind: "endpoint", endpoint: subject }, to, port: DNS_PORT, protocol }).egress.verdict === "allowed");
}

/** Where the pods' queries end up: the DNS pods of the input (after kube-proxy's DNAT), else the DNS addresses themselves. */
function dnsTargets(cluster: Cluster, proxy: DnsProxyTarget): Target[] {
  const found = findClusterDns(cluster).pods?.found ?? [];
  if (found.length > 0) return found.map((endpoint) => ({ kind: "endpoint", endpoint }));
  return [{ kind: "external", addresses: AddressSet.fromIps(proxy.servers) }];
}

/**
 * The redirect's sets and chains for the families the cluster has that the proxy's address can
 * serve (a DNAT keeps the family): `dns_servers_vN` (the cluster DNS addresses), `dns_subjects_vN`
 * (the subjects' addresses), `dns_clients_vN` (`address . protocol` of the subjects whose query
 * may leave), the filter chain (drops a subject's query its egress denies) and the NAT chain.
 */
export function dnsRedirect(cluster: Cluster, engine: Engine, proxy: DnsProxyTarget, subjects: readonly Endpoint[], families: ClusterFamilies): { sets: NftSet[]; chains: NftChain[] } {
  const f = proxy.address.family;
  const servers = proxy.servers.filter((ip) => ip.family === f);
  const sets: NftSet[] = [];
  const filter: string[] = [];
  const nat: string[] = [];
  if (families.includes(f) && servers.length > 0) {
    const ip = IP_KEYWORD[f];
    const addresses = (values: readonly { family: Family; value: bigint }[]): string[] => [...new Map(values.filter((a) => a.family === f).map((a) => [a.value, a])).values()].sort(compareIps).map(formatIp);
    const subjectIps = addresses(subjects.flatMap((e) => e.ips));
    const clients: string[] = [];
    for (const e of [...subjects].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
      const allowed = DNS_PROTOCOLS.filter((p) => dnsAllowed(engine, cluster, proxy, e, p));
      for (const a of addresses(e.ips)) for (const p of allowed) clients.push(`${a} . ${NFT_PROTOCOL[p]}`);
    }
    sets.push(
      { name: `dns_servers_v${f}`, kind: "set", type: ADDRESS_TYPE[f], interval: false, elements: addresses(servers).map((key) => ({ key })) },
      { name: `dns_subjects_v${f}`, kind: "set", type: ADDRESS_TYPE[f], interval: false, elements: subjectIps.map((key) => ({ key })) },
      { name: `dns_clients_v${f}`, kind: "set", type: `${ADDRESS_TYPE[f]} . inet_proto`, interval: false, elements: [...new Set(clients)].sort().map((key) => ({ key })) },
    );
    const query = `meta l4proto { udp, tcp } th dport ${DNS_PORT} ${ip} daddr @dns_servers_v${f}`;
    filter.push(`${query} ${ip} saddr @dns_subjects_v${f} ${ip} saddr . meta l4proto != @dns_clients_v${f} counter drop`);
    const to = f === 4 ? formatIp(proxy.address) : `[${formatIp(proxy.address)}]`;
    nat.push(`${query} ${ip} saddr . meta l4proto @dns_clients_v${f} counter dnat ${ip} to ${to}:${proxy.port}`);
  }
  return {
    sets,
    chains: [
      { name: DNS_FILTER_CHAIN, base: DNS_FILTER_HOOK, comments: ["the egress verdict of domain-rule subjects' DNS queries, before they are redirected"], rules: filter },
      { name: DNS_REDIRECT_CHAIN, base: DNS_REDIRECT_HOOK, comments: ["domain-rule subjects' DNS queries to the node agent's DNS proxy"], rules: nat },
    ],
  };
}

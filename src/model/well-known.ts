/**
 * The well-known destinations, defined once for every command: the cloud metadata addresses,
 * "the internet" (the public address space) and where the cluster DNS is. Data and pure
 * functions over the bigint address sets of src/net; docs/well-known.md says which ranges and why.
 */
import { AddressSet } from "../net/address-set.js";
import { type Cidr, cidrOf } from "../net/cidr.js";
import type { Family, Ip } from "../net/ip.js";
import type { Cluster, Endpoint } from "./cluster.js";
import type { Labels } from "./labels.js";
import type { ContainerPort } from "./ports.js";
import { type LabelSelector, selectorMatches } from "./selector.js";

const v4 = (a: number, b: number, c: number, d: number): Ip => ({ family: 4, value: (BigInt(a) << 24n) | (BigInt(b) << 16n) | (BigInt(c) << 8n) | BigInt(d) });
/** An IPv6 address from its leading hextets, the rest zero: `v6(0x2001, 0xdb8)` is 2001:db8::. */
const v6 = (...hextets: readonly number[]): Ip => ({ family: 6, value: [...hextets, 0, 0, 0, 0, 0, 0, 0, 0].slice(0, 8).reduce((acc, h) => (acc << 16n) | BigInt(h), 0n) });
const block = (ip: Ip, prefix: number): Cidr => cidrOf(ip, prefix);

// ---- Cloud metadata -------------------------------------------------------------------------

/**
 * The cloud instance metadata services, which hand the node's credentials to whoever asks:
 * - 169.254.169.254: AWS EC2 IMDS, Google Compute Engine, Azure IMDS, OpenStack Nova (and
 *   DigitalOcean, Oracle Cloud, Hetzner, which use the same address);
 * - fd00:ec2::254: AWS EC2 IMDS over IPv6 (Nitro instances);
 * - 100.100.100.200: Alibaba Cloud ECS.
 * The most common first: every command lists them in this order.
 */
export const DEFAULT_METADATA: readonly Ip[] = [v4(169, 254, 169, 254), v6(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254), v4(100, 100, 100, 200)];

/** The metadata addresses: the defaults, then those given with `--metadata` (they add, never replace), once each. */
export function metadataAddresses(extra: readonly Ip[] = []): readonly Ip[] {
  const byKey = new Map<string, Ip>();
  for (const ip of [...DEFAULT_METADATA, ...extra]) if (!byKey.has(`${ip.family}:${ip.value}`)) byKey.set(`${ip.family}:${ip.value}`, ip);
  return [...byKey.values()];
}

// ---- The internet ---------------------------------------------------------------------------

/**
 * IPv4 ranges that are not the internet: the entries of the IANA IPv4 Special-Purpose Address
 * Registry (RFC 6890) that are not globally reachable, and multicast (RFC 5771). The three
 * documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) stay in: examples and
 * tests use them to stand for public addresses. 100.64.0.0/10 (shared, RFC 6598) holds the
 * Alibaba metadata address, which the metadata check covers.
 */
const NOT_INTERNET_V4: readonly Cidr[] = [
  block(v4(0, 0, 0, 0), 8), // "this network" (RFC 791)
  block(v4(10, 0, 0, 0), 8), // private (RFC 1918)
  block(v4(100, 64, 0, 0), 10), // shared address space, carrier-grade NAT (RFC 6598)
  block(v4(127, 0, 0, 0), 8), // loopback (RFC 1122)
  block(v4(169, 254, 0, 0), 16), // link-local (RFC 3927)
  block(v4(172, 16, 0, 0), 12), // private (RFC 1918)
  block(v4(192, 0, 0, 0), 24), // IETF protocol assignments (RFC 6890)
  block(v4(192, 168, 0, 0), 16), // private (RFC 1918)
  block(v4(198, 18, 0, 0), 15), // benchmarking (RFC 2544)
  block(v4(224, 0, 0, 0), 4), // multicast (RFC 5771)
  block(v4(240, 0, 0, 0), 4), // reserved (RFC 1112), and the limited broadcast 255.255.255.255
];

/**
 * The IPv6 internet: global unicast 2000::/3 (RFC 4291) and the NAT64 well-known prefix
 * 64:ff9b::/96 (RFC 6052, globally reachable: an IPv6-only pod reaches IPv4 hosts through it),
 * less the IETF protocol assignments 2001::/23 (RFC 2928). Loopback, unique-local fc00::/7,
 * link-local fe80::/10, multicast ff00::/8 and the rest lie outside. 2001:db8::/32
 * (documentation) stays in, as its IPv4 counterparts do.
 */
const INTERNET_V6: readonly Cidr[] = [block(v6(0x2000), 3), block(v6(0x64, 0xff9b), 96)];
const NOT_INTERNET_V6: readonly Cidr[] = [block(v6(0x2001), 23)];

const INTERNET_BY_FAMILY: Readonly<Record<Family, AddressSet>> = {
  4: AddressSet.fromCidr(block(v4(0, 0, 0, 0), 0)).subtract(AddressSet.fromCidrs(NOT_INTERNET_V4)),
  6: AddressSet.fromCidrs(INTERNET_V6).subtract(AddressSet.fromCidrs(NOT_INTERNET_V6)),
};

/**
 * One address standing for the internet when a single one must be asked about (the page's check of
 * a blocked edge to the internet): a documentation address (RFC 5737, RFC 3849), public by the
 * definition above and never anybody's real host.
 */
export const INTERNET_PROBE: Readonly<Record<Family, Ip>> = { 4: v4(192, 0, 2, 1), 6: v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1) };

/** The internet in the given address families. */
export function internetAddresses(families: ReadonlySet<Family>): AddressSet {
  return ([4, 6] as const).filter((f) => families.has(f)).reduce((acc, f) => acc.union(INTERNET_BY_FAMILY[f]), AddressSet.EMPTY);
}

/**
 * The address families the pods may use: those of the pod network and of every known pod IP
 * (a dual-stack cluster shows itself by its pods' addresses even without --pod-cidr).
 */
export function podFamilies(podNetwork: AddressSet, endpoints: readonly Endpoint[]): ReadonlySet<Family> {
  const families = new Set<Family>(([4, 6] as const).filter((f) => !podNetwork.family(f).isEmpty()));
  for (const e of endpoints) for (const ip of e.ips) families.add(ip.family);
  return families;
}

// ---- Cluster DNS ----------------------------------------------------------------------------

/**
 * The cluster domain: a Service's name is `<service>.<namespace>.svc.cluster.local` (kubelet's
 * `--cluster-domain`, which every distribution leaves at its default).
 */
export const CLUSTER_DOMAIN = "cluster.local";

/** `api.shop.svc.cluster.local`: the name the cluster DNS gives Service `name` of `namespace`. */
export function serviceDomainName(namespace: string, name: string): string {
  return `${name}.${namespace}.svc.${CLUSTER_DOMAIN}`;
}

/** The TTL CoreDNS's kubernetes plugin gives its answers (`ttl`, default 5 seconds). */
export const CLUSTER_DNS_TTL = 5;

export const DNS_NAMESPACE = "kube-system";
export const DNS_SERVICE = "kube-dns";
/** The label kubeadm, kops, EKS, GKE and AKS put on the CoreDNS (formerly kube-dns) pods. */
export const DNS_LABELS: Labels = new Map([["k8s-app", "kube-dns"]]);
export const DNS_PORTS: readonly ContainerPort[] = [
  { name: "dns", port: 53, protocol: "UDP" },
  { name: "dns-tcp", port: 53, protocol: "TCP" },
];

/** Where the pods send DNS queries, as given on the command line (`--dns IP`). */
export interface DnsConfig {
  /** DNS server addresses, e.g. NodeLocal DNSCache's 169.254.20.10. */
  readonly ips?: readonly Ip[];
}

/** The cluster DNS of one cluster. */
export interface ClusterDns {
  /** The addresses given with `--dns`. */
  readonly addresses: readonly Ip[];
  /** The DNS pods, looked for when no address is given; null when addresses are. */
  readonly pods: {
    readonly namespace: string;
    readonly selector: LabelSelector;
    /** The Service that names them: `kube-system/kube-dns`. */
    readonly what: string;
    /** The endpoints of the input that serve DNS, in input order. */
    readonly found: readonly Endpoint[];
    /** Labels for a stand-in DNS pod when none is found. */
    readonly labels: Labels;
  } | null;
}

const labelsSelector = (labels: Labels): LabelSelector => ({
  requirements: [...labels].map(([key, value]) => ({ key, operator: "In" as const, values: [value] })),
});

/**
 * Where the cluster DNS is: the addresses given (`config.ips`, e.g. NodeLocal DNSCache), else
 * the DNS pods: those the Service kube-system/kube-dns selects, else (no such Service) the pods
 * labelled k8s-app=kube-dns in kube-system.
 */
export function findClusterDns(cluster: Cluster, config: DnsConfig = {}): ClusterDns {
  const addresses = [...(config.ips ?? [])];
  if (addresses.length > 0) return { addresses, pods: null };
  const service = cluster.services.find((s) => s.namespace === DNS_NAMESPACE && s.name === DNS_SERVICE);
  const labels = service?.selector ?? DNS_LABELS;
  const pods = { namespace: DNS_NAMESPACE, selector: labelsSelector(labels) };
  const found = cluster.endpoints.filter((e) => isDnsPod(pods, e));
  return { addresses, pods: { ...pods, what: `${DNS_NAMESPACE}/${DNS_SERVICE}`, found, labels } };
}

/** Whether `e` is one of the DNS pods. */
export function isDnsPod(pods: { readonly namespace: string; readonly selector: LabelSelector }, e: Endpoint): boolean {
  return e.namespace === pods.namespace && selectorMatches(pods.selector, e.labels);
}

/**
 * The addresses the pods send DNS queries to (their resolv.conf nameserver): the addresses given
 * (`config.ips`, e.g. NodeLocal DNSCache's), else the ClusterIPs of the Service kube-system/kube-dns;
 * none when neither is known.
 */
export function clusterDnsAddresses(cluster: Cluster, config: DnsConfig = {}): readonly Ip[] {
  if ((config.ips ?? []).length > 0) return config.ips ?? [];
  return cluster.services.find((s) => s.namespace === DNS_NAMESPACE && s.name === DNS_SERVICE)?.clusterIps ?? [];
}

/**
 * The DNS pod assumed when the input holds none (policy-only repositories): namespace and labels
 * of the DNS pods, ports 53/UDP `dns` and 53/TCP `dns-tcp`. Null when none is looked for, or some
 * were found.
 */
export function assumedDnsPod(dns: ClusterDns, at: Endpoint["at"]): Endpoint | null {
  const pods = dns.pods;
  if (pods === null || pods.found.length > 0) return null;
  const { namespace, labels } = pods;
  return { id: `${namespace}/${DNS_SERVICE}`, namespace, name: DNS_SERVICE, kind: "Pod", labels, ips: [], hostNetwork: false, ports: DNS_PORTS, pods: [], at };
}

// ---- Together -------------------------------------------------------------------------------

/** What the command line may change about the well-known facts (`--metadata`, `--dns`). */
export interface WellKnownOptions {
  readonly metadata?: readonly Ip[];
  readonly dns?: DnsConfig;
}

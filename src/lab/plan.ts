/**
 * The lab's wiring as data: namespace names, sysctls and `ip -batch` lines per namespace.
 * Pure; `lab.ts` runs it. Addressing:
 * - node side of every veth: no IPv4 address (169.254.1.1/32 sits on the node's lo and the node
 *   answers ARP for it on every link), `fe80::1/64` on every link;
 * - pod: its /32 and /128 on eth0, `default via 169.254.1.1 onlink`, `default via fe80::1`;
 * - internet: 169.254.2.2 and fe80::2 on eth0; the node's default routes point there. It owns every
 *   other address: IPv4 `local 0.0.0.0/0` in table local (so replies may use any source), with the
 *   node and pod addresses routed more specifically in that table; IPv6 `local ::/0` in table 100,
 *   looked up after main. Its own connections come from 198.51.100.1 and 2001:db8:ffff::1.
 *
 * With the bridge topology (`types.ts`), pod veths are ports of the node's bridge `cni0` instead,
 * which holds each pod CIDR's gateway (`10.244.0.1/16` for `10.244.0.0/16`) and `fe80::1/64`; a pod
 * address inside a pod CIDR takes the CIDR's prefix, so its peers in the CIDR are on-link (bridged),
 * and a pod reaches pods outside it on-link too (a route per such address, and per pod CIDR it is
 * not in). Pods route the rest via their CIDR's gateway (169.254.1.1 or fe80::1 without one of the
 * family); the node routes to the pods through `cni0`. br_netfilter hands bridged packets to the
 * node's forward hook (`net.bridge.bridge-nf-call-iptables=1`, `…-ip6tables=1` in the node).
 */
import { dnsName } from "../dns/names.js";
import { type Cidr, formatCidr } from "../net/cidr.js";
import { BITS, type Family, type Ip, formatIp, parseIp } from "../net/ip.js";
import { INTERNET, type LabDns, type LabSpec, type LabTopology } from "./types.js";

export const NODE_GW4 = "169.254.1.1";
export const NODE_GW6 = "fe80::1";
export const INTERNET_GW4 = "169.254.2.2";
export const INTERNET_GW6 = "fe80::2";
/** Where the internet's own connections come from unless a probe asks for another source. */
export const INTERNET_SRC4 = "198.51.100.1";
export const INTERNET_SRC6 = "2001:db8:ffff::1";
const INTERNET_TABLE = "100";
export const MAX_PODS = 200;
/** The node's bridge in the bridge topology (the name Flannel and the CNI bridge plugin give it). */
export const BRIDGE = "cni0";
/** br_netfilter's switches (per network namespace): bridged IPv4 and IPv6 packets cross the IP hooks. */
export const BRIDGE_NF_SYSCTLS = ["net.bridge.bridge-nf-call-iptables=1", "net.bridge.bridge-nf-call-ip6tables=1"];

export interface PlannedPod {
  readonly id: string;
  readonly ns: string;
  /** The node-side interface of its veth. */
  readonly nodeIf: string;
  readonly ips: readonly string[];
}

export interface Batch {
  readonly ns: string;
  readonly lines: readonly string[];
}

export interface LabPlan {
  readonly prefix: string;
  readonly nodeNs: string;
  readonly internetNs: string;
  readonly pods: readonly PlannedPod[];
  readonly topology: LabTopology;
  /** Node first, internet second, pods after. */
  readonly namespaces: readonly string[];
  readonly sysctls: ReadonlyMap<string, readonly string[]>;
  /** Runs first: creates every veth (peers straight into their namespace) and wires the node. */
  readonly nodeBatch: Batch;
  /** Run after the node batch, in any order. */
  readonly batches: readonly Batch[];
  /** Commands that `ip -batch` cannot express (an IPv6 rule), as `ip` argv. */
  readonly extra: readonly (readonly string[])[];
}

export type PlanResult = { readonly ok: true; readonly plan: LabPlan } | { readonly ok: false; readonly errors: readonly string[] };

const COMMON_SYSCTLS = [
  "net.ipv6.conf.all.accept_dad=0",
  "net.ipv6.conf.default.accept_dad=0",
  "net.ipv4.conf.all.rp_filter=0",
  "net.ipv4.conf.default.rp_filter=0",
];

const POD_ID = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function planLab(spec: LabSpec, prefix: string, marker: string): PlanResult {
  const errors = validateSpec(spec);
  if (errors.length > 0) return { ok: false, errors };
  const nodeNs = `${prefix}-0`;
  const internetNs = `${prefix}-1`;
  const pods = spec.pods.map((p, i): PlannedPod => ({ id: p.id, ns: `${prefix}-${i + 2}`, nodeIf: `pod${i}`, ips: p.ips.map(formatIp) }));
  const topology = spec.topology ?? { kind: "routed" };
  const bridged = topology.kind === "bridge" ? BRIDGE_NF_SYSCTLS : [];
  const sysctls = new Map<string, readonly string[]>([
    [nodeNs, [...COMMON_SYSCTLS, "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1", ...bridged]],
    [internetNs, [...COMMON_SYSCTLS, "net.ipv4.ip_nonlocal_bind=1", "net.ipv6.ip_nonlocal_bind=1"]],
    ...pods.map((p): [string, readonly string[]] => [p.ns, COMMON_SYSCTLS]),
  ]);
  return {
    ok: true,
    plan: {
      prefix,
      nodeNs,
      internetNs,
      pods,
      topology,
      namespaces: [nodeNs, internetNs, ...pods.map((p) => p.ns)],
      sysctls,
      nodeBatch: { ns: nodeNs, lines: topology.kind === "bridge" ? bridgeNodeLines(pods, internetNs, marker, topology.podCidrs) : nodeLines(pods, internetNs, marker) },
      batches: [
        { ns: internetNs, lines: internetLines(pods) },
        ...pods.map((p) => ({ ns: p.ns, lines: topology.kind === "bridge" ? bridgePodLines(p, pods, topology.podCidrs) : podLines(p) })),
      ],
      extra: [["-n", internetNs, "-6", "rule", "add", "pref", "40000", "lookup", INTERNET_TABLE]],
    },
  };
}

function isV6(ip: string): boolean {
  return ip.includes(":");
}

function hostRoute(ip: string): string {
  return `${ip}/${isV6(ip) ? 128 : 32}`;
}

function nodeLines(pods: readonly PlannedPod[], internetNs: string, marker: string): string[] {
  const links = [{ name: "internet", peerNs: internetNs }, ...pods.map((p) => ({ name: p.nodeIf, peerNs: p.ns }))];
  // Links go up before fe80::1 is added: adding a nodad address to a second link that is
  // already up works, bringing up a link whose nodad address exists on another up link fails.
  return [
    `link set dev lo alias ${marker}`,
    "link set lo up",
    `addr add ${NODE_GW4}/32 dev lo`,
    ...links.map((l) => `link add ${l.name} type veth peer name eth0 netns ${l.peerNs}`),
    ...links.map((l) => `link set ${l.name} up`),
    ...links.map((l) => `addr add ${NODE_GW6}/64 dev ${l.name} nodad`),
    `route add default via ${INTERNET_GW4} dev internet onlink`,
    `route add ::/0 via ${INTERNET_GW6} dev internet`,
    ...pods.flatMap((p) => p.ips.map((ip) => `route add ${hostRoute(ip)} dev ${p.nodeIf}`)),
  ];
}

/** The pod CIDR holding an address, if any. */
function cidrOfAddress(ip: string, podCidrs: readonly Cidr[]): Cidr | undefined {
  const parsed = parseIp(ip);
  return parsed === undefined ? undefined : podCidrs.find((c) => c.family === parsed.family && c.first <= parsed.value && parsed.value <= c.last);
}

/** The bridge's address in a pod CIDR: the first after the network's (`10.244.0.1` in `10.244.0.0/16`). */
export function bridgeGateway(c: Cidr): Ip {
  return { family: c.family, value: c.first + 1n };
}

/** The gateway a pod address routes by: its pod CIDR's, else the first pod CIDR's of its family, else the node's link-local one. */
function gatewayFor(ip: string, podCidrs: readonly Cidr[]): string {
  const family: Family = isV6(ip) ? 6 : 4;
  const c = cidrOfAddress(ip, podCidrs) ?? podCidrs.find((x) => x.family === family);
  if (c !== undefined) return formatIp(bridgeGateway(c));
  return family === 6 ? NODE_GW6 : NODE_GW4;
}

function bridgeNodeLines(pods: readonly PlannedPod[], internetNs: string, marker: string, podCidrs: readonly Cidr[]): string[] {
  const outside = pods.flatMap((p) => p.ips).filter((ip) => cidrOfAddress(ip, podCidrs) === undefined);
  return [
    `link set dev lo alias ${marker}`,
    "link set lo up",
    `addr add ${NODE_GW4}/32 dev lo`,
    `link add internet type veth peer name eth0 netns ${internetNs}`,
    `link add ${BRIDGE} type bridge`,
    ...pods.map((p) => `link add ${p.nodeIf} type veth peer name eth0 netns ${p.ns}`),
    ...pods.map((p) => `link set ${p.nodeIf} master ${BRIDGE}`),
    ...["internet", BRIDGE, ...pods.map((p) => p.nodeIf)].map((l) => `link set ${l} up`),
    ...["internet", BRIDGE].map((l) => `addr add ${NODE_GW6}/64 dev ${l} nodad`),
    ...podCidrs.map((c) => `addr add ${formatIp(bridgeGateway(c))}/${c.prefix} dev ${BRIDGE}${c.family === 6 ? " nodad" : ""}`),
    `route add default via ${INTERNET_GW4} dev internet onlink`,
    `route add ::/0 via ${INTERNET_GW6} dev internet`,
    ...outside.map((ip) => `route add ${hostRoute(ip)} dev ${BRIDGE}`),
  ];
}

/**
 * A pod on the bridge: its addresses with their pod CIDR's prefix (a host route's outside every
 * CIDR); on-link routes to the pod CIDRs it has no address in and to the other pods' addresses
 * outside every CIDR (all on the same bridge); a default route per family via its gateway.
 */
function bridgePodLines(pod: PlannedPod, pods: readonly PlannedPod[], podCidrs: readonly Cidr[]): string[] {
  const families = new Set<Family>(pod.ips.map((ip) => (isV6(ip) ? 6 : 4)));
  const own = new Set(pod.ips.flatMap((ip) => cidrOfAddress(ip, podCidrs) ?? []));
  const others = pods.filter((p) => p !== pod).flatMap((p) => p.ips);
  const onLink = [
    ...podCidrs.filter((c) => families.has(c.family) && !own.has(c)).map(formatCidr),
    ...others.filter((ip) => families.has(isV6(ip) ? 6 : 4) && cidrOfAddress(ip, podCidrs) === undefined).map(hostRoute),
  ];
  const address = (ip: string): string => {
    const c = cidrOfAddress(ip, podCidrs);
    return `addr add ${ip}/${c?.prefix ?? BITS[isV6(ip) ? 6 : 4]} dev eth0${isV6(ip) ? " nodad" : ""}`;
  };
  const first = (family: Family): string | undefined => pod.ips.find((ip) => (isV6(ip) ? 6 : 4) === family);
  const v4 = first(4);
  const v6 = first(6);
  return [
    "link set lo up",
    "link set eth0 up",
    ...pod.ips.map(address),
    ...onLink.map((dst) => `route add ${dst} dev eth0`),
    ...(v4 === undefined ? [] : [`route add default via ${gatewayFor(v4, podCidrs)} dev eth0 onlink`]),
    ...(v6 === undefined ? [] : [`route add ::/0 via ${gatewayFor(v6, podCidrs)} dev eth0 onlink`]),
  ];
}

function internetLines(pods: readonly PlannedPod[]): string[] {
  const ips = pods.flatMap((p) => p.ips);
  return [
    "link set lo up",
    "link set eth0 up",
    `addr add ${INTERNET_GW4}/32 dev eth0`,
    `addr add ${INTERNET_GW6}/64 dev eth0 nodad`,
    `addr add ${INTERNET_SRC4}/32 dev lo`,
    `addr add ${INTERNET_SRC6}/128 dev lo nodad`,
    "route add local 0.0.0.0/0 dev lo table local",
    `route add ${NODE_GW4}/32 dev eth0 scope link table local`,
    `route add local ::/0 dev lo table ${INTERNET_TABLE}`,
    ...ips.map((ip) =>
      isV6(ip)
        ? `route add ${hostRoute(ip)} via ${NODE_GW6} dev eth0 src ${INTERNET_SRC6}`
        : `route add ${hostRoute(ip)} via ${NODE_GW4} dev eth0 table local src ${INTERNET_SRC4}`,
    ),
  ];
}

function podLines(pod: PlannedPod): string[] {
  const v4 = pod.ips.filter((ip) => !isV6(ip));
  const v6 = pod.ips.filter(isV6);
  return [
    "link set lo up",
    "link set eth0 up",
    ...v4.map((ip) => `addr add ${ip}/32 dev eth0`),
    ...v6.map((ip) => `addr add ${ip}/128 dev eth0 nodad`),
    ...(v4.length > 0 ? [`route add default via ${NODE_GW4} dev eth0 onlink`] : []),
    ...(v6.length > 0 ? [`route add ::/0 via ${NODE_GW6} dev eth0`] : []),
  ];
}

/** Addresses the lab itself uses, or that cannot be a pod's: why, or undefined when it may be one. */
export function reservedReason(ip: Ip, topology: LabTopology = { kind: "routed" }): string | undefined {
  const text = formatIp(ip);
  if ([NODE_GW4, INTERNET_GW4, INTERNET_SRC4, INTERNET_SRC6].includes(text)) return "is used by the lab's routing";
  const gateway = topology.kind === "bridge" ? topology.podCidrs.find((c) => c.family === ip.family && bridgeGateway(c).value === ip.value) : undefined;
  if (gateway !== undefined) return `is the bridge's gateway in ${formatCidr(gateway)}`;
  const first = Number(ip.value >> (ip.family === 4 ? 24n : 120n));
  if (ip.family === 4 && (first === 0 || first === 127 || first >= 224)) return "is not a unicast address";
  if (ip.family === 6 && (ip.value <= 1n || first === 0xff)) return "is not a unicast address";
  if (ip.family === 6 && ip.value >> 118n === 0x3fan) return "is link-local";
  return undefined;
}

export function validateSpec(spec: LabSpec): string[] {
  const errors: string[] = [];
  const topology = spec.topology ?? { kind: "routed" };
  if (spec.pods.length > MAX_PODS) errors.push(`at most ${MAX_PODS} pods`);
  if (topology.kind === "bridge") {
    topology.podCidrs.forEach((c, i) => {
      if (BITS[c.family] - c.prefix < 2) errors.push(`topology.podCidrs[${i}]: ${formatCidr(c)} leaves no address for the bridge's gateway and pods`);
    });
  }
  const ids = new Set<string>();
  const owners = new Map<string, string>();
  spec.pods.forEach((pod, i) => {
    const at = `pods[${i}]`;
    if (!POD_ID.test(pod.id)) errors.push(`${at}.id: "${pod.id}" is not namespace/name`);
    if (ids.has(pod.id)) errors.push(`${at}.id: "${pod.id}" appears twice`);
    ids.add(pod.id);
    if (pod.ips.length === 0) errors.push(`${at}.ips: a lab pod needs an address`);
    pod.ips.forEach((ip, j) => {
      const text = formatIp(ip);
      const reserved = reservedReason(ip, topology);
      if (reserved !== undefined) errors.push(`${at}.ips[${j}]: ${text} ${reserved}`);
      const owner = owners.get(text);
      if (owner !== undefined) errors.push(`${at}.ips[${j}]: ${text} is also ${owner}'s`);
      owners.set(text, pod.id);
    });
    errors.push(...portErrors(`${at}.ports`, pod.ports));
    if (pod.dns !== undefined) errors.push(...dnsErrors(`${at}.dns`, pod.dns));
  });
  if (ids.has(INTERNET)) errors.push(`a pod cannot be called "${INTERNET}"`);
  errors.push(...portErrors("internet.ports", spec.internet.ports));
  return errors;
}

function dnsErrors(at: string, dns: LabDns): string[] {
  const errors: string[] = [];
  const notName = (field: string, name: string): void => {
    if (dnsName(name) === null) errors.push(`${at}.${field}: "${name}" is not a DNS name`);
  };
  for (const [name, addrs] of Object.entries(dns.names)) {
    notName(`names["${name}"]`, name);
    addrs.forEach((a, j) => {
      if (parseIp(a) === undefined) errors.push(`${at}.names["${name}"][${j}]: "${a}" is not an IP address`);
    });
  }
  for (const [name, target] of Object.entries(dns.cnames ?? {})) {
    notName(`cnames["${name}"]`, name);
    notName(`cnames["${name}"]`, target);
  }
  for (const [name, ttl] of Object.entries(dns.ttls ?? {})) {
    notName(`ttls["${name}"]`, name);
    if (!Number.isInteger(ttl) || ttl < 0 || ttl > 0x7fffffff) errors.push(`${at}.ttls["${name}"]: ${ttl} is not a TTL (0-2147483647 seconds)`);
  }
  (dns.truncate ?? []).forEach((name, i) => notName(`truncate[${i}]`, name));
  return errors;
}

function portErrors(at: string, ports: LabSpec["internet"]["ports"]): string[] {
  return ports.flatMap((p, i) => (Number.isInteger(p.port) && p.port >= 1 && p.port <= 65535 ? [] : [`${at}[${i}].port: ${p.port} is not 1-65535`]));
}

/**
 * Addresses for the lab, pure: one per lab pod (its first known IP, else the next free one of the
 * first pod CIDR), and the external addresses the policies' ipBlocks make interesting.
 */
import { INTERNET_GW4, INTERNET_SRC4, INTERNET_SRC6, NODE_GW4, reservedReason } from "../lab/plan.js";
import { type LabTopology, ROUTED } from "../lab/types.js";
import type { Cluster, Endpoint } from "../model/cluster.js";
import { AddressSet } from "../net/address-set.js";
import { type Cidr, formatCidr, parseCidr } from "../net/cidr.js";
import { BITS, compareIps, type Ip, formatIp, parseIp } from "../net/ip.js";
import { metadataAddresses } from "../model/well-known.js";
import type { PlanError, Skipped } from "./types.js";

const cidr = (text: string): Cidr => {
  const p = parseCidr(text);
  if (!p.ok) throw new Error(`bad built-in CIDR ${text}`);
  return p.cidr;
};

/** Never probed as the internet: this host, "this network", multicast and reserved space, IPv6 link-local. */
const UNPROBEABLE = AddressSet.fromCidrs(["0.0.0.0/8", "127.0.0.0/8", "224.0.0.0/3", "::/127", "fe80::/10", "ff00::/8"].map(cidr));

const key = (ip: Ip): string => formatIp(ip);

/** The endpoint's address in the lab: its first IPv4, else its first IP (undefined: none known). */
export function knownAddress(e: Endpoint): Ip | undefined {
  return e.ips.find((ip) => ip.family === 4) ?? e.ips[0];
}

export interface Allocation {
  readonly pods: readonly { readonly endpoint: Endpoint; readonly ip: Ip }[];
  readonly skipped: readonly Skipped[];
  readonly errors: readonly PlanError[];
}

/**
 * One address per lab pod, in endpoint order. Known addresses are kept (host-network endpoints,
 * repeated ids and unusable or repeated addresses are skipped); the rest get the lowest free
 * addresses of the first pod CIDR, past its network address and never a known IP of any endpoint
 * (nor, on the bridge topology, a gateway the bridge holds).
 */
export function allocate(cluster: Cluster, podCidrs: readonly Cidr[], topology: LabTopology = ROUTED): Allocation {
  const skipped: Skipped[] = [];
  const ids = new Set<string>();
  const taken = new Set(cluster.endpoints.flatMap((e) => e.ips.map(key)));
  const owned = new Set<string>();
  const chosen = new Map<Endpoint, Ip | undefined>();
  for (const e of cluster.endpoints) {
    if (e.hostNetwork) skipped.push({ reason: "host-network", to: e.id });
    else if (ids.has(e.id)) skipped.push({ reason: "duplicate-id", to: e.id });
    else {
      const ip = knownAddress(e);
      if (ip !== undefined && reservedReason(ip, topology) !== undefined) skipped.push({ reason: "address-reserved", to: e.id });
      else if (ip !== undefined && owned.has(key(ip))) skipped.push({ reason: "address-taken", to: e.id });
      else {
        ids.add(e.id);
        chosen.set(e, ip);
        if (ip !== undefined) owned.add(key(ip));
      }
    }
  }
  const wanting = [...chosen.values()].filter((ip) => ip === undefined).length;
  const free = freeAddresses(podCidrs[0], taken, wanting, topology);
  if (!free.ok) return { pods: [], skipped, errors: [free.error] };
  let next = 0;
  const pods = [...chosen].map(([endpoint, ip]) => ({ endpoint, ip: ip ?? (free.ips[next++] as Ip) }));
  return { pods, skipped, errors: [] };
}

type Free = { readonly ok: true; readonly ips: readonly Ip[] } | { readonly ok: false; readonly error: PlanError };

function freeAddresses(from: Cidr | undefined, taken: ReadonlySet<string>, count: number, topology: LabTopology): Free {
  if (count === 0) return { ok: true, ips: [] };
  if (from === undefined) return { ok: false, error: { kind: "no-pod-cidr" } };
  const ips: Ip[] = [];
  // Bounded: every address tried is either taken (at most `taken.size`) or handed out.
  const limit = BigInt(taken.size + count + 8);
  for (let v = from.first + 1n; v < from.last && v - from.first <= limit && ips.length < count; v++) {
    const ip: Ip = { family: from.family, value: v };
    if (!taken.has(key(ip)) && reservedReason(ip, topology) === undefined) ips.push(ip);
  }
  return ips.length === count ? { ok: true, ips } : { ok: false, error: { kind: "pod-cidr-full", cidr: formatCidr(from) } };
}

/** Whether the lab can probe this address as the internet's (and not a pod CIDR's) address. */
export function externalProblem(ip: Ip, podNetwork: AddressSet, podIps: ReadonlySet<string>): "in-pod-cidr" | "address-reserved" | undefined {
  if (podNetwork.has(ip) && !podIps.has(key(ip))) return "in-pod-cidr";
  if (UNPROBEABLE.has(ip) || reservedReason(ip) !== undefined) return "address-reserved";
  return undefined;
}

/** The first usable address of a block: past the network address when the block has more than two. */
function firstUsable(c: Cidr): bigint {
  return BITS[c.family] - c.prefix >= 2 ? c.first + 1n : c.first;
}

/** The lowest address of `set` at or after `from` that the lab can probe as external. */
function lowestProbeable(set: AddressSet, family: 4 | 6, from: bigint, avoid: AddressSet): Ip | undefined {
  const usable = set.subtract(avoid).family(family);
  for (const { lo, hi } of usable.intervals) {
    if (hi < from) continue;
    return { family, value: lo > from ? lo : from };
  }
  return undefined;
}

/**
 * For every ipBlock of every policy: the first usable address inside the cidr and outside each
 * except, and the first usable address of each except; for every `networks` CIDR of an admin
 * policy, its first usable address; every Node address (what `nodes` peers match, probed as the
 * internet's: the lab has no node of the cluster); and always the cloud metadata addresses
 * (model/well-known.ts) of the pod network's families. "Usable" also means probeable as the
 * internet: outside the pod network, no pod's, not an address the lab routes by or cannot send
 * to (the next one that is, else none). Sorted, IPv4 first.
 */
export function derivedExternal(cluster: Cluster, podNetwork: AddressSet, podIps: readonly Ip[], extraMetadata: readonly Ip[] = []): Ip[] {
  const avoid = podNetwork.union(UNPROBEABLE).union(AddressSet.fromIps(podIps)).union(labAddresses());
  const metadata = metadataAddresses(extraMetadata).filter((ip) => !podNetwork.family(ip.family).isEmpty());
  const out = new Map<string, Ip>(metadata.map((ip) => [key(ip), ip]));
  const add = (ip: Ip | undefined): void => {
    if (ip !== undefined && !avoid.has(ip)) out.set(key(ip), ip);
  };
  for (const policy of cluster.policies) {
    for (const rule of [...policy.egress, ...policy.ingress]) {
      if (rule.peers === "all") continue;
      for (const peer of rule.peers) {
        if (peer.kind !== "ipBlock") continue;
        const inside = AddressSet.fromCidr(peer.cidr).subtract(AddressSet.fromCidrs(peer.except));
        add(lowestProbeable(inside, peer.cidr.family, firstUsable(peer.cidr), avoid));
        for (const ex of peer.except) add(lowestProbeable(AddressSet.fromCidr(ex), ex.family, firstUsable(ex), avoid));
      }
    }
  }
  for (const policy of cluster.adminPolicies ?? []) {
    for (const rule of [...policy.egress, ...policy.ingress]) {
      if (rule.match.kind !== "as-written") continue;
      for (const peer of rule.match.peers) {
        if (peer.kind !== "networks") continue;
        for (const c of peer.networks) add(lowestProbeable(AddressSet.fromCidr(c), c.family, firstUsable(c), avoid));
      }
    }
  }
  for (const node of cluster.nodes ?? []) for (const a of node.addresses) add(a.ip);
  return [...out.values()].sort(compareIps);
}

/** The addresses the lab's routing uses (never a probe target). */
function labAddresses(): AddressSet {
  return AddressSet.fromIps([NODE_GW4, INTERNET_GW4, INTERNET_SRC4, INTERNET_SRC6].map((t) => parseIp(t)).filter((ip): ip is Ip => ip !== undefined));
}

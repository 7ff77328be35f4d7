import type { Endpoint, Peer } from "../model/cluster.js";
import { AddressSet } from "../net/address-set.js";
import type { Ip } from "../net/ip.js";
import type { Connection, EngineOptions, Target } from "./types.js";

/** Address sets of immutable model objects, computed once (the bigint arithmetic is not free). */
const ofIps = new WeakMap<Endpoint, AddressSet>();
const ofBlocks = new WeakMap<Peer, AddressSet>();

/**
 * The addresses an endpoint may have: its known pod IPs; otherwise somewhere in the pod network
 * (or, for a host-network pod with no known IP, anywhere: the node's address is not modelled).
 */
export function endpointAddresses(endpoint: Endpoint, options: EngineOptions): AddressSet {
  if (endpoint.ips.length > 0) return knownAddresses(endpoint);
  return endpoint.hostNetwork ? AddressSet.ALL : options.podNetwork;
}

/**
 * An endpoint's known IPs as one address set, the same object for the endpoint's life: whoever
 * keeps a pod's addresses (the compiler's rules keep those of every pod they admit) shares it.
 */
export function knownAddresses(endpoint: Endpoint): AddressSet {
  let set = ofIps.get(endpoint);
  if (set === undefined) {
    const only = endpoint.ips.length === 1 ? endpoint.ips[0] : undefined;
    set = only !== undefined ? AddressSet.fromIp(only) : AddressSet.fromIps(endpoint.ips);
    ofIps.set(endpoint, set);
  }
  return set;
}

/** The addresses a connection side stands for: the one address asked about, else all the endpoint's. */
export function targetAddresses(target: Target, options: EngineOptions): AddressSet {
  if (target.kind === "external") return target.addresses;
  return target.address === undefined ? endpointAddresses(target.endpoint, options) : addressOf(target.address);
}

/**
 * A connection uses one IP family on both ends: when one side is named by one address, a
 * dual-stack endpoint on the other side is taken at its one address of that family.
 */
export function sameFamily(conn: Connection): Connection {
  const family = (t: Target): Ip["family"] | null => (t.kind === "endpoint" ? (t.address?.family ?? null) : null);
  const from = atFamily(conn.from, family(conn.to));
  const to = atFamily(conn.to, family(conn.from));
  return from === conn.from && to === conn.to ? conn : { ...conn, from, to };
}

/**
 * A dual-stack endpoint taken at its one address of `family` (a ClusterIP of that family is
 * translated to it; a peer of that family talks to it). Unchanged when no family is given, the
 * target is already at one address, or it has no single address of that family.
 */
export function atFamily(t: Target, family: Ip["family"] | null): Target {
  if (family === null || t.kind !== "endpoint" || t.address !== undefined) return t;
  const same = t.endpoint.ips.filter((ip) => ip.family === family);
  const only = same.length === 1 && same.length < t.endpoint.ips.length ? same[0] : undefined;
  return only === undefined ? t : { ...t, address: only };
}

const ofAddress = new Map<string, AddressSet>();

function addressOf(ip: Ip): AddressSet {
  const key = `${ip.family}:${ip.value}`;
  let set = ofAddress.get(key);
  if (set === undefined) {
    set = AddressSet.fromIp(ip);
    if (ofAddress.size >= MAX_BY_TEXT) ofAddress.clear();
    ofAddress.set(key, set);
  }
  return set;
}

/** "cidr ... except: a list of CIDRs that should not be included within the IPBlock." */
export function ipBlockAddresses(peer: Extract<Peer, { kind: "ipBlock" }>): AddressSet {
  let set = ofBlocks.get(peer);
  if (set === undefined) {
    // Policies repeat the same blocks (`0.0.0.0/0` except the private ranges): compute each once.
    const key = [peer.cidr, ...peer.except].map((c) => `${c.family}:${c.first}/${c.prefix}`).join(",");
    set = byText.get(key);
    if (set === undefined) {
      set = AddressSet.fromCidr(peer.cidr).subtract(AddressSet.fromCidrs(peer.except));
      if (byText.size >= MAX_BY_TEXT) byText.clear();
      byText.set(key, set);
    }
    ofBlocks.set(peer, set);
  }
  return set;
}

const byText = new Map<string, AddressSet>();
const MAX_BY_TEXT = 10_000;

import { ConnSet } from "../analysis/connset.js";
import { PROTOCOLS, type Protocol } from "../model/ports.js";
import { BITS, type Family, formatIp } from "../net/ip.js";
import type { Interval, IntervalSet } from "../net/interval-set.js";

/** Some addresses (one family) and the connections admitted towards/from them. */
export interface Contribution {
  readonly addresses: IntervalSet;
  readonly conns: ConnSet;
}

/** An address interval with the union of the connections every contribution covering it admits. */
export interface Segment {
  readonly lo: bigint;
  readonly hi: bigint;
  readonly conns: ConnSet;
}

/**
 * Cuts the address axis at every boundary so that each segment carries one connection set, then
 * merges touching segments with equal sets. The products `segment × protocol × port interval` are
 * pairwise disjoint, which concatenated interval sets (pipapo) require: the kernel refuses
 * overlapping elements. The result depends only on the union of the contributions, not their order.
 */
export function partition(contributions: readonly Contribution[]): Segment[] {
  const events: { at: bigint; index: number; start: boolean }[] = [];
  contributions.forEach((c, index) => {
    if (c.conns.isEmpty()) return;
    for (const i of c.addresses.intervals) {
      events.push({ at: i.lo, index, start: true }, { at: i.hi + 1n, index, start: false });
    }
  });
  events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const active = new Map<number, number>();
  const out: Segment[] = [];
  for (let k = 0; k < events.length; ) {
    const at = (events[k] as (typeof events)[number]).at;
    for (; k < events.length && (events[k] as (typeof events)[number]).at === at; k++) {
      const e = events[k] as (typeof events)[number];
      const n = (active.get(e.index) ?? 0) + (e.start ? 1 : -1);
      if (n === 0) active.delete(e.index);
      else active.set(e.index, n);
    }
    const next = events[k];
    if (next === undefined || active.size === 0) continue;
    let conns = ConnSet.EMPTY;
    for (const index of active.keys()) conns = conns.union((contributions[index] as Contribution).conns);
    push(out, { lo: at, hi: next.at - 1n, conns });
  }
  return out;
}

function push(out: Segment[], s: Segment): void {
  const last = out[out.length - 1];
  if (last !== undefined && last.hi + 1n === s.lo && last.conns.equals(s.conns)) {
    out[out.length - 1] = { lo: last.lo, hi: s.hi, conns: last.conns };
  } else {
    out.push(s);
  }
}

/**
 * The pieces as one flat string. A template literal (or `+`) keeps each piece of a string of 13
 * characters or more in a tree of 32-byte nodes; a ruleset holds its elements as long as it is
 * applied (740k at 50k pods: 135 MiB as trees, 66 MiB flat). `join` copies the characters once.
 */
export const flatText = (pieces: readonly string[]): string => pieces.join("");

/** One address, a CIDR block when the interval is exactly one, otherwise `first-last`. */
export function formatAddressRange(family: Family, lo: bigint, hi: bigint): string {
  const ip = (value: bigint): string => formatIp({ family, value });
  if (lo === hi) return ip(lo);
  const size = hi - lo + 1n;
  const prefixBits = size.toString(2).length - 1;
  if (size === 1n << BigInt(prefixBits) && (lo & (size - 1n)) === 0n) {
    return flatText([ip(lo), "/", String(BITS[family] - prefixBits)]);
  }
  return flatText([ip(lo), "-", ip(hi)]);
}

export function formatAddresses(family: Family, set: IntervalSet): string[] {
  return set.intervals.map((i: Interval) => formatAddressRange(family, i.lo, i.hi));
}

/**
 * Every address of `set`, one element each (no ranges, no CIDRs): the keys of a hash set, which
 * holds exact values only. For the addresses of selector peers: pod IPs, as many as the pods.
 */
export function exactAddresses(family: Family, set: IntervalSet): string[] {
  const out: string[] = [];
  for (const i of set.intervals) for (let value = i.lo; value <= i.hi; value++) out.push(formatIp({ family, value }));
  return out;
}

export const FAMILIES: readonly Family[] = [4, 6];
/** nft's address type and expression keyword per family. */
export const ADDRESS_TYPE: Readonly<Record<Family, string>> = { 4: "ipv4_addr", 6: "ipv6_addr" };
export const IP_KEYWORD: Readonly<Record<Family, string>> = { 4: "ip", 6: "ip6" };

export const NFT_PROTOCOL: Readonly<Record<Protocol, string>> = { TCP: "tcp", UDP: "udp", SCTP: "sctp" };

function formatPortRange(i: Interval): string {
  return i.lo === i.hi ? `${i.lo}` : `${i.lo}-${i.hi}`;
}

/**
 * `address . protocol . ports` for every piece of every segment, in address, protocol, port order.
 * `exact`: every address and every port its own element (the keys of a hash set).
 */
export function segmentElements(family: Family, segments: readonly Segment[], middle = "", exact = false): string[] {
  const out: string[] = [];
  for (const s of segments) {
    const tails = portTails(s.conns, middle, exact);
    if (!exact) {
      const address = formatAddressRange(family, s.lo, s.hi);
      for (const tail of tails) out.push(flatText([address, tail]));
      continue;
    }
    for (let value = s.lo; value <= s.hi; value++) {
      const address = formatIp({ family, value });
      for (const tail of tails) out.push(flatText([address, tail]));
    }
  }
  return out;
}

/**
 * ` . protocol . ports` (after `middle`) for every protocol and port interval of `conns`, in
 * protocol, port order: what follows an address in an element. `exact`: one tail per port.
 */
export function portTails(conns: ConnSet, middle = "", exact = false): string[] {
  const out: string[] = [];
  for (const protocol of PROTOCOLS) {
    for (const ports of conns.ports(protocol).intervals) {
      if (!exact) out.push(flatText([" . ", middle, NFT_PROTOCOL[protocol], " . ", formatPortRange(ports)]));
      else for (let port = ports.lo; port <= ports.hi; port++) out.push(flatText([" . ", middle, NFT_PROTOCOL[protocol], " . ", String(port)]));
    }
  }
  return out;
}

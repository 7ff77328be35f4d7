import type { Protocol } from "../model/ports.js";
import { BITS, type Family, formatIp } from "../net/ip.js";
import type { Interval, IntervalSet } from "../net/interval-set.js";

/** One address, a CIDR block when the interval is exactly one, otherwise `first-last`. */
export function formatAddressRange(family: Family, lo: bigint, hi: bigint): string {
  const ip = (value: bigint): string => formatIp({ family, value });
  if (lo === hi) return ip(lo);
  const size = hi - lo + 1n;
  const prefixBits = size.toString(2).length - 1;
  if (size === 1n << BigInt(prefixBits) && (lo & (size - 1n)) === 0n) {
    return `${ip(lo)}/${BITS[family] - prefixBits}`;
  }
  return `${ip(lo)}-${ip(hi)}`;
}

export function formatAddresses(family: Family, set: IntervalSet): string[] {
  return set.intervals.map((i: Interval) => formatAddressRange(family, i.lo, i.hi));
}

export const FAMILIES: readonly Family[] = [4, 6];
/** nft's address type and expression keyword per family. */
export const ADDRESS_TYPE: Readonly<Record<Family, string>> = { 4: "ipv4_addr", 6: "ipv6_addr" };
export const IP_KEYWORD: Readonly<Record<Family, string>> = { 4: "ip", 6: "ip6" };

export const NFT_PROTOCOL: Readonly<Record<Protocol, string>> = { TCP: "tcp", UDP: "udp", SCTP: "sctp" };

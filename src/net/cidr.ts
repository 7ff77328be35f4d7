import { BITS, type Family, type Ip, formatIp, maxValue, parseIp } from "./ip.js";

/** A CIDR block: the first address, the prefix length, and whether the text had host bits set. */
export interface Cidr {
  readonly family: Family;
  readonly first: bigint;
  readonly last: bigint;
  readonly prefix: number;
}

export type CidrParse =
  | { readonly ok: true; readonly cidr: Cidr; readonly hostBitsSet: boolean }
  | { readonly ok: false; readonly reason: string };

/** Parses `a.b.c.d/n` or `x::y/n`. Host bits are masked off (as the API server's net.ParseCIDR does) and reported. */
export function parseCidr(text: string): CidrParse {
  const slash = text.indexOf("/");
  if (slash < 0) return { ok: false, reason: "missing '/prefix'" };
  const ip = parseIp(text.slice(0, slash));
  if (ip === undefined) return { ok: false, reason: "invalid IP address" };
  const prefixText = text.slice(slash + 1);
  if (!/^(0|[1-9]\d{0,2})$/.test(prefixText)) return { ok: false, reason: "invalid prefix length" };
  const prefix = Number(prefixText);
  if (prefix > BITS[ip.family]) return { ok: false, reason: `prefix length above ${BITS[ip.family]}` };
  const cidr = cidrOf(ip, prefix);
  return { ok: true, cidr, hostBitsSet: cidr.first !== ip.value };
}

export function cidrOf(ip: Ip, prefix: number): Cidr {
  const hostBits = BigInt(BITS[ip.family] - prefix);
  const hostMask = (1n << hostBits) - 1n;
  const first = ip.value & (maxValue(ip.family) ^ hostMask);
  return { family: ip.family, first, last: first | hostMask, prefix };
}

export function hostCidr(ip: Ip): Cidr {
  return cidrOf(ip, BITS[ip.family]);
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp({ family: cidr.family, value: cidr.first })}/${cidr.prefix}`;
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && outer.first <= inner.first && inner.last <= outer.last;
}

/** `inner` lies inside `outer` and is smaller than it. */
export function isStrictSubset(inner: Cidr, outer: Cidr): boolean {
  return cidrContains(outer, inner) && inner.prefix > outer.prefix;
}

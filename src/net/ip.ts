/**
 * IP addresses as bigint, IPv4 and IPv6 on one code path.
 * IPv4 addresses live in their own 32-bit space; IPv6 in a 128-bit space. A value is
 * always paired with its family so the two spaces never mix.
 */

export type Family = 4 | 6;

export interface Ip {
  readonly family: Family;
  readonly value: bigint;
}

export const BITS: Readonly<Record<Family, number>> = { 4: 32, 6: 128 };

export function maxValue(family: Family): bigint {
  return (1n << BigInt(BITS[family])) - 1n;
}

const IPV4_PART = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!IPV4_PART.test(part)) return undefined;
    value = (value << 8n) | BigInt(Number(part));
  }
  return value;
}

const HEXTET = /^[0-9a-fA-F]{1,4}$/;

function parseHextets(text: string): bigint[] | undefined {
  if (text === "") return [];
  const groups = text.split(":");
  const out: bigint[] = [];
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i] ?? "";
    if (i === groups.length - 1 && group.includes(".")) {
      const v4 = parseIpv4(group);
      if (v4 === undefined) return undefined;
      out.push(v4 >> 16n, v4 & 0xffffn);
      continue;
    }
    if (!HEXTET.test(group)) return undefined;
    out.push(BigInt(parseInt(group, 16)));
  }
  return out;
}

function parseIpv6(text: string): bigint | undefined {
  if (text.includes("%")) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = parseHextets(halves[0] ?? "");
  const tail = halves.length === 2 ? parseHextets(halves[1] ?? "") : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...new Array<bigint>(Math.max(missing, 0)).fill(0n), ...tail];
  return all.reduce((acc, h) => (acc << 16n) | h, 0n);
}

/** Parses a textual IPv4 or IPv6 address; undefined when it is not one. */
export function parseIp(text: string): Ip | undefined {
  if (text.includes(":")) {
    const value = parseIpv6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseIpv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

function formatIpv6(value: bigint): string {
  const hextets: number[] = [];
  for (let i = 7; i >= 0; i--) hextets.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (length >= 2) of zero hextets, the first on ties.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (hextets[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && hextets[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((h) => h.toString(16)).join(":");
  if (bestStart < 0) return hex(hextets);
  return `${hex(hextets.slice(0, bestStart))}::${hex(hextets.slice(bestStart + bestLength))}`;
}

export function formatIp(ip: Ip): string {
  if (ip.family === 6) return formatIpv6(ip.value);
  // One conversion to a number (an IPv4 value fits), then 32-bit arithmetic: rulesets format hundreds of thousands.
  const v = Number(ip.value);
  // Joined, not a template literal: a flat string, not a tree of pieces (rulesets keep their addresses as long as they are applied).
  return [Math.floor(v / 16777216) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff].join(".");
}

/** Address order, IPv4 first: the one order every command lists addresses in. */
export function compareIps(a: Ip, b: Ip): number {
  return a.family - b.family || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);
}

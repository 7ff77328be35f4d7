import { AddressSet } from "../net/address-set.js";
import { cidrOf, formatCidr, parseCidr } from "../net/cidr.js";
import { BITS, type Family } from "../net/ip.js";
import { IntervalSet } from "../net/interval-set.js";

/** Reads back CIDR texts, as the analyses and the JSON views write address sets. */
export function cidrSet(texts: readonly string[]): AddressSet {
  return AddressSet.fromCidrs(
    texts.flatMap((t) => {
      const parsed = parseCidr(t.trim());
      return parsed.ok ? [parsed.cidr] : [];
    }),
  );
}

/** A comma-separated CIDR list (connlist and matrix write address regions so). */
export function parseCidrList(text: string): AddressSet {
  return cidrSet(text.split(","));
}

/** `10.0.0.1` for a single address, the CIDR otherwise. */
export function short(cidr: string): string {
  return cidr.replace(/^([0-9.]+)\/32$/, "$1").replace(/^([0-9a-fA-F:]+)\/128$/, "$1");
}

/**
 * An address set as people write it: the shorter of its CIDR list and "cover except holes",
 * per family: `0.0.0.0/0 except 169.254.169.254` rather than the 32 blocks that make it up.
 */
export function compactAddresses(set: AddressSet): string {
  const parts = ([4, 6] as const).flatMap((f) => compactFamily(f, set.family(f)));
  return parts.length === 0 ? "no address" : parts.join(", ");
}

function compactFamily(family: Family, intervals: IntervalSet): string[] {
  const first = intervals.intervals[0];
  const last = intervals.intervals[intervals.intervals.length - 1];
  if (first === undefined || last === undefined) return [];
  const own = family === 4 ? AddressSet.of(intervals, IntervalSet.EMPTY) : AddressSet.of(IntervalSet.EMPTY, intervals);
  const plain = own.toCidrs().map(formatCidr);
  const cover = cidrOf({ family, value: first.lo }, BITS[family] - bitLength(first.lo ^ last.hi));
  const holes = AddressSet.fromCidr(cover).subtract(own).toCidrs().map(formatCidr);
  if (holes.length === 0 || holes.length + 1 >= plain.length) return plain.map(short);
  return [`${formatCidr(cover)} except ${holes.map(short).join(", ")}`];
}

function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

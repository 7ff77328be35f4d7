import { type Cidr, cidrOf, formatCidr } from "./cidr.js";
import { BITS, type Family, type Ip, maxValue } from "./ip.js";
import { IntervalSet } from "./interval-set.js";

/** A set of IP addresses: one interval set per family, so the two spaces never mix. */
export class AddressSet {
  private constructor(
    readonly v4: IntervalSet,
    readonly v6: IntervalSet,
  ) {}

  static readonly EMPTY = new AddressSet(IntervalSet.EMPTY, IntervalSet.EMPTY);
  static readonly ALL = new AddressSet(IntervalSet.range(0n, maxValue(4)), IntervalSet.range(0n, maxValue(6)));

  static of(v4: IntervalSet, v6: IntervalSet): AddressSet {
    return v4.isEmpty() && v6.isEmpty() ? AddressSet.EMPTY : new AddressSet(v4, v6);
  }

  static fromCidr(cidr: Cidr): AddressSet {
    const set = IntervalSet.range(cidr.first, cidr.last);
    return cidr.family === 4 ? AddressSet.of(set, IntervalSet.EMPTY) : AddressSet.of(IntervalSet.EMPTY, set);
  }

  static fromCidrs(cidrs: Iterable<Cidr>): AddressSet {
    let out = AddressSet.EMPTY;
    for (const c of cidrs) out = out.union(AddressSet.fromCidr(c));
    return out;
  }

  static fromIp(ip: Ip): AddressSet {
    const set = IntervalSet.point(ip.value);
    return ip.family === 4 ? AddressSet.of(set, IntervalSet.EMPTY) : AddressSet.of(IntervalSet.EMPTY, set);
  }

  static fromIps(ips: Iterable<Ip>): AddressSet {
    const v4: bigint[] = [];
    const v6: bigint[] = [];
    for (const ip of ips) (ip.family === 4 ? v4 : v6).push(ip.value);
    return AddressSet.of(IntervalSet.of(v4.map((v) => ({ lo: v, hi: v }))), IntervalSet.of(v6.map((v) => ({ lo: v, hi: v }))));
  }

  family(f: Family): IntervalSet {
    return f === 4 ? this.v4 : this.v6;
  }

  isEmpty(): boolean {
    return this.v4.isEmpty() && this.v6.isEmpty();
  }

  has(ip: Ip): boolean {
    return this.family(ip.family).has(ip.value);
  }

  union(o: AddressSet): AddressSet {
    // The same set when nothing is added: callers that union many sets keep one object.
    if (o === this || o.isEmpty()) return this;
    if (this.isEmpty()) return o;
    return AddressSet.of(this.v4.union(o.v4), this.v6.union(o.v6));
  }

  intersect(o: AddressSet): AddressSet {
    return AddressSet.of(this.v4.intersect(o.v4), this.v6.intersect(o.v6));
  }

  subtract(o: AddressSet): AddressSet {
    return AddressSet.of(this.v4.subtract(o.v4), this.v6.subtract(o.v6));
  }

  contains(o: AddressSet): boolean {
    return this.v4.contains(o.v4) && this.v6.contains(o.v6);
  }

  overlaps(o: AddressSet): boolean {
    return this.v4.overlaps(o.v4) || this.v6.overlaps(o.v6);
  }

  equals(o: AddressSet): boolean {
    return this.v4.equals(o.v4) && this.v6.equals(o.v6);
  }

  key(): string {
    return `${this.v4.key()}|${this.v6.key()}`;
  }

  /** The smallest list of CIDR blocks covering exactly this set, IPv4 first. */
  toCidrs(): Cidr[] {
    return [...toCidrs(4, this.v4), ...toCidrs(6, this.v6)];
  }

  toString(): string {
    return this.toCidrs().map(formatCidr).join(",");
  }

  /**
   * For people: the shorter of the CIDR list and "enclosing CIDR except holes", per family,
   * e.g. `169.254.0.0/16 except 169.254.169.254/32`.
   */
  describe(): string {
    const parts: string[] = [];
    for (const family of [4, 6] as const) {
      const set = this.family(family);
      if (set.isEmpty()) continue;
      const plain = toCidrs(family, set);
      const outer = enclosing(family, set);
      const holes = toCidrs(family, IntervalSet.range(outer.first, outer.last).subtract(set));
      parts.push(
        holes.length + 1 < plain.length
          ? `${formatCidr(outer)} except ${holes.map(formatCidr).join(",")}`
          : plain.map(formatCidr).join(","),
      );
    }
    return parts.length === 0 ? "none" : parts.join(" and ");
  }
}

/** The smallest CIDR block holding every address of a non-empty set. */
function enclosing(family: Family, set: IntervalSet): Cidr {
  const lo = set.first() ?? 0n;
  const hi = set.last() ?? 0n;
  let prefix = BITS[family];
  while (prefix > 0 && cidrOf({ family, value: lo }, prefix).last < hi) prefix--;
  return cidrOf({ family, value: lo }, prefix);
}

function toCidrs(family: Family, set: IntervalSet): Cidr[] {
  const out: Cidr[] = [];
  const bits = BITS[family];
  for (const { lo, hi } of set.intervals) {
    let start = lo;
    while (start <= hi) {
      // Largest block aligned at `start` that stays within `hi`.
      let size = 0;
      while (size < bits && (start & ((1n << BigInt(size + 1)) - 1n)) === 0n && start + (1n << BigInt(size + 1)) - 1n <= hi) size++;
      out.push(cidrOf({ family, value: start }, bits - size));
      start += 1n << BigInt(size);
    }
  }
  return out;
}

/** Orders address sets by their first address, IPv4 before IPv6 (for stable output). */
export function compareAddressSets(a: AddressSet, b: AddressSet): number {
  const first = (s: AddressSet): [number, bigint] => {
    const v4 = s.v4.first();
    if (v4 !== undefined) return [4, v4];
    return [6, s.v6.first() ?? 0n];
  };
  const [fa, la] = first(a);
  const [fb, lb] = first(b);
  return fa !== fb ? fa - fb : la < lb ? -1 : la > lb ? 1 : 0;
}

/**
 * A set of bigints stored as closed intervals that are sorted, non-overlapping and
 * non-touching. The constructor is private: every set is built through `of`, `empty` or an
 * operation, all of which normalise, so an invalid set cannot exist.
 */

export interface Interval {
  readonly lo: bigint;
  readonly hi: bigint;
}

/**
 * Held compactly (issue 10: a node agent at 50k pods kept ~100k sets, mostly of one pod address,
 * as a set, an array, its backing store and an `{lo, hi}` each): a one-point set holds its value
 * alone; any other set its bounds in one flat array, `lo0, hi0, lo1, hi1, ...`. `intervals` makes
 * the interval objects when asked.
 */
type Bounds = bigint | readonly bigint[];

export class IntervalSet {
  private constructor(private readonly bounds: Bounds) {}

  static readonly EMPTY = new IntervalSet([]);

  static empty(): IntervalSet {
    return IntervalSet.EMPTY;
  }

  static range(lo: bigint, hi: bigint): IntervalSet {
    return lo > hi ? IntervalSet.EMPTY : IntervalSet.ofBounds([lo, hi]);
  }

  static point(value: bigint): IntervalSet {
    return new IntervalSet(value);
  }

  /** Builds a set from intervals in any order, overlapping or touching. */
  static of(intervals: Iterable<Interval>): IntervalSet {
    const sorted = [...intervals].filter((i) => i.lo <= i.hi).sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
    const out: bigint[] = [];
    for (const next of sorted) append(out, next.lo, next.hi);
    return IntervalSet.ofBounds(out);
  }

  /** The set of normalised bounds: the shared empty set, a one-point set, or the bounds themselves. */
  private static ofBounds(out: bigint[]): IntervalSet {
    if (out.length === 0) return IntervalSet.EMPTY;
    return new IntervalSet(out.length === 2 && out[0] === out[1] ? (out[0] as bigint) : out);
  }

  /** The intervals, lowest first (made when asked: the set does not hold them as objects). */
  get intervals(): readonly Interval[] {
    const b = this.bounds;
    if (typeof b === "bigint") return [{ lo: b, hi: b }];
    const out: Interval[] = [];
    for (let k = 0; k < b.length; k += 2) out.push({ lo: b[k] as bigint, hi: b[k + 1] as bigint });
    return out;
  }

  /** The lowest element; undefined when empty. */
  first(): bigint | undefined {
    const b = this.bounds;
    return typeof b === "bigint" ? b : b[0];
  }

  /** The highest element; undefined when empty. */
  last(): bigint | undefined {
    const b = this.bounds;
    return typeof b === "bigint" ? b : b[b.length - 1];
  }

  isEmpty(): boolean {
    const b = this.bounds;
    return typeof b !== "bigint" && b.length === 0;
  }

  size(): bigint {
    const b = flat(this.bounds);
    let n = 0n;
    for (let k = 0; k < b.length; k += 2) n += (b[k + 1] as bigint) - (b[k] as bigint) + 1n;
    return n;
  }

  has(value: bigint): boolean {
    const b = this.bounds;
    if (typeof b === "bigint") return value === b;
    let lo = 0;
    let hi = b.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (value < (b[2 * mid] as bigint)) hi = mid - 1;
      else if (value > (b[2 * mid + 1] as bigint)) lo = mid + 1;
      else return true;
    }
    return false;
  }

  union(other: IntervalSet): IntervalSet {
    if (other.isEmpty() || other === this) return this;
    if (this.isEmpty()) return other;
    // Both are normalised: one merge pass, lowest start first.
    const a = flat(this.bounds);
    const b = flat(other.bounds);
    const out: bigint[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      if (j >= b.length || (i < a.length && (a[i] as bigint) <= (b[j] as bigint))) {
        append(out, a[i] as bigint, a[i + 1] as bigint);
        i += 2;
      } else {
        append(out, b[j] as bigint, b[j + 1] as bigint);
        j += 2;
      }
    }
    return IntervalSet.ofBounds(out);
  }

  intersect(other: IntervalSet): IntervalSet {
    const a = flat(this.bounds);
    const b = flat(other.bounds);
    const out: bigint[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const alo = a[i] as bigint;
      const ahi = a[i + 1] as bigint;
      const blo = b[j] as bigint;
      const bhi = b[j + 1] as bigint;
      const lo = alo > blo ? alo : blo;
      const hi = ahi < bhi ? ahi : bhi;
      if (lo <= hi) out.push(lo, hi);
      if (ahi < bhi) i += 2;
      else j += 2;
    }
    return IntervalSet.ofBounds(out);
  }

  subtract(other: IntervalSet): IntervalSet {
    if (other.isEmpty() || this.isEmpty()) return this;
    const a = flat(this.bounds);
    const b = flat(other.bounds);
    const out: bigint[] = [];
    let j = 0;
    for (let i = 0; i < a.length; i += 2) {
      const ahi = a[i + 1] as bigint;
      let lo = a[i] as bigint;
      while (j < b.length && (b[j + 1] as bigint) < lo) j += 2;
      let k = j;
      while (k < b.length && lo <= ahi) {
        const blo = b[k] as bigint;
        if (blo > ahi) break;
        if (blo > lo) out.push(lo, blo - 1n);
        lo = (b[k + 1] as bigint) + 1n;
        k += 2;
      }
      if (lo <= ahi) out.push(lo, ahi);
    }
    return IntervalSet.ofBounds(out);
  }

  /** Every element of `other` is in this set. */
  contains(other: IntervalSet): boolean {
    return other.subtract(this).isEmpty();
  }

  overlaps(other: IntervalSet): boolean {
    return !this.intersect(other).isEmpty();
  }

  equals(other: IntervalSet): boolean {
    const a = this.bounds;
    const b = other.bounds;
    if (typeof a === "bigint" || typeof b === "bigint") return a === b;
    return a.length === b.length && a.every((x, k) => x === b[k]);
  }

  /** A canonical text key, usable in maps. */
  key(): string {
    const b = flat(this.bounds);
    const parts: string[] = [];
    for (let k = 0; k < b.length; k += 2) {
      const lo = b[k] as bigint;
      const hi = b[k + 1] as bigint;
      parts.push(lo === hi ? lo.toString(16) : `${lo.toString(16)}-${hi.toString(16)}`);
    }
    return parts.join(",");
  }
}

const flat = (b: Bounds): readonly bigint[] => (typeof b === "bigint" ? [b, b] : b);

/** Appends the interval `lo..hi` (starting at or after the last one's start) to normalised bounds, merging it into the last when they overlap or touch. */
function append(out: bigint[], lo: bigint, hi: bigint): void {
  const n = out.length;
  if (n > 0 && lo <= (out[n - 1] as bigint) + 1n) {
    if (hi > (out[n - 1] as bigint)) out[n - 1] = hi;
  } else out.push(lo, hi);
}

/**
 * A set of bigints stored as closed intervals that are sorted, non-overlapping and
 * non-touching. The constructor is private: every set is built through `of`, `empty` or an
 * operation, all of which normalise, so an invalid set cannot exist.
 */

export interface Interval {
  readonly lo: bigint;
  readonly hi: bigint;
}

export class IntervalSet {
  private constructor(readonly intervals: readonly Interval[]) {}

  static readonly EMPTY = new IntervalSet([]);

  static empty(): IntervalSet {
    return IntervalSet.EMPTY;
  }

  static range(lo: bigint, hi: bigint): IntervalSet {
    return lo > hi ? IntervalSet.EMPTY : new IntervalSet([{ lo, hi }]);
  }

  static point(value: bigint): IntervalSet {
    return new IntervalSet([{ lo: value, hi: value }]);
  }

  /** Builds a set from intervals in any order, overlapping or touching. */
  static of(intervals: Iterable<Interval>): IntervalSet {
    const sorted = [...intervals].filter((i) => i.lo <= i.hi).sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
    const out: Interval[] = [];
    for (const next of sorted) {
      const last = out[out.length - 1];
      if (last !== undefined && next.lo <= last.hi + 1n) {
        if (next.hi > last.hi) out[out.length - 1] = { lo: last.lo, hi: next.hi };
      } else {
        out.push(next);
      }
    }
    return out.length === 0 ? IntervalSet.EMPTY : new IntervalSet(out);
  }

  isEmpty(): boolean {
    return this.intervals.length === 0;
  }

  size(): bigint {
    return this.intervals.reduce((n, i) => n + (i.hi - i.lo + 1n), 0n);
  }

  has(value: bigint): boolean {
    let lo = 0;
    let hi = this.intervals.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const i = this.intervals[mid] as Interval;
      if (value < i.lo) hi = mid - 1;
      else if (value > i.hi) lo = mid + 1;
      else return true;
    }
    return false;
  }

  union(other: IntervalSet): IntervalSet {
    if (other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    return IntervalSet.of([...this.intervals, ...other.intervals]);
  }

  intersect(other: IntervalSet): IntervalSet {
    const out: Interval[] = [];
    let i = 0;
    let j = 0;
    while (i < this.intervals.length && j < other.intervals.length) {
      const a = this.intervals[i] as Interval;
      const b = other.intervals[j] as Interval;
      const lo = a.lo > b.lo ? a.lo : b.lo;
      const hi = a.hi < b.hi ? a.hi : b.hi;
      if (lo <= hi) out.push({ lo, hi });
      if (a.hi < b.hi) i++;
      else j++;
    }
    return out.length === 0 ? IntervalSet.EMPTY : new IntervalSet(out);
  }

  subtract(other: IntervalSet): IntervalSet {
    if (other.isEmpty() || this.isEmpty()) return this;
    const out: Interval[] = [];
    let j = 0;
    for (const a of this.intervals) {
      let lo = a.lo;
      while (j < other.intervals.length && (other.intervals[j] as Interval).hi < lo) j++;
      let k = j;
      while (k < other.intervals.length && lo <= a.hi) {
        const b = other.intervals[k] as Interval;
        if (b.lo > a.hi) break;
        if (b.lo > lo) out.push({ lo, hi: b.lo - 1n });
        lo = b.hi + 1n;
        k++;
      }
      if (lo <= a.hi) out.push({ lo, hi: a.hi });
    }
    return out.length === 0 ? IntervalSet.EMPTY : new IntervalSet(out);
  }

  /** Every element of `other` is in this set. */
  contains(other: IntervalSet): boolean {
    return other.subtract(this).isEmpty();
  }

  overlaps(other: IntervalSet): boolean {
    return !this.intersect(other).isEmpty();
  }

  equals(other: IntervalSet): boolean {
    if (this.intervals.length !== other.intervals.length) return false;
    return this.intervals.every((a, k) => {
      const b = other.intervals[k] as Interval;
      return a.lo === b.lo && a.hi === b.hi;
    });
  }

  /** A canonical text key, usable in maps. */
  key(): string {
    return this.intervals.map((i) => (i.lo === i.hi ? i.lo.toString(16) : `${i.lo.toString(16)}-${i.hi.toString(16)}`)).join(",");
  }
}

/**
 * A set of class indices. Small sets are a strictly increasing Int32Array; sets holding more than
 * a thirty-second of the classes are a bitset (Uint32Array, one bit per class), so unions and
 * intersections of large sets are word-parallel. `ALL` is every class, including classes added
 * later. Immutable: every operation returns a new set (or one of its inputs).
 */
export class ClassSet {
  private idCache: Int32Array | undefined;
  private bitCache: Uint32Array | undefined;

  private constructor(
    readonly all: boolean,
    /** Members (not meaningful for `ALL`). */
    readonly size: number,
    ids: Int32Array | undefined,
    bits: Uint32Array | undefined,
  ) {
    this.idCache = ids;
    this.bitCache = bits;
  }

  static readonly EMPTY = new ClassSet(false, 0, new Int32Array(0), undefined);
  static readonly ALL = new ClassSet(true, 0, new Int32Array(0), undefined);

  /** `ids` must be strictly increasing; it is kept, not copied. */
  static sorted(ids: Int32Array): ClassSet {
    return ids.length === 0 ? ClassSet.EMPTY : new ClassSet(false, ids.length, ids, undefined);
  }

  static of(ids: Iterable<number>): ClassSet {
    const sorted = Int32Array.from(ids).sort();
    let n = 0;
    for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[n++] = sorted[i] as number;
    return ClassSet.sorted(n === sorted.length ? sorted : sorted.slice(0, n));
  }

  /** A bitset's members (the array is kept, not copied). */
  static fromWords(bits: Uint32Array): ClassSet {
    const size = popcountAll(bits);
    return size === 0 ? ClassSet.EMPTY : new ClassSet(false, size, undefined, bits);
  }

  /** The set in its smaller form for `universe` classes. */
  private static compact(bits: Uint32Array, universe: number): ClassSet {
    const set = ClassSet.fromWords(bits);
    return set.size * 32 > universe ? set : ClassSet.sorted(set.ids);
  }

  isEmpty(): boolean {
    return !this.all && this.size === 0;
  }

  sizeIn(universe: number): number {
    return this.all ? universe : this.size;
  }

  /** The members in increasing order (built from the bitset on first use). */
  get ids(): Int32Array {
    if (this.idCache === undefined) {
      const out = new Int32Array(this.size);
      let j = 0;
      forEachBit(this.bitCache as Uint32Array, (k) => {
        out[j++] = k;
      });
      this.idCache = out;
    }
    return this.idCache;
  }

  /** The members as words (built on first use); may be shorter than the universe. */
  words(): Uint32Array {
    if (this.bitCache === undefined) {
      const ids = this.idCache as Int32Array;
      const bits = new Uint32Array(ids.length === 0 ? 0 : ((ids[ids.length - 1] as number) >>> 5) + 1);
      for (let i = 0; i < ids.length; i++) {
        const k = ids[i] as number;
        bits[k >>> 5] = (bits[k >>> 5] as number) | (1 << (k & 31));
      }
      this.bitCache = bits;
    }
    return this.bitCache;
  }

  has(k: number): boolean {
    if (this.all) return true;
    const ids = this.idCache;
    if (this.bitCache === undefined && ids !== undefined && ids.length < 48) {
      for (let i = 0; i < ids.length; i++) {
        const v = ids[i] as number;
        if (v >= k) return v === k;
      }
      return false;
    }
    const bits = this.words();
    const word = k >>> 5;
    return word < bits.length && ((bits[word] as number) & (1 << (k & 31))) !== 0;
  }

  /** Calls `f` for each member, in increasing order; `universe` is the class count (for `ALL`). */
  forEach(universe: number, f: (k: number) => void): void {
    if (this.all) for (let k = 0; k < universe; k++) f(k);
    else if (this.idCache !== undefined) for (let i = 0; i < this.idCache.length; i++) f(this.idCache[i] as number);
    else forEachBit(this.bitCache as Uint32Array, f);
  }

  toArray(universe: number): Int32Array {
    if (!this.all) return this.ids;
    return Int32Array.from({ length: universe }, (_, k) => k);
  }

  intersect(o: ClassSet): ClassSet {
    if (this.all) return o;
    if (o.all) return this;
    if (this.bitCache !== undefined && o.bitCache !== undefined) {
      const n = Math.min(this.bitCache.length, o.bitCache.length);
      const out = new Uint32Array(n);
      for (let i = 0; i < n; i++) out[i] = (this.bitCache[i] as number) & (o.bitCache[i] as number);
      return ClassSet.fromWords(out);
    }
    const [small, big] = this.size <= o.size ? [this, o] : [o, this];
    const out: number[] = [];
    small.forEach(0, (k) => {
      if (big.has(k)) out.push(k);
    });
    return out.length === small.size ? small : ClassSet.sorted(Int32Array.from(out));
  }

  /** The members of this set not in `o`, over `universe` classes (`ALL` is read as the classes there are now). */
  subtract(o: ClassSet, universe: number): ClassSet {
    if (o.all || this.isEmpty()) return ClassSet.EMPTY;
    if (o.isEmpty()) return this;
    if (!this.all) {
      const out: number[] = [];
      this.forEach(universe, (k) => {
        if (!o.has(k)) out.push(k);
      });
      return out.length === this.size ? this : ClassSet.sorted(Int32Array.from(out));
    }
    const bits = new Uint32Array((universe + 31) >>> 5).fill(0xffffffff);
    if (universe % 32 !== 0) bits[bits.length - 1] = (1 << universe % 32) - 1;
    o.forEach(universe, (k) => {
      bits[k >>> 5] = (bits[k >>> 5] as number) & ~(1 << (k & 31));
    });
    return ClassSet.compact(bits, universe);
  }

  /** This set with `k` added; cheap when `k` is above every member (a class just created). */
  with(k: number): ClassSet {
    if (this.all || this.has(k)) return this;
    if (this.bitCache !== undefined && this.idCache === undefined) {
      const bits = new Uint32Array(Math.max(this.bitCache.length, (k >>> 5) + 1));
      bits.set(this.bitCache);
      bits[k >>> 5] = (bits[k >>> 5] as number) | (1 << (k & 31));
      return new ClassSet(false, this.size + 1, undefined, bits);
    }
    const ids = this.ids;
    const last = ids[ids.length - 1];
    if (last === undefined || last < k) {
      const next = new Int32Array(ids.length + 1);
      next.set(ids);
      next[ids.length] = k;
      return ClassSet.sorted(next);
    }
    return ClassSet.of([...ids, k]);
  }

  /** The union of `sets` over `universe` classes. */
  static unionAll(sets: readonly ClassSet[], universe: number): ClassSet {
    const nonEmpty = sets.filter((s) => !s.isEmpty());
    if (nonEmpty.some((s) => s.all)) return ClassSet.ALL;
    if (nonEmpty.length === 0) return ClassSet.EMPTY;
    if (nonEmpty.length === 1) return nonEmpty[0] as ClassSet;
    const total = nonEmpty.reduce((n, s) => n + s.size, 0);
    if (total * 32 <= universe && nonEmpty.every((s) => s.idCache !== undefined)) {
      const merged = new Int32Array(total);
      let at = 0;
      for (const s of nonEmpty) {
        merged.set(s.ids, at);
        at += s.size;
      }
      merged.sort();
      let n = 0;
      for (let i = 0; i < merged.length; i++) if (i === 0 || merged[i] !== merged[i - 1]) merged[n++] = merged[i] as number;
      return ClassSet.sorted(merged.slice(0, n));
    }
    const bits = new Uint32Array((universe + 31) >>> 5);
    for (const s of nonEmpty) {
      if (s.bitCache !== undefined) {
        const w = s.bitCache;
        for (let i = 0; i < w.length; i++) bits[i] = (bits[i] as number) | (w[i] as number);
      } else {
        const ids = s.idCache as Int32Array;
        for (let i = 0; i < ids.length; i++) {
          const k = ids[i] as number;
          bits[k >>> 5] = (bits[k >>> 5] as number) | (1 << (k & 31));
        }
      }
    }
    return ClassSet.compact(bits, universe);
  }
}

export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

function popcountAll(bits: Uint32Array): number {
  let n = 0;
  for (let i = 0; i < bits.length; i++) n += popcount(bits[i] as number);
  return n;
}

export function forEachBit(bits: Uint32Array, f: (k: number) => void): void {
  for (let i = 0; i < bits.length; i++) {
    let w = bits[i] as number;
    while (w !== 0) {
      const low = w & -w;
      f((i << 5) + 31 - Math.clz32(low));
      w ^= low;
    }
  }
}

/**
 * Counting allowed pairs at one atom with bit matrices, for clusters where almost every class has
 * rows of its own (unique label sets): the destination x source ingress matrix is transposed in
 * 32x32 blocks, then each source's egress row is ANDed with its transposed ingress row and the
 * result popcounted, weighted by the destinations' endpoint counts (one bit plane per weight bit).
 */
import { type ClassSet, popcount } from "./class-set.js";
import type { Row } from "./terms.js";

export interface DenseInput {
  readonly n: number;
  readonly rows: readonly Row[];
  readonly eRow: Int32Array;
  readonly iRow: Int32Array;
  readonly weight: Float64Array;
}

/** The full and the some-address pair weights (self pairs not yet corrected). */
export function denseCount(input: DenseInput): { full: number; some: number } {
  const { n, rows, eRow, iRow, weight } = input;
  const words = (n + 31) >>> 5;
  const planes = weightPlanes(weight, words);
  const hasPartial = rows.some((r) => !r.partial.isEmpty());
  const ones = allOnes(n, words);
  const fullOf = (set: ClassSet): Uint32Array => (set.all ? ones : set.words());
  const someOf = memo((r: Row) => (r.partial.isEmpty() ? fullOf(r.full) : or(fullOf(r.full), r.partial.words(), words)));
  const tFull = transpose(n, words, (d) => fullOf((rows[iRow[d] as number] as Row).full));
  const tSome = hasPartial ? transpose(n, words, (d) => someOf(rows[iRow[d] as number] as Row)) : tFull;
  let full = 0;
  let some = 0;
  for (let s = 0; s < n; s++) {
    const ws = weight[s] as number;
    if (ws === 0) continue;
    const E = rows[eRow[s] as number] as Row;
    full += ws * weighted(fullOf(E.full), tFull, s * words, planes);
    some += ws * (hasPartial ? weighted(someOf(E), tSome, s * words, planes) : 0);
  }
  return { full, some: hasPartial ? some : full };
}

/** Whether the dense count is the cheaper one: `bucketing` is the work the rectangle count would do. */
export function denseIsCheaper(n: number, bucketing: number): boolean {
  const words = (n + 31) >>> 5;
  return n <= DENSE_MAX_CLASSES && bucketing > words * words * 8 + n * words;
}

/** Above this many classes the transposed matrices would not fit comfortably (n^2 / 4 bytes each). */
const DENSE_MAX_CLASSES = 20_000;

interface Plane {
  readonly value: number;
  readonly bits: Uint32Array;
}

/** Bit k of every class's weight, as a bitset per k (only the planes with a class in them). */
function weightPlanes(weight: Float64Array, words: number): Plane[] {
  const planes: Plane[] = [];
  for (let k = 0; k < 31; k++) {
    const bits = new Uint32Array(words);
    let any = false;
    for (let c = 0; c < weight.length; c++) {
      if ((((weight[c] as number) >>> k) & 1) === 1) {
        bits[c >>> 5] = (bits[c >>> 5] as number) | (1 << (c & 31));
        any = true;
      }
    }
    if (any) planes.push({ value: 2 ** k, bits });
  }
  return planes;
}

function weighted(row: Uint32Array, t: Uint32Array, at: number, planes: readonly Plane[]): number {
  let total = 0;
  const len = Math.min(row.length, (t.length - at) | 0);
  for (const plane of planes) {
    let n = 0;
    const bits = plane.bits;
    for (let i = 0; i < len; i++) {
      const x = (row[i] as number) & (t[at + i] as number) & (bits[i] as number);
      if (x !== 0) n += popcount(x);
    }
    total += n * plane.value;
  }
  return total;
}

/** T[s] = the destinations d whose row (given per d, as words over sources) has s. */
function transpose(n: number, words: number, rowOf: (d: number) => Uint32Array): Uint32Array {
  const t = new Uint32Array(n * words);
  const block = new Uint32Array(32);
  const source: Uint32Array[] = new Array<Uint32Array>(32);
  for (let bi = 0; bi < words; bi++) {
    const count = Math.min(32, n - bi * 32);
    for (let r = 0; r < count; r++) source[r] = rowOf(bi * 32 + r);
    for (let bj = 0; bj < words; bj++) {
      let any = 0;
      for (let r = 0; r < 32; r++) {
        const w = r < count ? ((source[r] as Uint32Array)[bj] ?? 0) : 0;
        block[r] = w;
        any |= w;
      }
      if (any === 0) continue;
      transpose32(block);
      const rowsHere = Math.min(32, n - bj * 32);
      for (let c = 0; c < rowsHere; c++) t[(bj * 32 + c) * words + bi] = block[c] as number;
    }
  }
  return t;
}

/**
 * Transposes a 32x32 bit matrix in place: afterwards bit r of a[c] is what bit c of a[r] was
 * (bit k is `1 << k`). Swaps 16x16, 8x8, ... 1x1 sub-blocks.
 */
export function transpose32(a: Uint32Array): void {
  let j = 16;
  let m = 0x0000ffff;
  while (j !== 0) {
    for (let k = 0; k < 32; k = (k + j + 1) & ~j) {
      const x = (a[k] as number) >>> 0;
      const y = (a[k + j] as number) >>> 0;
      const t = ((x >>> j) ^ y) & m;
      a[k] = x ^ (t << j);
      a[k + j] = y ^ t;
    }
    j >>>= 1;
    m ^= m << j;
  }
}

function allOnes(n: number, words: number): Uint32Array {
  const out = new Uint32Array(words).fill(0xffffffff);
  if ((n & 31) !== 0) out[words - 1] = (1 << (n & 31)) - 1;
  return out;
}

function or(a: Uint32Array, b: Uint32Array, words: number): Uint32Array {
  const out = new Uint32Array(words);
  for (let i = 0; i < words; i++) out[i] = (a[i] ?? 0) | (b[i] ?? 0);
  return out;
}

function memo<K extends object, V>(f: (k: K) => V): (k: K) => V {
  const cache = new Map<K, V>();
  return (k) => {
    let v = cache.get(k);
    if (v === undefined) {
      v = f(k);
      cache.set(k, v);
    }
    return v;
  };
}

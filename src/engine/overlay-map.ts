const GONE: unique symbol = Symbol("gone");

/**
 * A map that can be forked cheaply: a fork shares the entries it was made from (the base, which
 * from then on nobody changes) and keeps its own changes on top. Forking copies only the changes
 * made since the base was last flattened, and flattens when they outgrow a fraction of the base,
 * so a chain of small changes to a large map costs little per change.
 */
export class OverlayMap<K, V> {
  private shared = false;

  private constructor(
    private base: Map<K, V>,
    private top: Map<K, V | typeof GONE>,
  ) {}

  static of<K, V>(entries?: Iterable<readonly [K, V]>): OverlayMap<K, V> {
    return new OverlayMap(new Map(entries), new Map());
  }

  /** A copy that shares this map's entries; both may change afterwards without affecting the other. */
  fork(): OverlayMap<K, V> {
    if (this.top.size * 4 > this.base.size) {
      this.base = this.flat();
      this.top = new Map();
    }
    this.shared = true;
    const fork = new OverlayMap(this.base, new Map(this.top));
    fork.shared = true;
    return fork;
  }

  get(k: K): V | undefined {
    if (this.top.size === 0) return this.base.get(k);
    const v = this.top.get(k);
    if (v === GONE) return undefined;
    return v !== undefined || this.top.has(k) ? (v as V) : this.base.get(k);
  }

  has(k: K): boolean {
    if (this.top.size === 0) return this.base.has(k);
    const v = this.top.get(k);
    if (v === GONE) return false;
    return v !== undefined || this.top.has(k) || this.base.has(k);
  }

  set(k: K, v: V): this {
    if (this.shared) this.top.set(k, v);
    else this.base.set(k, v);
    return this;
  }

  delete(k: K): void {
    if (this.shared) this.top.set(k, GONE);
    else this.base.delete(k);
  }

  *keys(): IterableIterator<K> {
    for (const k of this.base.keys()) if (!this.top.has(k)) yield k;
    for (const [k, v] of this.top) if (v !== GONE) yield k;
  }

  *entries(): IterableIterator<[K, V]> {
    for (const [k, v] of this.base) if (!this.top.has(k)) yield [k, v];
    for (const [k, v] of this.top) if (v !== GONE) yield [k, v];
  }

  private flat(): Map<K, V> {
    const out = new Map(this.base);
    for (const [k, v] of this.top) {
      if (v === GONE) out.delete(k);
      else out.set(k, v);
    }
    return out;
  }
}

const GONE: unique symbol = Symbol("gone");

/**
 * Base entries a fork may keep hidden (see `OverlayMap`). Flattening copies the base, so at 50k
 * entries and two hidden per pod event (the old pod object deleted, its class list replaced) this
 * copies 50k entries every ~16 events: well under a millisecond per event.
 */
const MAX_HIDDEN = 32;

/**
 * A map that can be forked cheaply: a fork shares the entries it was made from (the base, which
 * from then on nobody changes) and keeps its own changes on top. Forking copies only the changes
 * made since the base was last flattened, and flattens when they outgrow a fraction of the base,
 * so a chain of small changes to a large map costs little per change.
 *
 * A change on top of a key the base holds hides the base's entry but keeps it (and all it reaches)
 * alive, so the base is also flattened once more than `MAX_HIDDEN` of its entries are hidden: a
 * long chain of forks (one per pod event in the node agent) keeps at most that many dead entries,
 * not one per change until the changes reach a fraction of the base (issue 10: at 50k pods every
 * relabelled pod's old object stayed reachable for thousands of events, ~0.5 MiB each).
 */
export class OverlayMap<K, V> {
  private shared = false;
  /** Entries of `top` whose key `base` holds too: base entries kept alive though nobody sees them. */
  private hiddenCount = 0;

  private constructor(
    private base: Map<K, V>,
    private top: Map<K, V | typeof GONE>,
  ) {}

  static of<K, V>(entries?: Iterable<readonly [K, V]>): OverlayMap<K, V> {
    return new OverlayMap(new Map(entries), new Map());
  }

  /** A copy that shares this map's entries; both may change afterwards without affecting the other. */
  fork(): OverlayMap<K, V> {
    if (this.top.size * 4 > this.base.size || this.hiddenCount > MAX_HIDDEN) {
      this.base = this.flat();
      this.top = new Map();
      this.hiddenCount = 0;
    }
    this.shared = true;
    const fork = new OverlayMap(this.base, new Map(this.top));
    fork.shared = true;
    fork.hiddenCount = this.hiddenCount;
    return fork;
  }

  /** How many base entries changes on top hide (and keep alive): at most `MAX_HIDDEN` after a fork, plus the changes since. */
  get hidden(): number {
    return this.hiddenCount;
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
    if (this.shared) this.onTop(k, v);
    else this.base.set(k, v);
    return this;
  }

  delete(k: K): void {
    if (this.shared) this.onTop(k, GONE);
    else this.base.delete(k);
  }

  private onTop(k: K, v: V | typeof GONE): void {
    if (!this.top.has(k) && this.base.has(k)) this.hiddenCount++;
    this.top.set(k, v);
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

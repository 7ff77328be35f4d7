/**
 * A map for what a compile keeps for the next one: entries the compile under way or the last one
 * used (`set`), the others dropped when a compile ends (`settle`). One map, each key stamped with
 * the compile that last set it, kept in place: a map made anew per compile (the last compile's
 * and this one's) is promoted by the collector while the next event waits, and dropped then
 * (issue 10: a few hundred KiB per event at 50k pods, a table of every rule each).
 */
export class LastUsed<K, V> {
  private readonly values = new Map<K, V>();
  private readonly stamps = new Map<K, number>();
  private compile = 0;

  get(key: K): V | undefined {
    return this.values.get(key);
  }

  /** Sets `key` for the compile under way (and keeps it through the next). */
  set(key: K, value: V): void {
    this.values.set(key, value);
    if (this.stamps.get(key) !== this.compile) this.stamps.set(key, this.compile);
  }

  /** Ends a compile: what it did not set is dropped. */
  settle(): void {
    for (const [key, at] of this.stamps) {
      if (at !== this.compile) {
        this.stamps.delete(key);
        this.values.delete(key);
      }
    }
    this.compile++;
  }

  /** The entries kept: after `settle`, those of the compile that ended. */
  entries(): IterableIterator<[K, V]> {
    return this.values.entries();
  }

  get size(): number {
    return this.values.size;
  }
}

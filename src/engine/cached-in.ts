/** The value of `key` in `map`, made by `make` on first use (caches keyed by immutable objects). */
export function cachedIn<K extends object, V>(map: WeakMap<K, V>, key: K, make: () => V): V {
  let hit = map.get(key);
  if (hit === undefined) {
    hit = make();
    map.set(key, hit);
  }
  return hit;
}

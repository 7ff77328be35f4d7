/** Labels as a Map: keys like `constructor` or `__proto__` are plain data here. */
export type Labels = ReadonlyMap<string, string>;


export function labelsOf(record: Readonly<Record<string, string>>): Labels {
  return new Map(Object.entries(record));
}

/** A canonical text form, `a=1,b=2`, sorted by key; usable as a map key. */
export function labelsKey(labels: Labels): string {
  return [...labels.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

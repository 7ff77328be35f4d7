/** A plain mapping, as yaml's toJS produces for a YAML mapping. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof Uint8Array) && !(v instanceof Map) && !(v instanceof Set);
}

/**
 * The items in an array of their own length. An array grown by `push` keeps room for 16 more items
 * (144 bytes for one); decoded objects live as long as the node agent runs (10k NetworkPolicies
 * hold 250k small arrays: 37 MiB grown, under 10 MiB exact).
 */
export const exact = <T>(items: readonly T[]): T[] => items.slice();

/** The field's own value: `constructor` or `__proto__` are plain keys, never inherited members. */
export function own(record: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

/** How a value is named in `expected X, found Y`. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return "a list";
  if (v instanceof Date) return "a timestamp";
  if (v instanceof Uint8Array) return "binary data";
  if (v instanceof Map || v instanceof Set) return "a YAML set or ordered map";
  switch (typeof v) {
    case "string":
      return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
    case "number":
      return `the number ${v}`;
    case "boolean":
      return `the boolean ${v} (YAML reads yes/no/on/off/y/n unquoted as booleans)`;
    case "bigint":
      return `the number ${v}`;
    case "object":
      return "a mapping";
    default:
      return typeof v;
  }
}

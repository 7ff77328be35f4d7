import type { Location } from "../diag/location.js";
import type { ObjectRef } from "../model/cluster.js";
import { formatSelector } from "../model/selector.js";
import type { LabelSelector } from "../model/selector.js";

/** `NetworkPolicy production/app-egress` */
export function policyObject(p: { readonly namespace: string; readonly name: string }): ObjectRef {
  return { kind: "NetworkPolicy", namespace: p.namespace, name: p.name };
}

/** `app=web` or `{}` (all) */
export function selectorText(s: LabelSelector): string {
  return formatSelector(s);
}

/** Sorted and without repeats. */
export function sortedIds(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `a, b, c` or `a, b, c and 4 more` */
export function listText(items: readonly string[], limit = 5): string {
  if (items.length <= limit) return items.join(", ");
  return `${items.slice(0, limit).join(", ")} and ${items.length - limit} more`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Policies in source order: file, document, line, column. */
export function compareLocations(a: Location, b: Location): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.document - b.document || a.line - b.line || a.column - b.column;
}

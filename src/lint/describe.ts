import { formatLocationLine, type Location } from "../diag/location.js";
import { type AdminPolicy, type AdminRule, formatAdminPolicy } from "../model/admin-policy.js";
import type { Direction, ObjectRef } from "../model/cluster.js";
import { formatSelector } from "../model/selector.js";
import type { LabelSelector } from "../model/selector.js";

/** `NetworkPolicy production/app-egress` */
export function policyObject(p: { readonly namespace: string; readonly name: string }): ObjectRef {
  return { kind: "NetworkPolicy", namespace: p.namespace, name: p.name };
}

/** `ClusterNetworkPolicy deny-metadata`: an admin policy is cluster-scoped (formatAdminPolicy names it so). */
export function adminObject(p: Pick<AdminPolicy, "source" | "name">): ObjectRef {
  return { kind: p.source.kind, namespace: "", name: p.name };
}

/** `ClusterNetworkPolicy deny-metadata spec.egress[0] "block-imds"`: an admin rule in messages. */
export function adminRuleText(p: Pick<AdminPolicy, "source" | "name">, direction: Direction, rule: AdminRule<unknown>): string {
  return `${formatAdminPolicy(p)} spec.${direction}[${rule.index}]${rule.name === undefined ? "" : ` "${rule.name}"`}`;
}

/** `file:line` (or `Kind namespace/name` when live): where a rule or policy is, for messages that name another object than the finding's. */
export function atText(at: Location): string {
  return formatLocationLine(at);
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

/** Policies in source order: file, document, line, column (live objects after files, by name). */
export { compareLocations } from "../diag/location.js";

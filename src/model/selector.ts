import type { Labels } from "./labels.js";

export type Operator = "In" | "NotIn" | "Exists" | "DoesNotExist";

/** One requirement of a label selector. `matchLabels: {k: v}` is held as `k In (v)`. */
export type Requirement =
  | { readonly key: string; readonly operator: "In" | "NotIn"; readonly values: readonly string[] }
  | { readonly key: string; readonly operator: "Exists" | "DoesNotExist" };

/**
 * A label selector: the AND of its requirements.
 * "An empty label selector matches all objects." (metav1.LabelSelector)
 */
export interface LabelSelector {
  readonly requirements: readonly Requirement[];
}

export const MATCH_ALL: LabelSelector = { requirements: [] };

export function requirementMatches(r: Requirement, labels: Labels): boolean {
  const value = labels.get(r.key);
  switch (r.operator) {
    case "In":
      return value !== undefined && r.values.includes(value);
    case "NotIn":
      // "NotIn ... the label key is either absent or its value is not in the set."
      return value === undefined || !r.values.includes(value);
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
  }
}

export function selectorMatches(selector: LabelSelector, labels: Labels): boolean {
  return selector.requirements.every((r) => requirementMatches(r, labels));
}

export function isMatchAll(selector: LabelSelector): boolean {
  return selector.requirements.length === 0;
}

export function formatRequirement(r: Requirement): string {
  switch (r.operator) {
    case "In":
      return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(",")})`;
    case "NotIn":
      return `${r.key} notin (${r.values.join(",")})`;
    case "Exists":
      return r.key;
    case "DoesNotExist":
      return `!${r.key}`;
  }
}

/** kubectl's selector syntax: `app=web,tier in (a,b),!legacy`; `{}` (all) when empty. */
export function formatSelector(selector: LabelSelector): string {
  return selector.requirements.length === 0 ? "{}" : selector.requirements.map(formatRequirement).join(",");
}

/** A canonical key: two selectors with the same key select the same objects. */
export function selectorKey(selector: LabelSelector): string {
  return selector.requirements
    .map((r) => {
      const values = "values" in r ? [...r.values].sort().join("\u0001") : "";
      return `${r.key}\u0002${r.operator}\u0002${values}`;
    })
    .sort()
    .join("\u0003");
}

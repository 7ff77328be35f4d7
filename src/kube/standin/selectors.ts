/**
 * Label and field selectors as the apiserver parses them from a query string
 * (k8s.io/apimachinery/pkg/labels and pkg/fields), and matching against an object.
 */
import type { LabelQuery, Parsed } from "../../k8s/label-query.js";
import type { ResourceType } from "./resources.js";

export type { Parsed } from "../../k8s/label-query.js";
export { parseLabelSelector } from "../../k8s/label-query.js";
export type LabelSelector = LabelQuery;

export function matchesLabels(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  return selector.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    const value = labels[r.key] ?? "";
    switch (r.op) {
      case "=":
      case "in":
        return has && r.values.includes(value);
      case "!=":
      case "notin":
        return !has || !r.values.includes(value);
      case "exists":
        return has;
      case "!":
        return !has;
      case "gt":
        return has && /^-?\d+$/.test(value) && Number(value) > Number(r.values[0]);
      case "lt":
        return has && /^-?\d+$/.test(value) && Number(value) < Number(r.values[0]);
    }
  });
}

interface FieldRequirement {
  readonly field: string;
  readonly equal: boolean;
  readonly value: string;
}

export type FieldSelector = readonly FieldRequirement[];

/**
 * A `fieldSelector` query value (`spec.nodeName=n1,status.phase!=Running`) for a type: a field the
 * type does not support is the apiserver's 400, worded as the type's field label conversion words it.
 */
export function parseFieldSelector(text: string, type: ResourceType): Parsed<FieldSelector> {
  if (text.trim() === "") return { ok: true, value: [] };
  const reqs: FieldRequirement[] = [];
  for (const part of text.split(",")) {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
    if (m === null) return { ok: false, message: `invalid selector: '${text}'; can't understand '${part}'` };
    const field = m[1] ?? "";
    if (field !== "metadata.name" && field !== "metadata.namespace" && !type.fields.includes(field)) {
      const message = type.ownFieldConversion ? `field label not supported: ${field}` : `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`;
      return { ok: false, message };
    }
    reqs.push({ field, equal: m[2] !== "!=", value: m[3] ?? "" });
  }
  return { ok: true, value: reqs };
}

/** A dotted path's value as the apiserver's selectable fields render it: absent → "", booleans → "true"/"false". */
function fieldValue(obj: unknown, field: string): string {
  if (field === "status.podIPs") {
    const ips = (obj as { status?: { podIPs?: { ip?: string }[] } }).status?.podIPs ?? [];
    return ips[0]?.ip ?? "";
  }
  let at: unknown = obj;
  for (const step of field.split(".")) {
    at = typeof at === "object" && at !== null ? (at as Record<string, unknown>)[step] : undefined;
  }
  if (typeof at === "string") return at;
  if (typeof at === "boolean" || typeof at === "number") return String(at);
  // spec.unschedulable and spec.hostNetwork are bools that default to false.
  if (field === "spec.unschedulable" || field === "spec.hostNetwork") return "false";
  return "";
}

export function matchesFields(selector: FieldSelector, obj: unknown): boolean {
  return selector.every((r) => (fieldValue(obj, r.field) === r.value) === r.equal);
}

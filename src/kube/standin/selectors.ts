/**
 * Label and field selectors as the apiserver parses them from a query string
 * (k8s.io/apimachinery/pkg/labels and pkg/fields), and matching against an object.
 */
import type { ResourceType } from "./resources.js";

type LabelOp = "=" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

interface LabelRequirement {
  readonly key: string;
  readonly op: LabelOp;
  readonly values: readonly string[];
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** The comma-separated parts of a selector, commas inside `( )` kept (`env in (a,b),tier`). */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function parseRequirement(part: string): LabelRequirement | string {
  const text = part.trim();
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(text);
  const cmp = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(\S*)$/.exec(text);
  let req: LabelRequirement;
  if (set !== null) {
    const values = (set[3] ?? "").split(",").map((v) => v.trim());
    req = { key: set[1] ?? "", op: set[2] as "in" | "notin", values };
  } else if (cmp !== null) {
    const sym = cmp[2];
    const op: LabelOp = sym === "==" || sym === "=" ? "=" : sym === "!=" ? "!=" : sym === ">" ? "gt" : "lt";
    req = { key: cmp[1] ?? "", op, values: [cmp[3] ?? ""] };
    if ((op === "gt" || op === "lt") && !/^-?\d+$/.test(cmp[3] ?? "")) return `for 'Gt', 'Lt' operators, the value must be an integer: ${cmp[3] ?? ""}`;
  } else if (text.startsWith("!")) {
    req = { key: text.slice(1).trim(), op: "!", values: [] };
  } else {
    req = { key: text, op: "exists", values: [] };
  }
  if (!KEY.test(req.key)) return `unable to parse requirement: invalid label key "${req.key}"`;
  for (const v of req.values) if (!VALUE.test(v)) return `unable to parse requirement: invalid label value: "${v}"`;
  return req;
}

export type LabelSelector = readonly LabelRequirement[];

/** A `labelSelector` query value: `=`, `==`, `!=`, `in`, `notin`, `key`, `!key`, `>`, `<`; "" selects everything. */
export function parseLabelSelector(text: string): Parsed<LabelSelector> {
  if (text.trim() === "") return { ok: true, value: [] };
  const reqs: LabelRequirement[] = [];
  for (const part of splitTopLevel(text)) {
    const r = parseRequirement(part);
    if (typeof r === "string") return { ok: false, message: r };
    reqs.push(r);
  }
  return { ok: true, value: reqs };
}

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

/**
 * The label-selector syntax of query strings and `kubectl -l` (k8s.io/apimachinery/pkg/labels
 * `Parse`): `=`, `==`, `!=`, `in`, `notin`, `key`, `!key`, `>`, `<`, joined with `,`. The stand-in
 * API server answers `?labelSelector=` with it (kube/standin/selectors.ts); `feeds policy --select`
 * turns it into a LabelSelector (`labelSelectorOf`).
 */
import type { LabelSelector, Requirement } from "../model/selector.js";

export type LabelOp = "=" | "!=" | "in" | "notin" | "exists" | "!" | "gt" | "lt";

export interface LabelRequirement {
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

/** A parsed `labelSelector` query: the AND of its requirements, as written. */
export type LabelQuery = readonly LabelRequirement[];

/** A `labelSelector` query value: `=`, `==`, `!=`, `in`, `notin`, `key`, `!key`, `>`, `<`; "" selects everything. */
export function parseLabelSelector(text: string): Parsed<LabelQuery> {
  if (text.trim() === "") return { ok: true, value: [] };
  const reqs: LabelRequirement[] = [];
  for (const part of splitTopLevel(text)) {
    const r = parseRequirement(part);
    if (typeof r === "string") return { ok: false, message: r };
    reqs.push(r);
  }
  return { ok: true, value: reqs };
}

/**
 * A query as a LabelSelector (metav1.LabelSelector's meaning): `=`/`==`/`in` are In, `!=` is NotIn
 * of one value (as kubectl's conversion writes it), `key` Exists, `!key` DoesNotExist. `>` and `<`
 * have no LabelSelector operator: refused.
 */
export function labelSelectorOf(text: string): Parsed<LabelSelector> {
  const parsed = parseLabelSelector(text);
  if (!parsed.ok) return parsed;
  const requirements: Requirement[] = [];
  for (const r of parsed.value) {
    if (r.op === "gt" || r.op === "lt") return { ok: false, message: "a LabelSelector has no > or < (its operators are In, NotIn, Exists, DoesNotExist)" };
    if (r.op === "exists" || r.op === "!") requirements.push({ key: r.key, operator: r.op === "exists" ? "Exists" : "DoesNotExist" });
    else requirements.push({ key: r.key, operator: r.op === "!=" || r.op === "notin" ? "NotIn" : "In", values: r.values });
  }
  return { ok: true, value: { requirements } };
}

/**
 * A small, deterministic YAML writer for the scaffold: block style, two-space indentation, comments
 * before list items and map entries. Strings are plain only when YAML 1.1 (which kubectl uses)
 * would read them back as the same string; otherwise double-quoted.
 */

export type YamlNode =
  | { readonly kind: "scalar"; readonly value: string | number }
  | { readonly kind: "map"; readonly entries: readonly YamlEntry[] }
  | { readonly kind: "list"; readonly items: readonly YamlItem[] };

export interface YamlEntry {
  readonly key: string;
  readonly value: YamlNode;
  readonly comment?: readonly string[];
}

export interface YamlItem {
  readonly value: YamlNode;
  readonly comment?: readonly string[];
}

export const scalar = (value: string | number): YamlNode => ({ kind: "scalar", value });
export const map = (...entries: YamlEntry[]): YamlNode => ({ kind: "map", entries });
export const list = (...items: YamlItem[]): YamlNode => ({ kind: "list", items });
export const entry = (key: string, value: YamlNode | string | number, comment?: readonly string[]): YamlEntry => ({
  key,
  value: typeof value === "object" ? value : scalar(value),
  ...(comment === undefined ? {} : { comment }),
});
export const item = (value: YamlNode | string | number, comment?: readonly string[]): YamlItem => ({
  value: typeof value === "object" ? value : scalar(value),
  ...(comment === undefined ? {} : { comment }),
});

/** Words YAML 1.1 reads as booleans or null. */
const YAML11_WORDS = /^(y|yes|n|no|true|false|on|off|null|~)$/i;

export function formatScalar(value: string | number): string {
  if (typeof value === "number") return String(value);
  const plain = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(value) && (/^[A-Za-z]/.test(value) || value.includes("/")) && !YAML11_WORDS.test(value);
  return plain ? value : JSON.stringify(value);
}

function comments(lines: readonly string[] | undefined, pad: string): string[] {
  return (lines ?? []).map((l) => (l === "" ? `${pad}#` : `${pad}# ${l}`));
}

function isEmpty(node: YamlNode): boolean {
  return (node.kind === "map" && node.entries.length === 0) || (node.kind === "list" && node.items.length === 0);
}

function emitEntries(entries: readonly YamlEntry[], indent: number): string[] {
  const pad = " ".repeat(indent);
  return entries.flatMap((e) => {
    const head = [...comments(e.comment, pad)];
    const key = formatScalar(e.key);
    if (e.value.kind === "scalar") return [...head, `${pad}${key}: ${formatScalar(e.value.value)}`];
    if (isEmpty(e.value)) return [...head, `${pad}${key}: ${e.value.kind === "map" ? "{}" : "[]"}`];
    return [...head, `${pad}${key}:`, ...emitNode(e.value, indent + 2)];
  });
}

function emitItems(items: readonly YamlItem[], indent: number): string[] {
  const pad = " ".repeat(indent);
  return items.flatMap((it) => {
    const head = comments(it.comment, pad);
    if (it.value.kind === "scalar") return [...head, `${pad}- ${formatScalar(it.value.value)}`];
    if (isEmpty(it.value)) return [...head, `${pad}- ${it.value.kind === "map" ? "{}" : "[]"}`];
    // The item's own lines sit two columns in; the first one takes the dash.
    const [first = "", ...rest] = emitNode(it.value, indent + 2);
    return [...head, `${pad}- ${first.slice(indent + 2)}`, ...rest];
  });
}

function emitNode(node: YamlNode, indent: number): string[] {
  switch (node.kind) {
    case "scalar":
      return [`${" ".repeat(indent)}${formatScalar(node.value)}`];
    case "map":
      return emitEntries(node.entries, indent);
    case "list":
      return emitItems(node.items, indent);
  }
}

/** One YAML document's text (no `---`), ending with a newline. */
export function emitDocument(node: YamlNode, comment?: readonly string[]): string {
  return `${[...comments(comment, ""), ...emitNode(node, 0)].join("\n")}\n`;
}

/** A plain JSON-like value (strings, numbers, arrays, objects in key order) as a node; used to print a generated object in this writer's style. */
export function fromPlain(value: unknown): YamlNode {
  if (typeof value === "string" || typeof value === "number") return scalar(value);
  if (Array.isArray(value)) return list(...value.map((v) => item(fromPlain(v))));
  if (typeof value === "object" && value !== null) return map(...Object.entries(value).map(([k, v]) => entry(k, fromPlain(v))));
  throw new Error(`fromPlain: no YAML for ${typeof value}`);
}

/**
 * The fast path for JSON files (`kubectl get -A -o json` dumps can be tens of megabytes): the
 * platform's JSON.parse reads the values, and positions are found only when asked for, by scanning
 * the text of the containers on the way to a field (each container's children are scanned once).
 *
 * JSON is YAML, and the YAML path reads it the same way, only about a hundred times slower. Where
 * the two could differ, the fast path steps aside (`null`) and the YAML path reports: text that is
 * not one valid JSON value, a duplicate key (JSON.parse keeps the last, kubectl's strict decoding
 * rejects it), or nesting deeper than the YAML path accepts.
 */
import { MAX_NESTING } from "./depth.js";
import type { FieldPath } from "./path.js";

export interface JsonSource {
  readonly value: unknown;
  /** The offset of a field: its key (in a mapping) or its start (in a list); for a path not written, that of the nearest enclosing field. */
  readonly offsetOf: (path: FieldPath) => number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function skipSpace(text: string, at: number): number {
  while (at < text.length && isSpace(text.charCodeAt(at))) at++;
  return at;
}

/** The offset just past the string starting (with its quote) at `at`. */
function skipString(text: string, at: number): number {
  let k = at + 1;
  for (;;) {
    const end = text.indexOf('"', k);
    if (end < 0) return text.length;
    let slashes = 0;
    for (let j = end - 1; text.charCodeAt(j) === BACKSLASH; j--) slashes++;
    if (slashes % 2 === 0) return end + 1;
    k = end + 1;
  }
}

/** The key text of the string token at `at` (ending before `end`), unescaped. */
function keyAt(text: string, at: number, end: number): string {
  const raw = text.slice(at + 1, end - 1);
  return raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
}

/**
 * Checks what JSON.parse does not: every object's keys distinct, nesting within MAX_NESTING.
 * The text is valid JSON (JSON.parse read it).
 */
function isPlain(text: string): boolean {
  const keys: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let at = 0; at < text.length; ) {
    const c = text.charCodeAt(at);
    if (c === QUOTE) {
      const end = skipString(text, at);
      const open = keys[keys.length - 1];
      if (expectKey && open !== undefined && open !== null) {
        const key = keyAt(text, at, end);
        if (open.has(key)) return false;
        open.add(key);
      }
      expectKey = false;
      at = end;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (keys.length >= MAX_NESTING) return false;
      keys.push(c === OPEN_BRACE ? new Set() : null);
      expectKey = c === OPEN_BRACE;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      keys.pop();
      expectKey = false;
    } else if (c === COMMA) {
      expectKey = keys[keys.length - 1] !== null;
    }
    at++;
  }
  return true;
}

/** The offset just past the value starting at `at`. */
function skipValue(text: string, at: number): number {
  const c = text.charCodeAt(at);
  if (c === QUOTE) return skipString(text, at);
  if (c !== OPEN_BRACE && c !== OPEN_BRACKET) {
    let k = at;
    while (k < text.length) {
      const d = text.charCodeAt(k);
      if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || isSpace(d)) break;
      k++;
    }
    return k;
  }
  let depth = 0;
  for (let k = at; k < text.length; ) {
    const d = text.charCodeAt(k);
    if (d === QUOTE) {
      k = skipString(text, k);
      continue;
    }
    if (d === OPEN_BRACE || d === OPEN_BRACKET) depth++;
    else if ((d === CLOSE_BRACE || d === CLOSE_BRACKET) && --depth === 0) return k + 1;
    k++;
  }
  return text.length;
}

interface Child {
  /** Where the field is reported: its key, or the item. */
  readonly at: number;
  /** Where its value starts. */
  readonly value: number;
}

/** The children of the container at `at`: by key for an object, by index for an array. */
function scanChildren(text: string, at: number): Map<string | number, Child> {
  const children = new Map<string | number, Child>();
  const open = text.charCodeAt(at);
  let k = skipSpace(text, at + 1);
  let index = 0;
  while (k < text.length) {
    const c = text.charCodeAt(k);
    if (c === CLOSE_BRACE || c === CLOSE_BRACKET) break;
    if (open === OPEN_BRACE) {
      const keyEnd = skipString(text, k);
      const colon = skipSpace(text, keyEnd);
      const value = skipSpace(text, text.charCodeAt(colon) === COLON ? colon + 1 : colon);
      children.set(keyAt(text, k, keyEnd), { at: k, value });
      k = skipValue(text, value);
    } else {
      children.set(index++, { at: k, value: k });
      k = skipValue(text, k);
    }
    k = skipSpace(text, k);
    if (text.charCodeAt(k) === COMMA) k = skipSpace(text, k + 1);
  }
  return children;
}

/** One JSON value with lazily found positions, or null when the YAML path must read the text. */
export function readJsonSource(text: string): JsonSource | null {
  const start = skipSpace(text, 0);
  const first = text.charCodeAt(start);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isPlain(text)) return null;
  const scanned = new Map<number, Map<string | number, Child>>();
  const childrenOf = (at: number): Map<string | number, Child> => {
    let children = scanned.get(at);
    if (children === undefined) {
      children = scanChildren(text, at);
      scanned.set(at, children);
    }
    return children;
  };
  const offsetOf = (path: FieldPath): number => {
    let at = start;
    let reported = start;
    for (const segment of path) {
      const c = text.charCodeAt(at);
      if ((typeof segment === "number" && c !== OPEN_BRACKET) || (typeof segment === "string" && c !== OPEN_BRACE)) break;
      const child = childrenOf(at).get(segment);
      if (child === undefined) break;
      reported = child.at;
      at = child.value;
    }
    return reported;
  };
  return { value, offsetOf };
}

/** What every feed parser shares: JSON read as data, a CIDR field read with its path, errors collected. */
import { type Cidr, parseCidr } from "../net/cidr.js";
import type { FeedError } from "./types.js";

export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

export type JsonRead = { readonly ok: true; readonly value: Json } | { readonly ok: false; readonly errors: readonly FeedError[] };

export function readJson(text: string): JsonRead {
  try {
    return { ok: true, value: JSON.parse(text) as Json };
  } catch (e) {
    return { ok: false, errors: [{ path: "(file)", message: `not JSON: ${e instanceof Error ? e.message : String(e)}` }] };
  }
}

export function isObject(v: Json | undefined): v is { readonly [key: string]: Json } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Collects errors while a parser walks the document; at most `limit` kept (a broken feed names its first faults). */
export class Errors {
  readonly list: FeedError[] = [];
  constructor(private readonly limit = 20) {}

  add(path: string, message: string): void {
    if (this.list.length < this.limit) this.list.push({ path, message });
  }
}

/** A required string field; an error naming the path when missing or not a string. */
export function stringAt(o: { readonly [key: string]: Json }, key: string, path: string, errors: Errors): string | null {
  const v = o[key];
  if (typeof v === "string") return v;
  errors.add(path === "" ? key : `${path}.${key}`, v === undefined ? "missing" : `expected a string, found ${JSON.stringify(v)}`);
  return null;
}

/** An array field; an error when missing or not an array. */
export function arrayAt(o: { readonly [key: string]: Json }, key: string, path: string, errors: Errors): readonly Json[] {
  const v = o[key];
  if (Array.isArray(v)) return v as readonly Json[];
  errors.add(path === "" ? key : `${path}.${key}`, v === undefined ? "missing" : "expected a list");
  return [];
}

/**
 * A published CIDR. Host bits set are an error (a provider's file is machine-made: such a prefix means
 * the file is not what we think it is), as is anything not a CIDR. A bare address is its /32 or /128.
 */
export function cidrText(text: string, path: string, errors: Errors): Cidr | null {
  const parsed = parseCidr(text.includes("/") ? text.trim() : `${text.trim()}/${text.includes(":") ? 128 : 32}`);
  if (!parsed.ok) {
    errors.add(path, `invalid CIDR "${text}": ${parsed.reason}`);
    return null;
  }
  if (parsed.hostBitsSet) {
    errors.add(path, `invalid CIDR "${text}": host bits set`);
    return null;
  }
  return parsed.cidr;
}

/**
 * What the non-AWS parsers share beyond read.ts: the document as an object, a list of CIDR texts read
 * with their paths (and family, where the format splits lists by family), and the closing rule that a
 * feed without a single range is an error, never read as "no ranges".
 */
import type { Cidr } from "../net/cidr.js";
import type { Family } from "../net/ip.js";
import { cidrText, type Errors, isObject, type Json, readJson } from "./read.js";
import type { Feed, FeedError, FeedParse, FeedProvider, FeedRecord } from "./types.js";

export type JsonObject = { readonly [key: string]: Json };

export type DocumentRead = { readonly ok: true; readonly doc: JsonObject } | { readonly ok: false; readonly errors: readonly FeedError[] };

/** The file as a JSON object, or an error saying what the format expects at the top. */
export function readDocument(text: string, expected: string): DocumentRead {
  const read = readJson(text);
  if (!read.ok) return read;
  if (!isObject(read.value)) return { ok: false, errors: [{ path: "(file)", message: `expected an object with ${expected}` }] };
  return { ok: true, doc: read.value };
}

/**
 * One CIDR text at `path`: not a string, not a CIDR, host bits set, or (when the format says which)
 * the other family are errors.
 */
export function cidrAt(raw: Json, path: string, family: Family | null, errors: Errors): Cidr | null {
  if (typeof raw !== "string") {
    errors.add(path, `expected a CIDR string, found ${JSON.stringify(raw)}`);
    return null;
  }
  const cidr = cidrText(raw, path, errors);
  if (cidr === null) return null;
  if (family !== null && cidr.family !== family) {
    errors.add(path, `an IPv${cidr.family} range in a list of IPv${family} ranges`);
    return null;
  }
  return cidr;
}

/** Every CIDR text of a list, each at `path[i]`. */
export function cidrsAt(list: readonly Json[], path: string, family: Family | null, errors: Errors): Cidr[] {
  const out: Cidr[] = [];
  list.forEach((raw, i) => {
    const cidr = cidrAt(raw, `${path}[${i}]`, family, errors);
    if (cidr !== null) out.push(cidr);
  });
  return out;
}

/** A list of strings (Atlassian's region/product/direction, Oracle's tags); an error at the path otherwise. */
export function stringsAt(o: JsonObject, key: string, path: string, errors: Errors): string[] | null {
  const v = o[key];
  const at = path === "" ? key : `${path}.${key}`;
  if (!Array.isArray(v)) {
    errors.add(at, v === undefined ? "missing" : "expected a list of strings");
    return null;
  }
  const list = v as readonly Json[];
  const bad = list.findIndex((x) => typeof x !== "string");
  if (bad >= 0) {
    errors.add(`${at}[${bad}]`, `expected a string, found ${JSON.stringify(list[bad])}`);
    return null;
  }
  return list as string[];
}

/** A single-list record (Cloudflare, Fastly, Google APIs): the provider's own name for its one group. */
export function plainRecord(provider: FeedProvider, key: string, cidr: Cidr): FeedRecord {
  return { provider, key, region: null, family: cidr.family, cidr, attributes: {} };
}

/** The feed, or the errors collected; a file that parsed but holds no range at all is an error too. */
export function finish(errors: Errors, feed: Feed): FeedParse {
  if (errors.list.length > 0) return { ok: false, errors: errors.list };
  if (feed.records.length === 0) return { ok: false, errors: [{ path: "(file)", message: `no ranges at all in this ${feed.provider} feed: a feed with no ranges is an error, never read as "no ranges"` }] };
  return { ok: true, feed };
}

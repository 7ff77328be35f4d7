/**
 * Cloudflare publishes its ranges twice (https://www.cloudflare.com/ips/):
 * - text: https://www.cloudflare.com/ips-v4 and /ips-v6, one CIDR per line, one family per file. One or
 *   both files are the feed; each file's family is its first range's, and a line of the other family is
 *   an error (`line N`). Blank lines are skipped; anything else that is not a CIDR is an error.
 * - JSON: `GET https://api.cloudflare.com/client/v4/ips` ("Cloudflare IPs" in the API reference):
 *   {result: {ipv4_cidrs[], ipv6_cidrs[], etag}, success, errors[], messages[]}. `success: false` is an
 *   error carrying the API's messages.
 * No version: the etag changes when the list does but says nothing of which list is newer, so it is
 * kept as `Feed.etag`, never as an ordered version. Records: key "cloudflare", region null, no fields.
 */
import type { Family } from "../net/ip.js";
import { arrayAt, Errors, isObject } from "./read.js";
import { cidrAt, cidrsAt, finish, plainRecord, readDocument } from "./read-cidrs.js";
import type { FeedParse, FeedRecord } from "./types.js";

/** Cloudflare's name for its single list of ranges. */
const KEY = "cloudflare";

export interface CloudflareInput {
  readonly name: string;
  readonly text: string;
  readonly sha256: string;
}

/** The file is the API's JSON when it starts with `{` (a CIDR line never does). */
function isJson(text: string): boolean {
  return text.trimStart().startsWith("{");
}

function parseApi(text: string, sha256: string): FeedParse {
  const read = readDocument(text, "result.ipv4_cidrs and result.ipv6_cidrs (the /client/v4/ips response)");
  if (!read.ok) return read;
  const doc = read.doc;
  const errors = new Errors();
  if (doc["success"] === false) {
    const said = Array.isArray(doc["errors"]) ? JSON.stringify(doc["errors"]) : "no errors given";
    return { ok: false, errors: [{ path: "success", message: `the API answered success: false (${said})` }] };
  }
  const result = doc["result"];
  if (!isObject(result)) return { ok: false, errors: [{ path: "result", message: result === undefined ? "missing" : "expected an object" }] };
  const records: FeedRecord[] = [];
  for (const [field, family] of [["ipv4_cidrs", 4], ["ipv6_cidrs", 6]] as const) {
    for (const cidr of cidrsAt(arrayAt(result, field, "result", errors), `result.${field}`, family, errors)) records.push(plainRecord("cloudflare", KEY, cidr));
  }
  const etag = typeof result["etag"] === "string" ? result["etag"] : undefined;
  return finish(errors, { provider: "cloudflare", version: null, published: null, sha256, records, ...(etag === undefined ? {} : { etag }) });
}

/**
 * One text file: its records and its family (its first range's). A file without a range is an error
 * even beside a full one: a truncated download is not "Cloudflare has no IPv6 ranges".
 */
function parseText(input: CloudflareInput, errors: Errors): { records: FeedRecord[]; family: Family | null } {
  const records: FeedRecord[] = [];
  const before = errors.list.length;
  let family: Family | null = null;
  input.text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    const cidr = cidrAt(line.trim(), `${input.name}: line ${i + 1}`, family, errors);
    if (cidr === null) return;
    family ??= cidr.family;
    records.push(plainRecord("cloudflare", KEY, cidr));
  });
  if (family === null && errors.list.length === before) errors.add(`${input.name}: (file)`, 'no ranges at all in this file: a list with no ranges is an error, never read as "no ranges"');
  return { records, family };
}

/** ips-v4 and/or ips-v6 (text, one family each), or the API's JSON alone. */
export function parseCloudflare(files: readonly CloudflareInput[]): FeedParse {
  const fault = (message: string): FeedParse => ({ ok: false, errors: [{ path: "(feed)", message }] });
  if (files.length === 0 || files.length > 2) return fault(`cloudflare takes ips-v4 and/or ips-v6 (text), or the /client/v4/ips JSON: given ${files.length} files`);
  const json = files.filter((f) => isJson(f.text));
  if (json.length > 0) {
    if (files.length > 1) return fault(`the /client/v4/ips JSON holds both families: give it alone, not with ${files.filter((f) => f !== json[0]).map((f) => f.name).join(", ")}`);
    const one = json[0] as CloudflareInput;
    return parseApi(one.text, one.sha256);
  }
  const errors = new Errors();
  const read = files.map((f) => parseText(f, errors));
  const [a, b] = read;
  if (a !== undefined && b !== undefined && a.family !== null && a.family === b.family) errors.add("(feed)", `both files hold IPv${a.family} ranges: give ips-v4 and ips-v6, one of each`);
  const first = files[0] as CloudflareInput;
  return finish(errors, {
    provider: "cloudflare",
    version: null,
    published: null,
    sha256: first.sha256,
    records: read.flatMap((r) => r.records),
    ...(files.length === 2 ? { parts: files.map((f, i) => ({ name: `ips-v${read[i]?.family ?? ""}`, version: null, sha256: f.sha256 })) } : {}),
  });
}

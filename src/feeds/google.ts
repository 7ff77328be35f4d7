/**
 * Google's two published lists (https://www.gstatic.com/ipranges/cloud.json and goog.json; documented in
 * "Outbound IP addresses for App Engine services" and "Access APIs from VMs with external IP addresses",
 * cloud.google.com). Both: `syncToken` (publication time, Unix epoch milliseconds, as text),
 * `creationTime` (ISO 8601), `prefixes[]` each with one of `ipv4Prefix` / `ipv6Prefix`.
 * - cloud.json, provider `google`: each prefix also has `service` ("Google Cloud") and `scope` (a region
 *   such as `europe-west1`, or `global`): "global and regional external IP addresses ranges available
 *   for customers' Google Cloud resources". Fields: service, scope; key = service, region = scope.
 * - goog.json alone is every range Google makes available on the internet. Provider `google-apis`:
 *   "The IP addresses used by Google APIs and services fit within the list of ranges computed by taking
 *   away all ranges in cloud.json from those in goog.json" — an address-set difference, then the fewest
 *   CIDRs; key "Google APIs", no fields. Its version is goog.json's syncToken; both files' versions and
 *   sha256 are kept in `Feed.parts`.
 * The two files are told apart by content: cloud.json's prefixes carry `scope`, goog.json's do not.
 */
import { AddressSet } from "../net/address-set.js";
import type { Cidr } from "../net/cidr.js";
import { arrayAt, Errors, isObject, type Json, stringAt } from "./read.js";
import { cidrAt, finish, type JsonObject, plainRecord, readDocument } from "./read-cidrs.js";
import type { FeedError, FeedParse, FeedPart, FeedRecord, FeedVersion } from "./types.js";

/** The name goog.json minus cloud.json is given: Google's own words for what it holds. */
export const GOOGLE_APIS_KEY = "Google APIs";

type Kind = "cloud" | "goog";

interface GoogleEntry {
  readonly cidr: Cidr;
  readonly service: string | null;
  readonly scope: string | null;
}

interface GoogleFile {
  readonly kind: Kind;
  readonly version: FeedVersion | null;
  readonly published: string | null;
  readonly entries: readonly GoogleEntry[];
}

/** cloud.json when its prefixes carry `scope` (all of them), goog.json when none does; else null. */
export function googleKind(prefixes: readonly Json[]): Kind | null {
  const scoped = prefixes.filter((p) => isObject(p) && "scope" in p).length;
  return scoped === 0 ? "goog" : scoped === prefixes.length ? "cloud" : null;
}

function entry(raw: Json, at: string, kind: Kind, errors: Errors): GoogleEntry | null {
  if (!isObject(raw)) {
    errors.add(at, "expected an object");
    return null;
  }
  const v4 = raw["ipv4Prefix"];
  const v6 = raw["ipv6Prefix"];
  if ((v4 === undefined) === (v6 === undefined)) {
    errors.add(at, v4 === undefined ? "missing ipv4Prefix or ipv6Prefix" : "both ipv4Prefix and ipv6Prefix: each prefix has one");
    return null;
  }
  const cidr = v4 !== undefined ? cidrAt(v4, `${at}.ipv4Prefix`, 4, errors) : cidrAt(v6 as Json, `${at}.ipv6Prefix`, 6, errors);
  const service = kind === "cloud" ? stringAt(raw, "service", at, errors) : null;
  const scope = kind === "cloud" ? stringAt(raw, "scope", at, errors) : null;
  if (cidr === null || (kind === "cloud" && (service === null || scope === null))) return null;
  return { cidr, service, scope };
}

function readGoogle(doc: JsonObject, errors: Errors): GoogleFile | null {
  const token = stringAt(doc, "syncToken", "", errors);
  if (token !== null && !/^\d+$/.test(token)) errors.add("syncToken", `expected epoch milliseconds, found "${token}"`);
  const created = typeof doc["creationTime"] === "string" ? doc["creationTime"] : null;
  const prefixes = arrayAt(doc, "prefixes", "", errors);
  const kind = googleKind(prefixes);
  if (kind === null) {
    errors.add("prefixes", "some prefixes carry scope and some do not: neither cloud.json nor goog.json");
    return null;
  }
  const entries = prefixes.map((raw, i) => entry(raw, `prefixes[${i}]`, kind, errors)).filter((e): e is GoogleEntry => e !== null);
  return { kind, version: token === null ? null : { text: token, order: "number" }, published: created, entries };
}

const EXPECTED = "syncToken, creationTime and prefixes";

/** cloud.json as provider `google`: one record per prefix, fields service and scope. */
export function parseGoogleCloud(text: string, sha256: string): FeedParse {
  const read = readDocument(text, EXPECTED);
  if (!read.ok) return read;
  const errors = new Errors();
  const file = readGoogle(read.doc, errors);
  if (file !== null && file.kind === "goog" && file.entries.length > 0) errors.add("prefixes", "no prefix carries service and scope: this is goog.json, read it as google-apis (with cloud.json)");
  const records: FeedRecord[] = (file?.entries ?? []).map(({ cidr, service, scope }) => ({
    provider: "google",
    key: service as string,
    region: scope,
    family: cidr.family,
    cidr,
    attributes: { service: [service as string], scope: [scope as string] },
  }));
  return finish(errors, { provider: "google", version: file?.version ?? null, published: file?.published ?? null, sha256, records });
}

/** A file of the google-apis feed: its name (for messages), text and sha256. */
export interface GoogleInput {
  readonly name: string;
  readonly text: string;
  readonly sha256: string;
}

function fault(path: string, message: string): FeedParse {
  return { ok: false, errors: [{ path, message }] };
}

/** goog.json minus cloud.json (given in either order), as provider `google-apis`. */
export function parseGoogleApis(files: readonly GoogleInput[]): FeedParse {
  if (files.length !== 2) return fault("(feed)", `google-apis takes two files, goog.json and cloud.json ("goog minus cloud"), given ${files.length}`);
  const read: { input: GoogleInput; file: GoogleFile }[] = [];
  const errors: FeedError[] = [];
  for (const input of files) {
    const doc = readDocument(input.text, EXPECTED);
    const collected = new Errors();
    const file = doc.ok ? readGoogle(doc.doc, collected) : null;
    const faults = doc.ok ? collected.list : doc.errors;
    errors.push(...faults.map((e) => ({ path: `${input.name}: ${e.path}`, message: e.message })));
    if (file !== null && faults.length === 0) read.push({ input, file });
  }
  if (errors.length > 0) return { ok: false, errors };
  const goog = read.find((r) => r.file.kind === "goog");
  const cloud = read.find((r) => r.file.kind === "cloud");
  if (goog === undefined || cloud === undefined) return fault("(feed)", `google-apis takes goog.json (prefixes without scope) and cloud.json (prefixes with scope): given ${read.map((r) => `${r.input.name} (${r.file.kind}.json)`).join(" and ")}`);
  if (goog.file.entries.length === 0) return fault(`${goog.input.name}: prefixes`, `no ranges at all: a goog.json with no ranges is an error, never read as "no ranges"`);
  if (cloud.file.entries.length === 0) return fault(`${cloud.input.name}: prefixes`, `no ranges at all: a cloud.json with no ranges would make google-apis all of goog.json`);
  const apis = AddressSet.fromCidrs(goog.file.entries.map((e) => e.cidr)).subtract(AddressSet.fromCidrs(cloud.file.entries.map((e) => e.cidr)));
  const parts: FeedPart[] = [goog, cloud].map((r) => ({ name: `${r.file.kind}.json`, version: r.file.version, sha256: r.input.sha256 }));
  return finish(new Errors(), {
    provider: "google-apis",
    version: goog.file.version,
    published: goog.file.published,
    sha256: goog.input.sha256,
    records: apis.toCidrs().map((cidr) => plainRecord("google-apis", GOOGLE_APIS_KEY, cidr)),
    parts,
  });
}

/**
 * Oracle Cloud Infrastructure's `public_ip_ranges.json` (https://docs.oracle.com/iaas/tools/public_ip_ranges.json,
 * documented in "IP Address Ranges", OCI docs): `last_updated_timestamp` ("File creation time in ISO
 * 8601 format", `<date>T<time>` without a zone, read as UTC), `regions[]` {region, cidrs[] {cidr,
 * tags[]}}; tags are `OCI` (VCN CIDR blocks), `OSN` (Oracle Services Network), `OBJECT_STORAGE`.
 * Version = last_updated_timestamp, ordered as time. Records: one per cidr; fields region and tag (the
 * tags list: a selector value matches any); key = the tags joined with ",", region = region.
 */
import { arrayAt, Errors, isObject, type Json, stringAt } from "./read.js";
import { cidrAt, finish, readDocument, stringsAt } from "./read-cidrs.js";
import type { FeedParse, FeedRecord } from "./types.js";

/** ISO 8601 date-time, as Oracle writes it (fraction and zone optional). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

function regionRecords(raw: Json, at: string, errors: Errors): FeedRecord[] {
  if (!isObject(raw)) {
    errors.add(at, "expected an object");
    return [];
  }
  const region = stringAt(raw, "region", at, errors);
  const out: FeedRecord[] = [];
  arrayAt(raw, "cidrs", at, errors).forEach((c, i) => {
    const cat = `${at}.cidrs[${i}]`;
    if (!isObject(c)) return errors.add(cat, "expected an object");
    const text = stringAt(c, "cidr", cat, errors);
    const cidr = text === null ? null : cidrAt(text, `${cat}.cidr`, null, errors);
    const tags = stringsAt(c, "tags", cat, errors);
    if (cidr === null || tags === null || region === null) return;
    out.push({ provider: "oracle", key: tags.join(","), region, family: cidr.family, cidr, attributes: { region: [region], tag: tags } });
  });
  return out;
}

export function parseOracle(text: string, sha256: string): FeedParse {
  const read = readDocument(text, "last_updated_timestamp and regions");
  if (!read.ok) return read;
  const errors = new Errors();
  const stamp = stringAt(read.doc, "last_updated_timestamp", "", errors);
  const valid = stamp !== null && ISO_TIME.test(stamp) && !Number.isNaN(Date.parse(stamp));
  if (stamp !== null && !valid) errors.add("last_updated_timestamp", `expected ISO 8601 time, found "${stamp}"`);
  const records = arrayAt(read.doc, "regions", "", errors).flatMap((raw, i) => regionRecords(raw, `regions[${i}]`, errors));
  return finish(errors, { provider: "oracle", version: valid ? { text: stamp, order: "time" } : null, published: valid ? stamp : null, sha256, records });
}

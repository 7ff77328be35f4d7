/**
 * AWS `ip-ranges.json` (https://ip-ranges.amazonaws.com/ip-ranges.json, documented in "AWS IP address
 * ranges", AWS General Reference): `syncToken` (publication time, Unix epoch seconds), `createDate`
 * (`YY-MM-DD-hh-mm-ss`), `prefixes[]` {ip_prefix, region, service, network_border_group} and
 * `ipv6_prefixes[]` {ipv6_prefix, ...}. "The same IP address range can appear in multiple services":
 * each entry is its own record (AMAZON lists every range; S3 a subset).
 */
import { arrayAt, cidrText, Errors, isObject, type Json, readJson, stringAt } from "./read.js";
import { finish } from "./read-cidrs.js";
import type { FeedParse, FeedRecord } from "./types.js";

const FIELDS = ["service", "region", "network_border_group"] as const;

function entries(list: readonly Json[], field: "ip_prefix" | "ipv6_prefix", path: string, errors: Errors): FeedRecord[] {
  const out: FeedRecord[] = [];
  list.forEach((raw, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(raw)) return errors.add(at, "expected an object");
    const text = stringAt(raw, field, at, errors);
    const values = FIELDS.map((f) => stringAt(raw, f, at, errors));
    const cidr = text === null ? null : cidrText(text, `${at}.${field}`, errors);
    if (cidr === null || values.some((v) => v === null)) return;
    const [service, region, group] = values as [string, string, string];
    if (cidr.family !== (field === "ip_prefix" ? 4 : 6)) return errors.add(`${at}.${field}`, `an IPv${cidr.family} range in ${path}`);
    out.push({ provider: "aws", key: service, region, family: cidr.family, cidr, attributes: { service: [service], region: [region], network_border_group: [group] } });
  });
  return out;
}

export function parseAws(text: string, sha256: string): FeedParse {
  const read = readJson(text);
  if (!read.ok) return read;
  const errors = new Errors();
  if (!isObject(read.value)) return { ok: false, errors: [{ path: "(file)", message: "expected an object with syncToken and prefixes" }] };
  const doc = read.value;
  const token = stringAt(doc, "syncToken", "", errors);
  if (token !== null && !/^\d+$/.test(token)) errors.add("syncToken", `expected epoch seconds, found "${token}"`);
  const created = typeof doc["createDate"] === "string" ? doc["createDate"] : null;
  const records = [...entries(arrayAt(doc, "prefixes", "", errors), "ip_prefix", "prefixes", errors), ...entries(arrayAt(doc, "ipv6_prefixes", "", errors), "ipv6_prefix", "ipv6_prefixes", errors)];
  return finish(errors, { provider: "aws", version: token === null ? null : { text: token, order: "number" }, published: created, sha256, records });
}

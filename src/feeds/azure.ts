/**
 * Azure Service Tags (`ServiceTags_Public_YYYYMMDD.json`, "Azure IP Ranges and Service Tags – Public
 * Cloud", Microsoft Download Center; the same shape as the Service Tag Discovery API, learn.microsoft.com
 * "Discover service tags by using downloadable JSON files"): `changeNumber` (the file's iteration, a
 * number that grows), `cloud` ("Public"), `values[]` {`name` (e.g. `Storage.WestEurope`), `id`,
 * `properties` {changeNumber, region, regionId, platform, systemService, addressPrefixes[] (IPv4 and
 * IPv6 mixed), networkFeatures}}. A tag without a region (`AzureCloud`, `Storage`) has `region` "".
 * Records: one per prefix; key = name, region = properties.region (null when ""); fields name, region,
 * systemService, platform (an empty value is no value: such a record never matches that field).
 */
import { arrayAt, Errors, isObject, type Json, stringAt } from "./read.js";
import { cidrsAt, finish, readDocument } from "./read-cidrs.js";
import type { FeedParse, FeedRecord } from "./types.js";

const FIELDS = ["region", "systemService", "platform"] as const;

function tag(raw: Json, at: string, errors: Errors): FeedRecord[] {
  if (!isObject(raw)) {
    errors.add(at, "expected an object");
    return [];
  }
  const name = stringAt(raw, "name", at, errors);
  const props = raw["properties"];
  if (!isObject(props)) {
    errors.add(`${at}.properties`, props === undefined ? "missing" : "expected an object");
    return [];
  }
  const pat = `${at}.properties`;
  const values = FIELDS.map((f) => (props[f] === undefined || props[f] === null ? "" : stringAt(props, f, pat, errors)));
  const cidrs = cidrsAt(arrayAt(props, "addressPrefixes", pat, errors), `${pat}.addressPrefixes`, null, errors);
  if (name === null || values.some((v) => v === null)) return [];
  const [region, systemService, platform] = values as [string, string, string];
  const attributes: Record<string, string[]> = { name: [name] };
  for (const [field, value] of [["region", region], ["systemService", systemService], ["platform", platform]] as const) if (value !== "") attributes[field] = [value];
  return cidrs.map((cidr) => ({ provider: "azure", key: name, region: region === "" ? null : region, family: cidr.family, cidr, attributes }));
}

export function parseAzure(text: string, sha256: string): FeedParse {
  const read = readDocument(text, "changeNumber, cloud and values");
  if (!read.ok) return read;
  const doc = read.doc;
  const errors = new Errors();
  const change = doc["changeNumber"];
  if (typeof change !== "number" || !Number.isSafeInteger(change) || change < 0) errors.add("changeNumber", change === undefined ? "missing" : `expected a whole number, found ${JSON.stringify(change)}`);
  const records = arrayAt(doc, "values", "", errors).flatMap((raw, i) => tag(raw, `values[${i}]`, errors));
  return finish(errors, { provider: "azure", version: typeof change === "number" ? { text: String(change), order: "number" } : null, published: null, sha256, records });
}

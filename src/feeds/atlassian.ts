/**
 * Atlassian's `https://ip-ranges.atlassian.com/` ("Atlassian cloud IP ranges and domains",
 * confluence.atlassian.com; since January 2022 "product, region and directional information are now
 * included", ACCESS-1771): `creationDate` (ISO 8601), `syncToken` (a number that grows with each
 * publication), `items[]` {network, mask_len, cidr, mask, region[], product[], direction[]} — `cidr` is
 * the range (`network`/`mask_len` say it again: they must agree), `direction` is `ingress` and/or
 * `egress` as seen from Atlassian (egress: Atlassian connecting out to you; ingress: you connecting
 * to Atlassian — what an egress NetworkPolicy to Atlassian wants).
 * Records: one per item; fields product, direction, region (each a list, as published: a selector
 * value matches any of them); key = the products joined with ",", region = the regions joined with ",".
 */
import { parseCidr } from "../net/cidr.js";
import { arrayAt, Errors, isObject, type Json, stringAt } from "./read.js";
import { cidrAt, finish, readDocument, stringsAt } from "./read-cidrs.js";
import type { FeedParse, FeedRecord } from "./types.js";

function item(raw: Json, at: string, errors: Errors): FeedRecord | null {
  if (!isObject(raw)) {
    errors.add(at, "expected an object");
    return null;
  }
  const text = stringAt(raw, "cidr", at, errors);
  const cidr = text === null ? null : cidrAt(text, `${at}.cidr`, null, errors);
  const lists = (["product", "direction", "region"] as const).map((f) => stringsAt(raw, f, at, errors));
  if (cidr === null || lists.some((l) => l === null)) return null;
  const [product, direction, region] = lists as [string[], string[], string[]];
  const network = raw["network"];
  const maskLen = raw["mask_len"];
  if (network !== undefined || maskLen !== undefined) {
    const stated = parseCidr(`${String(network)}/${String(maskLen)}`);
    if (!stated.ok || stated.hostBitsSet || stated.cidr.first !== cidr.first || stated.cidr.prefix !== cidr.prefix) {
      errors.add(`${at}.network`, `network/mask_len ${String(network)}/${String(maskLen)} disagrees with cidr ${text}`);
      return null;
    }
  }
  return { provider: "atlassian", key: product.join(","), region: region.length === 0 ? null : region.join(","), family: cidr.family, cidr, attributes: { product, direction, region } };
}

export function parseAtlassian(text: string, sha256: string): FeedParse {
  const read = readDocument(text, "creationDate, syncToken and items");
  if (!read.ok) return read;
  const doc = read.doc;
  const errors = new Errors();
  const token = doc["syncToken"];
  const tokenText = typeof token === "number" && Number.isSafeInteger(token) && token >= 0 ? String(token) : typeof token === "string" && /^\d+$/.test(token) ? token : null;
  if (tokenText === null) errors.add("syncToken", token === undefined ? "missing" : `expected a whole number, found ${JSON.stringify(token)}`);
  const created = typeof doc["creationDate"] === "string" ? doc["creationDate"] : null;
  const records = arrayAt(doc, "items", "", errors)
    .map((raw, i) => item(raw, `items[${i}]`, errors))
    .filter((r): r is FeedRecord => r !== null);
  return finish(errors, { provider: "atlassian", version: tokenText === null ? null : { text: tokenText, order: "number" }, published: created, sha256, records });
}

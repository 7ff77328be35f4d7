/**
 * Which provider's format a feed file is in, told from its content by the keys that only that format
 * has; null when nothing (or more than one format) says. Plain text (a list of CIDRs) is null: such a
 * file could be Cloudflare's ips-v4/ips-v6 or anyone's list, so it is read only when named
 * (`--feed cloudflare=ips-v4`).
 */
import { isObject, type Json, readJson } from "./read.js";
import { googleKind } from "./google.js";
import type { FeedProvider } from "./types.js";

type Doc = { readonly [key: string]: Json };

function listOf(doc: Doc, key: string): readonly Json[] | null {
  const v = doc[key];
  return Array.isArray(v) ? (v as readonly Json[]) : null;
}

function firstHas(list: readonly Json[] | null, ...keys: string[]): boolean {
  const first = list?.[0];
  return isObject(first) && keys.some((k) => k in first);
}

/** Each format's signature: the keys its documentation names and no other format has. */
const SIGNATURES: readonly [FeedProvider, (doc: Doc) => boolean][] = [
  ["aws", (d) => "syncToken" in d && "createDate" in d && (firstHas(listOf(d, "prefixes"), "ip_prefix") || firstHas(listOf(d, "ipv6_prefixes"), "ipv6_prefix"))],
  ["google", (d) => "syncToken" in d && "creationTime" in d && firstHas(listOf(d, "prefixes"), "ipv4Prefix", "ipv6Prefix") && googleKind(listOf(d, "prefixes") ?? []) === "cloud"],
  ["google-apis", (d) => "syncToken" in d && "creationTime" in d && firstHas(listOf(d, "prefixes"), "ipv4Prefix", "ipv6Prefix") && googleKind(listOf(d, "prefixes") ?? []) === "goog"],
  ["azure", (d) => "changeNumber" in d && "cloud" in d && firstHas(listOf(d, "values"), "properties")],
  ["github", (d) => typeof d["verifiable_password_authentication"] === "boolean"],
  ["cloudflare", (d) => isObject(d["result"]) && ("ipv4_cidrs" in d["result"] || "ipv6_cidrs" in d["result"])],
  ["atlassian", (d) => "syncToken" in d && "creationDate" in d && firstHas(listOf(d, "items"), "cidr")],
  ["fastly", (d) => listOf(d, "addresses") !== null && Object.keys(d).every((k) => k === "addresses" || k === "ipv6_addresses")],
  ["oracle", (d) => "last_updated_timestamp" in d && firstHas(listOf(d, "regions"), "cidrs")],
];

export function detectProvider(text: string): FeedProvider | null {
  if (!text.trimStart().startsWith("{")) return null;
  const read = readJson(text);
  if (!read.ok || !isObject(read.value)) return null;
  const doc = read.value;
  const matches = SIGNATURES.filter(([, signature]) => signature(doc)).map(([provider]) => provider);
  return matches.length === 1 ? (matches[0] as FeedProvider) : null;
}

/**
 * Fastly's `GET https://api.fastly.com/public-ip-list` ("Public IP list" in the Fastly API reference,
 * schema PublicIpList): {addresses[] ("Fastly's IPv4 ranges"), ipv6_addresses[] ("Fastly's IPv6
 * ranges")}. "This list is exhaustive and includes all Fastly-owned IP ranges." No version token.
 * Records: key "fastly", region null, no fields.
 */
import { arrayAt, Errors } from "./read.js";
import { cidrsAt, finish, plainRecord, readDocument } from "./read-cidrs.js";
import type { FeedParse } from "./types.js";

export function parseFastly(text: string, sha256: string): FeedParse {
  const read = readDocument(text, "addresses and ipv6_addresses");
  if (!read.ok) return read;
  const errors = new Errors();
  const records = (
    [
      ["addresses", 4],
      ["ipv6_addresses", 6],
    ] as const
  ).flatMap(([field, family]) => cidrsAt(arrayAt(read.doc, field, "", errors), field, family, errors).map((cidr) => plainRecord("fastly", "fastly", cidr)));
  return finish(errors, { provider: "fastly", version: null, published: null, sha256, records });
}

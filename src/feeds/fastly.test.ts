/**
 * Fastly `GET https://api.fastly.com/public-ip-list` (testdata/fastly-public-ip-list.json, the
 * published list): PublicIpList {addresses ("Fastly's IPv4 ranges"), ipv6_addresses ("Fastly's IPv6 ranges")}.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { edit, errorsOf, feedOf, file, fixture, selected } from "../testing/feeds.js";

const NAME = "fastly-public-ip-list.json";
const text = fixture(NAME);

test("Fastly: addresses are IPv4, ipv6_addresses IPv6; one list, key fastly, no version", () => {
  const feed = feedOf("fastly", file(NAME));
  assert.deepEqual([feed.version, feed.records.length, new Set(feed.records.map((r) => r.key)).size], [null, 21, 1]);
  const all = selected(feed, "fastly");
  // 167.82.128.0/20 and 167.82.160.0/20 are not adjacent; 140.248.64.0/18 and 140.248.128.0/17 stay two (a /18 cannot join a /17).
  assert.equal(all.v4.length, 19);
  assert.deepEqual(all.v6, ["2a04:4e40::/32", "2a04:4e42::/32"]);
});

const REFUSED: readonly [string, string, { path: string; message: string }[]][] = [
  ["an IPv6 range in addresses (family mismatch)", edit(text, '"151.101.0.0/16"', '"2a04:4e41::/32"'), [{ path: "addresses[9]", message: "an IPv6 range in a list of IPv4 ranges" }]],
  ["host bits set in ipv6_addresses", edit(text, '"2a04:4e42::/32"', '"2a04:4e42::1/32"'), [{ path: "ipv6_addresses[1]", message: 'invalid CIDR "2a04:4e42::1/32": host bits set' }]],
  ["both lists empty", JSON.stringify({ addresses: [], ipv6_addresses: [] }), [{ path: "(file)", message: 'no ranges at all in this fastly feed: a feed with no ranges is an error, never read as "no ranges"' }]],
  ["ipv6_addresses missing", JSON.stringify({ addresses: ["151.101.0.0/16"] }), [{ path: "ipv6_addresses", message: "missing" }]],
];

for (const [name, broken, errors] of REFUSED) {
  test(`Fastly refused: ${name}`, () => {
    assert.deepEqual(errorsOf("fastly", file(NAME, broken)), errors);
  });
}

test("Fastly: unknown extra fields are ignored", () => {
  assert.equal(feedOf("fastly", file(NAME, edit(text, '{"addresses"', '{"generated": "2025-12-01", "addresses"'))).records.length, 21);
});

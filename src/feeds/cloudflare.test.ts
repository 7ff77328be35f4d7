/**
 * Cloudflare (https://www.cloudflare.com/ips/): testdata/cloudflare-ips-v4 and cloudflare-ips-v6 are the
 * published text lists (one CIDR per line), cloudflare-ips.json the `GET /client/v4/ips` response
 * ({result: {ipv4_cidrs, ipv6_cidrs, etag}, success, errors, messages}) holding the same ranges.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { edit, errorsOf, feedOf, file, fixture, selected } from "../testing/feeds.js";

const V4 = "cloudflare-ips-v4";
const V6 = "cloudflare-ips-v6";
const API = "cloudflare-ips.json";

test("Cloudflare text: ips-v4 and ips-v6 together are the feed (either order); one list, key cloudflare, no version", () => {
  const feed = feedOf("cloudflare", file(V4), file(V6));
  assert.deepEqual([feed.version, feed.etag, feed.records.length], [null, undefined, 22]);
  assert.deepEqual(feedOf("cloudflare", file(V6), file(V4)).records.length, 22);
  assert.deepEqual(selected(feed, "cloudflare").v6, ["2400:cb00::/32", "2405:8100::/32", "2405:b500::/32", "2606:4700::/32", "2803:f800::/32", "2a06:98c0::/29", "2c0f:f248::/32"]);
});

test("Cloudflare text: one file alone is a feed of its family", () => {
  const feed = feedOf("cloudflare", file(V4));
  assert.ok(feed.records.length === 15 && feed.records.every((r) => r.family === 4));
});

test("Cloudflare API JSON: the same ranges as the text files; the etag is kept as Feed.etag, not a version (it says different, never newer)", () => {
  const feed = feedOf("cloudflare", file(API));
  assert.deepEqual([feed.version, feed.etag], [null, "38f79d050aa027e3be3865e495dcc9bc"]);
  assert.deepEqual(selected(feed, "cloudflare"), selected(feedOf("cloudflare", file(V4), file(V6)), "cloudflare"));
});

const v4 = fixture(V4);
const api = fixture(API);

const REFUSED: readonly [string, { name: string; text: string; sha256: string }[], { path: string; message: string }[]][] = [
  ["a line of the other family in ips-v4 (line N)", [file(V4, edit(v4, "141.101.64.0/18\n", "2606:4700::/32\n"))], [{ path: "cloudflare-ips-v4: line 5", message: "an IPv6 range in a list of IPv4 ranges" }]],
  ["host bits set (line N)", [file(V4, edit(v4, "198.41.128.0/17", "198.41.129.0/17"))], [{ path: "cloudflare-ips-v4: line 10", message: 'invalid CIDR "198.41.129.0/17": host bits set' }]],
  ["an HTML page instead of the list", [file(V4, "<html><body>Just a moment...</body></html>\n")], [{ path: "cloudflare-ips-v4: line 1", message: 'invalid CIDR "<html><body>Just a moment...</body></html>": invalid IP address' }]],
  ["two IPv4 files", [file(V4), file("again", v4)], [{ path: "(feed)", message: "both files hold IPv4 ranges: give ips-v4 and ips-v6, one of each" }]],
  ["an empty text file", [file(V4, "\n\n")], [{ path: "cloudflare-ips-v4: (file)", message: 'no ranges at all in this file: a list with no ranges is an error, never read as "no ranges"' }]],
  ["an empty ips-v6 beside a full ips-v4 (a truncated download)", [file(V4), file(V6, "")], [{ path: "cloudflare-ips-v6: (file)", message: 'no ranges at all in this file: a list with no ranges is an error, never read as "no ranges"' }]],
  ["the JSON with a text file", [file(API), file(V4)], [{ path: "(feed)", message: "the /client/v4/ips JSON holds both families: give it alone, not with cloudflare-ips-v4" }]],
  ["an IPv4 range in result.ipv6_cidrs", [file(API, edit(api, '"2400:cb00::/32"', '"1.1.1.0/24"'))], [{ path: "result.ipv6_cidrs[0]", message: "an IPv4 range in a list of IPv6 ranges" }]],
  ["success: false", [file(API, JSON.stringify({ result: null, success: false, errors: [{ code: 10000, message: "Authentication error" }], messages: [] }))], [{ path: "success", message: 'the API answered success: false ([{"code":10000,"message":"Authentication error"}])' }]],
  ["empty result lists", [file(API, JSON.stringify({ result: { ipv4_cidrs: [], ipv6_cidrs: [], etag: "x" }, success: true, errors: [], messages: [] }))], [{ path: "(file)", message: 'no ranges at all in this cloudflare feed: a feed with no ranges is an error, never read as "no ranges"' }]],
];

for (const [name, files, errors] of REFUSED) {
  test(`Cloudflare refused: ${name}`, () => {
    assert.deepEqual(errorsOf("cloudflare", ...files), errors);
  });
}

test("Cloudflare API: unknown extra fields are ignored (result.jdcloud_cidrs, top-level fields)", () => {
  assert.equal(feedOf("cloudflare", file(API, edit(api, '"etag"', '"jdcloud_cidrs": ["116.196.64.0/18"], "etag"'))).records.length, 22);
});

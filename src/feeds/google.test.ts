/**
 * Google cloud.json and goog.json (testdata/google-cloud.json, google-goog.json: excerpts of the
 * published files, https://www.gstatic.com/ipranges/). Format: cloud.google.com "Outbound IP addresses
 * for App Engine services" and the files themselves (syncToken, creationTime, prefixes[] with
 * ipv4Prefix | ipv6Prefix, and in cloud.json service and scope).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { edit, errorsOf, feedOf, file, fixture, selected } from "../testing/feeds.js";

const CLOUD = "google-cloud.json";
const GOOG = "google-goog.json";

test("cloud.json: syncToken (epoch ms) is the version, creationTime the publication; one record per prefix, key service, region scope", () => {
  const feed = feedOf("google", file(CLOUD));
  assert.deepEqual(feed.version, { text: "1764900061284", order: "number" });
  assert.equal(feed.published, "2025-12-05T02:01:01.284379");
  assert.equal(feed.records.length, 18);
  const first = feed.records[0];
  assert.deepEqual([first?.key, first?.region, first?.attributes], ["Google Cloud", "asia-east1", { service: ["Google Cloud"], scope: ["asia-east1"] }]);
});

test("cloud.json 'global and regional external IP addresses ranges': scope selects a region, IPv4 and IPv6", () => {
  assert.deepEqual(selected(feedOf("google", file(CLOUD)), "google:scope=europe-west1"), { v4: ["34.76.0.0/14", "35.187.0.0/17", "35.195.0.0/16", "104.155.0.0/17"], v6: ["2600:1900:4010::/44"], matched: 5 });
  assert.equal(selected(feedOf("google", file(CLOUD)), "google:scope=global").matched, 2);
});

test("'ranges computed by taking away all ranges in cloud.json from those in goog.json': google-apis is the address-set difference, files in either order", () => {
  const feed = feedOf("google-apis", file(CLOUD), file(GOOG));
  assert.deepEqual(feedOf("google-apis", file(GOOG), file(CLOUD)).records, feed.records);
  const all = selected(feed, "google-apis");
  // Untouched goog.json ranges stay whole: 8.8.8.0/24, 142.250.0.0/15.
  assert.ok(all.v4.includes("8.8.8.0/24") && all.v4.includes("142.250.0.0/15"));
  // 104.154.0.0/15 minus cloud's 104.154.0.0/18, 104.155.0.0/17 and 104.155.192.0/19.
  assert.deepEqual(all.v4.filter((c) => c.startsWith("104.15")), ["104.154.64.0/18", "104.154.128.0/17", "104.155.128.0/18", "104.155.224.0/19"]);
  // 2600:1900::/28 loses the four regional /44s (4000, 4010, 4030, 4060) and keeps 4020, 4050 between them.
  assert.deepEqual(all.v6.filter((c) => c.startsWith("2600:1900:40")), ["2600:1900:4020::/44", "2600:1900:4040::/43", "2600:1900:4070::/44", "2600:1900:4080::/41"]);
  for (const cloudRange of ["34.80.0.0/15", "35.204.0.0/16"]) assert.ok(!all.v4.includes(cloudRange));
});

test("google-apis: goog.json's syncToken is the version, both files' versions kept in parts; key 'Google APIs'", () => {
  const feed = feedOf("google-apis", file(CLOUD), file(GOOG));
  assert.deepEqual(feed.version, { text: "1764900061390", order: "number" });
  assert.deepEqual(
    feed.parts?.map((p) => [p.name, p.version?.text]),
    [
      ["goog.json", "1764900061390"],
      ["cloud.json", "1764900061284"],
    ],
  );
  assert.ok(feed.records.every((r) => r.key === "Google APIs" && r.region === null));
});

const cloud = fixture(CLOUD);
const goog = fixture(GOOG);

const REFUSED: readonly { name: string; provider: "google" | "google-apis"; files: { name: string; text: string; sha256: string }[]; errors: { path: string; message: string }[] }[] = [
  {
    name: "host bits set in ipv4Prefix",
    provider: "google",
    files: [file(CLOUD, edit(cloud, '"34.90.0.0/15"', '"34.91.0.0/15"'))],
    errors: [{ path: "prefixes[7].ipv4Prefix", message: 'invalid CIDR "34.91.0.0/15": host bits set' }],
  },
  {
    name: "an IPv6 range under ipv4Prefix (family mismatch)",
    provider: "google",
    files: [file(CLOUD, edit(cloud, '"ipv4Prefix": "34.149.0.0/16"', '"ipv4Prefix": "2600:1900::/28"'))],
    errors: [{ path: "prefixes[12].ipv4Prefix", message: "an IPv6 range in a list of IPv4 ranges" }],
  },
  {
    name: "syncToken not epoch milliseconds",
    provider: "google",
    files: [file(CLOUD, edit(cloud, '"1764900061284"', '"yesterday"'))],
    errors: [{ path: "syncToken", message: 'expected epoch milliseconds, found "yesterday"' }],
  },
  {
    name: "an empty prefixes list is never read as no ranges",
    provider: "google",
    files: [file(CLOUD, JSON.stringify({ syncToken: "1", creationTime: "2025-12-05T02:01:01", prefixes: [] }))],
    errors: [{ path: "(file)", message: 'no ranges at all in this google feed: a feed with no ranges is an error, never read as "no ranges"' }],
  },
  {
    name: "goog.json read as google (cloud.json) is refused",
    provider: "google",
    files: [file(GOOG)],
    errors: [{ path: "prefixes", message: "no prefix carries service and scope: this is goog.json, read it as google-apis (with cloud.json)" }],
  },
  {
    name: "google-apis with goog.json alone",
    provider: "google-apis",
    files: [file(GOOG)],
    errors: [{ path: "(feed)", message: 'google-apis takes two files, goog.json and cloud.json ("goog minus cloud"), given 1' }],
  },
  {
    name: "google-apis given cloud.json twice",
    provider: "google-apis",
    files: [file(CLOUD), file("again.json", cloud)],
    errors: [{ path: "(feed)", message: "google-apis takes goog.json (prefixes without scope) and cloud.json (prefixes with scope): given google-cloud.json (cloud.json) and again.json (cloud.json)" }],
  },
  {
    name: "google-apis: an error in goog.json names the file and path",
    provider: "google-apis",
    files: [file(CLOUD), file(GOOG, edit(goog, '"8.8.8.0/24"', '"8.8.8.8/24"'))],
    errors: [{ path: "google-goog.json: prefixes[1].ipv4Prefix", message: 'invalid CIDR "8.8.8.8/24": host bits set' }],
  },
];

for (const c of REFUSED) {
  test(`Google refused: ${c.name}`, () => {
    assert.deepEqual(errorsOf(c.provider, ...c.files), c.errors);
  });
}

test("Google: unknown extra fields (top level and per prefix) are ignored", () => {
  const extra = edit(cloud, '"syncToken"', '"note": {"x": 1}, "syncToken"').replace('"scope": "global"', '"scope": "global", "tier": "premium"');
  assert.equal(feedOf("google", file(CLOUD, extra)).records.length, 18);
});

/**
 * Oracle Cloud Infrastructure `public_ip_ranges.json` (testdata/oracle-public-ip-ranges.json: the
 * documented shape, "IP Address Ranges" in the OCI docs — last_updated_timestamp, regions[] {region,
 * cidrs[] {cidr, tags[]}}; tags OCI, OSN, OBJECT_STORAGE).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { compareVersions } from "./parsers.js";
import { edit, errorsOf, feedOf, file, fixture, selected } from "../testing/feeds.js";

const NAME = "oracle-public-ip-ranges.json";
const text = fixture(NAME);

test("Oracle: last_updated_timestamp ('File creation time in ISO 8601 format') is the version, ordered as time", () => {
  const feed = feedOf("oracle", file(NAME));
  assert.deepEqual([feed.version, feed.published, feed.records.length], [{ text: "2025-12-03T19:55:47.204985", order: "time" }, "2025-12-03T19:55:47.204985", 19]);
});

test("Oracle: a zone-less timestamp is UTC; a later publication is newer, microseconds included", () => {
  const v = (t: string) => ({ text: t, order: "time" as const });
  assert.ok(compareVersions(v("2025-12-03T19:55:47.204985"), v("2025-12-04T08:00:00.000001")) < 0);
  assert.equal(compareVersions(v("2025-12-03T19:55:47"), v("2025-12-03T19:55:47Z")), 0);
  assert.ok(compareVersions(v("2025-12-03T19:55:47"), v("2025-12-03T20:55:47+02:00")) > 0);
});

test("Oracle: fields region and tag (tags: a selector value matches any); key the tags joined", () => {
  const feed = feedOf("oracle", file(NAME));
  assert.deepEqual(selected(feed, "oracle:region=eu-frankfurt-1,tag=OBJECT_STORAGE"), { v4: ["134.70.40.0/21", "134.70.48.0/22"], v6: [], matched: 2 });
  assert.equal(selected(feed, "oracle:tag=OSN").matched, 12);
  const r = feed.records.find((x) => x.key === "OSN,OBJECT_STORAGE");
  assert.deepEqual([r?.region, r?.attributes], ["us-phoenix-1", { region: ["us-phoenix-1"], tag: ["OSN", "OBJECT_STORAGE"] }]);
});

const REFUSED: readonly [string, string, { path: string; message: string }[]][] = [
  ["host bits set", edit(text, '"130.61.0.0/16"', '"130.61.0.0/15"'), [{ path: "regions[2].cidrs[0].cidr", message: 'invalid CIDR "130.61.0.0/15": host bits set' }]],
  ["a timestamp that is not ISO 8601", edit(text, '"2025-12-03T19:55:47.204985"', '"Dec 3 2025"'), [{ path: "last_updated_timestamp", message: 'expected ISO 8601 time, found "Dec 3 2025"' }]],
  ["tags missing", edit(text, '"cidr": "192.29.96.0/20",\n          "tags": [\n            "OSN"\n          ]', '"cidr": "192.29.96.0/20"'), [{ path: "regions[3].cidrs[2].tags", message: "missing" }]],
  ["no regions", JSON.stringify({ last_updated_timestamp: "2025-12-03T19:55:47", regions: [] }), [{ path: "(file)", message: 'no ranges at all in this oracle feed: a feed with no ranges is an error, never read as "no ranges"' }]],
];

for (const [name, broken, errors] of REFUSED) {
  test(`Oracle refused: ${name}, at its JSON path`, () => {
    assert.deepEqual(errorsOf("oracle", file(NAME, broken)), errors);
  });
}

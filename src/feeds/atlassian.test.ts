/**
 * Atlassian `https://ip-ranges.atlassian.com/` (testdata/atlassian-ip-ranges.json: an excerpt in the
 * published shape — creationDate, syncToken, items[] {network, mask_len, cidr, mask, region[], product[],
 * direction[]}; the field types as published, e.g. syncToken a number; "product, region and directional
 * information are now included", Atlassian ACCESS-1771).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { edit, errorsOf, feedOf, file, fixture, selected } from "../testing/feeds.js";

const NAME = "atlassian-ip-ranges.json";
const text = fixture(NAME);

test("Atlassian: syncToken is the version (a number), creationDate the publication; one record per item", () => {
  const feed = feedOf("atlassian", file(NAME));
  assert.deepEqual([feed.version, feed.published, feed.records.length], [{ text: "1764889578", order: "number" }, "2025-12-04T23:06:18.540391", 20]);
});

test("Atlassian: product, direction and region are lists; a selector value matches any of them", () => {
  const feed = feedOf("atlassian", file(NAME));
  // Jira reached from a cluster: Atlassian's ingress ranges listing jira.
  assert.deepEqual(selected(feed, "atlassian:product=jira,direction=ingress"), { v4: ["16.63.53.128/25", "43.202.69.0/25", "104.192.136.0/21", "185.166.140.0/22"], v6: ["2401:1d80:3000::/36"], matched: 5 });
  // 16.63.53.224/28 (jira, egress) lies inside 16.63.53.128/25: merged away.
  assert.deepEqual(selected(feed, "atlassian:product=jira,region=eu-central-2"), { v4: ["16.63.53.128/25"], v6: ["2401:1d80:3230::/64", "2401:1d80:3230:2::/64"], matched: 4 });
  assert.equal(selected(feed, "atlassian:product=email").matched, 3);
});

test("Atlassian: key is the products joined, region the regions joined; attributes keep the lists", () => {
  const r = feedOf("atlassian", file(NAME)).records.find((x) => x.key === "rovo-crawler");
  assert.deepEqual([r?.region, r?.attributes], ["eu-west-1", { product: ["rovo-crawler"], direction: ["egress"], region: ["eu-west-1"] }]);
});

const REFUSED: readonly [string, string, { path: string; message: string }[]][] = [
  ["host bits set in cidr", edit(text, '"cidr": "185.166.140.128/28"', '"cidr": "185.166.140.129/28"'), [{ path: "items[9].cidr", message: 'invalid CIDR "185.166.140.129/28": host bits set' }]],
  ["network/mask_len disagreeing with cidr", edit(text, '"mask_len": 21,', '"mask_len": 22,'), [{ path: "items[3].network", message: "network/mask_len 104.192.136.0/22 disagrees with cidr 104.192.136.0/21" }]],
  ["network with host bits for its mask_len", edit(text, '"network": "18.246.31.208"', '"network": "18.246.31.209"'), [{ path: "items[19].network", message: "network/mask_len 18.246.31.209/28 disagrees with cidr 18.246.31.208/28" }]],
  ["product not a list", edit(text, '"product": [\n        "forge"\n      ]', '"product": "forge"'), [{ path: "items[19].product", message: "expected a list of strings" }]],
  ["syncToken not a number", edit(text, '"syncToken": 1764889578', '"syncToken": "soon"'), [{ path: "syncToken", message: 'expected a whole number, found "soon"' }]],
  ["no items", JSON.stringify({ creationDate: "2025-12-04T23:06:18", syncToken: 1, items: [] }), [{ path: "(file)", message: 'no ranges at all in this atlassian feed: a feed with no ranges is an error, never read as "no ranges"' }]],
];

for (const [name, broken, errors] of REFUSED) {
  test(`Atlassian refused: ${name}, at its JSON path`, () => {
    assert.deepEqual(errorsOf("atlassian", file(NAME, broken)), errors);
  });
}

test("Atlassian: unknown extra fields are ignored", () => {
  assert.equal(feedOf("atlassian", file(NAME, edit(text, '"syncToken"', '"schemaVersion": 2, "syncToken"'))).records.length, 20);
});

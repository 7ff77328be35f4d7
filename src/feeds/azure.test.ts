/**
 * Azure Service Tags (testdata/azure-service-tags.json: an excerpt of ServiceTags_Public_YYYYMMDD.json,
 * "Azure IP Ranges and Service Tags – Public Cloud"): changeNumber, cloud, values[] {name, id,
 * properties {changeNumber, region, regionId, platform, systemService, addressPrefixes, networkFeatures}}.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { edit, errorsOf, feedOf, file, fixture, selected } from "../testing/feeds.js";

const NAME = "azure-service-tags.json";
const text = fixture(NAME);

test("Azure: the file's changeNumber is the version (a number); no publication time in the content", () => {
  const feed = feedOf("azure", file(NAME));
  assert.deepEqual([feed.version, feed.published], [{ text: "362", order: "number" }, null]);
  assert.equal(feed.records.length, 31);
});

test("Azure: key is values[].name (Storage.WestEurope), region properties.region; IPv4 and IPv6 from one addressPrefixes list", () => {
  const feed = feedOf("azure", file(NAME));
  assert.deepEqual(selected(feed, "azure:name=Storage.WestEurope"), { v4: ["13.69.40.16/28", "20.38.108.0/23", "20.60.26.0/23", "20.60.130.0/24", "52.239.140.0/22", "52.239.212.0/23"], v6: ["2603:1020:206:1::/64"], matched: 7 });
  const r = feed.records.find((x) => x.key === "Storage.WestEurope");
  assert.deepEqual([r?.region, r?.attributes], ["westeurope", { name: ["Storage.WestEurope"], region: ["westeurope"], systemService: ["AzureStorage"], platform: ["Azure"] }]);
});

test("Azure: fields region and systemService select across tags (AzureStorage in westeurope = Storage.WestEurope)", () => {
  assert.equal(selected(feedOf("azure", file(NAME)), "azure:systemService=AzureStorage,region=westeurope").matched, 7);
  assert.equal(selected(feedOf("azure", file(NAME)), "azure:region=westeurope").matched, 12);
});

test("Azure: a tag without region (AzureCloud-style, region \"\") has region null and never matches a region filter", () => {
  const feed = feedOf("azure", file(NAME));
  const storage = feed.records.filter((r) => r.key === "Storage");
  assert.ok(storage.length === 5 && storage.every((r) => r.region === null && r.attributes["region"] === undefined));
  assert.equal(selected(feed, "azure:name=Storage").matched, 5);
});

test("Azure: a tag with an empty addressPrefixes list adds nothing (AzureMonitor in the fixture); only a feed with no range at all is an error", () => {
  assert.equal(feedOf("azure", file(NAME)).records.filter((r) => r.key === "AzureMonitor").length, 0);
  assert.deepEqual(errorsOf("azure", file(NAME, JSON.stringify({ changeNumber: 1, cloud: "Public", values: [] }))), [{ path: "(file)", message: 'no ranges at all in this azure feed: a feed with no ranges is an error, never read as "no ranges"' }]);
});

const REFUSED: readonly [string, string, { path: string; message: string }[]][] = [
  ["host bits set", edit(text, '"52.239.140.0/22"', '"52.239.141.0/22"'), [{ path: "values[5].properties.addressPrefixes[4]", message: 'invalid CIDR "52.239.141.0/22": host bits set' }]],
  ["not a CIDR", edit(text, '"20.60.130.0/24"', '"20.60.130.0/33"'), [{ path: "values[5].properties.addressPrefixes[3]", message: 'invalid CIDR "20.60.130.0/33": prefix length above 32' }]],
  ["changeNumber not a number", edit(text, '"changeNumber": 362', '"changeNumber": "362a"'), [{ path: "changeNumber", message: 'expected a whole number, found "362a"' }]],
  ["a value without properties", edit(text, '"id": "Storage.NorthEurope",\n      "properties"', '"id": "Storage.NorthEurope",\n      "props"'), [{ path: "values[4].properties", message: "missing" }]],
  ["not JSON", "ServiceTags", [{ path: "(file)", message: "not JSON: Unexpected token 'S', \"ServiceTags\" is not valid JSON" }]],
];

for (const [name, broken, errors] of REFUSED) {
  test(`Azure refused: ${name}, at its JSON path`, () => {
    assert.deepEqual(errorsOf("azure", file(NAME, broken)), errors);
  });
}

test("Azure: unknown extra fields are ignored (networkFeatures, regionId, a new property)", () => {
  assert.equal(feedOf("azure", file(NAME, edit(text, '"cloud": "Public"', '"cloud": "Public", "generatedBy": "x"'))).records.length, 31);
});

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { formatCidr } from "../net/cidr.js";
import { compareVersions, parseFeed } from "./parsers.js";
import { formatSelector, parseSelector } from "./selector.js";
import { selectRanges } from "./select.js";
import type { Feed } from "./types.js";

const TEXT = readFileSync(new URL("../../../src/feeds/testdata/aws-ip-ranges.json", import.meta.url), "utf8");

function feed(text = TEXT): Feed {
  const r = parseFeed("aws", [{ name: "ip-ranges.json", text, sha256: "0".repeat(64) }]);
  if (!r.ok) assert.fail(JSON.stringify(r.errors));
  return r.feed;
}

function select(selector: string): { v4: string[]; v6: string[]; matched: number } {
  const s = parseSelector(selector);
  if (!s.ok) assert.fail(s.message);
  const r = selectRanges(feed(), s.selector);
  if (!r.ok) assert.fail(r.message);
  return { v4: r.selection.v4.map(formatCidr), v6: r.selection.v6.map(formatCidr), matched: r.selection.matched };
}

test("AWS ip-ranges.json: syncToken is the version (epoch seconds), createDate the publication, every entry a record", () => {
  const f = feed();
  assert.deepEqual(f.version, { text: "1764892387", order: "number" });
  assert.equal(f.published, "2025-12-05-00-33-07");
  assert.equal(f.records.length, 14);
  assert.deepEqual(f.records[1]?.attributes, { service: ["S3"], region: ["eu-west-1"], network_border_group: ["eu-west-1"] });
});

test("AWS: 'The same IP address range can appear in multiple services' — S3 selects its own entries, adjacent prefixes merged", () => {
  // 3.5.64.0/21 + 3.5.72.0/23 are adjacent but not one prefix; 52.92.0.0/17 and 52.218.0.0/17 stay apart.
  assert.deepEqual(select("aws:service=S3,region=eu-west-1"), { v4: ["3.5.64.0/21", "3.5.72.0/23", "52.92.0.0/17", "52.218.0.0/17"], v6: ["2a05:d034:a000::/40", "2a05:d07a:a000::/40"], matched: 6 });
});

test("AWS: one field given twice is OR; fields are AND; values match case-insensitively", () => {
  assert.equal(select("aws:service=s3,region=eu-west-1|eu-central-1").matched, 8);
  assert.equal(select("aws:service=S3,service=EC2,region=eu-west-1").matched, 7);
});

test("selector: canonical text round-trips; unknown provider and fields are errors naming the known ones", () => {
  const s = parseSelector("AWS:service=S3,region=eu-west-1|eu-central-1");
  assert.ok(s.ok && formatSelector(s.selector) === "aws:service=S3,region=eu-west-1|eu-central-1");
  const bad = parseSelector("amazon:service=S3");
  assert.ok(!bad.ok && bad.message.includes("unknown feed provider"));
  const field = parseSelector("aws:servce=S3");
  assert.ok(field.ok);
  const r = selectRanges(feed(), field.selector);
  assert.ok(!r.ok && r.message.includes("known fields are network_border_group, region, service"));
});

test("AWS: a malformed prefix is an error at its JSON path; host bits set refused", () => {
  const broken = TEXT.replace('"52.92.0.0/17"', '"52.92.0.1/17"');
  const r = parseFeed("aws", [{ name: "f", text: broken, sha256: "" }]);
  assert.ok(!r.ok);
  assert.deepEqual(r.errors, [{ path: "prefixes[6].ip_prefix", message: 'invalid CIDR "52.92.0.1/17": host bits set' }]);
});

test("versions: numeric tokens order as numbers (a longer syncToken is newer), time tokens as instants", () => {
  assert.ok(compareVersions({ text: "999", order: "number" }, { text: "1000", order: "number" }) < 0);
  assert.ok(compareVersions({ text: "2025-12-05T10:00:00Z", order: "time" }, { text: "2025-12-04T10:00:00Z", order: "time" }) > 0);
});

test("AWS: a file with no prefix at all is an error, never read as \"no ranges\" (as every provider's)", () => {
  const r = parseFeed("aws", [{ name: "f", text: '{"syncToken": "1764892387", "createDate": "2025-12-05-00-33-07", "prefixes": [], "ipv6_prefixes": []}', sha256: "" }]);
  assert.ok(!r.ok);
  assert.match(r.errors[0]?.message ?? "", /no ranges at all in this aws feed/);
});

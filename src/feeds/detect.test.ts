/**
 * detectProvider: each fixture (a real-format excerpt of its provider's file) is told by the keys only
 * its format has; plain text and ambiguous documents are null (the edge then asks for PROVIDER=).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { detectProvider } from "./detect.js";
import { fixture } from "../testing/feeds.js";

const CASES: readonly [string, string | null][] = [
  ["aws-ip-ranges.json", "aws"], // syncToken, createDate, prefixes[].ip_prefix
  ["google-cloud.json", "google"], // syncToken, creationTime, prefixes[].ipv4Prefix with scope
  ["google-goog.json", "google-apis"], // the same without scope: goog.json, read as google-apis
  ["azure-service-tags.json", "azure"], // changeNumber, cloud, values[].properties
  ["github-meta.json", "github"], // verifiable_password_authentication (required by the /meta schema)
  ["cloudflare-ips.json", "cloudflare"], // result.ipv4_cidrs / ipv6_cidrs
  ["atlassian-ip-ranges.json", "atlassian"], // syncToken, creationDate, items[].cidr
  ["fastly-public-ip-list.json", "fastly"], // addresses, ipv6_addresses and nothing else
  ["oracle-public-ip-ranges.json", "oracle"], // last_updated_timestamp, regions[].cidrs
  ["cloudflare-ips-v4", null], // a plain list of CIDRs: anyone's; read only when named cloudflare=
  ["cloudflare-ips-v6", null],
];

for (const [name, provider] of CASES) {
  test(`detectProvider: ${name} → ${provider ?? "null (name the provider)"}`, () => {
    assert.equal(detectProvider(fixture(name)), provider);
  });
}

test("detectProvider: a document matching two signatures, or none, is null", () => {
  // AWS's keys and Atlassian's in one document: neither format is trusted.
  const both = JSON.stringify({ syncToken: "1", createDate: "2025-12-05-00-33-07", creationDate: "2025-12-05", prefixes: [{ ip_prefix: "3.5.64.0/21" }], items: [{ cidr: "104.192.136.0/21" }] });
  assert.equal(detectProvider(both), null);
  assert.equal(detectProvider(JSON.stringify({ prefixes: [] })), null);
  assert.equal(detectProvider("{ not json"), null);
  assert.equal(detectProvider("[]"), null);
});

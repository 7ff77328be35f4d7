/**
 * `feeds show` for every provider, through main() as a user runs it, on the real-format fixtures of
 * src/feeds/testdata: the provider told from the content (or named, for Cloudflare's text lists), the
 * selection aggregated, the version token (or its absence) shown.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { cliInProcess as cli, ROOT } from "./e2e-support.js";

const T = join(ROOT, "src", "feeds", "testdata");

interface ShownSelection {
  selector: string;
  feed: { provider: string; version: string | null };
  records: number;
  ipv4: { before: number; after: number; cidrs: string[] };
  ipv6: { before: number; after: number; cidrs: string[] };
}

async function show(...args: string[]): Promise<ShownSelection> {
  const out = await cli(["feeds", "show", "-o", "json", ...args]);
  assert.equal(out.code, 0, out.stderr);
  const view = JSON.parse(out.stdout) as { selections: ShownSelection[] };
  assert.equal(view.selections.length, 1);
  return view.selections[0] as ShownSelection;
}

test("feeds show google:scope=europe-west1 --feed cloud.json: told by content, syncToken shown", async () => {
  const s = await show("google:scope=europe-west1", "--feed", join(T, "google-cloud.json"));
  assert.deepEqual([s.feed.provider, s.feed.version, s.ipv4.cidrs, s.ipv6.cidrs], ["google", "1764900061284", ["34.76.0.0/14", "35.187.0.0/17", "35.195.0.0/16", "104.155.0.0/17"], ["2600:1900:4010::/44"]]);
});

test("feeds show google-apis --feed goog.json --feed cloud.json: goog minus cloud, the cloud.json told apart by content", async () => {
  const s = await show("google-apis", "--feed", join(T, "google-goog.json"), "--feed", join(T, "google-cloud.json"));
  assert.equal(s.feed.version, "1764900061390");
  assert.ok(s.ipv4.cidrs.includes("8.8.8.0/24") && !s.ipv4.cidrs.includes("34.80.0.0/15"));
  const alone = await cli(["feeds", "show", "google-apis", "--feed", join(T, "google-goog.json")]);
  assert.equal(alone.code, 2);
  assert.match(alone.stderr, /google-apis takes two files, goog\.json and cloud\.json/);
});

test("feeds show azure:name=Storage.WestEurope: changeNumber shown", async () => {
  const s = await show("azure:name=Storage.WestEurope", "--feed", join(T, "azure-service-tags.json"));
  assert.deepEqual([s.feed.version, s.records, s.ipv4.after, s.ipv6.cidrs], ["362", 7, 6, ["2603:1020:206:1::/64"]]);
});

test("feeds show github:key=hooks: no version token", async () => {
  const s = await show("github:key=hooks", "--feed", join(T, "github-meta.json"));
  assert.deepEqual([s.feed.version, s.ipv4.cidrs, s.ipv6.cidrs], [null, ["140.82.112.0/20", "143.55.64.0/20", "185.199.108.0/22", "192.30.252.0/22"], ["2606:50c0::/32", "2a0a:a440::/29"]]);
});

test("feeds show cloudflare: text lists need cloudflare= (the error says so); the API JSON is told by content", async () => {
  const unnamed = await cli(["feeds", "show", "cloudflare", "--feed", join(T, "cloudflare-ips-v4")]);
  assert.equal(unnamed.code, 2);
  assert.match(unnamed.stderr, /a plain list of CIDRs, such as Cloudflare's ips-v4\/ips-v6, is read only when named\); name the provider: --feed PROVIDER=/);
  const text = await show("cloudflare", "--feed", `cloudflare=${join(T, "cloudflare-ips-v4")}`, "--feed", `cloudflare=${join(T, "cloudflare-ips-v6")}`);
  const api = await show("cloudflare", "--feed", join(T, "cloudflare-ips.json"));
  assert.deepEqual([text.records, text.ipv4.after, text.ipv6.after, text.feed.version], [22, 15, 7, null]);
  assert.deepEqual([api.ipv4.cidrs, api.ipv6.cidrs], [text.ipv4.cidrs, text.ipv6.cidrs]);
});

test("feeds show atlassian:product=jira,direction=ingress: syncToken shown", async () => {
  const s = await show("atlassian:product=jira,direction=ingress", "--feed", join(T, "atlassian-ip-ranges.json"));
  assert.deepEqual([s.feed.version, s.records, s.ipv4.cidrs, s.ipv6.cidrs], ["1764889578", 5, ["16.63.53.128/25", "43.202.69.0/25", "104.192.136.0/21", "185.166.140.0/22"], ["2401:1d80:3000::/36"]]);
});

test("feeds show fastly: the whole list, IPv4 and IPv6", async () => {
  const s = await show("fastly", "--feed", join(T, "fastly-public-ip-list.json"));
  assert.deepEqual([s.feed.version, s.records, s.ipv4.before, s.ipv6.cidrs], [null, 21, 19, ["2a04:4e40::/32", "2a04:4e42::/32"]]);
});

test("feeds show oracle:region=eu-frankfurt-1,tag=OBJECT_STORAGE: last_updated_timestamp shown; text output", async () => {
  const s = await show("oracle:region=eu-frankfurt-1,tag=OBJECT_STORAGE", "--feed", join(T, "oracle-public-ip-ranges.json"));
  assert.deepEqual([s.feed.version, s.ipv4.cidrs, s.ipv6.cidrs], ["2025-12-03T19:55:47.204985", ["134.70.40.0/21", "134.70.48.0/22"], []]);
  const text = await cli(["feeds", "show", "oracle:region=eu-frankfurt-1,tag=OBJECT_STORAGE", "--feed", join(T, "oracle-public-ip-ranges.json")]);
  assert.match(text.stdout, /^oracle:region=eu-frankfurt-1,tag=OBJECT_STORAGE {2}\(oracle feed, version 2025-12-03T19:55:47\.204985, sha256 [0-9a-f]{12}\)\n {2}2 records matched\n/);
});

test("feeds show with a broken feed: exit 2 naming the file and the JSON path", async () => {
  const out = await cli(["feeds", "show", "azure", "--feed", `azure=${join(T, "github-meta.json")}`]);
  assert.equal(out.code, 2);
  assert.match(out.stderr, /github-meta\.json: changeNumber: missing/);
});

/**
 * GitHub `GET /meta` (testdata/github-meta.json: the response's shape as the REST API docs "Get GitHub
 * meta information" show it, with GitHub's published ranges): lists of CIDRs by key beside keys that are
 * not addresses (verifiable_password_authentication, ssh_key_fingerprints, ssh_keys, domains).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { edit, errorsOf, feedOf, file, fixture, selected } from "../testing/feeds.js";

const NAME = "github-meta.json";
const text = fixture(NAME);

test("GitHub /meta: every key whose value is a list of CIDRs is a key; ssh_keys, ssh_key_fingerprints, domains, verifiable_password_authentication are skipped by the rule", () => {
  const feed = feedOf("github", file(NAME));
  const keys = [...new Set(feed.records.map((r) => r.key))];
  assert.deepEqual(keys, ["hooks", "web", "api", "git", "github_enterprise_importer", "packages", "pages", "importer", "actions", "actions_macos", "codespaces", "dependabot", "copilot"]);
  assert.deepEqual([feed.version, feed.published], [null, null]);
});

test("GitHub: an unknown future key holding CIDRs is a key too (no hard-coded list)", () => {
  const feed = feedOf("github", file(NAME, edit(text, '"dependabot": [', '"models": ["20.1.2.0/24", "2603:1030::/48"],\n  "dependabot": [')));
  assert.deepEqual(selected(feed, "github:key=models"), { v4: ["20.1.2.0/24"], v6: ["2603:1030::/48"], matched: 2 });
});

test("GitHub: field `key` selects; IPv4 and IPv6 mixed in one list; region null", () => {
  const feed = feedOf("github", file(NAME));
  assert.deepEqual(selected(feed, "github:key=pages"), { v4: ["185.199.108.153/32", "185.199.109.153/32", "185.199.110.153/32", "185.199.111.153/32", "192.30.252.153/32", "192.30.252.154/32"], v6: ["2606:50c0:8000::153/128", "2606:50c0:8001::153/128", "2606:50c0:8002::153/128", "2606:50c0:8003::153/128"], matched: 10 });
  assert.ok(feed.records.every((r) => r.region === null));
  assert.equal(selected(feed, "github:key=api|git").matched, 20);
});

const REFUSED: readonly [string, string, { path: string; message: string }[]][] = [
  ["host bits set", edit(text, '"4.149.64.0/19"', '"4.149.65.0/19"'), [{ path: "actions[2]", message: 'invalid CIDR "4.149.65.0/19": host bits set' }]],
  ["a non-CIDR string among CIDRs", edit(text, '"13.105.220.0/25"', '"macos.github.com"'), [{ path: "actions_macos[1]", message: '"macos.github.com" among CIDRs: a list of CIDRs holds nothing else' }]],
  ["no list of CIDRs at all", JSON.stringify({ verifiable_password_authentication: false, ssh_keys: ["ssh-ed25519 AAAA"], domains: {} }), [{ path: "(file)", message: 'no ranges at all in this github feed: a feed with no ranges is an error, never read as "no ranges"' }]],
];

for (const [name, broken, errors] of REFUSED) {
  test(`GitHub refused: ${name}`, () => {
    assert.deepEqual(errorsOf("github", file(NAME, broken)), errors);
  });
}

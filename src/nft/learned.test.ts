/** The learned sets' element commands and their re-reading (see learned.ts for what the kernel does, measured in dns-learner.test.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Ip, parseIp } from "../net/ip.js";
import { learnedCommands, parseLearnedSet, withLearned } from "./learned.js";
import type { Ruleset } from "./types.js";

const ip = (text: string): Ip => parseIp(text) as Ip;
const el = (set: string, pod: string, dst: string, timeout = 30, expiresAt = 30_000) => ({ set, pod: ip(pod), destination: ip(dst), timeout, expiresAt });

test("a batch is one add per set (concurrent answers, one transaction); an element written twice goes once, with the last timeout", () => {
  const text = learnedCommands("portcullis", [
    { writes: [el("a", "10.0.0.1", "1.1.1.1"), el("b", "10.0.0.1", "1.1.1.1")], evictions: [] },
    { writes: [el("a", "10.0.0.2", "1.1.1.1"), el("a", "10.0.0.1", "1.1.1.1", 60)], evictions: [] },
  ]);
  assert.equal(text, "add element inet portcullis a { 10.0.0.1 . 1.1.1.1 timeout 60s, 10.0.0.2 . 1.1.1.1 timeout 30s }\nadd element inet portcullis b { 10.0.0.1 . 1.1.1.1 timeout 30s }\n");
});

test("an eviction is add (1 s) then delete, so that an element the kernel expired a moment ago does not fail the transaction; writes before it are sent first, a write it evicts is not sent", () => {
  const text = learnedCommands("portcullis", [
    { writes: [el("a", "10.0.0.1", "1.1.1.1"), el("a", "10.0.0.1", "2.2.2.2")], evictions: [] },
    { writes: [el("a", "10.0.0.1", "3.3.3.3")], evictions: [el("a", "10.0.0.1", "2.2.2.2")] },
  ]);
  assert.equal(
    text,
    [
      "add element inet portcullis a { 10.0.0.1 . 1.1.1.1 timeout 30s }",
      "add element inet portcullis a { 10.0.0.1 . 2.2.2.2 timeout 1s }",
      "delete element inet portcullis a { 10.0.0.1 . 2.2.2.2 }",
      "add element inet portcullis a { 10.0.0.1 . 3.3.3.3 timeout 30s }",
      "",
    ].join("\n"),
  );
});

test("a replace carries each learned element with its timeout and the time it has left; run-out elements and sets the ruleset lacks are left out", () => {
  const ruleset: Ruleset = { family: "inet", table: "portcullis", sets: [{ name: "a", kind: "set", type: "ipv4_addr . ipv4_addr", interval: false, elements: [], learned: true }], chains: [] };
  const carried = withLearned(ruleset, [el("a", "10.0.0.1", "1.1.1.1", 65, 40_500), el("a", "10.0.0.1", "2.2.2.2", 10, 10_200), el("gone", "10.0.0.1", "1.1.1.1")], 10_000);
  assert.deepEqual(carried.sets[0]?.elements, [{ key: "10.0.0.1 . 1.1.1.1 timeout 65s expires 30s" }]);
});

test("nft -j list set, as nft 1.0.6 prints a learned set", () => {
  const json = `{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"set": {"family": "inet", "name": "d_v4", "table": "t", "type": ["ipv4_addr", "ipv4_addr"], "handle": 2, "flags": ["timeout"], "elem": [{"elem": {"val": {"concat": ["10.0.0.1", "1.2.3.4"]}, "timeout": 30, "expires": 29}}]}}]}`;
  const r = parseLearnedSet(json, "d_v4", 1000);
  assert.deepEqual(r, { ok: true, elements: [{ set: "d_v4", pod: ip("10.0.0.1"), destination: ip("1.2.3.4"), timeout: 30, expiresAt: 30_000 }] });
  assert.deepEqual(parseLearnedSet(`{"nftables": [{"set": {"name": "d_v4", "type": ["ipv4_addr", "ipv4_addr"]}}]}`, "d_v4", 0), { ok: true, elements: [] });
});

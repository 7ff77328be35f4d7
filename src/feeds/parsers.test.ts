/** parseFeed's dispatch and compareVersions' order over every provider's version token. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { compareVersions, parseFeed } from "./parsers.js";
import { file } from "../testing/feeds.js";

test("parseFeed: a one-file provider given two files is refused naming the count", () => {
  const r = parseFeed("azure", [file("azure-service-tags.json"), file("azure-service-tags.json")]);
  assert.deepEqual(r, { ok: false, errors: [{ path: "(feed)", message: "azure takes one feed file, given 2" }] });
});

test("compareVersions is total: Atlassian/Azure numbers as numbers, Google ms tokens longer than 2^53, two orders never equal", () => {
  const n = (text: string) => ({ text, order: "number" as const });
  assert.ok(compareVersions(n("362"), n("1000")) < 0);
  assert.ok(compareVersions(n("9007199254740993"), n("9007199254740992")) > 0);
  assert.equal(compareVersions(n("1764889578"), n("1764889578")), 0);
  const t = { text: "2025-12-03T19:55:47", order: "time" as const };
  assert.equal(Math.sign(compareVersions(n("1"), t)), -Math.sign(compareVersions(t, n("1"))));
  assert.notEqual(compareVersions(n("1"), t), 0);
});

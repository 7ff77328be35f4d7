import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCounters } from "./counters.js";

const rule = (comment: string, packets: number) => ({
  rule: { family: "inet", table: "portcullis", chain: "eg_g2", handle: 4, comment, expr: [{ match: {} }, { counter: { packets, bytes: packets * 60 } }, { return: null }] },
});

test("counters add up per rule id over the lookups of each family", () => {
  const json = JSON.stringify({ nftables: [{ metainfo: {} }, rule("pc:e:0123456789ab", 2), rule("pc:e:0123456789ab", 3), rule("pc:e:g0123456789ab", 1), { rule: { chain: "forward", expr: [] } }] });
  const r = parseCounters(json);
  assert.ok(r.ok);
  assert.deepEqual([...r.counters], [
    ["pc:e:0123456789ab", { packets: 5, bytes: 300 }],
    ["pc:e:g0123456789ab", { packets: 1, bytes: 60 }],
  ]);
});

test("invalid JSON is an error value", () => {
  const r = parseCounters("{");
  assert.equal(r.ok, false);
});

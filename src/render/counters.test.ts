import { test } from "node:test";
import assert from "node:assert/strict";
import type { RuleIdEntry, RuleIdMap } from "../nft/types.js";
import { counterRows, countersJson, countersText } from "./counters.js";

const web = { namespace: "production", name: "web-api-egress" };
const deny = { namespace: "production", name: "default-deny-egress" };
const entries: RuleIdEntry[] = [
  { kind: "rule", id: "pc:e:000000000002", direction: "egress", policy: web, rule: 1, mode: "enforce" },
  { kind: "rule", id: "pc:e:000000000001", direction: "egress", policy: web, rule: 0, mode: "enforce" },
  { kind: "default-deny", id: "pc:e:g000000000003", direction: "egress", group: "000000000003", mode: "enforce", policies: [deny, web] },
  { kind: "unknown-pod", id: "pc:e:unknown", direction: "egress" },
];
const ids: RuleIdMap = { entries: new Map(entries.map((e) => [e.id, e])), endpoints: new Map() };
const counters = new Map([
  ["pc:e:g000000000003", { packets: 7, bytes: 420 }],
  ["pc:e:000000000001", { packets: 12, bytes: 3000 }],
  ["pc:e:000000000002", { packets: 0, bytes: 0 }],
  ["pc:e:unknown", { packets: 1, bytes: 84 }],
  ["pc:i:0000000000ff", { packets: 2, bytes: 120 }],
]);

test("rows: rules in policy and rule order, then default denies, fail closed, and ids the files do not have", () => {
  assert.deepEqual(
    counterRows(ids, counters).map((r) => r.id),
    ["pc:e:000000000001", "pc:e:000000000002", "pc:e:g000000000003", "pc:e:unknown", "pc:i:0000000000ff"],
  );
});

test("text: aligned columns naming each rule", () => {
  assert.equal(
    countersText(counterRows(ids, counters)),
    [
      "PACKETS  BYTES    VERDICT  RULE ID             WHAT",
      "12       2.9 KiB  allow    pc:e:000000000001   production/web-api-egress egress[0]",
      "0        0 B      allow    pc:e:000000000002   production/web-api-egress egress[1]",
      "7        420 B    deny     pc:e:g000000000003  egress isolated by production/default-deny-egress, production/web-api-egress, no rule allows",
      "1        84 B     deny     pc:e:unknown        egress of an address in the node's pod CIDRs that is no known pod (fail closed)",
      "2        120 B    ?        pc:i:0000000000ff   not in these files: the table was applied from other input",
      "",
    ].join("\n"),
  );
});

test("JSON: the entry's fields beside the counts; unmapped ids say so", () => {
  const json = countersJson(counterRows(ids, counters)) as { counters: Record<string, unknown>[] };
  assert.deepEqual(json.counters[0], { id: "pc:e:000000000001", packets: 12, bytes: 3000, kind: "rule", direction: "egress", policy: web, rule: 0, mode: "enforce" });
  assert.deepEqual(json.counters[4], { id: "pc:i:0000000000ff", packets: 2, bytes: 120, kind: "unmapped" });
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { HASH_DIGITS, RULE_ID_PATTERN, groupId, ruleId, stableHashes, unknownId } from "./ids.js";

test("a key's hash does not depend on the other keys nor on their order", () => {
  const alone = stableHashes(["production/web-api-egress\n0"]);
  const many = stableHashes(["z\n1", "production/web-api-egress\n0", "a\n0"]);
  assert.equal(many.get("production/web-api-egress\n0"), alone.get("production/web-api-egress\n0"));
  assert.deepEqual(stableHashes(["a\n0", "z\n1"]), stableHashes(["z\n1", "a\n0"]));
});

test("hashes are HASH_DIGITS hex digits, distinct over many keys", () => {
  const keys = Array.from({ length: 20000 }, (_, k) => `ns-${k % 97}/policy-${k}\n${k % 5}`);
  const hashes = stableHashes(keys);
  assert.equal(new Set(hashes.values()).size, keys.length);
  for (const h of hashes.values()) assert.match(h, new RegExp(`^[0-9a-f]{${HASH_DIGITS}}$`));
});

test("keys that hash alike are told apart, the later key in sorted order rehashed", () => {
  // A weak hash (the text's length) makes every one-letter key collide.
  const weak = (text: string): string => text.length.toString(16);
  const hashes = stableHashes(["c", "a", "b"], weak);
  assert.equal(hashes.get("a"), "1");
  assert.equal(new Set(hashes.values()).size, 3);
  assert.deepEqual(stableHashes(["b", "a", "c"], weak), hashes);
});

test("rule ids are found in log and trace lines", () => {
  const h = "0123456789ab";
  for (const id of [ruleId("egress", h), groupId("ingress", h), unknownId("egress")]) {
    assert.equal(RULE_ID_PATTERN.exec(`x ${id} IN=a`)?.[0], id);
  }
  assert.equal(RULE_ID_PATTERN.exec("pc:e:12 IN=a"), null, "the old numbered ids are not ids");
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { LastUsed } from "./last-used.js";

// The compile cache's rule between compiles (src/nft/cache.ts): "Rule entries not used by a compile are dropped after it."
test("an entry stays through the compile after the one that set it, and is dropped when a compile ends without setting it", () => {
  const m = new LastUsed<string, number>();
  m.set("a", 1);
  m.set("b", 2);
  m.settle();
  // The next compile still finds both, and sets "a" only.
  assert.equal(m.get("b"), 2);
  m.set("a", 3);
  m.settle();
  assert.equal(m.get("a"), 3);
  assert.equal(m.get("b"), undefined);
  assert.equal(m.size, 1);
  // A compile that sets nothing drops everything.
  m.settle();
  assert.equal(m.size, 0);
});

test("issue 10: 200 compiles setting the same 1,000 keys keep 1,000 entries", () => {
  const m = new LastUsed<number, number>();
  for (let c = 0; c < 200; c++) {
    for (let k = 0; k < 1000; k++) m.set(k, c);
    m.settle();
  }
  assert.equal(m.size, 1000);
  assert.deepEqual([...m.entries()].slice(0, 2), [[0, 199], [1, 199]]);
});

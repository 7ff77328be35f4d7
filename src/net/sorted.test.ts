import { test } from "node:test";
import assert from "node:assert/strict";
import { countAtMost, countBelow } from "./sorted.js";

const SORTED = [2n, 4n, 4n, 9n];
const CASES: readonly [bigint, number, number][] = [
  // value, at most, below
  [1n, 0, 0],
  [2n, 1, 0],
  [3n, 1, 1],
  [4n, 3, 1],
  [9n, 4, 3],
  [10n, 4, 4],
];

for (const [value, atMost, below] of CASES) {
  test(`of [2, 4, 4, 9]: ${atMost} at or below ${value}, ${below} below it`, () => {
    assert.equal(countAtMost(SORTED, value), atMost);
    assert.equal(countBelow(SORTED, value), below);
  });
}

test("an empty array has nothing below or at any value", () => {
  assert.deepEqual([countAtMost([], 5n), countBelow([], 5n)], [0, 0]);
});

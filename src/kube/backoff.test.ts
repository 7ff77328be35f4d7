import { test } from "node:test";
import assert from "node:assert/strict";
import { attemptAfter, backoffCeiling, backoffDelay, DEFAULT_BACKOFF } from "./backoff.js";

const P = { baseMs: 100, capMs: 1000, healthyMs: 5000 };

test("backoff ceiling: base·2^attempt, capped (also for huge attempt counts)", () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 1000].map((a) => backoffCeiling(P, a)), [100, 200, 400, 800, 1000, 1000, 1000]);
  assert.equal(backoffCeiling(DEFAULT_BACKOFF, 50), DEFAULT_BACKOFF.capMs);
});

test("full jitter: the delay is uniform in [0, ceiling) — random 0 gives 0, random just under 1 gives just under the ceiling", () => {
  assert.equal(backoffDelay(P, 3, 0), 0);
  assert.equal(backoffDelay(P, 3, 0.5), 400);
  assert.equal(backoffDelay(P, 3, 0.999), 799);
});

test("429 Retry-After: never retry sooner than the server asked, even when the jitter is smaller", () => {
  assert.equal(backoffDelay(P, 0, 0.5, 3), 3000);
  assert.equal(backoffDelay(P, 4, 0.999, 0), 999);
});

test("the attempt count resets after a healthy stretch, not before", () => {
  assert.equal(attemptAfter(P, 6, 4999), 6);
  assert.equal(attemptAfter(P, 6, 5000), 0);
});

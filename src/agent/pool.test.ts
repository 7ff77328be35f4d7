import { test } from "node:test";
import assert from "node:assert/strict";
import { StringPool, WeakPool } from "./pool.js";

test("StringPool: holds at most its limit; past it a string is handed back as it is", () => {
  const pool = new StringPool(2);
  for (const path of ["spec.egress[0]", "spec.egress[1]", "spec.egress[2]", "spec.egress[0]"]) assert.equal(pool.intern(path), path);
  assert.equal(pool.size, 2);
});

test("WeakPool: the first value given for a key is handed back for it", () => {
  const pool = new WeakPool<{ readonly requirements: readonly string[] }>();
  const first = { requirements: ["app"] };
  const second = { requirements: ["app"] };
  assert.equal(pool.intern("app", first), first);
  assert.equal(pool.intern("app", second), first);
  assert.equal(pool.size, 1);
});

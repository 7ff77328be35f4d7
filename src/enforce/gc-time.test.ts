import { test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { GcTime } from "./gc-time.js";

setFlagsFromString("--expose-gc");

test("GcTime counts the pauses of collections made after it started, and none after close", async () => {
  const gc = runInNewContext("gc") as () => void;
  const meter = new GcTime();
  assert.equal(meter.totalMs, 0);
  for (let k = 0; k < 5; k++) gc();
  // Entries arrive on a later turn of the event loop.
  for (let k = 0; k < 50 && meter.totalMs === 0; k++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(meter.totalMs > 0, "five full collections took no time");
  meter.close();
  const closed = meter.totalMs;
  for (let k = 0; k < 5; k++) gc();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(meter.totalMs, closed);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { GcTime } from "./gc-time.js";
import { DEFAULT_IDLE_GC, type IdleCollection, IdleGc, type IdleGcDecision, type IdleGcInput, exposedGc, idleGcDecision, oldGenerationUsed } from "./idle-gc.js";

const MiB = 1024 * 1024;

// The figures of docs/performance.md ("The compile spikes are mark-compact cycles"): at 50k pods the
// old generation holds 125-130 MB after a mark-compact and grows ~2 MiB per event; V8 starts its
// own marking at 181-216 MB.
const cases: readonly { readonly name: string; readonly input: IdleGcInput; readonly want: IdleGcDecision }[] = [
  { name: "a cycle runs or waits: never (the collection would block it)", input: { busy: true, idleMs: 1000, oldUsed: 200 * MiB, baseline: 125 * MiB }, want: { collect: false, why: "busy" } },
  { name: "10 ms after the last apply: not yet (the next event of a burst may be on its way)", input: { busy: false, idleMs: 10, oldUsed: 200 * MiB, baseline: 125 * MiB }, want: { collect: false, why: "not-quiet" } },
  { name: "50k pods, 8 events after V8's mark-compact (+16 MiB, 13%): not worth a full collection yet", input: { busy: false, idleMs: 40, oldUsed: 141 * MiB, baseline: 125 * MiB }, want: { collect: false, why: "small-growth" } },
  { name: "50k pods, 16 events after (+32 MiB, 26%): collect, before V8 starts marking at 181-216 MB", input: { busy: false, idleMs: 40, oldUsed: 157 * MiB, baseline: 125 * MiB }, want: { collect: true } },
  { name: "50k pods, +60 MiB (the agent was busy for 30 events): collect", input: { busy: false, idleMs: 30, oldUsed: 185 * MiB, baseline: 125 * MiB }, want: { collect: true } },
  { name: "a small cluster: 10 MiB after the last one doubled to 20 MiB, but only +10 MiB: V8's own collection costs little there", input: { busy: false, idleMs: 500, oldUsed: 20 * MiB, baseline: 10 * MiB }, want: { collect: false, why: "small-growth" } },
  { name: "a small cluster grown by 17 MiB (170%): collect", input: { busy: false, idleMs: 500, oldUsed: 27 * MiB, baseline: 10 * MiB }, want: { collect: true } },
  { name: "the heap shrank (V8 collected and the reading came late): nothing to collect", input: { busy: false, idleMs: 100, oldUsed: 120 * MiB, baseline: 125 * MiB }, want: { collect: false, why: "small-growth" } },
];

for (const c of cases) {
  test(`idleGcDecision (DEFAULT_IDLE_GC): ${c.name}`, () => {
    assert.deepEqual(idleGcDecision(c.input, DEFAULT_IDLE_GC), c.want);
  });
}

test("idleGcDecision: quiet exactly as long as asked is quiet enough; growth exactly at both thresholds collects", () => {
  const policy = { quietMs: 30, minGrowthBytes: 16 * MiB, minGrowthRatio: 0.25 };
  assert.deepEqual(idleGcDecision({ busy: false, idleMs: 30, oldUsed: 80 * MiB, baseline: 64 * MiB }, policy), { collect: true });
  assert.deepEqual(idleGcDecision({ busy: false, idleMs: 29.9, oldUsed: 80 * MiB, baseline: 64 * MiB }, policy), { collect: false, why: "not-quiet" });
  assert.deepEqual(idleGcDecision({ busy: false, idleMs: 30, oldUsed: 80 * MiB - 1, baseline: 64 * MiB }, policy), { collect: false, why: "small-growth" });
});

test("exposedGc: node 20 without --expose-gc gives a working full collection (the flag set at run time, gc from a new context)", () => {
  const gc = exposedGc();
  assert.ok(gc !== null);
  const meter = new GcTime();
  const before = oldGenerationUsed();
  gc();
  assert.ok(oldGenerationUsed() > 0 && before > 0);
  meter.close();
});

/** Waits (bounded) for `done`. */
async function until(done: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  for (let waited = 0; !done(); waited += 10) {
    if (waited > timeoutMs) assert.fail(`no ${what} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test("GcTime: the pauses of collections inside an excluded window (idle collections) count neither as time nor as mark-compacts; the others do", async () => {
  const gc = exposedGc();
  assert.ok(gc !== null);
  const meter = new GcTime();
  let heard = 0;
  meter.onMarkCompact(() => heard++);
  for (let k = 0; k < 3; k++) {
    const from = performance.now();
    gc();
    meter.exclude(from, performance.now());
  }
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(meter.markCompacts, 0);
  assert.equal(heard, 0);
  for (let k = 0; k < 3; k++) gc();
  await until(() => meter.markCompacts >= 3, "mark-compact entries");
  assert.ok(meter.totalMs > 0);
  assert.equal(heard, meter.markCompacts);
  meter.close();
});

test("IdleGc: collects once the loop has been quiet quietMs after settled(), never while busy, and not again without growth", async () => {
  const meter = new GcTime();
  let busy = true;
  let calls = 0;
  const collected: IdleCollection[] = [];
  const idle = new IdleGc({ quietMs: 20, minGrowthBytes: 0, minGrowthRatio: 0 }, meter, () => calls++, () => busy, (c) => collected.push(c));
  try {
    idle.settled();
    await new Promise((r) => setTimeout(r, 80));
    assert.equal(calls, 0, "busy: no collection");
    busy = false;
    const settled = performance.now();
    idle.settled();
    await until(() => calls === 1, "idle collection");
    assert.ok(performance.now() - settled >= 20, "not before quietMs");
    assert.equal(collected.length, 1);
    const last = idle.takeLast();
    assert.equal(last, collected[0]);
    assert.equal(idle.takeLast(), null, "taken once");
    assert.ok(last !== null && last.endedAt >= settled + 20 && last.ms >= 0);
    // No more without a new settled(): the timer fired once.
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(calls, 1);
  } finally {
    idle.close();
    meter.close();
  }
});

test("IdleGc: a growth threshold not reached: no collection", async () => {
  const meter = new GcTime();
  let calls = 0;
  const idle = new IdleGc({ quietMs: 5, minGrowthBytes: 1024 * MiB, minGrowthRatio: 0 }, meter, () => calls++, () => false, () => undefined);
  try {
    idle.settled();
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(calls, 0);
  } finally {
    idle.close();
    meter.close();
  }
});

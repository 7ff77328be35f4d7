/**
 * `portcullis lab` for real: labs of network namespaces made (and removed) by the labrun core,
 * never the machine's own. Skipped where labs cannot run (no root), failed so in CI (labSkip).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { labSkip } from "../lab/testing.js";
import { ROOT, run } from "./e2e-support.js";

interface Entry {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: string;
  readonly expected: boolean;
  readonly observed: boolean;
}

const skip = await labSkip();

test("lab run -f examples/egress -o json: every packet as the engine says, the metadata address blocked", { skip }, async () => {
  const r = await run(["lab", "run", "-f", "examples/egress", "-o", "json"], ROOT);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { entries: Entry[]; mismatches: unknown[]; lab: string };
  assert.deepEqual(report.mismatches, []);
  const metadata = report.entries.find((e) => e.from === "production/web-api" && e.to === "169.254.169.254" && e.port === 80);
  assert.deepEqual([metadata?.expected, metadata?.observed], [false, false], "web-api's ipBlock excepts the metadata address");
  const db = report.entries.find((e) => e.from === "production/web-api" && e.to === "production/postgres" && e.port === 5432);
  assert.deepEqual([db?.expected, db?.observed], [true, true], "and its rule to postgres lets packets through");
});

test("lab up, probe and down: the kept lab answers like a fresh one, then is gone", { skip }, async () => {
  const up = await run(["lab", "up", "-f", "examples/egress", "--to", "203.0.113.1:443", "-o", "json"], ROOT);
  assert.equal(up.code, 0, up.stderr);
  const { prefix } = JSON.parse(up.stdout) as { prefix: string };
  try {
    const probed = await run(["lab", "probe", "--lab", prefix], ROOT);
    assert.equal(probed.code, 0, probed.stderr);
    assert.match(probed.stdout, new RegExp(`^Lab ${prefix}: \\d+ probes, 0 mismatches`));
  } finally {
    const down = await run(["lab", "down", "--lab", prefix], ROOT);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, new RegExp(`^lab ${prefix} removed \\(\\d+ network namespaces\\)$`, "m"));
  }
  const again = await run(["lab", "probe", "--lab", prefix], ROOT);
  assert.equal(again.code, 3, "a lab that is down cannot be probed");
});

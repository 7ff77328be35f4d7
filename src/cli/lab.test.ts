/**
 * `portcullis lab` for real: labs of network namespaces made (and removed) by the labrun core,
 * never the machine's own. Skipped where labs cannot run (no root), failed so in CI (labSkip).
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { test } from "node:test";
import { listLabs } from "../lab/inventory.js";
import { listNetns, ofPrefix } from "../lab/netns.js";
import { labSkip } from "../lab/testing.js";
import { BIN, ROOT, run } from "./e2e-support.js";

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
    const listed = await run(["lab", "list", "-o", "json"], ROOT);
    assert.equal(listed.code, 0, listed.stderr);
    const mine = (JSON.parse(listed.stdout) as { prefix: string; status: string }[]).find((l) => l.prefix === prefix);
    assert.equal(mine?.status, "kept", "lab list shows the kept lab");
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

/** A `lab run` child and its lab's prefix, once the lab's owner marker names the child (at most 15 s). */
async function runningLab(): Promise<{ child: ChildProcess; prefix: string }> {
  const child = spawn(process.execPath, [BIN, "lab", "run", "-f", "examples/egress"], { cwd: ROOT, stdio: "ignore" });
  for (let i = 0; i < 300; i++) {
    const lab = (await listLabs()).find((l) => l.owner === child.pid);
    if (lab !== undefined) return { child, prefix: lab.prefix };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill("SIGKILL");
  throw new Error("lab run made no lab within 15 s");
}

test("lab run killed (SIGKILL): lab list shows its lab orphaned, the next lab run names it, lab down removes it", { skip }, async () => {
  const { child, prefix } = await runningLab();
  try {
    const listed = await run(["lab", "list"], ROOT);
    assert.match(listed.stdout, new RegExp(`^${prefix} +running +${child.pid} `, "m"));
  } finally {
    child.kill("SIGKILL");
    await once(child, "exit");
  }
  try {
    const listed = await run(["lab", "list", "-o", "json"], ROOT);
    const mine = (JSON.parse(listed.stdout) as { prefix: string; status: string; owner: number }[]).find((l) => l.prefix === prefix);
    assert.deepEqual([mine?.status, mine?.owner], ["orphaned", child.pid]);
    assert.match((await run(["lab", "list"], ROOT)).stdout, new RegExp(`^${prefix} +orphaned +${child.pid} `, "m"));
    const next = await run(["lab", "run", "-f", "examples/egress", "--to", "203.0.113.1:443"], ROOT);
    assert.equal(next.code, 0, next.stderr);
    assert.match(next.stderr, new RegExp(`^portcullis: warning: lab ${prefix} was left by a run that was killed; remove it: portcullis lab down --lab ${prefix}`, "m"));
  } finally {
    const down = await run(["lab", "down", "--lab", prefix], ROOT);
    assert.equal(down.code, 0, down.stderr);
  }
  assert.deepEqual(ofPrefix(await listNetns(), prefix), []);
});

for (const [signal, shell] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  test(`lab run stopped by ${signal}: it removes its lab and ends by that signal (exit ${shell} in a shell)`, { skip }, async () => {
    const { child, prefix } = await runningLab();
    child.kill(signal);
    const [code, ended] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
    assert.deepEqual([code, ended], [null, signal]);
    assert.deepEqual(ofPrefix(await listNetns(), prefix), []);
  });
}

test("lab down of a lab that does not exist: exit 3, naming it", { skip }, async () => {
  const r = await run(["lab", "down", "--lab", "pc-000000"], ROOT);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /^portcullis: lab state: no lab pc-000000: no network namespaces and no \S+pc-000000\.json$/m);
});

/** A lab that outlives its process (`lab up`): detach, attach from elsewhere, remove by prefix. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { parseIp } from "../net/ip.js";
import { cleanupStale, labRemove } from "./cleanup.js";
import { DETACH_SPEC } from "./fixtures/detach-spec.js";
import { labAttach, labUp } from "./lab.js";
import { listNetns, ofPrefix, readMarker } from "./netns.js";
import { labSkip } from "./testing.js";
import type { ProbeTarget } from "./types.js";

const skip = await labSkip();
const DETACH = fileURLToPath(new URL("./fixtures/detach-lab.js", import.meta.url));
const B = parseIp("10.99.0.2");

const tcp = (port: number): ProbeTarget => {
  assert.ok(B);
  return { ip: B, port, protocol: "TCP" };
};

async function namespacesOf(prefix: string): Promise<string[]> {
  return ofPrefix(await listNetns(), prefix);
}

/** Runs the fixture to its end (at most 20 s) and returns the prefix it printed. */
async function detachedByAnotherProcess(): Promise<string> {
  const child = spawn(process.execPath, [DETACH], { stdio: ["ignore", "pipe", "inherit"] });
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  let out = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
  const [code] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);
  assert.equal(code, 0, out);
  return (JSON.parse(out) as { prefix: string }).prefix;
}

describe("a detached lab", { skip }, () => {
  test("outlives its process with its ruleset; another process attaches, probes, and removes it", async () => {
    const prefix = await detachedByAnotherProcess();
    try {
      assert.equal((await namespacesOf(prefix)).length, DETACH_SPEC.pods.length + 2);
      assert.match((await readMarker(`${prefix}-0`)) ?? "", /^portcullis-lab:kept:since=\d+$/);
      assert.deepEqual(await cleanupStale(prefix), [], "cleanupStale leaves a kept lab alone");
      const lab = await labAttach(DETACH_SPEC, prefix);
      const rs = await lab.probe("keep/a", [tcp(80), tcp(81)], { timeoutMs: 300 });
      assert.deepEqual(rs.map((r) => r.identity ?? r.outcome), ["keep/b", "timeout"]);
      await lab.detach();
      await assert.rejects(lab.probe("keep/a", [tcp(80)]), /is detached/);
      assert.equal((await namespacesOf(prefix)).length, DETACH_SPEC.pods.length + 2);
    } finally {
      const removed = await labRemove(prefix);
      assert.deepEqual(removed, { ok: true, removed: DETACH_SPEC.pods.length + 2 });
    }
    assert.deepEqual(await namespacesOf(prefix), []);
    assert.deepEqual(await labRemove(prefix), { ok: true, removed: 0 });
  });

  test("labRemove refuses a lab whose owner runs, and labAttach one that is not detached", async () => {
    const lab = await labUp(DETACH_SPEC);
    try {
      assert.deepEqual(await labRemove(lab.prefix), {
        ok: false,
        reason: `lab ${lab.prefix} belongs to a running process (${(await readMarker(lab.nodeNs)) ?? ""}); stop that process instead`,
      });
      await assert.rejects(labAttach(DETACH_SPEC, lab.prefix), /is not detached/);
      assert.deepEqual(await labRemove("pc-../x"), { ok: false, reason: '"pc-../x" is not a lab prefix (pc- and 6 hex digits)' });
    } finally {
      await lab.down();
    }
  });

  test("detaching in this process drops the exit cleanup; down still removes it", async () => {
    const lab = await labUp(DETACH_SPEC);
    try {
      await lab.detach();
      assert.match((await readMarker(lab.nodeNs)) ?? "", /^portcullis-lab:kept:/);
      assert.deepEqual(await cleanupStale(lab.prefix), []);
    } finally {
      await lab.down();
    }
    assert.deepEqual(await namespacesOf(lab.prefix), []);
  });
});

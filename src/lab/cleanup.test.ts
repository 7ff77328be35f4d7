/** What is left when the process that owns a lab is interrupted or killed. */
import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { cleanupStale } from "./cleanup.js";
import { listNetns, ofPrefix } from "./netns.js";
import { labSkip } from "./testing.js";

const skip = await labSkip();
const HOLD = fileURLToPath(new URL("./fixtures/hold-lab.js", import.meta.url));

/** Starts a process holding a lab; resolves with it and its lab's prefix once the lab is up. */
async function holdLab(): Promise<{ child: ChildProcessWithoutNullStreams; prefix: string }> {
  const child = spawn(process.execPath, [HOLD], { stdio: ["pipe", "pipe", "pipe"] });
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  try {
    const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
    return { child, prefix: (JSON.parse(line) as { prefix: string }).prefix };
  } finally {
    clearTimeout(timer);
  }
}

async function namespacesOf(prefix: string): Promise<string[]> {
  return ofPrefix(await listNetns(), prefix);
}

describe("cleanup after the owner stops", { skip }, () => {
  test("SIGINT: the owner's signal handler removes its lab, then the owner ends by that signal", async () => {
    const { child, prefix } = await holdLab();
    assert.equal((await namespacesOf(prefix)).length, 3);
    child.kill("SIGINT");
    const [code, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
    assert.deepEqual([code, signal], [null, "SIGINT"]);
    assert.deepEqual(await namespacesOf(prefix), []);
  });

  test("SIGKILL: cleanupStale leaves the lab of a live owner and removes it once the owner is dead", async () => {
    const { child, prefix } = await holdLab();
    try {
      assert.deepEqual(await cleanupStale(prefix), []);
      assert.equal((await namespacesOf(prefix)).length, 3);
    } finally {
      child.kill("SIGKILL");
      await once(child, "exit");
    }
    assert.equal((await namespacesOf(prefix)).length, 3);
    assert.deepEqual(await cleanupStale(prefix), [prefix]);
    assert.deepEqual(await namespacesOf(prefix), []);
  });
});

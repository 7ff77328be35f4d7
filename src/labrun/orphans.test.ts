/** `lab run` and labs orphaned by killed runs: named without --clean, removed with it. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { listNetns, ofPrefix } from "../lab/netns.js";
import { labSkip } from "../lab/testing.js";
import { labList, orphanedLabs } from "./orphans.js";

const skip = await labSkip();
const HOLD = fileURLToPath(new URL("../lab/fixtures/hold-lab.js", import.meta.url));

/** A lab whose owner was killed with SIGKILL: its prefix. */
async function orphan(): Promise<string> {
  const child = spawn(process.execPath, [HOLD], { stdio: ["pipe", "pipe", "pipe"] });
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  try {
    const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
    return (JSON.parse(line) as { prefix: string }).prefix;
  } finally {
    clearTimeout(timer);
    child.kill("SIGKILL");
    await once(child, "exit");
  }
}

test("an orphaned lab is listed as orphaned, named without clean, and removed with it", { skip }, async () => {
  const prefix = await orphan();
  try {
    assert.deepEqual((await labList(prefix)).map((l) => [l.prefix, l.status, l.namespaces.length]), [[prefix, "orphaned", 3]]);
    assert.deepEqual(await orphanedLabs(false, prefix), { found: [prefix], removed: [] });
    assert.equal(ofPrefix(await listNetns(), prefix).length, 3, "named, not removed");
    assert.deepEqual(await orphanedLabs(true, prefix), { found: [], removed: [prefix] });
    assert.deepEqual(ofPrefix(await listNetns(), prefix), []);
  } finally {
    await orphanedLabs(true, prefix);
  }
});

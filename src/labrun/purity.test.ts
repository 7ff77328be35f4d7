import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../../../src/", import.meta.url));
/** The planning, comparing and rendering half of `lab`: pure, down to everything it imports. */
const PURE = ["plan.ts", "addresses.ts", "dns.ts", "probes.ts", "to.ts", "compare.ts", "render.ts", "messages.ts", "wire.ts", "types.ts", "random-cluster.ts"];
const IMPORT = /(?:^|\n)\s*(?:import|export)[^"';]*?from\s+["']([^"']+)["']/g;

test("planning, comparing and rendering import nothing from node:*, also through what they import", async () => {
  const seen = new Set<string>();
  const impure: string[] = [];
  const queue = PURE.map((f) => join(SRC, "labrun", f));
  // Bounded by the files under src/.
  while (queue.length > 0 && seen.size < 2000) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = await readFile(file, "utf8");
    for (const [, spec] of text.matchAll(IMPORT)) {
      if (spec === undefined) continue;
      if (!spec.startsWith(".")) impure.push(`${relative(SRC, file)} imports ${spec}`);
      else queue.push(join(dirname(file), spec.replace(/\.js$/, ".ts")));
    }
  }
  assert.ok(seen.size > PURE.length);
  assert.deepEqual(impure, []);
});

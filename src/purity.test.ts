/**
 * The boundary: pure folders import nothing from `node:*` and none of the impure adapters, so the
 * core stays a function of its inputs. Tests (`*.test.ts`) may use anything.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));
const PURE = ["net", "model", "diag", "text", "k8s", "engine", "reference", "analysis", "render", "lint", "diff", "graph", "scaffold", "nft"];
const IMPURE = ["io", "enforce", "lab", "labrun", "cli"];

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

/** Value imports only: `import type` / `export type` are erased at compile time and create no dependency. */
const IMPORT = /(?:^|\n)\s*(?:import|export)\s(?!type\s)[^;]*?from\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g;

for (const folder of PURE) {
  test(`src/${folder} is pure: no node:* imports, no imports of the adapters`, () => {
    const offences: string[] = [];
    const files = sources(join(SRC, folder));
    assert.ok(files.length > 0, `src/${folder} has sources`);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(IMPORT)) {
        const spec = m[1] ?? m[2] ?? "";
        const fromSrc = relative(SRC, join(file, "..", spec)).split("/")[0] ?? "";
        if (spec.startsWith("node:") || spec === "child_process" || spec === "fs" || (spec.startsWith(".") && IMPURE.includes(fromSrc))) {
          offences.push(`${relative(SRC, file)} imports ${spec}`);
        }
      }
    }
    assert.deepEqual(offences, []);
  });
}

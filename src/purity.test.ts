/**
 * The boundary: pure folders import nothing from `node:*` and none of the impure adapters, so the
 * core stays a function of its inputs. Tests (`*.test.ts`) may use anything.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { Linter } from "eslint";
import tseslint from "typescript-eslint";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));
// One definition of the boundary: the ESLint configuration's, which `npm test` also runs as a rule.
const config = (await import(new URL("../../eslint.config.js", import.meta.url).href)) as { PURE: string[]; ADAPTERS: string[]; purity: Linter.RulesRecord };
const { PURE, ADAPTERS: IMPURE } = config;

test("every folder of src is either pure or an adapter (or test support)", () => {
  const folders = readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory());
  const unclassified = folders.filter((f) => !PURE.includes(f) && !IMPURE.includes(f) && !["conformance", "testing"].includes(f));
  assert.deepEqual(unclassified, []);
});

test("the ESLint purity rule rejects Node built-ins and adapter imports in a pure folder, and allows type imports", () => {
  const linter = new Linter({ configType: "flat" });
  const lint = (code: string) =>
    linter.verify(code, [{ files: ["**/*.ts"], languageOptions: { parser: tseslint.parser }, rules: config.purity }], "src/engine/x.ts").map((m) => m.ruleId);
  assert.deepEqual(lint(`import { readFileSync } from "node:fs";\n`), ["no-restricted-imports"]);
  assert.deepEqual(lint(`import { readFileSync } from "fs";\n`), ["no-restricted-imports"]);
  assert.deepEqual(lint(`import { readSources } from "../io/read-sources.js";\n`), ["no-restricted-imports"]);
  assert.deepEqual(lint(`import { x } from "../../enforce/loop.js";\n`), ["no-restricted-imports"]);
  assert.deepEqual(lint(`import type { ReadResult } from "../io/read-sources.js";\n`), []);
  assert.deepEqual(lint(`import { Engine } from "./engine.js";\n`), []);
});

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

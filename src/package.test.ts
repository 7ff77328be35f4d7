/**
 * What `npm pack` ships is exactly the CLI and what it loads: no tests, test doubles or fixtures
 * (package.json `files`), and nothing the CLI needs left out.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ENTRY = join(ROOT, "dist", "src", "cli", "main.js");
/** The page of `portcullis ui`: ui/index.html loads /app/app.js, which is this file (src/ui-server/assets.ts). */
const PAGE_ENTRY = join(ROOT, "dist", "page", "ui", "src", "app.js");

/** Relative modules a compiled file loads: static and dynamic imports, and scripts it spawns by URL. */
const LOADS = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"|import\(\s*"(\.[^"]+)"\s*\)|new URL\(\s*"(\.[^"]+\.js)",\s*import\.meta\.url\s*\)/g;

/** Every compiled module the CLI can load, from dist/src/cli/main.js on, as paths relative to the root. */
function closure(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    const rel = relative(ROOT, file);
    if (seen.has(rel)) continue;
    seen.add(rel);
    for (const m of readFileSync(file, "utf8").matchAll(LOADS)) {
      const target = join(dirname(file), m[1] ?? m[2] ?? m[3] ?? "");
      assert.ok(existsSync(target), `${rel} loads ${target}, which the build did not write`);
      queue.push(target);
    }
  }
  return seen;
}

/** A module of types only compiles to an empty one (`export {};`, after its doc comments): nothing loads it at run time. */
function typesOnly(rel: string): boolean {
  const code = readFileSync(join(ROOT, rel), "utf8")
    .replace(/\/\/# sourceMappingURL=.*$/m, "")
    .replace(/\/\*[\s\S]*?\*\//g, "");
  return code.trim() === "export {};";
}

function packed(): string[] {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const [report] = JSON.parse(out) as { files: { path: string }[] }[];
  assert.ok(report !== undefined, "npm pack printed a report");
  return report.files.map((f) => f.path);
}

test("npm pack ships exactly the modules the CLI loads: no tests, test doubles or fixtures, nothing missing", () => {
  const files = packed();
  const shippedJs = files.filter((f) => f.startsWith("dist/")).sort();
  const needed = [...closure(ENTRY), ...closure(PAGE_ENTRY)].sort();
  assert.ok(needed.length > 100, "the closure walked the CLI's imports");
  assert.deepEqual(
    shippedJs.filter((f) => !needed.includes(f) && !typesOnly(f)),
    [],
    "shipped but never loaded by the CLI (a test double? add it to the negations of package.json files)",
  );
  assert.deepEqual(
    needed.filter((f) => !shippedJs.includes(f)),
    [],
    "loaded by the CLI but not shipped",
  );
  assert.ok(files.includes("bin/portcullis.js"));
  for (const page of ["ui/index.html", "ui/app.css"]) assert.ok(files.includes(page), `${page} is shipped (the ui command serves it)`);
  assert.deepEqual(
    files.filter((f) => /\.test\.js$|testing|fixture|test-support/.test(f)),
    [],
  );
});

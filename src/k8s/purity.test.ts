import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

test("src/k8s is pure: no module outside tests imports node:* or the file system", async () => {
  const dir = fileURLToPath(new URL("../../../src/k8s/", import.meta.url));
  const files = (await readdir(dir)).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
  assert.ok(files.length > 5);
  const impure: string[] = [];
  for (const file of files) {
    const text = await readFile(`${dir}${file}`, "utf8");
    if (/from\s+["'](node:|fs|path|child_process)/.test(text)) impure.push(file);
  }
  assert.deepEqual(impure, []);
});

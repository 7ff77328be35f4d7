/** The enforcer's loader reads strictly (issue 8, item 11): no root or nft needed, it only reads files. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { loadCluster } from "./load.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const REPO = join(ROOT, "src", "cli", "testdata", "stray-files", "repo-with-package-json");

test("a package.json in an enforced directory is an error, not skipped: a watched policy file that stops being a manifest must not silently drop its policies", async () => {
  const loaded = await loadCluster([REPO]);
  const errors = loaded.diagnostics.filter((d) => d.severity === "error");
  assert.deepEqual(errors.map((d) => [d.code, d.at?.file]), [["missing-field", join(REPO, "package.json")]]);
  assert.ok(!loaded.diagnostics.some((d) => d.code === "not-kubernetes"), "never the skipping warning");
});

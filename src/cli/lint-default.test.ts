/** `lint` in CI: by default it fails on what opens the cloud metadata service or the internet (warnings). */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "./e2e-support.js";
import { main } from "./main.js";

async function lint(argv: readonly string[]): Promise<{ code: number; stdout: string }> {
  let stdout = "";
  const code = await main(["lint", ...argv, "-o", "json"], { stdout: (t) => void (stdout += t), stderr: () => undefined });
  return { code, stdout };
}

const METADATA = join(ROOT, "examples", "mistakes", "metadata-via-0.0.0.0");

test("lint exits 1 by default on a rule that opens the metadata service (a warning)", async () => {
  const r = await lint(["-f", METADATA]);
  const findings = (JSON.parse(r.stdout) as { findings: { rule: string; severity: string }[] }).findings;
  assert.ok(findings.some((f) => f.rule === "metadata-reachable" && f.severity === "warning"), "the path under test: a metadata-reachable warning");
  assert.ok(!findings.some((f) => f.severity === "error"), "no error findings: the warning alone fails");
  assert.equal(r.code, 1);
});

test("lint --fail-on error lets the same warnings pass", async () => {
  assert.equal((await lint(["-f", METADATA, "--fail-on", "error"])).code, 0);
});

test("lint passes the bundled example by default (info findings only)", async () => {
  assert.equal((await lint(["-f", join(ROOT, "examples", "egress")])).code, 0);
});

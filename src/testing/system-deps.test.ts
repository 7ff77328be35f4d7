/** scripts/install-system-deps.sh --check, which .ci/run calls before the tests: it names each missing tool. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT } from "./files.js";

const SCRIPT = fileURLToPath(new URL("scripts/install-system-deps.sh", ROOT));
const TOOLS = ["nft", "ip", "sysctl", "ping", "dig", "dot", "git", "openssl", "gcc", "chromium", "kubectl", "node"];

/** Runs the check with PATH holding only `present` (links to the real tools). */
function checkWith(present: readonly string[]): { code: number | null; stdout: string; stderr: string } {
  const bin = mkdtempSync(join(tmpdir(), "pc-deps-"));
  try {
    for (const tool of present) {
      const real = spawnSync("/bin/sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      if (real !== "") symlinkSync(real, join(bin, tool));
    }
    const r = spawnSync("/bin/bash", [SCRIPT, "--check"], { encoding: "utf8", env: { PATH: bin }, timeout: 10_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

test("the system-deps check lists every required tool and names each missing one", (t) => {
  const all = checkWith(TOOLS);
  const absent = TOOLS.filter((tool) => !new RegExp(`^  ${tool} +/`, "m").test(all.stdout));
  if (absent.length > 0) {
    if (process.env["CI"] === "true") assert.fail(`required tools missing in CI: ${absent.join(", ")}`);
    return t.skip(`not installed here: ${absent.join(", ")}`);
  }
  assert.equal(all.code, 0, all.stdout + all.stderr);
  for (const [missing, pkg] of [["dig", "bind9-dnsutils"], ["ping", "iputils-ping"], ["dot", "graphviz"], ["nft", "nftables"], ["openssl", "openssl"], ["gcc", "gcc"]] as const) {
    const r = checkWith(TOOLS.filter((tool) => tool !== missing));
    assert.equal(r.code, 1, missing);
    assert.match(r.stdout, new RegExp(`^  ${missing} +MISSING \\(Debian package ${pkg}\\)$`, "m"));
    assert.equal(r.stderr, `system-deps: missing required tools: ${missing}\n`);
  }
});

test("the system-deps check requires kubectl (the stand-in API server's honesty tests) and says it is no Debian package", () => {
  const r = checkWith(TOOLS.filter((tool) => tool !== "kubectl"));
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^ {2}kubectl +MISSING \(not a Debian package: https:\/\/kubernetes\.io\/docs\/tasks\/tools\/\)$/m);
  assert.equal(r.stderr, "system-deps: missing required tools: kubectl\n");
});

test("the system-deps check names Node.js when it is missing", () => {
  const r = checkWith(TOOLS.filter((tool) => tool !== "node"));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /missing required tools: .*\bnode$/m);
});

/**
 * End to end, for what the golden scenarios (e2e.test.ts) cannot say alone: the other input paths
 * of `diff` (the new version on stdin, the old one from git) against the same golden; scaffold's
 * output read back by `check`; and `enforce` and `lab` refusing to run without root.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { GOLDEN, joinTree, ROOT, run } from "./e2e-support.js";
import { readableInstall } from "./readable-install.js";

/** The stdout a golden file records. */
function goldenStdout(name: string): string {
  const text = readFileSync(join(GOLDEN, `${name}.txt`), "utf8");
  return text.slice(text.indexOf("--- stdout\n") + "--- stdout\n".length, text.indexOf("--- stderr\n"));
}

function hasGit(): boolean {
  try {
    execFileSync("git", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A repository in a temporary directory, with examples/egress committed; never the project's own. */
function exampleRepo(): string {
  const repo = mkdtempSync(join(tmpdir(), "portcullis-git-"));
  const git = (...args: string[]): void => {
    execFileSync("git", ["-C", repo, "-c", "user.name=portcullis", "-c", "user.email=test@portcullis.invalid", "-c", "commit.gpgsign=false", ...args], { stdio: "ignore" });
  };
  cpSync(join(ROOT, "examples/egress"), join(repo, "examples/egress"), { recursive: true });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-q", "-m", "base");
  return repo;
}

test("diff: the new version on stdin, and the old one from git (--base), print the golden of the file run", async (t) => {
  const expected = goldenStdout("diff");
  const work = mkdtempSync(join(tmpdir(), "portcullis-diff-"));
  cpSync(join(ROOT, "examples/egress"), join(work, "egress"), { recursive: true });
  const stdin = run(["diff", "-f", "egress", "--against", "-"], work, joinTree("examples/egress", "src/diff/testdata/internet-443"));
  if (!hasGit()) {
    if (process.env["CI"] === "true") assert.fail("git is needed for diff --base in CI");
    t.diagnostic("git not installed: --base not tested");
  }
  const repo = hasGit() ? exampleRepo() : null;
  try {
    // The pull request, in the working tree.
    if (repo !== null) cpSync(join(ROOT, "src/diff/testdata/internet-443"), join(repo, "examples/egress"), { recursive: true });
    const [fromStdin, fromGit, unknownRef] = await Promise.all([
      stdin,
      repo === null ? null : run(["diff", "-f", "examples/egress", "--base", "HEAD", "--fail-on", "widened"], repo),
      repo === null ? null : run(["diff", "-f", "examples/egress", "--base", "no-such-branch"], repo),
    ]);
    assert.equal(fromStdin.stdout, expected);
    assert.equal(fromStdin.code, 0);
    if (fromGit !== null && unknownRef !== null) {
      assert.equal(fromGit.stdout, expected);
      assert.equal(fromGit.code, 1, "--fail-on widened, and something widened");
      assert.equal(unknownRef.code, 3);
      assert.match(unknownRef.stderr, /^portcullis: --base: unknown revision "no-such-branch" in /);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    if (repo !== null) rmSync(repo, { recursive: true, force: true });
  }
});

test("scaffold piped into check: DNS over UDP and TCP 53 allowed, the metadata address denied by the except", async () => {
  const scaffolded = await run(["scaffold", "-n", "shop", "--allow-dns", "--block-metadata", "--allow-to", "0.0.0.0/0:443"], ROOT);
  assert.equal(scaffolded.code, 0, scaffolded.stderr);
  const check = (to: string, port: string, protocol = "TCP") =>
    run(["check", "-f", "-", "-f", "src/cli/testdata/scaffold-cluster.yaml", "--from", "shop/web", "--to", to, "--port", port, "--protocol", protocol], ROOT, scaffolded.stdout);
  const [udp, tcp, metadata, internet] = await Promise.all([
    check("kube-system/coredns", "53", "UDP"),
    check("kube-system/coredns", "53"),
    check("169.254.169.254", "443"),
    check("1.1.1.1", "443"),
  ]);
  for (const dns of [udp, tcp]) {
    assert.equal(dns.code, 0, dns.stdout + dns.stderr);
    assert.match(dns.stdout, /NetworkPolicy shop\/allow-dns-egress/);
  }
  assert.equal(metadata.code, 1, metadata.stdout);
  assert.match(metadata.stdout, /^DENIED/);
  assert.match(metadata.stdout, /169\.254\.169\.254 is inside the ipBlock's cidr but in its except list/);
  assert.equal(internet.code, 0, "the allowance itself holds");
});

test("enforce and lab without root: exit 4, nothing applied, the dry run suggested", async (t) => {
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  if (root && process.platform !== "linux") return t.skip("cannot drop to an unprivileged user here");
  // As root, the child runs as nobody; it refuses before it looks at a network namespace. Nobody may
  // not read the checkout (a clone under a private folder), so it runs a readable copy of the CLI.
  const as = root ? 65534 : undefined;
  const install = root ? readableInstall(["examples/egress"]) : { dir: ROOT, bin: undefined, remove: () => undefined };
  t.after(() => install.remove());
  const [enforce, lab] = await Promise.all([
    run(["enforce", "-f", "examples/egress", "--host"], install.dir, undefined, as, install.bin),
    run(["lab", "down", "--lab", "pc-1a2b3c"], install.dir, undefined, as, install.bin),
  ]);
  assert.equal(enforce.code, 4);
  assert.equal(enforce.stdout, "");
  assert.match(enforce.stderr, /^portcullis: enforce needs root to apply nftables rules .*--dry-run prints the ruleset/);
  assert.equal(lab.code, 4);
  assert.match(lab.stderr, /^portcullis: lab down needs root/);
});

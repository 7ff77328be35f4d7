/** readGitSources on a repository made in a temporary directory (never the project's own). */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { readGitSources } from "./git-sources.js";

let repo = "";
let hasGit = true;

function git(...args: string[]): void {
  execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@t.invalid", "-c", "commit.gpgsign=false", ...args], { stdio: "ignore" });
}

function write(path: string, text: string | Uint8Array): void {
  mkdirSync(join(repo, path, ".."), { recursive: true });
  writeFileSync(join(repo, path), text);
}

before(() => {
  repo = mkdtempSync(join(tmpdir(), "portcullis-git-sources-"));
  try {
    git("init", "-q");
  } catch {
    hasGit = false;
    return;
  }
  write("k8s/b.yaml", "kind: B\n");
  write("k8s/a.yml", "kind: A\n");
  write("k8s/sub/c.json", "{}\n");
  write("k8s/README.md", "not a manifest\n");
  write("k8s/.hidden/d.yaml", "kind: Hidden\n");
  write("k8s/bin.yaml", Uint8Array.from([0x6b, 0, 0x01]));
  write("other/notes.txt", "a file named directly is read whatever its name\n");
  git("add", "-A");
  git("commit", "-q", "-m", "base");
  // After the commit: the working tree has more, the revision does not.
  write("k8s/new.yaml", "kind: New\n");
});

after(() => rmSync(repo, { recursive: true, force: true }));

const skip = (t: { skip(m: string): void }): boolean => {
  if (hasGit) return false;
  if (process.env["CI"] === "true") assert.fail("git is needed in CI");
  t.skip("git not installed");
  return true;
};

test("a directory at a revision: its manifests sorted, hidden entries and other files left out, named REV:path", async (t) => {
  if (skip(t)) return;
  const r = await readGitSources([join(repo, "k8s")], "HEAD");
  assert.ok(r.ok, r.ok ? "" : r.message);
  assert.deepEqual(r.read.sources.map((s) => s.file), ["HEAD:k8s/a.yml", "HEAD:k8s/b.yaml", "HEAD:k8s/sub/c.json"]);
  assert.ok(r.read.sources.every((s) => s.inDirectory === true), "found in a directory, as the working tree's are");
  assert.equal(r.read.sources[0]?.text, "kind: A\n");
  assert.deepEqual(r.read.diagnostics.map((d) => [d.code, d.at?.file]), [["file-binary", "HEAD:k8s/bin.yaml"]], "binary data is a diagnostic, as for files");
});

test("a file named directly is read; a path missing at the revision contributes nothing", async (t) => {
  if (skip(t)) return;
  const r = await readGitSources([join(repo, "other/notes.txt"), join(repo, "k8s/new.yaml"), join(repo, "gone/x.yaml")], "HEAD");
  assert.ok(r.ok, r.ok ? "" : r.message);
  assert.deepEqual(r.read.sources.map((s) => s.file), ["HEAD:other/notes.txt"]);
  assert.equal(r.read.sources[0]?.inDirectory, undefined, "named: never skipped as not a manifest");
});

test("an unknown revision, and a path outside any repository, are usage errors", async (t) => {
  if (skip(t)) return;
  const unknown = await readGitSources([join(repo, "k8s")], "no-such-branch");
  assert.deepEqual(unknown.ok ? null : [unknown.kind, unknown.message.startsWith('--base: unknown revision "no-such-branch"')], ["usage", true]);
  const outside = mkdtempSync(join(tmpdir(), "portcullis-no-git-"));
  try {
    const r = await readGitSources([outside], "HEAD");
    assert.deepEqual(r.ok ? null : [r.kind, r.message.includes("is not in a git repository")], ["usage", true]);
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
});

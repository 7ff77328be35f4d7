/**
 * Reads manifests as they are at a git revision (`portcullis diff --base REF`): the paths given,
 * as files and directories of the repository that holds each, through `git ls-tree` and
 * `git show REV:path`. The same selection as for the working tree: a file named directly, or a
 * directory's `.yaml`, `.yml` and `.json` files (hidden entries skipped), sorted by path.
 */
import { execFile } from "node:child_process";
import { realpath, stat } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { messages } from "../diag/catalogue.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { codes } from "../k8s/codes.js";
import type { Source } from "../k8s/parse.js";
import type { ReadResult } from "./read-sources.js";
import { decodeText } from "./text.js";

/** The sources, or why they cannot be read: the command line asks the impossible, or git fails. */
export type GitRead =
  | { readonly ok: true; readonly read: ReadResult }
  | { readonly ok: false; readonly kind: "usage" | "environment"; readonly message: string };

type GitResult = { readonly ok: true; readonly stdout: Buffer } | { readonly ok: false; readonly missing: boolean; readonly stderr: string };

const MAX_BUFFER = 256 * 1024 * 1024;
const PARALLEL = 8;
const EXTENSIONS = [".yaml", ".yml", ".json"];

function git(cwd: string, args: readonly string[]): Promise<GitResult> {
  // Literal pathspecs: a file name with `*` means that file. No optional locks: reading only.
  const env = { ...process.env, GIT_LITERAL_PATHSPECS: "1", GIT_OPTIONAL_LOCKS: "0" };
  return new Promise((done) => {
    execFile("git", ["-C", cwd, ...args], { encoding: "buffer", maxBuffer: MAX_BUFFER, env }, (error, stdout, stderr) => {
      if (error === null) return done({ ok: true, stdout });
      const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
      done({ ok: false, missing, stderr: missing ? "git is not installed (or not on PATH)" : stderr.toString("utf8").trim() || error.message });
    });
  });
}

const firstLine = (text: string): string => (text.split("\n")[0] ?? "").replace(/^fatal: /, "");
const text = (r: { stdout: Buffer }): string => r.stdout.toString("utf8").trim();

/** The deepest existing directory on the way to `path`, and the rest of the path below it. */
async function anchor(path: string): Promise<{ dir: string; rest: string[] }> {
  let at = resolve(path);
  const rest: string[] = [];
  for (;;) {
    const info = await stat(at).catch(() => null);
    if (info !== null) return info.isDirectory() ? { dir: at, rest } : { dir: dirname(at), rest: [basename(at), ...rest] };
    const parent = dirname(at);
    if (parent === at) return { dir: at, rest };
    rest.unshift(basename(at));
    at = parent;
  }
}

interface Repo {
  readonly top: string;
  readonly commit: string;
}

function failure(r: Extract<GitResult, { ok: false }>, usage: string): GitRead {
  return r.missing ? { ok: false, kind: "environment", message: `cannot run git: ${r.stderr}` } : { ok: false, kind: "usage", message: `${usage}: ${firstLine(r.stderr)}` };
}

/** The repository holding `dir`, with `ref` resolved to a commit there. */
async function repoOf(dir: string, path: string, ref: string, repos: Map<string, Repo>): Promise<Repo | GitRead> {
  const top = await git(dir, ["rev-parse", "--show-toplevel"]);
  if (!top.ok) return failure(top, `--base: ${path} is not in a git repository`);
  const root = await realpath(text(top));
  const known = repos.get(root);
  if (known !== undefined) return known;
  const commit = await git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  if (!commit.ok) return commit.missing ? failure(commit, "") : { ok: false, kind: "usage", message: `--base: unknown revision "${ref}" in ${root}` };
  const repo = { top: root, commit: text(commit) };
  repos.set(root, repo);
  return repo;
}

const isManifest = (file: string): boolean => EXTENSIONS.some((ext) => file.toLowerCase().endsWith(ext));

/** The files `rel` names at the commit: itself, or the manifests below it (found in a directory). */
async function listFiles(repo: Repo, rel: string): Promise<{ files: string[]; inDirectory: boolean } | GitRead> {
  const r = await git(repo.top, ["ls-tree", "-r", "--name-only", "-z", repo.commit, "--", rel === "" ? "." : rel]);
  if (!r.ok) return failure(r, `--base: cannot list ${rel} at the revision`);
  const entries = r.stdout.toString("utf8").split("\0").filter((e) => e !== "");
  if (entries.length === 1 && entries[0] === rel) return { files: entries, inDirectory: false };
  const below = (e: string): string => (rel === "" ? e : e.slice(rel.length + 1));
  const files = entries.filter((e) => isManifest(e) && !below(e).split("/").some((part) => part.startsWith("."))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { files, inDirectory: true };
}

function binary(file: string, problem: string): Diagnostic {
  return { severity: "error", code: codes.fileBinary, message: problem, at: { file, line: 1, column: 1, document: 0, path: "" } };
}

async function show(repo: Repo, file: string, name: string, inDirectory: boolean): Promise<Source | Diagnostic | GitRead> {
  const r = await git(repo.top, ["show", "--no-textconv", `${repo.commit}:${file}`]);
  if (!r.ok) return r.missing ? failure(r, "") : { severity: "error", code: codes.fileUnreadable, message: messages.fileUnreadable(firstLine(r.stderr)), at: { file: name, line: 1, column: 1, document: 0, path: "" } };
  const decoded = decodeText(new Uint8Array(r.stdout));
  if (!decoded.ok) return binary(name, decoded.problem);
  return inDirectory ? { file: name, text: decoded.text, inDirectory } : { file: name, text: decoded.text };
}

const isGitRead = (x: object): x is GitRead => "ok" in x;

/** The manifests of `paths` as they are at `ref`; sources are named `REF:path-in-repository`. */
export async function readGitSources(paths: readonly string[], ref: string): Promise<GitRead> {
  const repos = new Map<string, Repo>();
  const wanted: { repo: Repo; file: string; inDirectory: boolean }[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    const { dir, rest } = await anchor(path);
    const repo = await repoOf(dir, path, ref, repos);
    if (isGitRead(repo)) return repo;
    const rel = relative(repo.top, join(await realpath(dir), ...rest)).split(sep).join("/");
    const listed = await listFiles(repo, rel);
    if (isGitRead(listed)) return listed;
    for (const file of listed.files) {
      if (seen.has(`${repo.top}\0${file}`)) continue;
      seen.add(`${repo.top}\0${file}`);
      wanted.push({ repo, file, inDirectory: listed.inDirectory });
    }
  }
  const results: (Source | Diagnostic | GitRead)[] = [];
  for (let i = 0; i < wanted.length; i += PARALLEL) {
    results.push(...(await Promise.all(wanted.slice(i, i + PARALLEL).map((w) => show(w.repo, w.file, `${ref}:${w.file}`, w.inDirectory)))));
  }
  const failed = results.find(isGitRead);
  if (failed !== undefined && isGitRead(failed)) return failed;
  const sources = results.filter((r): r is Source => "text" in r);
  const diagnostics = results.filter((r): r is Diagnostic => "severity" in r);
  return { ok: true, read: { sources, diagnostics } };
}

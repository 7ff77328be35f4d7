/** Shared by the end-to-end tests: the binary as a child process, and manifest trees joined into one stream. */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const BIN = join(ROOT, "bin", "portcullis.js");
export const GOLDEN = join(ROOT, "src", "cli", "testdata", "golden");

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(args: readonly string[], cwd: string, stdin?: Uint8Array | string, uid?: number, bin = BIN): Promise<Run> {
  return new Promise((resolve) => {
    const ids = uid === undefined ? {} : { uid, gid: uid };
    const child = execFile(process.execPath, [bin, ...args], { cwd, encoding: "utf8", ...ids }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr });
    });
    child.stdin?.end(stdin);
  });
}

/** The manifest files under `dir` (relative paths), as the reader takes them. */
function manifests(dir: string): string[] {
  const files: string[] = [];
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      const full = join(at, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(ya?ml|json)$/i.test(name)) files.push(relative(dir, full));
    }
  };
  walk(dir);
  return files;
}

/**
 * A tree's files in the order the reader takes them (sorted paths), one document stream; with
 * `overlay`, its files replace those of the same relative path, or are added (a pull request).
 */
export function joinTree(dir: string, overlay?: string): string {
  const byPath = new Map(manifests(join(ROOT, dir)).map((f) => [f, join(ROOT, dir, f)]));
  if (overlay !== undefined) for (const f of manifests(join(ROOT, overlay))) byPath.set(f, join(ROOT, overlay, f));
  const files = [...byPath].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, file]) => file);
  return files.map((f) => readFileSync(f, "utf8").replace(/\n*$/, "\n")).join("---\n");
}

/** The CLI run in this process (`main` with captured output): for tests of many small invocations. */
export async function cliInProcess(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { main } = await import("./main.js");
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
  return { code, stdout, stderr };
}

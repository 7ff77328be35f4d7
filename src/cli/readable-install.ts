/**
 * Test support: the CLI copied where an unprivileged user can run it. A child running as `nobody`
 * cannot read a checkout under a private folder (CI may clone into `mktemp -d`, mode 0700), so a
 * test that drops privileges runs this copy instead: bin, dist/src, package.json, the runtime
 * dependencies and the files the test names, in a fresh temporary folder every user can read.
 */
import { chmodSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./e2e-support.js";

export interface ReadableInstall {
  readonly dir: string;
  readonly bin: string;
  remove(): void;
}

export function readableInstall(extra: readonly string[]): ReadableInstall {
  const dir = mkdtempSync(join(tmpdir(), "pc-install-"));
  const deps = Object.keys((JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies?: Record<string, string> }).dependencies ?? {});
  for (const path of ["bin", "dist/src", "package.json", ...deps.map((d) => `node_modules/${d}`), ...extra]) {
    cpSync(join(ROOT, path), join(dir, path), { recursive: true });
  }
  openToAll(dir);
  return { dir, bin: join(dir, "bin", "portcullis.js"), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Folders and executables 0755, other files 0644: a clone made under umask 077 keeps none of these. */
function openToAll(path: string): void {
  const stat = statSync(path);
  if (stat.isDirectory()) {
    chmodSync(path, 0o755);
    for (const name of readdirSync(path)) openToAll(join(path, name));
  } else chmodSync(path, stat.mode & 0o100 ? 0o755 : 0o644);
}

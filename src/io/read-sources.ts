import { Stats } from "node:fs";
import { open, readdir, readlink, realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { messages } from "../diag/catalogue.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import type { Location } from "../diag/location.js";
import { codes } from "../k8s/codes.js";
import type { Source } from "../k8s/parse.js";
import { checkText, decodeText, type TextResult } from "./text.js";

export interface ReadLimits {
  /** Larger inputs are refused with `file-too-large` (default 64 MiB). */
  readonly maxBytes: number;
}

/** Large enough for `kubectl get -A -o json` of a 100,000-pod cluster (about 180 MB), which the JSON fast path reads in seconds. */
export const DEFAULT_LIMITS: ReadLimits = { maxBytes: 256 * 1024 * 1024 };

/**
 * Texts of files read before, by path, with what `stat` said then: a caller that reads the same
 * files again and again (the enforcer's watch loop) does not read a file whose size, inode and
 * modification and change times are all the same. `readSources` keeps it up to date.
 */
export type ReadCache = Map<string, { readonly size: number; readonly ino: number; readonly mtimeMs: number; readonly ctimeMs: number; readonly text: string }>;

/** The path that means standard input, and the name its diagnostics carry. */
export const STDIN_PATH = "-";
export const STDIN_NAME = "<stdin>";

const EXTENSIONS = [".yaml", ".yml", ".json"];

/** Text, or why there is none (`code` defaults to `file-binary`). */
type ReadOutcome = TextResult | { readonly ok: false; readonly problem: string; readonly code: string };

export interface ReadResult {
  readonly sources: Source[];
  readonly diagnostics: Diagnostic[];
}

/**
 * Reads files, directories (recursively: their `.yaml`, `.yml` and `.json` files, sorted by path;
 * symbolic links followed; hidden entries skipped; each marked `inDirectory`) and `-` (standard
 * input, read once), in the order given. A file named twice, directly or through a directory, is read once. Problems are
 * diagnostics, never exceptions.
 */
export async function readSources(
  paths: readonly string[],
  stdin?: () => Promise<string>,
  limits: ReadLimits = DEFAULT_LIMITS,
  cache?: ReadCache,
): Promise<ReadResult> {
  const sources: Source[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const add = (file: string, outcome: ReadOutcome, inDirectory = false): void => {
    if (outcome.ok) sources.push(inDirectory ? { file, text: outcome.text, inDirectory } : { file, text: outcome.text });
    else diagnostics.push(fileError(file, "code" in outcome ? outcome.code : codes.fileBinary, outcome.problem));
  };
  for (const path of paths) {
    if (path === STDIN_PATH) {
      if (seen.has(STDIN_PATH)) continue;
      seen.add(STDIN_PATH);
      add(STDIN_NAME, await readStdin(stdin, limits));
      continue;
    }
    const { files, inDirectory } = await expand(path, diagnostics);
    for (const file of files) {
      const key = await realpath(file).catch(() => file);
      if (seen.has(key)) continue;
      seen.add(key);
      add(file, await readCached(file, limits, cache), inDirectory);
    }
  }
  if (cache !== undefined) {
    const read = new Set(sources.map((source) => source.file));
    for (const file of [...cache.keys()]) if (!read.has(file)) cache.delete(file);
  }
  return { sources, diagnostics };
}

function fileStart(file: string): Location {
  return { file, line: 1, column: 1, document: 0, path: "" };
}

function fileError(file: string, code: string, message: string): Diagnostic {
  return { severity: "error", code, message, at: fileStart(file) };
}

function fileWarning(file: string, code: string, message: string): Diagnostic {
  return { severity: "warning", code, message, at: fileStart(file) };
}


function unreadable(error: unknown): ReadOutcome {
  return { ok: false, code: codes.fileUnreadable, problem: messages.fileUnreadable(describeFsError(error)) };
}

function tooLarge(bytes: number, limits: ReadLimits): ReadOutcome {
  return { ok: false, code: codes.fileTooLarge, problem: messages.fileTooLarge(bytes, limits.maxBytes) };
}

const FS_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "is a directory",
  ENOTDIR: "a part of the path is not a directory",
  ELOOP: "too many symbolic links",
};

function describeFsError(error: unknown): string {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
  return FS_ERRORS[code] ?? (error instanceof Error ? error.message : String(error));
}

/** A path to the files it names: itself, or a directory's YAML and JSON files (found in a directory). */
async function expand(path: string, diagnostics: Diagnostic[]): Promise<{ files: string[]; inDirectory: boolean }> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    diagnostics.push(fileError(path, codes.fileUnreadable, messages.fileUnreadable(describeFsError(error))));
    return { files: [], inDirectory: false };
  }
  if (!info.isDirectory()) return { files: [path], inDirectory: false };
  const files: string[] = [];
  await walk(path, files, new Set(), diagnostics);
  // Sorted by code unit, not locale, so every machine reads the same order.
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (files.length === 0) diagnostics.push(fileWarning(path, codes.noInputFiles, messages.noInputFiles()));
  return { files, inDirectory: true };
}

/**
 * Appends the manifest files under `dir`. `ancestors` are the real paths of the directories being
 * walked: a link back to one of them is a loop (warned of); a directory reached again by another
 * way is walked once, quietly (its files would be read once anyway).
 */
async function walk(dir: string, files: string[], visited: Set<string>, diagnostics: Diagnostic[], ancestors: readonly string[] = []): Promise<void> {
  try {
    const real = await realpath(dir);
    if (ancestors.includes(real)) return void diagnostics.push(fileWarning(dir, codes.symlinkLoop, messages.symlinkLoop(real)));
    if (visited.has(real)) return;
    visited.add(real);
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      // Hidden entries (.git, and the ..data links of a mounted ConfigMap) are not manifests.
      if (entry.name.startsWith(".")) continue;
      const full = join(dir, entry.name);
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await stat(full).catch((error: unknown) => error);
        if (!(target instanceof Stats)) {
          diagnostics.push(await brokenLink(full, target));
          continue;
        }
        isDir = target.isDirectory();
        isFile = target.isFile();
      }
      if (isDir) await walk(full, files, visited, diagnostics, [...ancestors, real]);
      else if (isFile && EXTENSIONS.some((ext) => entry.name.toLowerCase().endsWith(ext))) files.push(full);
    }
  } catch (error) {
    diagnostics.push(fileError(dir, codes.fileUnreadable, messages.fileUnreadable(describeFsError(error))));
  }
}

/** Why a link inside a directory leads nowhere: dangling or a loop (warnings: skipped, never silently), or unreadable. */
async function brokenLink(link: string, error: unknown): Promise<Diagnostic> {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
  const target = await readlink(link).catch(() => link);
  if (code === "ENOENT") return fileWarning(link, codes.danglingSymlink, messages.danglingSymlink(target));
  if (code === "ELOOP") return fileWarning(link, codes.symlinkLoop, messages.symlinkLoop(target));
  return fileError(link, codes.fileUnreadable, messages.fileUnreadable(describeFsError(error)));
}

const CHUNK = 1024 * 1024;

/** `readBounded`, or the text read before when `stat` says the file is unchanged. */
async function readCached(file: string, limits: ReadLimits, cache: ReadCache | undefined): Promise<ReadOutcome> {
  if (cache === undefined) return readBounded(file, limits);
  const info = await stat(file).catch(() => undefined);
  const known = cache.get(file);
  if (info !== undefined && known !== undefined && info.isFile() && known.size === info.size && known.ino === info.ino && known.mtimeMs === info.mtimeMs && known.ctimeMs === info.ctimeMs) {
    return { ok: true, text: known.text };
  }
  const outcome = await readBounded(file, limits);
  if (outcome.ok && info !== undefined && info.isFile()) cache.set(file, { size: info.size, ino: info.ino, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs, text: outcome.text });
  else cache.delete(file);
  return outcome;
}

/**
 * Reads at most `maxBytes` (plus one, to tell) from a file, FIFO or device, so a huge file (or
 * `<(kubectl get ... )` process substitution, or /dev/zero) is refused without being held in memory.
 */
async function readBounded(file: string, limits: ReadLimits): Promise<ReadOutcome> {
  let handle;
  try {
    handle = await open(file, "r");
  } catch (error) {
    return unreadable(error);
  }
  try {
    const info = await handle.stat();
    if (info.isFile() && info.size > limits.maxBytes) return tooLarge(info.size, limits);
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const buffer = new Uint8Array(Math.min(CHUNK, limits.maxBytes + 1 - total) || 1);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      total += bytesRead;
      if (total > limits.maxBytes) return tooLarge(total, limits);
    }
    return decodeText(concat(chunks, total));
  } catch (error) {
    return unreadable(error);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

async function readStdin(stdin: (() => Promise<string>) | undefined, limits: ReadLimits): Promise<ReadOutcome> {
  try {
    if (stdin !== undefined) {
      const text = await stdin();
      const bytes = Buffer.byteLength(text, "utf8");
      return bytes > limits.maxBytes ? tooLarge(bytes, limits) : checkText(text);
    }
    return await readProcessStdin(limits);
  } catch (error) {
    return unreadable(error);
  }
}

async function readProcessStdin(limits: ReadLimits): Promise<ReadOutcome> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of process.stdin) {
    const bytes: Uint8Array = typeof chunk === "string" ? new TextEncoder().encode(chunk) : (chunk as Uint8Array);
    chunks.push(bytes);
    total += bytes.length;
    if (total > limits.maxBytes) {
      process.stdin.destroy();
      return tooLarge(total, limits);
    }
  }
  return decodeText(concat(chunks, total));
}

/** Running commands: argv only (no shell), bounded in time, with optional stdin. */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import type { ExecResult } from "./types.js";

export interface RunOptions {
  readonly input?: string;
  readonly timeoutMs?: number;
  /** The child's pid is in this set while it runs (so exit handlers can kill it). */
  readonly pids?: Set<number>;
}

export function run(argv: readonly string[], opts: RunOptions = {}): Promise<ExecResult> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.reject(new Error("run: empty argv"));
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ["pipe", "pipe", "pipe"] });
    const pid = child.pid;
    if (pid !== undefined) opts.pids?.add(pid);
    let out = "";
    let err = "";
    let timedOut = false;
    let failedToStart = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.timeoutMs ?? 10_000);
    child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
    child.stdin.on("error", () => undefined); // the command may exit without reading its input
    child.on("error", (e) => {
      failedToStart = child.pid === undefined;
      err += e.message;
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (pid !== undefined) opts.pids?.delete(pid);
      resolve({
        code: failedToStart ? 127 : (code ?? 128 + (signal === null ? 0 : constants.signals[signal])),
        stdout: out,
        stderr: err,
        timedOut,
      });
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** Runs argv and throws, with its stderr, unless it exits 0. */
export async function runOk(argv: readonly string[], opts: RunOptions = {}): Promise<string> {
  const r = await run(argv, opts);
  if (r.code !== 0) {
    const why = r.timedOut ? "timed out" : `exited ${r.code}`;
    throw new Error(`${argv.join(" ")} ${why}: ${r.stderr.trim()}`);
  }
  return r.stdout;
}

export function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

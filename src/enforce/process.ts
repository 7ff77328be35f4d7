import { spawn } from "node:child_process";

/**
 * Why a command failed, with its own words (stderr). `rejected`: a long-lived nft (NftSession)
 * refused a command and lives on; `exit`: the program exited (or a session's child ended or
 * answered unreadably).
 */
export interface RunError {
  readonly code: "bad-netns" | "spawn" | "exit" | "timeout" | "rejected";
  readonly message: string;
  readonly stderr: string;
  readonly exitCode: number | null;
}

export type RunResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: RunError };

export interface RunOptions {
  readonly input?: string;
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Runs a program (no shell) to completion; stdout on success. Spawn failure, a non-zero exit and a
 * timeout (the child is killed) are values carrying stderr.
 */
export function run(program: string, argv: readonly string[], opts: RunOptions = {}): Promise<RunResult<string>> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const command = `${program} ${argv.join(" ")}`;
  return new Promise((resolve) => {
    const child = spawn(program, argv, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let settled = false;
    const finish = (result: RunResult<string>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const fail = (code: RunError["code"], message: string, exitCode: number | null): void =>
      finish({ ok: false, error: { code, message, stderr: stderr.trim(), exitCode } });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail("timeout", `${command} did not finish within ${timeoutMs} ms`, null);
    }, timeoutMs);
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (e) => fail("spawn", `cannot run ${program}: ${e.message}`, null));
    child.on("close", (exitCode) => {
      if (exitCode === 0) finish({ ok: true, value: stdout });
      else fail("exit", `${command} exited with ${exitCode ?? "a signal"}`, exitCode);
    });
    child.stdin.on("error", () => undefined); // the child may exit before reading all input; `close` reports it.
    child.stdin.end(opts.input ?? "");
  });
}

const NETNS_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** The program and arguments running `argv` inside `netns` (`ip netns exec`), or directly. */
export function inNetns(netns: string | undefined, argv: readonly string[]): RunResult<[string, string[]]> {
  if (netns === undefined) return { ok: true, value: [argv[0] ?? "", argv.slice(1)] };
  if (!NETNS_NAME.test(netns)) {
    return { ok: false, error: { code: "bad-netns", message: `invalid network namespace name "${netns}"`, stderr: "", exitCode: null } };
  }
  return { ok: true, value: ["ip", ["netns", "exec", netns, ...argv]] };
}

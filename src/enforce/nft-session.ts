import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type NftResult, writerFailure as failure } from "./nft.js";
import { OneChild, type SupervisedChild } from "./one-child.js";
import { inNetns } from "./process.js";

/**
 * A long-lived `nft -i` to which `nft -f` scripts are submitted one after the other, so that an
 * incremental apply does not pay for starting nft (exec, dynamic linking, a new libnftables
 * context: 12-18 ms of a 50k-pod node's 28-36 ms per pod event; docs/enforcement.md).
 *
 * How a script is sent: it is written to `commands.nft` in a private directory (mkdtemp, 0700) and
 * the session is sent the line `include "DIR/commands.nft"`. nft -i runs each input line as one
 * transaction, and an included file is part of its line: the script commits whole or not at all,
 * as with `nft -f` (see nft-session.test.ts). The same directory is nft's $HOME, where it writes
 * its command history on exit; the directory goes when the child has exited.
 *
 * How its outcome is read: after each include line, a marker line that nft cannot parse
 * (`%portcullis-TOKEN-N`: `%` is a lexical error at its first column) follows. nft answers it on
 * stderr with `Error: ...`, the line itself and a line of carets, after the include line is done;
 * what stderr said before that block is the script's own output. A script that succeeds says
 * nothing (add, delete and flush print nothing without -e/-a); anything said is nft's error.
 */

/** What stderr holds so far about the command whose marker is `marker`. */
export type Reply =
  /** The marker's answer is not (wholly) there yet. */
  | { readonly kind: "pending" }
  /** `said`: what nft wrote before the marker's answer (empty: the command succeeded); `rest`: after it. */
  | { readonly kind: "done"; readonly said: string; readonly rest: string }
  /** The marker is echoed, but not as nft's answer to an unparsable line: the stream cannot be trusted. */
  | { readonly kind: "garbled"; readonly detail: string };

/** Reads the answer to `marker` from `stderr` (see the module comment for the form of the answer). */
export function readReply(stderr: string, marker: string): Reply {
  const echoed = stderr.indexOf(`\n${marker}\n`);
  if (echoed < 0) return { kind: "pending" };
  const errorStart = stderr.lastIndexOf("\n", echoed - 1) + 1;
  const errorLine = stderr.slice(errorStart, echoed);
  if (!errorLine.startsWith("Error: ")) return { kind: "garbled", detail: `the marker line came after "${errorLine}", not after nft's error` };
  const caretsEnd = stderr.indexOf("\n", echoed + marker.length + 2);
  if (caretsEnd < 0) return { kind: "pending" };
  const carets = stderr.slice(echoed + marker.length + 2, caretsEnd);
  if (!/^ *\^+ *$/.test(carets)) return { kind: "garbled", detail: `the marker's echo was followed by "${carets}", not by carets` };
  return { kind: "done", said: stderr.slice(0, errorStart), rest: stderr.slice(caretsEnd + 1) };
}

export interface NftSessionOptions {
  /** Run nft inside this network namespace (`ip netns exec`); the current one when absent. */
  readonly netns?: string;
  /** A command not answered within this time: the child is killed and the command fails ("timeout"). */
  readonly timeoutMs?: number;
  /**
   * Commands after which the child is replaced by a new one: nft's line editor keeps every line in
   * its history, so the child's memory and each line's time grow with the lines sent (measured:
   * +0.19 MiB and +0.09 ms per line per 1000 lines).
   */
  readonly maxCommands?: number;
  /**
   * Resident memory (VmRSS) of the child above which it is replaced after a command: nft keeps
   * the cache of its last command (a whole 50k-pod table sent through a session left 225 MiB).
   */
  readonly maxRssBytes?: number;
  /** Starts in a row that fail before answering a command, after which the session refuses every command. */
  readonly maxFailedStarts?: number;
  /** Where the child's private directory is made; the temp directory (`$TMPDIR`, /tmp) when absent. */
  readonly parent?: string;
}

const DEFAULTS = { timeoutMs: 30_000, maxCommands: 1000, maxRssBytes: 64 * 1048576, maxFailedStarts: 3 };
/** Characters a path may have in an include line (no quote, no newline, no glob). */
const INCLUDABLE = /^[A-Za-z0-9_./-]+$/;

/** One `nft -i` child and what it has said. */
interface Child extends SupervisedChild {
  /** Private directory: the script file, and nft's $HOME (its history). */
  readonly dir: string;
  readonly script: string;
  /** Makes the markers of this child unlike anything a script or nft could print. */
  readonly token: string;
  commands: number;
  stderr: string;
  /** Wakes the command in flight when stderr grows or the child ends. */
  wake: (() => void) | null;
}

/**
 * A long-lived nft (see the module comment). Commands run one at a time, in the order given. A
 * child that times out, exits or answers in a way that cannot be read is killed; the command fails
 * and the next one starts a new child (one-child.ts). `close` ends the child and removes its directory.
 */
export class NftSession {
  private readonly opts: NftSessionOptions & typeof DEFAULTS;
  private readonly child: OneChild<Child>;

  constructor(opts: NftSessionOptions = {}) {
    this.opts = { ...DEFAULTS, ...opts };
    this.child = new OneChild<Child>({
      name: "nft -i",
      closedMessage: "the nft session is closed",
      maxFailedStarts: this.opts.maxFailedStarts,
      start: () => this.start(),
      reusable: (child) => child.commands < this.opts.maxCommands && residentBytes(child) <= this.opts.maxRssBytes,
    });
  }

  /** How many children were started (one, unless replaced: limits, failures). */
  get starts(): number {
    return this.child.starts;
  }

  /** The running child's process id, if any (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Applies an `nft -f` script as one transaction; nft's complaint as the error ("rejected") when it refuses it. */
  apply(text: string): Promise<NftResult<void>> {
    return this.child.enqueue(() => this.child.run((c) => this.send(c, text, "script")));
  }

  /**
   * Applies commands written as one line (`;` between them) as one transaction, sent straight to
   * nft's input instead of through the script file: nft -i runs a line as one transaction (a
   * failing command leaves none of the line applied: see nft-session.test.ts). For small, frequent
   * commits (the DNS learner's elements), where writing the file cost more than nft's own work.
   */
  applyLine(line: string): Promise<NftResult<void>> {
    if (line.includes("\n")) return Promise.resolve(failure("spawn", "applyLine takes one line"));
    return this.child.enqueue(() => this.child.run((c) => this.send(c, line, "line")));
  }

  /** Ends the child (after the commands queued) and removes its directory; later commands fail. */
  close(): Promise<void> {
    return this.child.close();
  }

  private start(): NftResult<Child> {
    const command = inNetns(this.opts.netns, ["nft", "-i"]);
    if (!command.ok) return command;
    let dir: string;
    try {
      dir = mkdtempSync(join(this.opts.parent ?? tmpdir(), "portcullis-nft-"));
    } catch (e) {
      return failure("spawn", `cannot create the nft session's directory: ${e instanceof Error ? e.message : String(e)}`);
    }
    const script = join(dir, "commands.nft");
    if (!INCLUDABLE.test(script)) {
      removeDir(dir);
      return failure("spawn", `cannot include ${script} in an nft line (quotes, spaces or globs in the path)`);
    }
    const [program, argv] = command.value;
    const proc = spawn(program, argv, { stdio: ["pipe", "ignore", "pipe"], env: { ...process.env, HOME: dir } });
    let resolveClosed = (): void => undefined;
    const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
    const child: Child = { process: proc, dir, script, token: randomBytes(6).toString("hex"), commands: 0, answered: false, stderr: "", ended: null, wake: null, closed };
    const end = (why: string): void => {
      child.ended ??= why;
      child.wake?.();
    };
    proc.stderr?.setEncoding("utf8").on("data", (d: string) => {
      child.stderr += d;
      child.wake?.();
    });
    proc.stdin?.on("error", () => undefined); // a child that died refuses input: its exit says why.
    proc.on("error", (e) => {
      end(`cannot run ${program}: ${e.message}`);
      removeDir(dir);
      resolveClosed();
    });
    proc.on("close", (code, signal) => {
      end(signal !== null ? `nft -i was killed (${signal})` : `nft -i exited with ${code ?? "?"}`);
      removeDir(dir);
      resolveClosed();
    });
    return { ok: true, value: child };
  }

  /** Sends one script and waits for the marker's answer, the child's end or the timeout. */
  private send(child: Child, text: string, how: "script" | "line"): Promise<NftResult<void>> {
    child.commands++;
    const marker = `%portcullis-${child.token}-${child.commands}`;
    try {
      if (how === "script") writeFileSync(child.script, text);
    } catch (e) {
      return Promise.resolve(failure("spawn", `cannot write the nft session's script: ${e instanceof Error ? e.message : String(e)}`));
    }
    return new Promise((resolve) => {
      const settle = (result: NftResult<void>): void => {
        clearTimeout(timer);
        child.wake = null;
        resolve(result);
      };
      const timer = setTimeout(() => {
        child.process.kill("SIGKILL");
        settle(failure("timeout", `nft -i did not answer within ${this.opts.timeoutMs} ms`, child.stderr));
      }, this.opts.timeoutMs);
      child.wake = () => {
        const reply = readReply(child.stderr, marker);
        if (reply.kind === "done") {
          child.stderr = reply.rest;
          child.answered = true;
          return settle(reply.said === "" ? { ok: true, value: undefined } : failure("rejected", "nft rejected the commands", reply.said));
        }
        if (reply.kind === "garbled") return settle(failure("exit", `cannot read nft -i's answer: ${reply.detail}`, child.stderr));
        if (child.ended !== null) settle(failure("exit", `${child.ended} before answering`, child.stderr));
      };
      child.process.stdin?.write(`${how === "script" ? `include "${child.script}"` : text}\n${marker}\n`);
      // The child may have ended already (spawn error): its end does not come again.
      if (child.ended !== null) child.wake();
    });
  }
}

/** Removes a child's directory; a failure (which would be thrown from an event handler) leaves it behind. */
function removeDir(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // A few KB in the temp directory; nothing to fail for.
  }
}

/** The child's resident memory (0 when unknown: /proc unreadable or gone). */
function residentBytes(child: Child): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.process.pid ?? 0}/status`, "utf8"))?.[1];
    return kb === undefined ? 0 : Number(kb) * 1024;
  } catch {
    return 0;
  }
}

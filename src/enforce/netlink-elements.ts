import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Ip } from "../net/ip.js";
import { EVICTION_ADD_SECONDS, type LearnedOp } from "../nft/learned.js";
import { type NftResult, writerFailure as failure } from "./nft.js";
import { OneChild, type SupervisedChild } from "./one-child.js";
import { inNetns } from "./process.js";

/**
 * The learned elements' writer through netlink: a long-lived native helper
 * (native/nft-elements.c, `portcullis-nft-elements`) that sends each batch of element lines to the
 * kernel as one nf_tables transaction, without nft's fetch of every set and chain of the table
 * before each command (nft 1.0.6: 20-44 ms a commit with 4,000 other sets; docs/dns-names/enforcement.md).
 *
 * The helper's protocol (one line each, stdin/stdout): `B FAMILY TABLE COUNT`, then COUNT lines
 * `+ SET KEYHEX TIMEOUT_MS` or `- SET KEYHEX`; answered `ok` or `err ERRNO TEXT`. A key is the
 * concatenation `pod . destination` as the kernel holds it (each field padded to 4 bytes: IPv4 . IPv4
 * is 8 bytes, IPv6 . IPv6 32).
 *
 * Batches go one at a time, in order. A helper that does not answer within the timeout, exits or
 * answers what cannot be read is killed; the batch fails and the next starts a new helper; after
 * `maxFailedStarts` helpers in a row that answered nothing, every batch fails at once (`usable` is
 * false: the learner writes through nft instead).
 */

export const HELPER_NAME = "portcullis-nft-elements";

/** Element lines a batch of the helper takes at most (its MAX_ELEMENTS). */
export const MAX_LINES = 4096;

/** The package's root: dist/src/enforce/ → three levels up. */
const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/**
 * Where the helper is: `$PORTCULLIS_NFT_ELEMENTS` when set (it must be executable), else
 * native/build/ of the source tree (scripts/build-native.sh) or native/ of an installed package
 * (the image: /opt/portcullis/native/); null when none is executable.
 */
export function findElementsHelper(env: NodeJS.ProcessEnv = process.env): string | null {
  const explicit = env["PORTCULLIS_NFT_ELEMENTS"];
  const candidates = explicit !== undefined && explicit !== "" ? [explicit] : [join(PACKAGE_ROOT, "native", "build", HELPER_NAME), join(PACKAGE_ROOT, "native", HELPER_NAME)];
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not there, or not executable: the next
    }
  }
  return null;
}

const hexOf = (ip: Ip): string => ip.value.toString(16).padStart(ip.family === 4 ? 8 : 32, "0");

/** The helper's key of `pod . destination`: both addresses, network order, in hex. */
export const pairKey = (e: { readonly pod: Ip; readonly destination: Ip }): string => `${hexOf(e.pod)}${hexOf(e.destination)}`;

/**
 * The helper's batches for `ops` on an inet table: element lines in order, cut into batches of at
 * most MAX_LINES lines; an eviction's add and delete of an element stay in one batch.
 */
export function helperBatches(table: string, ops: readonly LearnedOp[]): string[] {
  const batches: string[][] = [];
  let current: string[] = [];
  const room = (lines: number): void => {
    if (current.length + lines > MAX_LINES && current.length > 0) {
      batches.push(current);
      current = [];
    }
  };
  for (const op of ops) {
    if (op.kind === "add") {
      for (const e of op.elements) {
        room(1);
        current.push(`+ ${op.set} ${pairKey(e)} ${e.timeout * 1000}`);
      }
      continue;
    }
    // Evictions in slices whose add and delete lines fit in one batch.
    for (let i = 0; i < op.elements.length; i += MAX_LINES / 2) {
      const slice = op.elements.slice(i, i + MAX_LINES / 2);
      room(slice.length * 2);
      for (const e of slice) current.push(`+ ${op.set} ${pairKey(e)} ${EVICTION_ADD_SECONDS * 1000}`);
      for (const e of slice) current.push(`- ${op.set} ${pairKey(e)}`);
    }
  }
  if (current.length > 0) batches.push(current);
  return batches.map((lines) => `B inet ${table} ${lines.length}\n${lines.join("\n")}\n`);
}

export interface NetlinkElementsOptions {
  /** The helper's path (findElementsHelper). */
  readonly helper: string;
  /** Run the helper inside this network namespace (`ip netns exec`); the current one when absent. */
  readonly netns?: string;
  /** A batch not answered within this time: the helper is killed and the batch fails ("timeout"). */
  readonly timeoutMs?: number;
  /** Helpers in a row that fail before answering a batch, after which every batch fails. */
  readonly maxFailedStarts?: number;
}

const DEFAULTS = { timeoutMs: 10_000, maxFailedStarts: 3 };
/** What is kept of the helper's stderr (its complaint when it cannot start). */
const STDERR_KEPT = 4096;

interface Child extends SupervisedChild {
  stdout: string;
  stderr: string;
  wake: (() => void) | null;
}

export class NetlinkElements {
  private readonly opts: NetlinkElementsOptions & typeof DEFAULTS;
  private readonly child: OneChild<Child>;

  constructor(opts: NetlinkElementsOptions) {
    this.opts = { ...DEFAULTS, ...opts };
    this.child = new OneChild<Child>({ name: HELPER_NAME, closedMessage: "the netlink writer is closed", maxFailedStarts: this.opts.maxFailedStarts, start: () => this.start() });
  }

  /** How many helpers were started. */
  get starts(): number {
    return this.child.starts;
  }

  /** The running helper's process id, if any (for tests). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** False once `maxFailedStarts` helpers in a row failed before answering: the helper cannot run here. */
  get usable(): boolean {
    return this.child.usable;
  }

  /**
   * Writes `ops` to the inet table `table`: one transaction when they fit in one batch of the helper
   * (MAX_LINES element lines), else one per batch, in order, stopping at the first that fails.
   * The kernel's refusal is "rejected" (nothing of that batch applied); a helper that failed is
   * "spawn", "exit" or "timeout".
   */
  write(table: string, ops: readonly LearnedOp[]): Promise<NftResult<void>> {
    return this.child.enqueue(async () => {
      for (const batch of helperBatches(table, ops)) {
        const r = await this.child.run((c) => this.exchange(c, batch));
        if (!r.ok) return r;
      }
      return { ok: true, value: undefined } as const;
    });
  }

  /** Sends raw protocol text (one batch, or lines the helper must refuse): its answer line. For tests. */
  send(text: string): Promise<NftResult<void>> {
    return this.child.enqueue(() => this.child.run((c) => this.exchange(c, text)));
  }

  /** Ends the helper after the batches queued; later batches fail. */
  close(): Promise<void> {
    return this.child.close();
  }

  private start(): NftResult<Child> {
    const command = inNetns(this.opts.netns, [this.opts.helper]);
    if (!command.ok) return command;
    const [program, argv] = command.value;
    const proc = spawn(program, argv, { stdio: ["pipe", "pipe", "pipe"] });
    let resolveClosed = (): void => undefined;
    const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
    const child: Child = { process: proc, stdout: "", stderr: "", answered: false, ended: null, wake: null, closed };
    const end = (why: string): void => {
      child.ended ??= why;
      child.wake?.();
      resolveClosed();
    };
    proc.stdout?.setEncoding("utf8").on("data", (d: string) => {
      child.stdout += d;
      child.wake?.();
    });
    proc.stderr?.setEncoding("utf8").on("data", (d: string) => (child.stderr = (child.stderr + d).slice(-STDERR_KEPT)));
    proc.stdin?.on("error", () => undefined); // a helper that died refuses input: its exit says why.
    proc.on("error", (e) => end(`cannot run ${program}: ${e.message}`));
    proc.on("close", (code, signal) => end(signal !== null ? `${HELPER_NAME} was killed (${signal})` : `${HELPER_NAME} exited with ${code ?? "?"}`));
    return { ok: true, value: child };
  }

  /**
   * Sends one batch and waits for its answer line, the helper's end or the timeout. A line already
   * there before the batch is sent answers nothing we asked: the helper is out of step (killed).
   */
  private exchange(child: Child, text: string): Promise<NftResult<void>> {
    if (child.stdout !== "") return Promise.resolve(failure("exit", `${HELPER_NAME} said "${child.stdout.slice(0, 200).trim()}" unasked: out of step with its batches`, child.stderr));
    return new Promise((resolve) => {
      const settle = (result: NftResult<void>): void => {
        clearTimeout(timer);
        child.wake = null;
        resolve(result);
      };
      const timer = setTimeout(() => {
        child.process.kill("SIGKILL");
        settle(failure("timeout", `${HELPER_NAME} did not answer within ${this.opts.timeoutMs} ms`, child.stderr));
      }, this.opts.timeoutMs);
      child.wake = () => {
        const newline = child.stdout.indexOf("\n");
        if (newline >= 0) {
          const line = child.stdout.slice(0, newline);
          child.stdout = child.stdout.slice(newline + 1);
          child.answered = true;
          if (line === "ok") return settle({ ok: true, value: undefined });
          const err = /^err (\d+) (.*)$/.exec(line);
          if (err !== null) return settle(failure("rejected", `the kernel refused the elements: ${err[2] ?? ""} (errno ${err[1] ?? "?"})`, line));
          return settle(failure("exit", `cannot read ${HELPER_NAME}'s answer "${line.slice(0, 200)}"`, child.stderr));
        }
        if (child.ended !== null) settle(failure("exit", `${child.ended} before answering`, child.stderr));
      };
      child.process.stdin?.write(text);
      if (child.ended !== null) child.wake();
    });
  }
}

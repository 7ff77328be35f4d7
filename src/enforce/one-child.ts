import type { ChildProcess } from "node:child_process";
import { type NftResult, writerFailure as failure } from "./nft.js";

/** How long a closing child may take to exit after its input ends, before it is killed. */
const EXIT_GRACE_MS = 2_000;

/** What the supervisor needs of a child: its process, whether it ever answered, and its end. */
export interface SupervisedChild {
  readonly process: ChildProcess;
  /** Set once the child has answered a command: a child that dies before that counts as a failed start. */
  answered: boolean;
  /** Set when the child has gone (spawn error, exit or signal): why. */
  ended: string | null;
  /** Resolves when the process has gone and what it left (a directory) is removed. */
  readonly closed: Promise<void>;
}

export interface OneChildOptions<C extends SupervisedChild> {
  /** The program as messages name it (`nft -i`, `portcullis-nft-elements`). */
  readonly name: string;
  /** What a closed supervisor says to later commands (`the nft session is closed`). */
  readonly closedMessage: string;
  /** Starts in a row that fail before answering a command, after which every command fails at once. */
  readonly maxFailedStarts: number;
  readonly start: () => NftResult<C>;
  /** Whether a healthy child may take the next command; false: it is ended gracefully and replaced (limits). */
  readonly reusable?: (child: C) => boolean;
}

/**
 * One long-lived child process to which commands go one at a time, in order (the nft session, the
 * netlink writer). A child that timed out, exited or answered what cannot be read (any failure but
 * "rejected", which is the command's own) is killed and the next command starts a new one; after
 * `maxFailedStarts` children in a row that answered nothing, every command fails at once. `close`
 * ends the child (its input closed, killed after 2 s) once the commands queued are done.
 */
export class OneChild<C extends SupervisedChild> {
  private child: C | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private failedStarts = 0;
  private started = 0;
  private closing = false;
  /** Children that were replaced or closed and may not have exited yet. */
  private readonly retiring = new Set<Promise<void>>();

  constructor(private readonly opts: OneChildOptions<C>) {}

  /** How many children were spawned (a start refused before spawning, as a missing namespace, is not one). */
  get starts(): number {
    return this.started;
  }

  /** The running child's process id, if any (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.child?.ended === null ? this.child.process.pid : undefined;
  }

  /** False once `maxFailedStarts` children in a row failed before answering. */
  get usable(): boolean {
    return this.failedStarts < this.opts.maxFailedStarts;
  }

  /** Runs `task` after every task queued before it. */
  enqueue<T>(task: () => Promise<T>): Promise<T> {
    const next = this.queue.then(task);
    this.queue = next;
    return next;
  }

  /** One command on the child (started when there is none): `exchange` sends it and reads the answer. Call it from a queued task. */
  async run(exchange: (child: C) => Promise<NftResult<void>>): Promise<NftResult<void>> {
    if (this.closing) return failure("spawn", this.opts.closedMessage);
    if (!this.usable) return failure("spawn", `${this.opts.name} is not usable here: ${this.failedStarts} starts in a row failed`);
    if (this.child !== null && this.child.ended !== null) this.discard(this.child);
    if (this.child === null) {
      const started = this.opts.start();
      if (!started.ok) {
        this.failedStarts++;
        return started;
      }
      this.started++;
      this.child = started.value;
    }
    const child = this.child;
    const result = await exchange(child);
    if (child.ended !== null || (!result.ok && result.error.code !== "rejected")) {
      if (!child.answered) this.failedStarts++;
      this.discard(child);
    } else {
      this.failedStarts = 0;
      if (this.opts.reusable !== undefined && !this.opts.reusable(child)) this.retire(child);
    }
    return result;
  }

  /** Ends the child after the commands queued; later commands fail. */
  async close(): Promise<void> {
    this.closing = true;
    await this.queue;
    if (this.child !== null) this.retire(this.child);
    await Promise.all(this.retiring);
  }

  /** Kills a child that can no longer be trusted. */
  private discard(child: C): void {
    if (child.ended === null) child.process.kill("SIGKILL");
    this.forget(child);
  }

  /** Ends a healthy child: its input ends (it exits), killed when it does not exit in time. */
  private retire(child: C): void {
    if (child.ended === null) {
      child.process.stdin?.end();
      const killer = setTimeout(() => child.process.kill("SIGKILL"), EXIT_GRACE_MS);
      void child.closed.then(() => clearTimeout(killer));
    }
    this.forget(child);
  }

  private forget(child: C): void {
    if (this.child === child) this.child = null;
    const closed = child.closed.then(() => void this.retiring.delete(closed));
    this.retiring.add(closed);
  }
}

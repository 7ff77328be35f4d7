/**
 * The node agent's DNS learner: each answer the proxy relays is turned into learned elements
 * (src/dns/learn.ts) and written to the kernel before the answer is released to the pod ("No race:
 * the answer is released to the pod only after the kernel holds the elements it admits").
 *
 * - One long-lived writer for the agent's life, no process per answer: the netlink helper
 *   (NetlinkElements, src/enforce/netlink-elements.ts: one nf_tables transaction per batch, without
 *   nft's fetch of the table's sets and chains) when `netlinkHelper` is given, else `nft -i`
 *   (NftSession). A helper that crashed, timed out or cannot start: that batch is written through nft,
 *   and every batch once the helper is not usable (`writer` says which writes now).
 * - Answers that arrive while a transaction is in flight (or in the same turn of the event loop)
 *   are written together in the next one: one transaction for a batch, each answer's promise
 *   resolved when its batch committed.
 * - Ordered per name: an answer whose elements are already known (another answer for the same
 *   name wrote them) still waits for the batch that wrote them; batches commit in order.
 * - A whole-table replace (the agent's first apply, a drift repair) runs in the same queue, reads the
 *   learned sets back from the kernel (`nft -j list set`) and carries them into the new table, so
 *   learned elements survive full re-applies and agent restarts.
 */
import { type ElementWrite, type Caps, DEFAULT_CAPS, LearnedState, type LearningRule, type Timeouts, learnedPairs } from "../dns/learn.js";
import { DnsSnapshot, type DnsRecord } from "../dns/snapshot.js";
import { type LearnedChange, type ListedElement, learnedCommands, learnedOps, parseLearnedSet, withLearned } from "../nft/learned.js";
import { renderRuleset } from "../nft/render.js";
import { type DomainRuleSets, type Ruleset, TABLE } from "../nft/types.js";
import type { Ip } from "../net/ip.js";
import { type NftResult, runNft } from "./nft.js";
import { NetlinkElements } from "./netlink-elements.js";
import { NftSession, type NftSessionOptions } from "./nft-session.js";

export interface DnsLearnerOptions {
  /** Write inside this network namespace; the current one when absent. */
  readonly netns?: string;
  readonly timeouts: Timeouts;
  readonly caps?: Caps;
  readonly session?: Omit<NftSessionOptions, "netns">;
  /** The netlink helper's path (findElementsHelper): learned elements are written through it, nft being the fallback. */
  readonly netlinkHelper?: string;
  /** The helper's answer timeout, ms (NetlinkElements' default when absent). */
  readonly netlinkTimeoutMs?: number;
  /** How often expired elements are forgotten (and counted), ms; default 5 s. */
  readonly sweepMs?: number;
  /** Each answer's hold: from `learn` to its elements committed, seconds (answers that teach nothing are not held). */
  readonly onHold?: (seconds: number) => void;
}

export interface DnsLearnerStats {
  /** Answers given to `learn`. */
  readonly answers: number;
  /** Answers that taught some element (written or already held). */
  readonly learning: number;
  /** Transactions committed, and those nft refused (their elements are not held; the answers were released all the same). */
  readonly commits: number;
  readonly commitFailures: number;
  /** What writes the learned elements now: the netlink helper, or nft (none given, or the helper not usable). */
  readonly writer: LearnedWriter;
  /** Batches the helper failed to write (crashed, timed out, could not start) that nft wrote instead. */
  readonly writerFallbacks: number;
  /** Elements the learned state holds now. */
  readonly elements: number;
  readonly added: number;
  readonly refreshed: number;
  readonly expired: number;
  readonly evicted: { readonly perName: number; readonly perPod: number; readonly total: number };
}

export type LearnedWriter = "netlink" | "nft";

/** nft commands, one per line, as one line (`;` between them): one transaction through NftSession.applyLine. */
const asLine = (commands: string): string => commands.trimEnd().split("\n").join("; ");

const keyOf = (e: { readonly set: string; readonly pod: Ip; readonly destination: Ip }): string => `${e.set}\u0000${e.pod.family}:${e.pod.value}\u0000${e.destination.value}`;

interface Waiter {
  readonly batch: number;
  readonly resolve: () => void;
}

export class DnsLearner {
  private readonly state: LearnedState;
  private readonly session: NftSession;
  private readonly netlink: NetlinkElements | null;
  private writerFallbacks = 0;
  private rules = new Map<string, LearningRule[]>();
  private sets = new Set<string>();
  /** Changes of the batch being collected. */
  private pending: LearnedChange[] = [];
  /** Batches begun and committed (numbered from 1); the batch being collected is `begun + 1`. */
  private begun = 0;
  private committed = 0;
  /** The batch that last wrote each element not yet committed. */
  private readonly inflight = new Map<string, number>();
  private waiters: Waiter[] = [];
  private scheduled = false;
  /** Commits and replaces, one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly sweeper: ReturnType<typeof setInterval>;
  private answers = 0;
  private learning = 0;
  private commits = 0;
  private commitFailures = 0;
  private closed = false;

  constructor(private readonly opts: DnsLearnerOptions) {
    this.state = new LearnedState(opts.caps ?? DEFAULT_CAPS);
    this.session = new NftSession({ ...opts.session, ...(opts.netns === undefined ? {} : { netns: opts.netns }) });
    this.netlink =
      opts.netlinkHelper === undefined
        ? null
        : new NetlinkElements({ helper: opts.netlinkHelper, ...(opts.netns === undefined ? {} : { netns: opts.netns }), ...(opts.netlinkTimeoutMs === undefined ? {} : { timeoutMs: opts.netlinkTimeoutMs }) });
    this.sweeper = setInterval(() => this.state.expire(Date.now()), opts.sweepMs ?? 5000);
    this.sweeper.unref();
  }

  /** The domain rules of the ruleset now applied: which pods learn for which rules; the state of sets gone is forgotten. */
  setRules(domainRules: readonly DomainRuleSets[]): void {
    const rules = new Map<string, LearningRule[]>();
    for (const r of domainRules) {
      for (const pod of r.subjects) {
        const key = `${pod.family}:${pod.value}`;
        const list = rules.get(key);
        if (list === undefined) rules.set(key, [r]);
        else list.push(r);
      }
    }
    this.rules = rules;
    this.sets = new Set(domainRules.flatMap((r) => Object.values(r.sets)));
    this.state.dropSets(this.sets);
  }

  /** Learns an answer's records for `client`; resolves once the kernel holds what it admits (never rejects). */
  learn(client: Ip, records: readonly DnsRecord[]): Promise<void> {
    this.answers++;
    const rules = this.rules.get(`${client.family}:${client.value}`);
    if (rules === undefined || records.length === 0 || this.closed) return Promise.resolve();
    const pairs = learnedPairs(new DnsSnapshot(records), client, rules, this.opts.timeouts);
    if (pairs.length === 0) return Promise.resolve();
    this.learning++;
    const started = performance.now();
    const admitted = this.state.admit(pairs, Date.now());
    let batch = 0;
    for (const h of admitted.held) batch = Math.max(batch, this.inflight.get(keyOf(h)) ?? 0);
    if (admitted.writes.length + admitted.evictions.length > 0) {
      const collecting = this.begun + 1;
      this.pending.push(admitted);
      for (const e of [...admitted.writes, ...admitted.evictions]) this.inflight.set(keyOf(e), collecting);
      batch = collecting;
      this.schedule();
    }
    const held = (): void => this.opts.onHold?.((performance.now() - started) / 1000);
    if (batch <= this.committed) {
      held();
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.waiters.push({
        batch,
        resolve: () => {
          held();
          resolve();
        },
      }),
    );
  }

  /**
   * A whole-table replace that keeps the learned elements: in the learner's queue (no batch is
   * written meanwhile), the learned sets of `next` are read from the kernel and put into its text
   * with the time each has left (elements only this process knows, after the table was removed
   * under it, too); `write` applies it.
   */
  replace(next: Ruleset, write: (text: string) => Promise<NftResult<void>>): Promise<NftResult<void>> {
    const work = async (): Promise<NftResult<void>> => {
      const now = Date.now();
      const listed: ListedElement[] = [];
      for (const set of next.sets.filter((s) => s.learned === true)) {
        const r = await runNft(["-j", "list", "set", "inet", TABLE, set.name], this.opts.netns);
        if (!r.ok) continue; // no table or no such set yet: nothing to carry
        const parsed = parseLearnedSet(r.value, set.name, now);
        if (parsed.ok) listed.push(...parsed.elements);
      }
      const inKernel = new Set(listed.map(keyOf));
      const known = this.state.elements().filter((e) => !inKernel.has(keyOf(e))).map((e) => ({ ...e, timeout: Math.ceil((e.expiresAt - now) / 1000) }));
      const result = await write(renderRuleset(withLearned(next, [...listed, ...known], now)));
      if (result.ok) for (const e of listed) this.state.restore(e);
      return result;
    };
    const done = this.queue.then(work);
    this.queue = done.catch(() => undefined);
    return done;
  }

  stats(): DnsLearnerStats {
    const c = this.state.counters;
    return { answers: this.answers, learning: this.learning, commits: this.commits, commitFailures: this.commitFailures, writer: this.writer, writerFallbacks: this.writerFallbacks, elements: this.state.size, added: c.added, refreshed: c.refreshed, expired: c.expired, evicted: { ...c.evicted } };
  }

  /** What writes the learned elements now. */
  get writer(): LearnedWriter {
    return this.netlink?.usable === true ? "netlink" : "nft";
  }

  /** Writes what is pending, then ends the writers; later answers teach nothing. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    await this.queue;
    if (this.pending.length > 0) await this.commit();
    await Promise.all([this.session.close(), this.netlink?.close()]);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Answers that arrive in the same turn of the event loop go into one batch; while a batch is
    // being written, the next one collects in `pending`.
    setImmediate(() => {
      const done = this.queue.then(() => this.commit());
      this.queue = done.catch(() => undefined);
    });
  }

  /**
   * One batch of changes as one transaction (as far as the helper takes it whole: NetlinkElements.write),
   * through the helper when it is usable; nft writes a batch the helper failed (not one the kernel
   * refused): adds and add-then-delete evictions are the same when written twice.
   */
  private async write(changes: readonly LearnedChange[]): Promise<NftResult<void>> {
    if (this.netlink?.usable === true) {
      const r = await this.netlink.write(TABLE, learnedOps(changes));
      if (r.ok || r.error.code === "rejected") return r;
      this.writerFallbacks++;
    }
    return this.session.applyLine(asLine(learnedCommands(TABLE, changes)));
  }

  private async commit(): Promise<void> {
    this.scheduled = false;
    const changes = this.pending;
    if (changes.length === 0) return;
    this.pending = [];
    const batch = ++this.begun;
    let result = await this.write(changes);
    if (!result.ok) {
      // A set gone meanwhile (its rule removed) fails the transaction: once more with the sets the applied ruleset has.
      const kept = changes.map((c) => ({ writes: c.writes.filter((w) => this.sets.has(w.set)), evictions: c.evictions.filter((e) => this.sets.has(e.set)) }));
      const dropped = changes.flatMap((c) => c.writes.filter((w) => !this.sets.has(w.set)));
      this.state.forget(dropped);
      if (dropped.length > 0) result = await this.write(kept);
    }
    if (result.ok) this.commits++;
    else {
      this.commitFailures++;
      this.state.forget(changes.flatMap((c): ElementWrite[] => [...c.writes]));
    }
    this.committed = batch;
    for (const c of changes) for (const e of [...c.writes, ...c.evictions]) if ((this.inflight.get(keyOf(e)) ?? 0) <= batch) this.inflight.delete(keyOf(e));
    const ready = this.waiters.filter((w) => w.batch <= batch);
    this.waiters = this.waiters.filter((w) => w.batch > batch);
    for (const w of ready) w.resolve();
    if (this.pending.length > 0) this.schedule();
  }
}

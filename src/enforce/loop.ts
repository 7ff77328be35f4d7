import { type Diagnostic, hasErrors } from "../diag/diagnostic.js";
import type { EngineOptions } from "../engine/types.js";
import type { Cluster } from "../model/cluster.js";
import { CompileCache } from "../nft/cache.js";
import { compileRuleset } from "../nft/compile.js";
import type { Denial } from "../nft/describe.js";
import type { ShrinkRefusal } from "../nft/enforced.js";
import { type ObjectChanges, diffRulesets } from "../nft/diff.js";
import type { CompileIssue, CompileResult, CompileStats, DnsProxyTarget, NodeScope, RuleIdMap, Ruleset } from "../nft/types.js";
import { GcTime } from "./gc-time.js";
import { type IdleCollection, IdleGc, type IdleGcPolicy } from "./idle-gc.js";
import { type LoadCaches, type Loaded, loadCluster, newLoadCaches } from "./load.js";
import { tableDrift } from "../nft/drift.js";
import { renderRuleset } from "../nft/render.js";
import { type NftError, type NftResult, applyRuleset, listTableTerse } from "./nft.js";
import { NftSession, type NftSessionOptions } from "./nft-session.js";
import { type DenialFollower, followDenials } from "./trace.js";
import { type ShrinkLimits, checkShrink } from "./shrink.js";
import { watchPaths } from "./watch.js";

export type EnforceEvent =
  /** The input has errors: nothing is applied, the kernel keeps enforcing the last applied ruleset. */
  | { readonly kind: "load-failed"; readonly diagnostics: readonly Diagnostic[] }
  | {
      readonly kind: "applied";
      /**
       * `replace`: the whole table; `objects`: sets and chains added, removed or redefined, plus
       * elements; `elements`: set elements only; `unchanged`: nothing sent.
       */
      readonly change: "replace" | "objects" | "elements" | "unchanged";
      /** With `objects`: how many sets and chains were added, removed and redefined. */
      readonly objects?: { readonly sets: ObjectChanges; readonly chains: ObjectChanges };
      readonly stats: CompileStats;
      readonly added: number;
      readonly removed: number;
      readonly issues: readonly CompileIssue[];
      readonly diagnostics: readonly Diagnostic[];
      /** From the start of the cycle (load) to nft's exit. */
      readonly ms: number;
      /** Where a cycle's time went (absent for a repair, which only applies): see CyclePhases. */
      readonly phases?: CyclePhases;
      /**
       * The last idle collection (see EnforceOptions.idleGc) since the cycle before: how long it
       * blocked the process and how long before this cycle began it ended (about 0: the cycle's
       * change arrived during it and waited), ms.
       */
      readonly idleGc?: { readonly ms: number; readonly beforeMs: number };
    }
  | { readonly kind: "apply-failed"; readonly error: NftError }
  /** The input would drop every policy the table enforces, or too many (see checkShrink): nothing is applied. */
  | ({ readonly kind: "shrink-refused" } & ShrinkRefusal)
  /** The kernel no longer holds the table as applied (see tableDrift); the loop replaces it whole. */
  | { readonly kind: "drift"; readonly detail: string }
  | { readonly kind: "denial"; readonly denial: Denial }
  | { readonly kind: "error"; readonly message: string };

/**
 * A cycle's time by step, in ms: reading the input (files, or the agent's view of the API server),
 * the compile, the shrink check, the ruleset diff, and nft (the diff through the long-lived nft
 * session, or `nft -f` of a whole table; and of the whole table again when the diff failed on a
 * drifted table). Their sum is `ms` less the bookkeeping.
 */
export interface CyclePhases {
  readonly loadMs: number;
  readonly compileMs: number;
  readonly shrinkMs: number;
  readonly diffMs: number;
  readonly nftMs: number;
  /**
   * Of the cycle's time, the pauses of the garbage collector (they fall inside the steps above;
   * reported once delivered, so a pause at the very end may be counted in the next cycle).
   */
  readonly gcMs: number;
  /** Of those pauses, how many ended a mark-compact (a full collection) begun by V8 (idle collections are no cycle's). */
  readonly gcMarkCompacts: number;
}

/**
 * What tells a running loop that its input may have changed: started once, it calls `changed` (as
 * often as it likes: calls during a cycle cause one more cycle) and returns what stops it. Files
 * (`watchPaths`) and the node agent's watches of the API server are such sources.
 */
export type ChangeSource = (changed: () => void, onError: (message: string) => void) => () => void;

/** The kernel check of a running loop (see `verifyMs`): as applied, drifted (and replaced), or not checked (nft failed). */
export type VerifyResult = "ok" | "drift" | "error";

export interface EnforceOptions extends ShrinkLimits {
  /** The files the default loader reads and the default change source watches. */
  readonly paths: readonly string[];
  /** Keep running until `signal` aborts, applying again on every change. */
  readonly watch?: boolean;
  /** With `watch`: what says the input changed; default: the files of `paths`, debounced. */
  readonly changes?: ChangeSource;
  /**
   * Run the first cycle at once (default), or wait for the change source's first call (the node
   * agent applies nothing until every watch has synced).
   */
  readonly startNow?: boolean;
  /** The ruleset in the kernel after each apply (its rule ids name the counters). */
  readonly onApplied?: (compiled: CompileResult) => void;
  /** With `watch` and `verifyMs`: the outcome of each kernel check. */
  readonly onVerify?: (result: VerifyResult) => void;
  /** Apply inside this network namespace; the current one when absent. */
  readonly netns?: string;
  /** The limits of the long-lived nft that applies the diffs (see NftSession); its defaults when absent. */
  readonly nftSession?: Omit<NftSessionOptions, "netns">;
  readonly audit?: boolean;
  /** The engine options for a loaded cluster (its Nodes may give the pod network). */
  readonly engineOptions: (cluster: Cluster) => EngineOptions;
  /** This node's pods and pod CIDRs, from the loaded cluster; default: every endpoint with an IP. */
  readonly node?: (cluster: Cluster) => NodeScope;
  /** Replaces the file loader (files → Cluster). */
  readonly load?: () => Promise<Loaded>;
  /** Report denials seen through `nft monitor trace`. */
  readonly followDenials?: boolean;
  readonly debounceMs?: number;
  /**
   * With `watch`: how often to check that the kernel still holds the table as applied (a firewall
   * reload or `nft flush ruleset` removes it), and replace it when not; default 10 s, 0 never.
   */
  readonly verifyMs?: number;
  /** How the check reads the table: nft (listTableTerse) unless a test widens a race with a slower read. */
  readonly readTable?: typeof listTableTerse;
  /**
   * With `watch`: a full garbage collection once the loop has been idle `policy.quietMs` after a
   * cycle and the old generation has grown enough since the last one (see IdleGc); `collect` is
   * the runtime's (exposedGc). None when absent.
   */
  readonly idleGc?: { readonly policy: IdleGcPolicy; readonly collect: () => void };
  /** Each idle collection, once done. */
  readonly onIdleGc?: (collection: IdleCollection) => void;
  /** Redirect domain-rule subjects' DNS to the node agent's proxy (see nft/dns-redirect.ts), from the loaded cluster; none when absent. */
  readonly dnsProxy?: (cluster: Cluster) => DnsProxyTarget | undefined;
  /**
   * Learned sets to keep across whole-table replaces (the node agent's DNS learner): a replace is
   * handed to it with the ruleset, and it writes the text with the kernel's learned elements in it.
   */
  readonly learned?: { readonly replace: (next: Ruleset, write: (text: string) => Promise<NftResult<void>>) => Promise<NftResult<void>> };
  /** Stops watching; required to end a `watch` loop. */
  readonly signal?: AbortSignal;
  readonly onEvent: (event: EnforceEvent) => void;
}

/**
 * load → compile → apply; with `watch`, again after every change of the inputs (debounced), sending
 * only element changes when the structure stays. Resolves after one cycle, or when `signal` aborts.
 */
export async function enforceLoop(opts: EnforceOptions): Promise<{ readonly applied: CompileResult | null }> {
  const state: LoopState = { applied: null, follower: null, loads: newLoadCaches(), compiled: new CompileCache(), session: new NftSession({ ...opts.nftSession, ...netnsOf(opts) }), writes: 0, writing: 0, gc: new GcTime(), queued: 0, idle: null };
  try {
    return await runLoop(opts, state);
  } finally {
    state.idle?.close();
    state.gc.close();
    await state.session.close();
  }
}

async function runLoop(opts: EnforceOptions, state: LoopState): Promise<{ readonly applied: CompileResult | null }> {
  let running: Promise<void> = Promise.resolve();
  let again = false;
  /** Queues work after the cycles already queued; the idle collector waits until none is left. */
  const enqueue = (work: () => Promise<void>): void => {
    state.queued++;
    running = running.then(work).finally(() => {
      if (--state.queued === 0) state.idle?.settled();
    });
  };
  const schedule = (): void => {
    if (again) return;
    again = true;
    // One cycle at a time; changes during a cycle cause exactly one more.
    enqueue(() => {
      again = false;
      return cycle(opts, state);
    });
  };
  // Watch before the first load, so a change made while it runs is not missed.
  const watching = opts.watch === true && opts.signal?.aborted !== true;
  if (watching && opts.idleGc !== undefined) {
    const onIdleGc = opts.onIdleGc ?? (() => undefined);
    state.idle = new IdleGc(opts.idleGc.policy, state.gc, opts.idleGc.collect, () => state.queued > 0, onIdleGc);
  }
  const changes: ChangeSource = opts.changes ?? ((changed, onError) => watchPaths(opts.paths, opts.debounceMs ?? 200, changed, onError));
  const stop = watching ? changes(schedule, (message) => opts.onEvent({ kind: "error", message })) : () => undefined;
  if (opts.startNow !== false || !watching) schedule();
  await running;
  let verifying = false;
  let checking: Promise<void> = Promise.resolve();
  const verifyMs = opts.verifyMs ?? 10_000;
  const verifier =
    watching && verifyMs > 0
      ? setInterval(() => {
          // At most one check at a time. The kernel is read beside the cycles (listing a large table
          // takes seconds: events must not wait behind it); only a repair joins the queue.
          if (verifying) return;
          verifying = true;
          checking = verify(opts, state, enqueue).finally(() => {
            verifying = false;
            // The listing's parse allocated: a collection may be due.
            if (state.queued === 0) state.idle?.settled();
          });
        }, verifyMs)
      : undefined;
  if (watching) {
    // Aborted during the first cycle: the event has fired already.
    await new Promise<void>((resolve) => (opts.signal?.aborted === true ? resolve() : opts.signal?.addEventListener("abort", () => resolve(), { once: true })));
    stop();
    clearInterval(verifier);
    // A check in flight may still queue its repair: wait for it, then for the queue.
    await checking;
    await running;
  }
  await state.follower?.stop();
  return { applied: state.applied };
}

const netnsOf = (opts: EnforceOptions): { netns?: string } => (opts.netns === undefined ? {} : { netns: opts.netns });

interface LoopState {
  applied: CompileResult | null;
  follower: DenialFollower | null;
  /** The files as last read and parsed: a cycle reads and parses only the files that changed. */
  readonly loads: LoadCaches;
  /** The rule sets of the last compile: a cycle recomputes only the rules whose inputs changed. */
  readonly compiled: CompileCache;
  /** The long-lived nft that applies the diffs (its child starts with the first diff). */
  readonly session: NftSession;
  /** Counts nft writes begun and ended: a kernel check that saw one (or ran beside one) says nothing. */
  writes: number;
  /** nft writes in flight. */
  writing: number;
  /** The process's time in GC pauses (a cycle reports its share). */
  readonly gc: GcTime;
  /** Cycles and repairs queued or running. */
  queued: number;
  /** With `idleGc`: the idle collector. */
  idle: IdleGc | null;
}

/**
 * Diffs up to this many characters (the scripts are ASCII: bytes) go through the long-lived nft;
 * larger texts (a whole 50k-pod table is ~5.5 MB) through `nft -f`, which a session does not make
 * faster (1.4-1.7 s either way) and which would leave the session's child holding the table's
 * cache (225 MiB).
 */
const SESSION_MAX_CHARS = 1 << 20;

/**
 * Applies through nft, counted as a write of the table (see LoopState.writes). A diff goes through
 * the session; when the session fails (no answer, child gone: the diff may or may not be in the
 * kernel), through `nft -f` again, whose outcome is the answer. When nft itself rejects the diff,
 * that is the answer (the cycle then replaces the table whole).
 */
async function write(state: LoopState, text: string, netns: string | undefined, what: "diff" | "table"): Promise<NftResult<void>> {
  state.writes++;
  state.writing++;
  try {
    if (what === "diff" && text.length <= SESSION_MAX_CHARS) {
      const sent = await state.session.apply(text);
      if (sent.ok || sent.error.code === "rejected") return sent;
    }
    return await applyRuleset(text, netns);
  } finally {
    state.writing--;
    state.writes++;
  }
}

/** Replaces the table whole with `ruleset`; with `opts.learned`, carrying the learned elements the kernel holds. */
function replaceTable(opts: EnforceOptions, state: LoopState, ruleset: Ruleset): Promise<NftResult<void>> {
  const writeTable = (text: string): Promise<NftResult<void>> => write(state, text, opts.netns, "table");
  return opts.learned === undefined ? writeTable(renderRuleset(ruleset)) : opts.learned.replace(ruleset, writeTable);
}

/**
 * (Re)starts `nft monitor trace` once a table is in place: nft reads the rules (and their id
 * comments) when it starts, and prints "unknown rule handle" for rules added after. So it starts
 * after the first apply and again after every whole-table replace (element changes keep the rules).
 */
async function follow(opts: EnforceOptions, state: LoopState): Promise<void> {
  if (opts.followDenials !== true) return;
  await state.follower?.stop();
  const ruleIds = (): RuleIdMap => state.applied?.ruleIds ?? { entries: new Map(), endpoints: new Map() };
  state.follower = followDenials({ ...netnsOf(opts), ruleIds, onDenial: (denial) => opts.onEvent({ kind: "denial", denial }), onError: (message) => opts.onEvent({ kind: "error", message }) });
  await state.follower.ready;
}

/**
 * Checks the applied table in the kernel; on drift, reports it and queues a repair that applies the
 * same ruleset whole again (unless a cycle has applied another meanwhile). The listing runs beside
 * the cycles: when nft wrote the table while it ran, or was writing when it started, the listing
 * may show a state between two applies, and the check is left to the next tick.
 */
async function verify(opts: EnforceOptions, state: LoopState, enqueue: (repair: () => Promise<void>) => void): Promise<void> {
  const applied = state.applied;
  const writes = state.writes;
  if (applied === null || state.writing > 0) return;
  const listed = await (opts.readTable ?? listTableTerse)(opts.netns);
  if (state.writes !== writes || state.applied !== applied) return;
  const drift = listed.ok ? tableDrift(applied.ruleset, listed.value) : ({ ok: false, error: listed.error.message } as const);
  if (!drift.ok) {
    opts.onVerify?.("error");
    return opts.onEvent({ kind: "error", message: `checking the table: ${drift.error}` });
  }
  opts.onVerify?.(drift.detail === null ? "ok" : "drift");
  if (drift.detail === null) return;
  const detail = drift.detail;
  await new Promise<void>((resolve) => enqueue(() => repair(opts, state, applied, detail).finally(resolve)));
}

/** Replaces the table whole with the ruleset last applied, unless a cycle has applied another since the check. */
async function repair(opts: EnforceOptions, state: LoopState, applied: CompileResult, detail: string): Promise<void> {
  if (state.applied !== applied) return;
  opts.onEvent({ kind: "drift", detail });
  const started = performance.now();
  const result = await replaceTable(opts, state, applied.ruleset);
  if (!result.ok) return opts.onEvent({ kind: "apply-failed", error: result.error });
  await follow(opts, state);
  const ms = Math.round((performance.now() - started) * 10) / 10;
  opts.onEvent({ kind: "applied", change: "replace", stats: applied.stats, added: 0, removed: 0, issues: applied.issues, diagnostics: [], ms });
}

async function cycle(opts: EnforceOptions, state: LoopState): Promise<void> {
  try {
    await applyOnce(opts, state);
  } catch (e) {
    opts.onEvent({ kind: "error", message: e instanceof Error ? e.message : String(e) });
  }
}

async function applyOnce(opts: EnforceOptions, state: LoopState): Promise<void> {
  const started = performance.now();
  const gcAtStart = { ms: state.gc.totalMs, markCompacts: state.gc.markCompacts };
  const idle = state.idle?.takeLast() ?? null;
  const loaded = await (opts.load ?? (() => loadCluster(opts.paths, { caches: state.loads })))();
  // Decoding leaves out an object with an error: applying the rest could open traffic. Keep the last state.
  if (hasErrors(loaded.diagnostics)) {
    opts.onEvent({ kind: "load-failed", diagnostics: loaded.diagnostics });
    return;
  }
  const read = performance.now();
  const node = opts.node?.(loaded.cluster) ?? {};
  const dnsProxy = opts.dnsProxy?.(loaded.cluster);
  const compiled = compileRuleset(loaded.cluster, opts.engineOptions(loaded.cluster), node, { cache: state.compiled, ...(opts.audit === undefined ? {} : { audit: opts.audit }), ...(dnsProxy === undefined ? {} : { dnsProxy }) });
  const compiledAt = performance.now();
  // Fail closed on implausible input too: a state that drops every enforced policy (or too many) is not applied.
  const shrink = await checkShrink(compiled.ruleset, state.applied?.ruleset ?? null, opts, opts.netns);
  if (!shrink.ok) return opts.onEvent({ kind: "apply-failed", error: shrink.error });
  if (shrink.value !== null) return opts.onEvent({ kind: "shrink-refused", ...shrink.value });
  const checked = performance.now();
  let diff = diffRulesets(state.applied?.ruleset ?? null, compiled.ruleset);
  const diffed = performance.now();
  let result = diff.kind === "unchanged" ? ({ ok: true } as const) : diff.kind === "replace" ? await replaceTable(opts, state, compiled.ruleset) : await write(state, diff.text, opts.netns, "diff");
  if (!result.ok && (diff.kind === "elements" || diff.kind === "objects")) {
    // The table drifted from what was last applied (edited by hand, flushed): replace it whole.
    diff = diffRulesets(null, compiled.ruleset);
    result = await replaceTable(opts, state, compiled.ruleset);
  }
  const written = performance.now();
  if (!result.ok) {
    opts.onEvent({ kind: "apply-failed", error: result.error });
    return;
  }
  state.applied = compiled;
  opts.onApplied?.(compiled);
  const counts = diff.kind === "elements" || diff.kind === "objects" ? { added: diff.added, removed: diff.removed } : { added: 0, removed: 0 };
  const objects = diff.kind === "objects" ? { objects: { sets: diff.sets, chains: diff.chains } } : {};
  const ms = Math.round((performance.now() - started) * 10) / 10;
  const tenths = (from: number, to: number): number => Math.round((to - from) * 10) / 10;
  const phases: CyclePhases = { loadMs: tenths(started, read), compileMs: tenths(read, compiledAt), shrinkMs: tenths(compiledAt, checked), diffMs: tenths(checked, diffed), nftMs: tenths(diffed, written), gcMs: tenths(gcAtStart.ms, state.gc.totalMs), gcMarkCompacts: state.gc.markCompacts - gcAtStart.markCompacts };
  // Before the event: once a caller sees "applied", denials under the new rules are reported. The
  // follower knows the rules that existed when it started: restart it when rules were added.
  if (diff.kind === "replace" || diff.kind === "objects") await follow(opts, state);
  const idleGc = idle === null ? {} : { idleGc: { ms: tenths(0, idle.ms), beforeMs: tenths(idle.endedAt, started) } };
  opts.onEvent({ kind: "applied", change: diff.kind, ...objects, stats: compiled.stats, ...counts, issues: compiled.issues, diagnostics: loaded.diagnostics, ms, phases, ...idleGc });
}

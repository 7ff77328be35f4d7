/**
 * Compile + diff per watch event, in process, without nft: the part of event → applied that is
 * the compiler's. The same synthetic cluster and events as `bench:enforce --only=events`
 * (events.ts), one CompileCache, each event compiled and diffed against the last ruleset. Prints
 * per kind the CPU time (process.cpuUsage: all threads, the garbage collector's too) and the wall
 * time of the compile and of the diff, p50 / p99, the garbage collector's pauses during the event
 * (`gc` performance entries, summed per event: the p99's usual cause) and the largest event, and
 * checks at the end that the last incremental compile equals a fresh one. For a profile:
 * `node --cpu-prof dist/bench/enforce/event-cpu.js`; with the agent's heap cap:
 * `node --max-old-space-size=512 dist/bench/enforce/event-cpu.js`.
 *
 * `--memory` (with `--expose-gc`) measures the heap instead of the time, per event: a full GC
 * before it, then
 * - allocated: what the compile and diff allocated (heap used after − before; exact when no GC ran
 *   during the event, which a large young generation makes likely: `--max-semi-space-size=512`;
 *   the events with a GC are counted, and their figure is then a lower bound);
 * - promoted: what of it is still live when the event ends, moved to the old generation by two
 *   young GCs (what the node agent's scavenges promote while the compile is kept until the next
 *   event, and what the next event then drops: the old-generation growth that sets the pace of
 *   mark-compact cycles);
 * - retained: the heap's growth over the event after a full GC (a leak when it stays above 0).
 *
 * `--per-event` prints each event's compile wall and CPU time and GC pauses as it ends (which events
 * spike, and whether periodically; with `--trace-gc` the collector's lines fall between them).
 *
 * `--pace=MS` waits MS after each event before the next (a cluster's events come apart; the
 * back-to-back default has no idle time); the collector's pauses while waiting are no event's, and
 * the table counts V8's own mark-compacts that ended in the waits.
 * `--idle-gc` (with `--pace`) runs the node agent's idle collector (src/enforce/idle-gc.ts, its
 * default policy) in the waits, as the agent's loop does after each cycle; `--per-event` then says
 * which events an idle collection preceded.
 *
 *   node dist/bench/enforce/event-cpu.js [--events=N] [--pods=N] [--policies=N] [--seed=N] [--per-event] [--pace=MS [--idle-gc]]
 *   node --expose-gc --max-semi-space-size=512 dist/bench/enforce/event-cpu.js --memory
 */
import { PerformanceObserver, constants } from "node:perf_hooks";
import v8 from "node:v8";
import { setImmediate as turn } from "node:timers/promises";
import { GcTime } from "../../src/enforce/gc-time.js";
import { DEFAULT_IDLE_GC, type IdleCollection, IdleGc, exposedGc } from "../../src/enforce/idle-gc.js";
import { CompileCache } from "../../src/nft/cache.js";
import { compileRuleset } from "../../src/nft/compile.js";
import { diffRulesets } from "../../src/nft/diff.js";
import { ENGINE_OPTIONS } from "../../src/nft/fixture.js";
import type { CompileResult, Ruleset } from "../../src/nft/types.js";
import { Prng, type SyntheticCluster, synthetic } from "./cluster.js";
import { POD_CIDR, type State, kinds, quantile } from "./events.js";

const arg = (name: string, fallback: number): number => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const EVENTS = arg("events", 40);
const PODS = arg("pods", 50_000);
const POLICIES = arg("policies", 10_000);
const SEED = arg("seed", 20261121);
const MEMORY = process.argv.includes("--memory");
const PER_EVENT = process.argv.includes("--per-event");
const PACE_MS = arg("pace", 0);
const IDLE_GC = process.argv.includes("--idle-gc");

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function main(): Promise<void> {
  const gc = new PerformanceObserver(() => undefined);
  gc.observe({ entryTypes: ["gc"] });
  // GC entries are queued for the next turn of the event loop: wait one, then take them.
  const gcMs = async (): Promise<GcPauses> => {
    await turn();
    const entries = gc.takeRecords();
    const detail = (e: (typeof entries)[number]): { kind?: number; flags?: number } => (e as { detail?: { kind?: number; flags?: number } }).detail ?? {};
    const v8Majors = entries.filter((e) => detail(e).kind === constants.NODE_PERFORMANCE_GC_MAJOR && ((detail(e).flags ?? 0) & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) === 0);
    return { ms: entries.reduce((sum, e) => sum + e.duration, 0), markCompact: v8Majors.length > 0, markCompacts: v8Majors.length };
  };
  const s = synthetic(SEED, PODS, POLICIES, 250);
  const cache = new CompileCache();
  const compile = (st: State) => compileRuleset(st.cluster, ENGINE_OPTIONS, { localPods: st.local, podCidrs: POD_CIDR }, { cache });
  const t0 = performance.now();
  const first = compile({ cluster: s.cluster, local: s.node0 });
  console.log(`${PODS} pods / ${POLICIES} policies, node 0 (${s.node0.length} local pods): first compile ${(performance.now() - t0).toFixed(0)} ms; ${EVENTS} events per kind, ${PACE_MS > 0 ? `each ${PACE_MS} ms after the last (--pace)` : "back to back"}, ${IDLE_GC ? "idle collections (--idle-gc: the agent's default policy)" : "no idle collections"}`);
  await gcMs();
  if (IDLE_GC && PACE_MS <= 0) throw new Error("--idle-gc needs --pace=MS: without waits there is no idle time");
  const { state, last } = await (MEMORY ? memoryPerEvent : timePerEvent)(compile, { cluster: s.cluster, local: s.node0 }, first.ruleset, s, gcMs);
  const fresh = compileRuleset(state.cluster, ENGINE_OPTIONS, { localPods: state.local, podCidrs: POD_CIDR });
  if (fresh.text !== last.text) throw new Error("the incremental compile after the events differs from a fresh one");
  console.log("the last incremental compile equals a fresh one");
}

type Compile = (st: State) => CompileResult;
/** The collector's pauses since the last look, and whether a mark-compact (a full collection) ended among them. */
type GcPauses = { ms: number; markCompact: boolean; markCompacts: number };

const f = (xs: readonly number[], digits = 1): string => `${quantile(xs, 0.5).toFixed(digits)} / ${quantile(xs, 0.99).toFixed(digits)}`;

/** Compile + diff time per event, per kind. */
async function timePerEvent(compile: Compile, first: State, applied: Ruleset, s: SyntheticCluster, gcMs: () => Promise<GcPauses>): Promise<{ state: State; last: CompileResult }> {
  let state = first;
  let loaded = applied;
  let last: CompileResult | null = null;
  const total = { cpu: 0, wall: 0, gc: 0 };
  // The agent's idle collector, settled after each event as its loop settles after each cycle.
  const idle = idleCollector();
  console.log("| event | compile CPU p50 / p99 | compile wall | diff CPU | diff wall | GC pauses | largest (wall, GC) | events with a mark-compact: compile wall p50 / max | the others: compile wall p99 / max | compile wall max | idle collections: n, ms p50 / max | V8's mark-compacts ended between events | started late (a collection or a busy machine) p99 / max |");
  console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
  for (const kind of kinds(s, new Prng(SEED ^ 0xe7e7))) {
    const m = { compileCpu: [] as number[], compileWall: [] as number[], diffCpu: [] as number[], diffWall: [] as number[], gc: [] as number[], markCompact: [] as boolean[], idle: [] as number[], betweenMarkCompacts: 0, waited: [] as number[] };
    for (let k = 0; k < EVENTS; k++) {
      let preceded: IdleCollection | null = null;
      let waited = 0;
      if (PACE_MS > 0) {
        idle?.collector.settled();
        const due = performance.now() + PACE_MS;
        await new Promise((resolve) => setTimeout(resolve, PACE_MS));
        // An event due while a collection ran waits for it (and the timer for a busy machine).
        waited = performance.now() - due;
        m.waited.push(waited);
        // The pauses while waiting (an idle collection's, or V8's own finishing there) are no event's.
        m.betweenMarkCompacts += (await gcMs()).markCompacts;
        preceded = idle?.collector.takeLast() ?? null;
        if (preceded !== null) m.idle.push(preceded.ms);
      }
      const next = kind.next(state, k);
      const [c0, w0] = [cpuMs(), performance.now()];
      const compiled = compile(next);
      const [c1, w1] = [cpuMs(), performance.now()];
      diffRulesets(loaded, compiled.ruleset);
      const [c2, w2] = [cpuMs(), performance.now()];
      m.compileCpu.push(c1 - c0);
      m.compileWall.push(w1 - w0);
      m.diffCpu.push(c2 - c1);
      m.diffWall.push(w2 - w1);
      const paused = await gcMs();
      m.gc.push(paused.ms);
      m.markCompact.push(paused.markCompact);
      total.cpu += c2 - c0;
      total.wall += w2 - w0;
      total.gc += m.gc[m.gc.length - 1] as number;
      const after = (preceded === null ? "" : `, after an idle collection of ${preceded.ms.toFixed(1)} ms`) + (PACE_MS > 0 ? `, started ${waited.toFixed(1)} ms late` : "");
      if (PER_EVENT) console.log(`event ${kind.label} ${k}: compile wall ${(w1 - w0).toFixed(1)} ms, CPU ${(c1 - c0).toFixed(1)} ms, GC pauses ${paused.ms.toFixed(1)} ms${paused.markCompact ? ", a mark-compact ended" : ""}${after}`);
      state = next;
      loaded = compiled.ruleset;
      last = compiled;
    }
    const walls = m.compileWall.map((w, k) => w + (m.diffWall[k] as number));
    const worst = walls.indexOf(Math.max(...walls));
    const withMc = m.compileWall.filter((_, k) => m.markCompact[k] === true);
    const without = m.compileWall.filter((_, k) => m.markCompact[k] !== true);
    const pMax = (xs: readonly number[], q: number): string => (xs.length === 0 ? "-" : `${quantile(xs, q).toFixed(1)} / ${Math.max(...xs).toFixed(1)}`);
    const idled = m.idle.length === 0 ? "0" : `${m.idle.length}, ${quantile(m.idle, 0.5).toFixed(0)} / ${Math.max(...m.idle).toFixed(0)}`;
    console.log(`| ${kind.label} | ${f(m.compileCpu)} | ${f(m.compileWall)} | ${f(m.diffCpu)} | ${f(m.diffWall)} | ${f(m.gc)} | ${(walls[worst] as number).toFixed(1)}, ${(m.gc[worst] as number).toFixed(1)} | ${withMc.length}: ${pMax(withMc, 0.5)} | ${pMax(without, 0.99)} | ${Math.max(...m.compileWall).toFixed(1)} | ${idled} | ${PACE_MS > 0 ? String(m.betweenMarkCompacts) : "-"} | ${PACE_MS > 0 ? pMax(m.waited, 0.99) : "-"} |`);
  }
  idle?.collector.close();
  idle?.meter.close();
  console.log(`all events: compile + diff CPU ${total.cpu.toFixed(0)} ms, wall ${total.wall.toFixed(0)} ms, GC pauses ${total.gc.toFixed(0)} ms`);
  if (last === null) throw new Error("no events");
  return { state, last };
}

/** With `--idle-gc`: the agent's idle collector (its default policy), never busy (events run between its checks). */
function idleCollector(): { collector: IdleGc; meter: GcTime } | null {
  if (!IDLE_GC) return null;
  const collect = exposedGc();
  if (collect === null) throw new Error("--idle-gc: this runtime gives no way to start a garbage collection");
  const meter = new GcTime();
  return { collector: new IdleGc(DEFAULT_IDLE_GC, meter, collect, () => false, () => undefined), meter };
}

const MiB = 1024 * 1024;
const oldSpace = (): number => v8.getHeapSpaceStatistics().find((sp) => sp.space_name === "old_space")?.space_used_size ?? 0;
const used = (): number => v8.getHeapStatistics().used_heap_size;

/** Heap allocated, promoted and retained per event, per kind (see the header). */
async function memoryPerEvent(compile: Compile, first: State, applied: Ruleset, s: SyntheticCluster, gcMs: () => Promise<GcPauses>): Promise<{ state: State; last: CompileResult }> {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error("--memory needs node --expose-gc");
  let state = first;
  let loaded = applied;
  let last: CompileResult | null = null;
  console.log("| event | allocated MiB p50 / p99 | promoted MiB p50 / p99 | retained MiB p50 / p99 | events with a GC |");
  console.log("|---|---|---|---|---|");
  const total = { allocated: 0, promoted: 0, retained: 0, events: 0 };
  for (const kind of kinds(s, new Prng(SEED ^ 0xe7e7))) {
    const m = { allocated: [] as number[], promoted: [] as number[], retained: [] as number[], withGc: 0 };
    for (let k = 0; k < EVENTS; k++) {
      const next = kind.next(state, k);
      gc();
      await gcMs();
      const [used0, old0] = [used(), oldSpace()];
      const compiled = compile(next);
      diffRulesets(loaded, compiled.ruleset);
      const used1 = used();
      if ((await gcMs()).ms > 0) m.withGc++;
      gc({ type: "minor" });
      gc({ type: "minor" });
      const promoted = oldSpace() - old0;
      state = next;
      loaded = compiled.ruleset;
      last = compiled;
      gc();
      m.allocated.push((used1 - used0) / MiB);
      m.promoted.push(promoted / MiB);
      m.retained.push((used() - used0) / MiB);
      total.allocated += used1 - used0;
      total.promoted += promoted;
      total.retained += used() - used0;
      total.events++;
    }
    console.log(`| ${kind.label} | ${f(m.allocated)} | ${f(m.promoted)} | ${f(m.retained, 2)} | ${m.withGc} of ${EVENTS} |`);
  }
  const per = (bytes: number): string => (bytes / total.events / MiB).toFixed(2);
  console.log(`mean per event: allocated ${per(total.allocated)} MiB, promoted ${per(total.promoted)} MiB, retained ${per(total.retained)} MiB; heap used after ${(used() / MiB).toFixed(1)} MiB`);
  if (last === null) throw new Error("no events");
  return { state, last };
}

await main();

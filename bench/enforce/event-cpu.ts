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
 *   node dist/bench/enforce/event-cpu.js [--events=N] [--pods=N] [--policies=N] [--seed=N]
 */
import { PerformanceObserver } from "node:perf_hooks";
import { setImmediate as turn } from "node:timers/promises";
import { CompileCache } from "../../src/nft/cache.js";
import { compileRuleset } from "../../src/nft/compile.js";
import { diffRulesets } from "../../src/nft/diff.js";
import { ENGINE_OPTIONS } from "../../src/nft/fixture.js";
import type { Ruleset } from "../../src/nft/types.js";
import { Prng, synthetic } from "./cluster.js";
import { POD_CIDR, type State, kinds, quantile } from "./events.js";

const arg = (name: string, fallback: number): number => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const EVENTS = arg("events", 40);
const PODS = arg("pods", 50_000);
const POLICIES = arg("policies", 10_000);
const SEED = arg("seed", 20261121);

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function main(): Promise<void> {
  const gc = new PerformanceObserver(() => undefined);
  gc.observe({ entryTypes: ["gc"] });
  // GC entries are queued for the next turn of the event loop: wait one, then take them.
  const gcMs = async (): Promise<number> => {
    await turn();
    return gc.takeRecords().reduce((sum, e) => sum + e.duration, 0);
  };
  const s = synthetic(SEED, PODS, POLICIES, 250);
  const cache = new CompileCache();
  const compile = (st: State) => compileRuleset(st.cluster, ENGINE_OPTIONS, { localPods: st.local, podCidrs: POD_CIDR }, { cache });
  let state: State = { cluster: s.cluster, local: s.node0 };
  const t0 = performance.now();
  let last = compile(state);
  console.log(`${PODS} pods / ${POLICIES} policies, node 0 (${s.node0.length} local pods): first compile ${(performance.now() - t0).toFixed(0)} ms; ${EVENTS} events per kind`);
  let loaded: Ruleset = last.ruleset;
  const f = (xs: readonly number[]): string => `${quantile(xs, 0.5).toFixed(1)} / ${quantile(xs, 0.99).toFixed(1)}`;
  await gcMs();
  const total = { cpu: 0, wall: 0, gc: 0 };
  console.log("| event | compile CPU p50 / p99 | compile wall | diff CPU | diff wall | GC pauses | largest (wall, GC) |");
  console.log("|---|---|---|---|---|---|---|");
  for (const kind of kinds(s, new Prng(SEED ^ 0xe7e7))) {
    const m = { compileCpu: [] as number[], compileWall: [] as number[], diffCpu: [] as number[], diffWall: [] as number[], gc: [] as number[] };
    for (let k = 0; k < EVENTS; k++) {
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
      m.gc.push(await gcMs());
      total.cpu += c2 - c0;
      total.wall += w2 - w0;
      total.gc += m.gc[m.gc.length - 1] as number;
      state = next;
      loaded = compiled.ruleset;
      last = compiled;
    }
    const walls = m.compileWall.map((w, k) => w + (m.diffWall[k] as number));
    const worst = walls.indexOf(Math.max(...walls));
    console.log(`| ${kind.label} | ${f(m.compileCpu)} | ${f(m.compileWall)} | ${f(m.diffCpu)} | ${f(m.diffWall)} | ${f(m.gc)} | ${(walls[worst] as number).toFixed(1)}, ${(m.gc[worst] as number).toFixed(1)} |`);
  }
  console.log(`all events: compile + diff CPU ${total.cpu.toFixed(0)} ms, wall ${total.wall.toFixed(0)} ms, GC pauses ${total.gc.toFixed(0)} ms`);
  const fresh = compileRuleset(state.cluster, ENGINE_OPTIONS, { localPods: state.local, podCidrs: POD_CIDR });
  if (fresh.text !== last.text) throw new Error("the incremental compile after the events differs from a fresh one");
  console.log("the last incremental compile equals a fresh one");
}

await main();

/**
 * Event → applied, as the node agent runs: it keeps a Cluster from watch events (unchanged model
 * objects stay the same objects, arrays are new), compiles with one CompileCache, diffs against the
 * loaded ruleset and applies the diff through its long-lived nft (NftSession) in a network
 * namespace. Per kind of event, EVENTS events one after the other on one loaded table; each is
 * timed from the new Cluster to nft's answer (compile + diff + apply). Each diff is also applied
 * with `nft -f` (as the agent did before the session) on the same table: applied, taken back
 * (untimed) and applied the other way, alternating which goes first. Also the first apply
 * (compile + `nft -f` of the whole ruleset) and the process RSS.
 */
import type { Cluster, Endpoint, Policy } from "../../src/model/cluster.js";
import { CompileCache } from "../../src/nft/cache.js";
import { compileRuleset } from "../../src/nft/compile.js";
import { diffRulesets } from "../../src/nft/diff.js";
import { ENGINE_OPTIONS, cidr, ipBlock, pod, podsPeer, policy, port, rule, sel } from "../../src/nft/fixture.js";
import type { Ruleset } from "../../src/nft/types.js";
import { applyRuleset } from "../../src/enforce/nft.js";
import { NftSession } from "../../src/enforce/nft-session.js";
import { APPS, Prng, type SyntheticCluster, synthetic } from "./cluster.js";

export interface EventSize {
  readonly label: string;
  readonly pods: number;
  readonly policies: number;
  readonly podsPerNode: number;
}

/** One kind of event: how to make the next cluster and node scope from the current ones. */
export interface EventKind {
  readonly label: string;
  next(state: State, k: number): State;
}

export interface State {
  readonly cluster: Cluster;
  readonly local: readonly Endpoint[];
}

export interface EventFigures {
  readonly size: string;
  readonly kind: string;
  readonly n: number;
  readonly compile: readonly number[];
  readonly diff: readonly number[];
  /** The diff through the session (the agent's way). */
  readonly apply: readonly number[];
  /** The same diff through `nft -f`, on the same table. */
  readonly applyNftF: readonly number[];
  readonly total: readonly number[];
  readonly diffs: string;
}

export interface FirstApply {
  readonly size: string;
  readonly compileMs: number;
  readonly loadMs: number;
  readonly bytes: number;
  readonly elements: number;
  readonly rssMiB: number;
}

export const POD_CIDR = [cidr("10.244.0.0/24")];

/**
 * The kinds measured. Pod added: a new local pod (the app and ports of a local pod) joins node 0,
 * one after the other: the node's free addresses first, then addresses of 10.245.0.0/16 (outside
 * the node's pod CIDR, still local pods of the node). Pod deleted: those pods go again, the last
 * first. Pod relabelled: a local pod's `app` moves to another app (other policies select it).
 * Policy added: a new egress policy for a local pod's app in its namespace, one after the other.
 */
export function kinds(s: SyntheticCluster, r: Prng): EventKind[] {
  const added: Endpoint[] = [];
  const freeAddress = (k: number): string => {
    const slot = s.podsPerNode + 1 + k;
    return slot <= 254 ? `10.244.0.${slot}` : `10.245.${Math.floor(k / 250)}.${1 + (k % 250)}`;
  };
  return [
    {
      label: "pod added",
      next(state, k) {
        const local = state.local[k % state.local.length] as Endpoint;
        const app = local.labels.get("app") ?? "web";
        const e = pod(local.namespace, `event-${k}`, { app, version: "v1" }, [freeAddress(k)], local.ports);
        added.push(e);
        return { cluster: { ...state.cluster, endpoints: [...state.cluster.endpoints, e] }, local: [...state.local, e] };
      },
    },
    {
      label: "pod deleted",
      next(state) {
        const gone = added.pop();
        return { cluster: { ...state.cluster, endpoints: state.cluster.endpoints.filter((e) => e !== gone) }, local: state.local.filter((e) => e !== gone) };
      },
    },
    {
      label: "pod relabelled",
      next(state, k) {
        const victim = state.local[(k * 7) % state.local.length] as Endpoint;
        const app = victim.labels.get("app");
        const moved: Endpoint = { ...victim, labels: new Map([...victim.labels, ["app", APPS[(APPS.indexOf(app as (typeof APPS)[number]) + 1 + r.int(3)) % APPS.length] as string]]) };
        const swap = (e: Endpoint): Endpoint => (e === victim ? moved : e);
        return { cluster: { ...state.cluster, endpoints: state.cluster.endpoints.map(swap) }, local: state.local.map(swap) };
      },
    },
    {
      label: "policy added",
      next(state, k) {
        const target = state.local[(k * 13) % state.local.length] as Endpoint;
        const added: Policy = policy(target.namespace, `event-egress-${k}`, sel({ app: target.labels.get("app") ?? "web" }), {
          egress: [
            rule(0, [podsPeer(sel({ app: APPS[r.int(APPS.length)] as string }), sel({ env: "prod" }))], [port("TCP", "http"), port("TCP", 9443)]),
            rule(1, [ipBlock("203.0.113.0/24", ["203.0.113.128/25"])], [port("TCP", 443)]),
          ],
        });
        return { cluster: { ...state.cluster, policies: [...state.cluster.policies, added] }, local: state.local };
      },
    },
  ];
}

/** Samples the process RSS (the peak seen). */
class RssPeak {
  peak = process.memoryUsage().rss;
  sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage().rss);
  }
}

/**
 * Runs the event phase for one size in `netns` (which must hold no portcullis table): first apply,
 * then `events` events of each kind, kind after kind.
 */
export async function measureEvents(size: EventSize, seed: number, events: number, netns: string, log: (m: string) => void): Promise<{ first: FirstApply; figures: EventFigures[] }> {
  const rss = new RssPeak();
  const s = synthetic(seed, size.pods, size.policies, size.podsPerNode);
  const r = new Prng(seed ^ 0xe7e7);
  const cache = new CompileCache();
  let state: State = { cluster: s.cluster, local: s.node0 };
  const compile = (st: State) => compileRuleset(st.cluster, ENGINE_OPTIONS, { localPods: st.local, podCidrs: POD_CIDR }, { cache });
  const t0 = performance.now();
  const first = compile(state);
  const compileMs = performance.now() - t0;
  const text = first.text;
  rss.sample();
  const t1 = performance.now();
  await mustApply(text, netns);
  const loadMs = performance.now() - t1;
  rss.sample();
  log(`events ${size.label}: first apply: compile ${compileMs.toFixed(0)} ms, load ${loadMs.toFixed(0)} ms (${(text.length / 1048576).toFixed(1)} MiB)`);
  let loaded: Ruleset = first.ruleset;
  let last = first;
  const all = kinds(s, r);
  const figures = new Map(all.map((k) => [k.label, { compile: [] as number[], diff: [] as number[], apply: [] as number[], applyNftF: [] as number[], total: [] as number[], shapes: new Map<string, number>() }]));
  const session = new NftSession({ netns });
  const viaSession = async (text: string): Promise<number> => {
    const t = performance.now();
    const r = await session.apply(text);
    if (!r.ok) throw new Error(`the nft session failed in ${netns}: ${r.error.stderr.slice(0, 400) || r.error.message}`);
    return performance.now() - t;
  };
  const viaNftF = async (text: string): Promise<number> => {
    const t = performance.now();
    await mustApply(text, netns);
    return performance.now() - t;
  };
  const run = async (kind: EventKind, k: number): Promise<void> => {
    const next = kind.next(state, k);
    const a = performance.now();
    const compiled = compile(next);
    const b = performance.now();
    const d = diffRulesets(loaded, compiled.ruleset);
    const c = performance.now();
    let applySession = 0;
    let applyNftF = 0;
    if (d.kind !== "unchanged") {
      const back = diffRulesets(compiled.ruleset, loaded).text;
      if (k % 2 === 0) {
        applySession = await viaSession(d.text);
        await viaSession(back);
        applyNftF = await viaNftF(d.text);
      } else {
        applyNftF = await viaNftF(d.text);
        await viaSession(back);
        applySession = await viaSession(d.text);
      }
    }
    state = next;
    loaded = compiled.ruleset;
    last = compiled;
    const f = figures.get(kind.label);
    if (f === undefined) return;
    f.compile.push(b - a);
    f.diff.push(c - b);
    f.apply.push(applySession);
    f.applyNftF.push(applyNftF);
    f.total.push(c - a + applySession);
    f.shapes.set(d.kind, (f.shapes.get(d.kind) ?? 0) + 1);
    if (k % 20 === 0) rss.sample();
  };
  try {
    for (const kind of all) {
      for (let k = 0; k < events; k++) await run(kind, k);
      log(`events ${size.label}: ${kind.label} done${kind === all[3] ? ` (compiles following the last: ${cache.followed})` : ""}`);
    }
  } finally {
    await session.close();
  }
  log(`events ${size.label}: the nft session started ${session.starts} nft -i children`);
  rss.sample();
  // The incremental result must be what a fresh compile of the final cluster gives.
  const fresh = compileRuleset(state.cluster, ENGINE_OPTIONS, { localPods: state.local, podCidrs: POD_CIDR });
  if (fresh.text !== last.text) {
    throw new Error(`${size.label}: the incremental compile after ${events} events of each kind differs from a fresh one`);
  }
  return {
    first: { size: size.label, compileMs, loadMs, bytes: text.length, elements: first.stats.elements, rssMiB: rss.peak / 1048576 },
    figures: [...figures].map(([kind, f]) => ({
      size: size.label,
      kind,
      n: f.total.length,
      compile: f.compile,
      diff: f.diff,
      apply: f.apply,
      applyNftF: f.applyNftF,
      total: f.total,
      diffs: [...f.shapes].map(([shape, n]) => `${shape} ${n}`).join(", "),
    })),
  };
}

async function mustApply(text: string, netns: string): Promise<void> {
  const r = await applyRuleset(text, netns);
  if (!r.ok) throw new Error(`nft -f failed in ${netns}: ${r.error.stderr.slice(0, 400) || r.error.message}`);
}

/** The q-quantile (nearest rank) of `xs`. */
export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
}

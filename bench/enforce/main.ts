/**
 * Enforcement benchmark (not a test): compile/apply sizes and times, incremental updates,
 * policy-to-enforced latency and datapath cost, with real packets in network namespaces.
 *   npm run bench:enforce -- [--quick] [--seed=N] [--only=events|live] [--events=N] [--pace=MS] [--idle-gc=auto|off]
 * Needs root, `ip` and `nft`. Everything runs in namespaces created here (createNetns, labUp)
 * and removed again, also on failure; nothing is configured in the root namespace.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Cluster, Endpoint, Policy } from "../../src/model/cluster.js";
import { MATCH_ALL } from "../../src/model/selector.js";
import { CompileCache } from "../../src/nft/cache.js";
import { compileRuleset } from "../../src/nft/compile.js";
import { type ObjectChanges, type RulesetDiff, diffRulesets } from "../../src/nft/diff.js";
import { ENGINE_OPTIONS, cidr, ip, ipBlock, namespace, pod, podsPeer, policy, port, rule, sel } from "../../src/nft/fixture.js";
import type { CompileResult } from "../../src/nft/types.js";
import { createNetns, deleteNetns, netnsSupport } from "../../src/enforce/netns.js";
import { applyRuleset } from "../../src/enforce/nft.js";
import { type Lab, labUp } from "../../src/lab/index.js";
import { APPS, Prng, type SyntheticCluster, baseline, nsName, podIp, synthetic } from "./cluster.js";
import { type FirstApply, measureEvents, quantile } from "./events.js";
import { type LiveFigures, measureLive } from "./live.js";

const args = process.argv.slice(2);
const QUICK = args.includes("--quick");
const SEED = Number(args.find((a) => a.startsWith("--seed="))?.slice(7) ?? 20261121);
const RUNS = QUICK ? 1 : 3;
/** `--only=events`: the event → applied phase alone. */
const ONLY_EVENTS = args.includes("--only=events");
const EVENTS_ARG = args.find((a) => a.startsWith("--events="))?.slice(9);
const EVENTS = Number(EVENTS_ARG ?? 200);
/** `--only=live`: the live source alone (stand-in → node agent → nft). */
const ONLY_LIVE = args.includes("--only=live");
/** Live events per kind (200; 20 with --quick, unless --events), and the time after which a kind starts no more. */
const LIVE_EVENTS = Number(EVENTS_ARG ?? (QUICK ? 20 : 200));
/** `--pace=MS`: the live run waits MS after each event is applied before it writes the next (default 0: back to back). */
const LIVE_PACE_MS = Number(args.find((a) => a.startsWith("--pace="))?.slice(7) ?? 0);
/** `--idle-gc=auto|off`: the live agent's `--idle-gc` (default off, as deployed). */
const LIVE_IDLE_GC = ((given: string): "auto" | "off" => {
  if (given !== "auto" && given !== "off") throw new Error(`--idle-gc=${given}: expected auto or off`);
  return given;
})(args.find((a) => a.startsWith("--idle-gc="))?.slice(10) ?? "off");
/** How the live run writes its events, as its tables and header say. */
const LIVE_MODE = `${LIVE_PACE_MS > 0 ? `paced: each event written ${LIVE_PACE_MS} ms after the last was applied (--pace=${LIVE_PACE_MS})` : "back to back: each event written as soon as the last was applied (no --pace)"}; agent --idle-gc ${LIVE_IDLE_GC}`;
const LIVE_KIND_BUDGET_MS = QUICK ? 90_000 : 300_000;
/** Compile of one size is abandoned (no repetitions, later phases skipped) past this. */
const COMPILE_BUDGET_MS = QUICK ? 30_000 : 60_000;
const STARTED = performance.now();

interface Size {
  readonly label: string;
  readonly pods: number;
  readonly policies: number;
  readonly podsPerNode: number;
}
const EVENT_SIZES: readonly Size[] = [
  { label: "10k/5k", pods: 10_000, policies: 5_000, podsPerNode: 200 },
  { label: "50k/10k", pods: 50_000, policies: 10_000, podsPerNode: 250 },
];
const SIZES: readonly Size[] = [
  { label: "1k/1k", pods: 1_000, policies: 1_000, podsPerNode: 110 },
  { label: "10k/5k", pods: 10_000, policies: 5_000, podsPerNode: 200 },
  { label: "50k/10k", pods: 50_000, policies: 10_000, podsPerNode: 250 },
];

// ---------------------------------------------------------------------------------------------
// helpers

const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? (s[s.length >> 1] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;
const log = (m: string): void => void process.stderr.write(`[${((performance.now() - STARTED) / 1000).toFixed(1)}s] ${m}\n`);

/** The indexes of the `n` largest values of `xs`, largest first. */
function slowest(xs: readonly number[], n: number): number[] {
  return xs
    .map((x, i) => [x, i] as const)
    .sort((a, b) => b[0] - a[0])
    .slice(0, n)
    .map(([, i]) => i);
}

function table(title: string, head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [`\n### ${title}\n`, line(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n");
}

function timed<T>(f: () => T): [T, number] {
  const start = performance.now();
  const v = f();
  return [v, performance.now() - start];
}
async function timedAsync<T>(f: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const v = await f();
  return [v, performance.now() - start];
}

/** Median compile time over RUNS runs after a first (warm-up) run; the first alone past the budget. */
function compileTimed(f: () => CompileResult): { result: CompileResult; ms: number; first: number; runs: number } {
  const [result, first] = timed(f);
  if (first > COMPILE_BUDGET_MS / (RUNS + 1)) return { result, ms: first, first, runs: 1 };
  const times: number[] = [];
  for (let k = 0; k < RUNS; k++) times.push(timed(f)[1]);
  return { result, ms: median(times), first, runs: RUNS };
}

async function mustApply(text: string, netns: string): Promise<number> {
  const [r, t] = await timedAsync(() => applyRuleset(text, netns));
  if (!r.ok) throw new Error(`nft -f failed in ${netns}: ${r.error.stderr.slice(0, 400) || r.error.message}`);
  return t;
}

// Namespaces created by createNetns in this process; removed synchronously on a signal.
const ownNetns = new Set<string>();
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(sig, () => {
    for (const ns of ownNetns) {
      try {
        execFileSync("ip", ["netns", "delete", ns], { stdio: "ignore", timeout: 10_000 });
      } catch {
        /* best effort */
      }
    }
    process.kill(process.pid, sig);
  });
}

async function withNetns<T>(f: (ns: string) => Promise<T>): Promise<T> {
  const ns = await createNetns("pcbench");
  if (!ns.ok) throw new Error(`createNetns: ${ns.error.message}`);
  ownNetns.add(ns.value);
  try {
    return await f(ns.value);
  } finally {
    const d = await deleteNetns(ns.value);
    if (d.ok) ownNetns.delete(ns.value);
    else log(`WARNING: could not delete ${ns.value}: ${d.error.message}`);
  }
}

const node0Scope = (s: SyntheticCluster, extra: readonly Endpoint[] = []) => ({ localPods: [...s.node0, ...extra], podCidrs: [cidr("10.244.0.0/24")] });

// ---------------------------------------------------------------------------------------------
// 1 + 2: compile, apply, incremental

interface Measured {
  readonly size: Size;
  readonly synthetic: SyntheticCluster | null;
  readonly row1: string[];
  readonly rows2: string[][];
}

async function measureSize(size: Size, r: Prng): Promise<Measured> {
  const [s, genMs] = timed(() => synthetic(SEED, size.pods, size.policies, size.podsPerNode));
  const scope = node0Scope(s);
  log(`${size.label}: generated ${s.cluster.endpoints.length} endpoints, ${s.cluster.policies.length} policies in ${ms(genMs)} ms; compiling`);
  const c = compileTimed(() => compileRuleset(s.cluster, ENGINE_OPTIONS, scope));
  const { stats, text } = c.result;
  log(`${size.label}: compile ${ms(c.ms)} ms (first ${ms(c.first)} ms)`);
  const head = [size.label, String(s.cluster.endpoints.length), String(s.cluster.policies.length), String(scope.localPods.length)];
  if (c.first > COMPILE_BUDGET_MS) {
    return { size, synthetic: null, row1: [...head, `timeout after ${(COMPILE_BUDGET_MS / 1000).toFixed(0)} s (took ${ms(c.first)} ms)`, "-", "-", "-", "-", "-", "-", "-"], rows2: [] };
  }
  const rows2: string[][] = [];
  const row1 = await withNetns(async (netns) => {
    const applyFresh = await mustApply(text, netns);
    const reapply: number[] = [];
    for (let k = 0; k < (QUICK ? 0 : RUNS); k++) reapply.push(await mustApply(text, netns));

    // 2. incremental updates against the loaded ruleset (each applied, then reverted, RUNS times).
    const local = s.node0;
    const newLocal = pod(nsName(0), "web-new", { app: "web", version: "v1" }, [podIp(0, s.freeSlot)], [{ name: "http", port: 8080, protocol: "TCP" }]);
    const victim = local[1] as Endpoint;
    const relabelled: Endpoint = { ...victim, labels: new Map([...victim.labels, ["app", victim.labels.get("app") === "db" ? "cache" : "db"]]) };
    const newRemote = pod(nsName(1 % Math.max(1, s.cluster.namespaces.size - 2)), "api-new", { app: "api", version: "v1" }, [podIp(1, s.freeSlot)], [{ name: "http", port: 8080, protocol: "TCP" }]);
    // A new egress policy for a local pod's app in its namespace (new rule sets: a structural change).
    const target = local[0] as Endpoint;
    const addedPolicy: Policy = policy(target.namespace, "added-egress", sel({ app: target.labels.get("app") ?? "web" }), {
      egress: [
        rule(0, [podsPeer(sel({ app: APPS[r.int(APPS.length)] as string }), sel({ env: "prod" }))], [port("TCP", "http"), port("TCP", 9443)]),
        rule(1, [ipBlock("203.0.113.0/24", ["203.0.113.128/25"])], [port("TCP", 443)]),
      ],
    });
    const cases: { label: string; cluster: Cluster; locals: readonly Endpoint[] }[] = [
      { label: "local pod added", cluster: { ...s.cluster, endpoints: [...s.cluster.endpoints, newLocal] }, locals: [...local, newLocal] },
      { label: "remote pod added", cluster: { ...s.cluster, endpoints: [...s.cluster.endpoints, newRemote] }, locals: local },
      { label: "policy added", cluster: { ...s.cluster, policies: [...s.cluster.policies, addedPolicy] }, locals: local },
      { label: "local pod relabelled", cluster: { ...s.cluster, endpoints: s.cluster.endpoints.map((e) => (e === victim ? relabelled : e)) }, locals: local.map((e) => (e === victim ? relabelled : e)) },
    ];
    // What the kernel holds: every diff applies to the table it was computed against (restored first, untimed).
    let loaded = c.result.ruleset;
    for (const cs of cases) {
      const nextScope = { localPods: cs.locals, podCidrs: scope.podCidrs };
      const nc = compileTimed(() => compileRuleset(cs.cluster, ENGINE_OPTIONS, nextScope));
      // As the enforcer compiles: with the rule sets of the loaded state (warmed untimed, each run).
      const cachedTimes: number[] = [];
      // The diff is between the two cached compiles, as in the enforcer: sets the cache handed over
      // again are the same objects. Their content equals the fresh compiles' (checked).
      let pair = { before: c.result.ruleset, after: nc.result.ruleset };
      for (let k = 0; k < RUNS; k++) {
        const cache = new CompileCache();
        const warm = compileRuleset(s.cluster, ENGINE_OPTIONS, scope, { cache });
        const [cachedResult, t] = timed(() => compileRuleset(cs.cluster, ENGINE_OPTIONS, nextScope, { cache }));
        if (cachedResult.text !== nc.result.text) throw new Error(`${size.label}: ${cs.label}: the cached compile differs from a fresh one`);
        cachedTimes.push(t);
        pair = { before: warm.ruleset, after: cachedResult.ruleset };
      }
      const cachedMs = median(cachedTimes);
      const times: number[] = [];
      let diffMs = 0;
      let d = diffRulesets(pair.before, pair.after);
      for (let k = 0; k < RUNS; k++) {
        const [fwd, fwdMs] = timed(() => diffRulesets(pair.before, pair.after));
        d = fwd;
        diffMs = fwdMs;
        if (fwd.kind === "unchanged") break;
        if (loaded !== c.result.ruleset) {
          const back = diffRulesets(loaded, c.result.ruleset);
          if (back.kind !== "unchanged") await mustApply(back.text, netns);
          loaded = c.result.ruleset;
        }
        times.push(await mustApply(fwd.text, netns));
        loaded = nc.result.ruleset;
      }
      const applyMs = median(times);
      const what = describeDiff(d);
      rows2.push([
        size.label,
        cs.label,
        ms(nc.ms),
        ms(cachedMs),
        ms(diffMs),
        what,
        d.kind === "unchanged" ? "0" : String(d.text.length),
        d.kind === "unchanged" ? "-" : ms(applyMs),
        ms(cachedMs + diffMs + (d.kind === "unchanged" ? 0 : applyMs)),
      ]);
      log(`${size.label}: ${cs.label}: ${what}, apply ${ms(applyMs)} ms`);
    }
    return [...head, ms(c.ms), String(stats.sets), String(stats.elements), String(stats.rules), String(stats.chains), kb(text.length), ms(applyFresh), reapply.length === 0 ? "- (--quick)" : ms(median(reapply))];
  });
  return { size, synthetic: s, row1, rows2 };
}

// ---------------------------------------------------------------------------------------------
// 3 + 4: the lab

const CLIENT = { id: "bench-lab/client", ip: "10.244.0.251" };
const SERVER = { id: "bench-lab/server", ip: "10.244.0.252" };
const LAB_NS = "bench-lab";
const ECHO_PORT = 9000;

/** The two lab pods as endpoints of a cluster: server serves 8080 (lab agent) and 9000 (echo). */
function labEndpoints(): Endpoint[] {
  return [
    pod(LAB_NS, "client", { app: "bench-client" }, [CLIENT.ip]),
    pod(LAB_NS, "server", { app: "bench-server" }, [SERVER.ip], [{ name: "http", port: 8080, protocol: "TCP" }, { name: "echo", port: ECHO_PORT, protocol: "TCP" }]),
  ];
}

/** `base` plus the lab namespace, its two pods, and `policies` in it. */
function withLab(base: Cluster | null, policies: readonly Policy[]): Cluster {
  const ns = namespace(LAB_NS, { team: "team-0", env: "prod" });
  const namespaces = new Map(base?.namespaces ?? []);
  namespaces.set(LAB_NS, ns);
  if (!namespaces.has("kube-system")) namespaces.set("kube-system", namespace("kube-system"));
  return { namespaces, endpoints: [...(base?.endpoints ?? []), ...labEndpoints()], services: [], policies: [...(base?.policies ?? []), ...policies] };
}

const denyEgress = (): Policy => policy(LAB_NS, "deny-egress", MATCH_ALL, { egress: [] });

async function nftIn(lab: Lab, text: string): Promise<number> {
  const [r, t] = await timedAsync(() => lab.exec(lab.nodeNs, ["nft", "-f", "-"], { input: text, timeoutMs: 60_000 }));
  if (r.code !== 0) throw new Error(`nft -f in lab failed: ${r.stderr.slice(0, 400)}`);
  return t;
}

const sleep = (t: number): Promise<void> => new Promise((res) => setTimeout(res, t));

async function probeOnce(lab: Lab, timeoutMs: number): Promise<boolean> {
  const [p] = await lab.probe(CLIENT.id, [{ ip: ip(SERVER.ip), port: 8080, protocol: "TCP" }], { timeoutMs });
  return p?.reachable === true;
}

/** Waits (bounded) until the client reaches the server again. */
async function untilAnswered(lab: Lab): Promise<boolean> {
  for (let k = 0; k < 50; k++) {
    if (await probeOnce(lab, 300)) return true;
    await sleep(20);
  }
  return false;
}

async function policyToEnforced(lab: Lab, label: string, base: SyntheticCluster | null, runs: number): Promise<string[]> {
  const scope = { localPods: [...(base?.node0 ?? []), ...withLab(null, []).endpoints.filter((e) => e.namespace === LAB_NS)], podCidrs: [cidr("10.244.0.0/24")] };
  const before = withLab(base?.cluster ?? null, []);
  const beforeText = compileRuleset(before, ENGINE_OPTIONS, scope).text;
  const after = withLab(base?.cluster ?? null, [denyEgress()]);
  const PROBE_TIMEOUT = 200;
  const PROBE_WINDOW_MS = 10_000;
  const compileT: number[] = [];
  const applyT: number[] = [];
  const lastAllowed: number[] = [];
  const firstBlocked: number[] = [];
  let failures = 0;
  let sent = "";
  for (let run = 0; run < runs; run++) {
    await nftIn(lab, beforeText);
    if (!(await untilAnswered(lab))) throw new Error(`${label}: client cannot reach server before the deny policy`);
    // As the enforcer does: compile with the cache of the applied state (warmed before the clock
    // starts), diff against the applied ruleset, send the diff.
    const cache = new CompileCache();
    const loaded = compileRuleset(before, ENGINE_OPTIONS, scope, { cache }).ruleset;
    // "Policy written": the deny policy object exists from here on.
    const t0 = performance.now();
    let applied = NaN;
    let compiled = NaN;
    const enforce = (async () => {
      const [diff, tc] = timed(() => diffRulesets(loaded, compileRuleset(after, ENGINE_OPTIONS, scope, { cache }).ruleset));
      compiled = tc;
      sent = describeDiff(diff);
      await nftIn(lab, diff.text);
      applied = performance.now() - t0;
    })();
    let allowedAt = NaN;
    let blockedAt = NaN;
    // Probe every 10 ms for at most PROBE_WINDOW_MS of probing (and 1000 probes) until one is blocked.
    const probing = performance.now();
    for (let k = 0; k < 1000 && performance.now() - probing < PROBE_WINDOW_MS; k++) {
      const sent = performance.now() - t0;
      if (await probeOnce(lab, PROBE_TIMEOUT)) allowedAt = sent;
      else {
        blockedAt = sent;
        break;
      }
      await sleep(10);
    }
    await enforce;
    compileT.push(compiled);
    applyT.push(applied - compiled);
    if (Number.isNaN(blockedAt)) failures++;
    else {
      firstBlocked.push(blockedAt);
      lastAllowed.push(Number.isNaN(allowedAt) ? 0 : allowedAt);
    }
  }
  await nftIn(lab, beforeText);
  const rs = compileRuleset(after, ENGINE_OPTIONS, scope).stats;
  return [
    label,
    `${rs.elements} el / ${rs.chains} ch`,
    sent,
    String(runs),
    ms(median(compileT)),
    ms(median(applyT)),
    ms(median(lastAllowed)),
    ms(median(firstBlocked)),
    `${ms(Math.min(...firstBlocked))}–${ms(Math.max(...firstBlocked))}`,
    failures === 0 ? "0" : `${failures} never blocked in ${PROBE_WINDOW_MS / 1000} s`,
  ];
}

interface DpFigures {
  connects: number;
  failures: number;
  connectMs: number;
  connectsPerS: number;
  fresh: { n: number; p50: number; p99: number };
  kept: { n: number; p50: number; p99: number };
}

async function datapath(lab: Lab, big: SyntheticCluster | null, bigLabel: string): Promise<string[][]> {
  const dp = fileURLToPath(new URL("./dp.js", import.meta.url));
  const N = QUICK ? 1000 : 2000;
  const MAX_MS = 40_000;
  // The echo server lives until the lab goes down (or 10 min); lab.down() kills it.
  const server = lab.exec(lab.podNs(SERVER.id), [process.execPath, dp, "server", SERVER.ip, String(ECHO_PORT), "600000"], { timeoutMs: 600_000 });
  server.catch(() => undefined);
  const labPolicies = [
    ...baseline(LAB_NS),
    policy(LAB_NS, "client-egress", sel({ app: "bench-client" }), { egress: [rule(0, [podsPeer(sel({ app: "bench-server" }))], [port("TCP", "echo"), port("TCP", "http")])] }),
    policy(LAB_NS, "server-ingress", sel({ app: "bench-server" }), { ingress: [rule(0, [podsPeer(sel({ app: "bench-client" }))], [port("TCP", "echo"), port("TCP", "http")])] }),
  ];
  const labPods = labEndpoints();
  const configs: { label: string; text: string | null; size: string }[] = [{ label: "no table", text: null, size: "-" }];
  const small = compileRuleset(withLab(null, labPolicies), ENGINE_OPTIONS, { localPods: labPods, podCidrs: [cidr("10.244.0.0/24")] });
  configs.push({ label: "2-pod ruleset", text: small.text, size: `${small.stats.elements} el, ${small.stats.rules} rules` });
  if (big !== null) {
    const large = compileRuleset(withLab(big.cluster, labPolicies), ENGINE_OPTIONS, { localPods: [...big.node0, ...labPods], podCidrs: [cidr("10.244.0.0/24")] });
    configs.push({ label: `${bigLabel} ruleset`, text: large.text, size: `${large.stats.elements} el, ${large.stats.rules} rules, ${kb(large.text.length)}` });
  }
  const results = new Map<string, DpFigures[]>();
  const rounds = 2;
  for (let round = 0; round < rounds; round++) {
    for (const cfg of round % 2 === 0 ? configs : [...configs].reverse()) {
      if (cfg.text === null) await lab.exec(lab.nodeNs, ["nft", "delete", "table", "inet", "portcullis"], { timeoutMs: 10_000 });
      else await nftIn(lab, cfg.text);
      if (cfg.text !== null && !(await untilAnswered(lab))) throw new Error(`datapath: ${cfg.label} blocks client → server`);
      const r = await lab.exec(lab.podNs(CLIENT.id), [process.execPath, dp, "client", SERVER.ip, String(ECHO_PORT), String(N), String(MAX_MS)], { timeoutMs: MAX_MS + 10_000 });
      const line = r.stdout.trim().split("\n").pop() ?? "";
      if (r.code !== 0 || !line.startsWith("{")) throw new Error(`datapath client (${cfg.label}) failed: code ${r.code} ${r.stderr.slice(0, 300)}`);
      const f = JSON.parse(line) as DpFigures;
      results.set(cfg.label, [...(results.get(cfg.label) ?? []), f]);
      log(`datapath ${cfg.label}: ${line}`);
    }
  }
  await lab.exec(lab.nodeNs, ["nft", "delete", "table", "inet", "portcullis"], { timeoutMs: 10_000 });
  return configs.map((cfg) => {
    const fs = results.get(cfg.label) ?? [];
    const m = (g: (f: DpFigures) => number): string => ms(median(fs.map(g)));
    return [
      cfg.label,
      cfg.size,
      `${fs.reduce((a, f) => a + f.connects, 0)}/${fs.reduce((a, f) => a + f.failures, 0)}`,
      m((f) => f.connectsPerS),
      m((f) => f.fresh.p50),
      m((f) => f.fresh.p99),
      m((f) => f.kept.p50),
      m((f) => f.kept.p99),
    ];
  });
}

// ---------------------------------------------------------------------------------------------
// 0: event → applied, as the node agent runs

async function eventPhase(): Promise<string[]> {
  const firsts: FirstApply[] = [];
  const rows: string[][] = [];
  for (const size of EVENT_SIZES) {
    if (global.gc) global.gc();
    const { first, figures } = await withNetns((netns) => measureEvents(size, SEED, EVENTS, netns, log));
    firsts.push(first);
    for (const f of figures) {
      const q = (xs: readonly number[], p: number): string => ms(quantile(xs, p));
      rows.push([f.size, f.kind, String(f.n), q(f.compile, 0.5), q(f.compile, 0.99), q(f.diff, 0.5), q(f.apply, 0.5), q(f.apply, 0.99), q(f.applyNftF, 0.5), q(f.applyNftF, 0.99), q(f.total, 0.5), q(f.total, 0.99), ms(Math.max(...f.total)), f.diffs]);
      log(`events ${rows[rows.length - 1]?.join(" | ")}`);
    }
  }
  return [
    table(
      `0a. First apply as the node agent starts (node 0 of the cluster; compile with an empty CompileCache, then \`nft -f\` of the whole ruleset in a fresh netns; RSS: peak of this process over the size's run)`,
      ["cluster pods/policies", "compile ms", "load ms", "first apply ms", "ruleset", "elements", "peak RSS MiB"],
      firsts.map((f) => [f.size, ms(f.compileMs), ms(f.loadMs), ms(f.compileMs + f.loadMs), kb(f.bytes), String(f.elements), f.rssMiB.toFixed(0)]),
    ),
    table(
      `0b. Event → applied (${EVENTS} events per kind, one after the other on the loaded table; compile with the agent's CompileCache + diff + the diff through the agent's long-lived nft (NftSession) in a netns; the same diff also through \`nft -f\` on the same table (each applied, taken back and applied the other way, alternating which goes first); total with the session; ms)`,
      ["cluster", "event", "n", "compile p50", "compile p99", "diff p50", "apply session p50", "apply session p99", "apply nft -f p50", "apply nft -f p99", "total p50", "total p99", "total max", "diffs"],
      rows,
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// 5: the live source, as deployed: stand-in API server → node agent process → nft

async function livePhase(): Promise<string[]> {
  const figures: LiveFigures[] = [];
  const failures: string[] = [];
  for (const size of EVENT_SIZES) {
    try {
      figures.push(await withNetns((netns) => measureLive(size, SEED, LIVE_EVENTS, netns, LIVE_KIND_BUDGET_MS + LIVE_EVENTS * LIVE_PACE_MS, log, LIVE_PACE_MS, LIVE_IDLE_GC)));
    } catch (e) {
      failures.push(`\nLIVE ${size.label} FAILED: ${(e as Error).message}`);
      log(`live ${size.label} failed: ${(e as Error).message}`);
    }
  }
  const q = (xs: readonly number[], p: number): string => (xs.every((x) => Number.isNaN(x)) ? "-" : ms(quantile(xs.filter((x) => !Number.isNaN(x)), p)));
  const mib = (m: { rss: number; hwm: number }): string => `${m.rss.toFixed(0)} / ${m.hwm.toFixed(0)}`;
  const sum = (xs: readonly number[]): number => xs.reduce((a, x) => a + (Number.isNaN(x) ? 0 : x), 0);
  const idleBefore = (g: { ms: number; beforeMs: number } | null | undefined): string => (g == null ? "-" : `${ms(g.ms)}, ended ${ms(g.beforeMs)} before`);
  log(`live mode: ${LIVE_MODE}`);
  return [
    `\nLive mode: ${LIVE_MODE}`,
    table(
      "5a. Live source: initial sync and first apply (the stand-in API server in a child process serving the cluster; the agent `portcullis enforce --kubernetes --node node-0 --netns NS` as a child process; wall ms from its log lines; RSS of the agent process, VmRSS / VmHWM MiB)",
      ["cluster", "objects", "agent start", "sync (every list)", "first apply (wall)", "first apply (agent)", "elements", "RSS after sync", "RSS after events", "idle GC"],
      figures.map((f) => [f.size, String(f.objects), ms(f.startMs), ms(f.syncMs), ms(f.firstApplyWallMs), ms(f.firstApplyAgentMs), String(f.elements), mib(f.afterSync), mib(f.afterEvents), f.idleGc]),
    ),
    table(
      `5b. Live source: event → applied (up to ${LIVE_EVENTS} per kind, ${LIVE_PACE_MS > 0 ? `each written ${LIVE_PACE_MS} ms after the last was applied (--pace)` : "one after the other"}; wall: from the write to the stand-in to the agent's \`applied\` log line; agent: its own watch event → applied (podIpToApplied / policyToApplied); cycle: the agent's apply cycle, view read → nft's exit; ms; wall − cycle: the stand-in, the watch, the agent's coalescing (next turn of its event loop when idle) and the log line)`,
      ["cluster", "event", "n", "wall p50", "wall p99", "wall max", "agent p50", "agent p99", "cycle p50", "cycle p99", "wall − cycle max", "applied as"],
      figures.flatMap((f) =>
        f.kinds.map((k) => [f.size, k.kind, String(k.n), q(k.wall, 0.5), q(k.wall, 0.99), ms(Math.max(...k.wall)), q(k.agentEvent, 0.5), q(k.agentEvent, 0.99), q(k.cycle, 0.5), q(k.cycle, 0.99), ms(Math.max(...k.wall.map((w, i) => w - (k.cycle[i] ?? 0)))), k.changes]),
      ),
    ),
    table(
      "5c. Live source: the agent's apply cycle by step (from its `applied` log line: viewMs, compileMs, shrinkMs, diffMs, nftMs; gcMs: the garbage collector's pauses during the cycle, inside the other steps), p50 / p99 ms; mark-compacts: V8's own that ended inside the kind's cycles (gcMarkCompacts); idle GCs: the cycles an idle collection preceded (idleGc)",
      ["cluster", "event", "view read", "compile", "shrink check", "diff", "nft", "GC pauses", "mark-compacts", "idle GCs"],
      figures.flatMap((f) => f.kinds.map((k) => [f.size, k.kind, ...[k.phases.view, k.phases.compile, k.phases.shrink, k.phases.diff, k.phases.nft, k.phases.gc].map((xs) => `${q(xs, 0.5)} / ${q(xs, 0.99)}`), String(sum(k.markCompacts)), String(k.idleGc.filter((g) => g !== null).length)])),
    ),
    table(
      "5d. Live source: the three slowest events of each kind (wall ms, then the agent's cycle and its steps from the same `applied` line; GC pauses fall inside the steps; mark-compacts: V8's own that ended in the cycle; idle GC before: the agent's idle collection since the cycle before, its ms and how long before this cycle it ended (about 0: the event waited for it); wall − cycle: the stand-in, the watch and the log line)",
      ["cluster", "event", "wall", "cycle", "view read", "compile", "shrink check", "diff", "nft", "GC pauses", "mark-compacts", "idle GC before", "wall − cycle"],
      figures.flatMap((f) =>
        f.kinds.flatMap((k) =>
          slowest(k.wall, 3).map((i) => [
            f.size,
            k.kind,
            ms(k.wall[i] ?? NaN),
            ms(k.cycle[i] ?? NaN),
            ...[k.phases.view, k.phases.compile, k.phases.shrink, k.phases.diff, k.phases.nft, k.phases.gc].map((xs) => ms(xs[i] ?? NaN)),
            String(k.markCompacts[i] ?? "-"),
            idleBefore(k.idleGc[i]),
            ms((k.wall[i] ?? NaN) - (k.cycle[i] ?? NaN)),
          ]),
        ),
      ),
    ),
    ...figures.map((f) => `\n${f.size}: the agent's /metrics after the events: ${f.metrics}`),
    ...failures,
  ];
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const support = await netnsSupport();
  if (!support.ok) {
    console.log(`enforcement benchmark skipped: ${support.reason}`);
    return;
  }
  const out: string[] = [];
  out.push(`# portcullis enforcement benchmark  seed=${SEED}  ${QUICK ? "--quick " : ""}runs=${RUNS} (median)  node ${process.version}${ONLY_EVENTS ? "" : `  live: ${LIVE_MODE}`}`);
  if (ONLY_LIVE) {
    out.push(...(await livePhase()));
    console.log(out.join("\n"));
    return;
  }
  out.push(...(await eventPhase()));
  console.log(out.join("\n"));
  out.length = 0;
  if (ONLY_EVENTS) return;
  console.log((await livePhase()).join("\n"));
  const r = new Prng(SEED ^ 0x5eed);
  const measured: Measured[] = [];
  for (const size of SIZES) {
    measured.push(await measureSize(size, r));
    if (global.gc) global.gc();
  }
  out.push(
    table(
      "1. Compile and apply (node 0: its pods of 10.244.0.0/24, fail-closed on)",
      ["cluster pods/policies", "endpoints", "policies", "local pods", "compile ms", "sets", "elements", "rules", "chains", "bytes", "apply fresh ms", "re-apply ms"],
      measured.map((m) => m.row1),
    ),
  );
  out.push(
    table(
      "2. Incremental updates (recompile, fresh and with the loaded state's CompileCache as the enforcer does; then diff + apply on the loaded ruleset; total = cached compile + diff + apply)",
      ["cluster", "event", "compile ms", "cached compile ms", "diff ms", "diff", "diff bytes", "apply ms", "total ms (cached)"],
      measured.flatMap((m) => m.rows2),
    ),
  );
  console.log(out.join("\n"));
  out.length = 0;

  // The lab: node, internet, client and server pods.
  const okSizes = measured.filter((m) => m.synthetic !== null);
  const mid = okSizes.find((m) => m.size.pods === 10_000) ?? okSizes[0];
  const big = okSizes[okSizes.length - 1];
  log("lab up");
  const lab = await labUp({
    pods: [
      { id: CLIENT.id, ips: [ip(CLIENT.ip)], ports: [] },
      { id: SERVER.id, ips: [ip(SERVER.ip)], ports: [{ port: 8080, protocol: "TCP" }] },
    ],
    internet: { ports: [] },
  });
  const rows3: string[][] = [];
  let rows4: string[][] = [];
  try {
    const runs = QUICK ? 3 : 5;
    rows3.push(await policyToEnforced(lab, "2 pods, 0 → 1 policy", null, runs));
    log(`3: ${rows3[0]?.join(" ")}`);
    if (mid?.synthetic) {
      rows3.push(await policyToEnforced(lab, `${mid.size.label} cluster + 2 lab pods`, mid.synthetic, QUICK ? 2 : 3));
      log(`3: ${rows3[1]?.join(" ")}`);
    }
    rows4 = await datapath(lab, big?.synthetic ?? null, big?.size.label ?? "");
  } catch (e) {
    out.push(`\nLAB FAILED: ${(e as Error).message}`);
  } finally {
    await lab.down();
    log("lab down");
  }
  out.push(
    table(
      "3. Policy written → first blocked probe (lab; probes every 10 ms, 200 ms timeout; times in ms from the policy object existing)",
      ["cluster", "ruleset after", "sent", "runs", "compile + diff ms", "apply ms", "last allowed probe sent", "first blocked probe sent (median)", "first blocked range", "failures"],
      rows3,
    ),
  );
  out.push(
    table(
      `4. Datapath client → server across the lab node (TCP; N=${QUICK ? 1000 : 2000} per measure; median of 2 rounds, the second in reverse order)`,
      ["node ruleset", "size", "connects ok/failed", "connects/s (sequential)", "new-conn req p50 ms", "new-conn req p99 ms", "kept-conn req p50 ms", "kept-conn req p99 ms"],
      rows4,
    ),
  );
  out.push(`\ntotal ${((performance.now() - STARTED) / 1000).toFixed(0)} s`);
  console.log(out.join("\n"));
}

process.stdout.on("error", () => undefined);
await main();

/** `elements +3/-1`, `objects: sets +2 -0 ~0, chains +1 -1 ~0, elements +40/-1`, `replace (…)`. */
function describeDiff(d: RulesetDiff): string {
  const counts = (c: ObjectChanges): string => `+${c.added} -${c.removed} ~${c.changed}`;
  switch (d.kind) {
    case "elements":
      return `elements +${d.added}/-${d.removed}`;
    case "objects":
      return `sets ${counts(d.sets)}, chains ${counts(d.chains)}, elements +${d.added}/-${d.removed}`;
    case "replace":
      return `replace (${d.reason})`;
    case "unchanged":
      return "unchanged";
  }
}

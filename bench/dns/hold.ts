/**
 * Issue 12, "Speed": DNS answer → elements committed to the kernel → answer released, through the
 * node agent's learner (src/enforce/dns-learner.ts: one long-lived writer, concurrent answers
 * batched), with each writer: nft (`nft -i`) and netlink (the helper portcullis-nft-elements,
 * `npm run build:native`; left out, and said so, when it is not built).
 * Root only; everything in a network namespace made for the run.
 *
 *   npm run bench:dns-hold [-- --quick] [--writer=nft|netlink]
 *
 * 1. Hold p50/p99 at 1, 10 and 100 answers in flight (closed loop: each worker learns an answer
 *    with a new pair, waits for its release, learns the next), in a table with 0, 1,000 and 4,000
 *    other sets (nft reads every set definition before each command; the helper does not). Goal:
 *    p99 ≤ 5 ms at 100.
 * 2. Answers/s through the learner (the agent's process on one core; nft is a process of its own).
 *    Goal: ≥ 5,000/s.
 * 3. 100k learned pairs: the kernel's elements (counted from `nft -j list set`), the agent's heap
 *    for its learned state, and the kernel's slab memory for them.
 */
import { readFileSync } from "node:fs";
import { DnsLearner, type LearnedWriter } from "../../src/enforce/dns-learner.js";
import { findElementsHelper } from "../../src/enforce/netlink-elements.js";
import { createNetns, deleteNetns, netnsSupport } from "../../src/enforce/netns.js";
import { applyRuleset, runNft } from "../../src/enforce/nft.js";
import { type DnsName, dnsName, domainPattern, type DomainPattern } from "../../src/dns/names.js";
import type { DnsRecord } from "../../src/dns/snapshot.js";
import type { Ip } from "../../src/net/ip.js";
import { TABLE } from "../../src/nft/types.js";

const QUICK = process.argv.includes("--quick");
const SET = "e_000000bench_dns_v4";
const PODS = 100;
const OTHER_SETS = [0, 1000, 4000];
const v4 = (n: number): Ip => ({ family: 4, value: BigInt(n >>> 0) });
const POD_BASE = (10 << 24) | (244 << 16) | (1 << 8);
const DEST_BASE = (100 << 24) | (64 << 16);
const NAME = dnsName("api.bench.example") as DnsName;
const pods = Array.from({ length: PODS }, (_, k) => v4(POD_BASE + 10 + k));

const answer = (first: number, count: number, ttl = 300): DnsRecord[] => Array.from({ length: count }, (_, k) => ({ kind: "address", name: NAME, address: v4(DEST_BASE + first + k), ttl }));

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

const ms = (s: number): string => (s * 1000).toFixed(2);

function slabKiB(): number {
  const m = /^Slab:\s+(\d+) kB/m.exec(readFileSync("/proc/meminfo", "utf8"));
  return m === null ? NaN : Number(m[1]);
}

async function main(): Promise<void> {
  const support = await netnsSupport();
  if (!support.ok) throw new Error(`the DNS hold benchmark needs root, ip and nft: ${support.reason}`);
  const helper = findElementsHelper();
  const only = process.argv.find((a) => a.startsWith("--writer="))?.slice("--writer=".length);
  const writers = (helper === null ? ["nft"] : ["nft", "netlink"]).filter((w): w is LearnedWriter => only === undefined || w === only);
  const writerOptions = (writer: LearnedWriter): { netlinkHelper?: string } => (writer === "netlink" && helper !== null ? { netlinkHelper: helper } : {});
  const made = await createNetns("pcbench");
  if (!made.ok) throw new Error(made.error.message);
  const ns = made.value;
  try {
    const pattern = domainPattern("*.bench.example") as DomainPattern;
    const rules = [{ id: "pc:e:000000bench", patterns: [pattern, domainPattern("api.bench.example") as DomainPattern], sets: { 4: SET }, subjects: pods }];

    console.log(`## DNS answer → elements committed → released (learner, nft ${await nftVersion()}, Linux ${readFileSync("/proc/sys/kernel/osrelease", "utf8").trim()})\n`);
    if (helper === null) console.log("(the netlink helper is not built: npm run build:native; nft alone)\n");
    console.log("| writer | other sets in the table | in flight | answers | p50 hold ms | p99 hold ms | max ms | commits | answers per commit | answers/s |");
    console.log("|--------|-------------------------|-----------|---------|-------------|-------------|--------|---------|--------------------|-----------|");
    let next = 0;
    for (const [writer, others, concurrency] of writers.flatMap((w) => OTHER_SETS.flatMap((o) => [1, 10, 100].map((c) => [w, o, c] as const)))) {
      const applied = await applyRuleset(tableWith(others), ns);
      if (!applied.ok) throw new Error(applied.error.stderr);
      const holds: number[] = [];
      const learner = new DnsLearner({ ...writerOptions(writer), netns: ns, timeouts: { minTtl: 5, grace: 5 }, onHold: (s) => holds.push(s) });
      learner.setRules(rules);
      const total = QUICK ? 1000 : concurrency === 1 ? 2000 : 10_000;
      // Warm-up: the writer's child starts with the first commit.
      await learner.learn(pods[0] as Ip, answer(next++, 1));
      holds.length = 0;
      let issued = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async (_, w) => {
          while (issued < total) {
            issued++;
            await learner.learn(pods[w % PODS] as Ip, answer(next++, 1));
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const stats = learner.stats();
      await learner.close();
      const sorted = [...holds].sort((x, y) => x - y);
      if (stats.writer !== writer || stats.writerFallbacks > 0) throw new Error(`the ${writer} writer was not the one that wrote (${stats.writer}, ${stats.writerFallbacks} fallbacks)`);
      console.log(`| ${writer} | ${others} | ${concurrency} | ${holds.length} | ${ms(quantile(sorted, 0.5))} | ${ms(quantile(sorted, 0.99))} | ${ms(sorted[sorted.length - 1] ?? NaN)} | ${stats.commits} | ${(holds.length / Math.max(1, stats.commits - 1)).toFixed(1)} | ${Math.round(holds.length / seconds)} |`);
    }

    // 100k learned pairs: 100 pods × 1000 addresses, 100 per answer.
    const target = QUICK ? 20_000 : 100_000;
    const perPod = target / PODS;
    console.log(`\n## ${target.toLocaleString("en")} learned pairs (${PODS} pods × ${perPod} addresses, answers of 100 addresses)\n`);
    console.log("| writer | learned (agent) | kernel elements | loaded in s | pairs/s | agent heap for them MiB | bytes per pair (agent) | kernel slab delta MiB | nft -j list set ms |");
    console.log("|--------|-----------------|-----------------|-------------|---------|-------------------------|------------------------|-----------------------|--------------------|");
    const gc = (globalThis as { gc?: () => void }).gc;
    // One function call per writer: a learner left in the caller's frame (an async function's saved
    // registers) would stay reachable and distort the next writer's heap figure.
    for (const writer of writers) await loadPairs(writer, ns, rules, writerOptions(writer), target);
    if (gc === undefined) console.log("\n(run with node --expose-gc for the heap figures)");
  } finally {
    await deleteNetns(ns);
  }
}

/** The load of `target` learned pairs through one writer, as a row of the second table. */
async function loadPairs(writer: LearnedWriter, ns: string, rules: Parameters<DnsLearner["setRules"]>[0], options: { netlinkHelper?: string }, target: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const perPod = target / PODS;
  const fresh = await applyRuleset(tableWith(0), ns);
  if (!fresh.ok) throw new Error(fresh.error.stderr);
  gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const slabBefore = slabKiB();
  const learner = new DnsLearner({ ...options, netns: ns, timeouts: { minTtl: 5, grace: 5 } });
  learner.setRules(rules);
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let p = 0; p < PODS; p++) for (let first = 0; first < perPod; first += 100) pending.push(learner.learn(pods[p] as Ip, answer(1_000_000 + first, 100)));
  await Promise.all(pending);
  const loadSeconds = (performance.now() - started) / 1000;
  gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  const slabAfter = slabKiB();
  const listStarted = performance.now();
  const listed = await runNft(["-j", "list", "set", "inet", TABLE, SET], ns);
  const listMs = performance.now() - listStarted;
  const kernelElements = listed.ok ? (listed.value.match(/"concat"/g) ?? []).length : NaN;
  const stats = learner.stats();
  await learner.close();
  console.log(
    `| ${writer} | ${stats.elements} | ${kernelElements} | ${loadSeconds.toFixed(2)} | ${Math.round(target / loadSeconds)} | ${((heapAfter - heapBefore) / 1048576).toFixed(1)} | ${Math.round((heapAfter - heapBefore) / target)} | ${((slabAfter - slabBefore) / 1024).toFixed(1)} | ${Math.round(listMs)} |`,
  );
}

/**
 * The table: the learned set, and `others` sets such as a node's ruleset has (the 50k-pod bench
 * node: 3,767; 10k: 6,962): nft 1.0.6 reads every set and chain definition before each command, so
 * a commit's cost grows with them.
 */
function tableWith(others: number): string {
  const sets = Array.from({ length: others }, (_, k) => `\tset e_${k.toString(16).padStart(12, "0")}_v4 {\n\t\ttype ipv4_addr . inet_proto . inet_service\n\t\tflags interval\n\t}\n`);
  return `add table inet ${TABLE}\ndelete table inet ${TABLE}\ntable inet ${TABLE} {\n\tset ${SET} {\n\t\ttype ipv4_addr . ipv4_addr\n\t\tflags timeout\n\t}\n${sets.join("")}}\n`;
}

async function nftVersion(): Promise<string> {
  const r = await runNft(["--version"]);
  return r.ok ? (/v([\d.]+)/.exec(r.value)?.[1] ?? "?") : "?";
}

await main();

/**
 * Drift check benchmark (not a test): what the enforcer's periodic check costs on large tables,
 * the one read it makes now (`nft -t -j list table`, judged by tableDrift) against the two listings
 * it made before (`nft list chains` and `nft list chain inet portcullis forward`).
 *   npx tsc -p tsconfig.json && node dist/bench/enforce/drift.js [--quick]
 * Needs root and `nft`; the tables are applied in a network namespace made here and removed again.
 */
import { createNetns, deleteNetns } from "../../src/enforce/netns.js";
import { applyRuleset, listTableTerse, runNft } from "../../src/enforce/nft.js";
import { compileRuleset } from "../../src/nft/compile.js";
import { tableDrift } from "../../src/nft/drift.js";
import { ENGINE_OPTIONS, cidr } from "../../src/nft/fixture.js";
import { synthetic } from "./cluster.js";

const QUICK = process.argv.includes("--quick");
const RUNS = QUICK ? 5 : 20;
const SIZES = [
  { label: "1k/1k", pods: 1_000, policies: 1_000, podsPerNode: 110 },
  { label: "10k/5k", pods: 10_000, policies: 5_000, podsPerNode: 200 },
] as const;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;

async function timeRuns(f: () => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await f();
    times.push(performance.now() - start);
  }
  return median(times);
}

async function main(): Promise<void> {
  const ns = await createNetns("pcdrift");
  if (!ns.ok) throw new Error(ns.error.message);
  try {
    console.log("| size | chains | rules | listing (KiB) | one read + judge (ms) | two listings before (ms) |");
    console.log("|---|---|---|---|---|---|");
    for (const size of SIZES) {
      const s = synthetic(20261121, size.pods, size.policies, size.podsPerNode);
      const compiled = compileRuleset(s.cluster, ENGINE_OPTIONS, { localPods: s.node0, podCidrs: [cidr("10.244.0.0/24")] });
      const applied = await applyRuleset(compiled.text, ns.value);
      if (!applied.ok) throw new Error(applied.error.message);
      let bytes = 0;
      const now = await timeRuns(async () => {
        const listed = await listTableTerse(ns.value);
        if (!listed.ok || listed.value === null) throw new Error("no table");
        bytes = listed.value.length;
        const drift = tableDrift(compiled.ruleset, listed.value);
        if (!drift.ok || drift.detail !== null) throw new Error(`unexpected drift: ${JSON.stringify(drift)}`);
      });
      const before = await timeRuns(async () => {
        await runNft(["list", "chains"], ns.value);
        await runNft(["list", "chain", "inet", "portcullis", "forward"], ns.value);
      });
      const rules = compiled.ruleset.chains.reduce((n, c) => n + c.rules.length, 0);
      console.log(`| ${size.label} | ${compiled.ruleset.chains.length} | ${rules} | ${(bytes / 1024).toFixed(0)} | ${now.toFixed(1)} | ${before.toFixed(1)} |`);
    }
  } finally {
    await deleteNetns(ns.value);
  }
}

await main();

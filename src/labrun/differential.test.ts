/**
 * Engine against kernel on random clusters: each is planned, enforced in a lab and probed; every
 * probe's packets must do what the engine says. The seed is random per run (printed on failure);
 * `LAB_SEED=<n>` replays one. Bounded: CLUSTERS clusters of at most MAX_PODS pods, in parallel.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { labSkip } from "../lab/testing.js";
import { OPTIONS, clusterOf } from "./fixture.js";
import { randomCluster } from "./random-cluster.js";
import { runLab } from "./run.js";

const skip = await labSkip();
const CLUSTERS = 3;
const MAX_PODS = 6;
const MAX_POLICIES = 4;
const fromEnv = process.env["LAB_SEED"];
const BASE_SEED = fromEnv !== undefined && /^\d+$/.test(fromEnv) ? Number(fromEnv) : Math.floor(Math.random() * 2 ** 31);
const SEEDS = fromEnv !== undefined ? [BASE_SEED] : Array.from({ length: CLUSTERS }, (_, i) => BASE_SEED + i);

describe("engine against kernel, random clusters", { skip, concurrency: CLUSTERS }, () => {
  for (const seed of SEEDS) {
    test(`seed ${seed}`, async () => {
      const c = randomCluster(seed, MAX_PODS, MAX_POLICIES);
      const r = await runLab(clusterOf(c.yaml, `seed-${seed}.yaml`), { ...OPTIONS, ipBlockMatchesPods: c.ipBlockMatchesPods, probeTimeoutMs: 700 });
      const replay = `replay: LAB_SEED=${seed} node --test dist/src/labrun/differential.test.js (ipBlockMatchesPods ${c.ipBlockMatchesPods})`;
      assert.ok(r.ok, `${replay}\n${JSON.stringify(r.ok ? "" : r.error)}`);
      assert.ok(r.value.entries.length > 0, replay);
      const lines = r.value.mismatches.map((m) => `${m.from} → ${m.to} ${m.protocol} ${m.port}: engine ${m.expected}, kernel ${m.observed} (${m.outcome})`);
      assert.deepEqual(lines, [], `${replay}\n${lines.join("\n")}\n${c.yaml}`);
    });
  }
});

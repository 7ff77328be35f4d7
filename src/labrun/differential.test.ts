/**
 * Engine against kernel on random clusters: each is planned, enforced in a lab and probed; every
 * probe's packets must do what the engine says. The seed is random per run (printed on failure);
 * `LAB_SEED=<n>` replays one (with `LAB_ADMIN=1`, one with admin policies). Bounded: CLUSTERS
 * clusters of at most MAX_PODS pods, in parallel; as many again with up to MAX_ADMIN admin
 * policies of both tiers and a Node ("the random-cluster differential test generates tier policies too").
 * Every cluster runs on both datapath shapes (issue 10: "routed veths … and a Linux bridge (cni0 of
 * Flannel / bridge plugin, same-node traffic bridged)"): the same verdicts either way.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { labSkip } from "../lab/testing.js";
import { OPTIONS, clusterOf } from "./fixture.js";
import { randomCluster } from "./random-cluster.js";
import { runLab } from "./run.js";

const skips = { routed: await labSkip(), bridge: await labSkip("bridge") } as const;
const CLUSTERS = 3;
const MAX_PODS = 6;
const MAX_POLICIES = 4;
const MAX_ADMIN = 3;
const fromEnv = process.env["LAB_SEED"];
const replaying = fromEnv !== undefined && /^\d+$/.test(fromEnv);
const BASE_SEED = replaying ? Number(fromEnv) : Math.floor(Math.random() * 2 ** 31);
const seeds = (admin: boolean): number[] => {
  if (replaying) return (process.env["LAB_ADMIN"] === "1") === admin ? [BASE_SEED] : [];
  return Array.from({ length: CLUSTERS }, (_, i) => BASE_SEED + i + (admin ? CLUSTERS : 0));
};
const CASES = [...seeds(false).map((seed) => ({ seed, admin: false })), ...seeds(true).map((seed) => ({ seed, admin: true }))];

for (const topology of ["routed", "bridge"] as const) {
describe(`engine against kernel, random clusters, ${topology} lab`, { skip: skips[topology], concurrency: CLUSTERS }, () => {
  for (const { seed, admin } of CASES) {
    test(`seed ${seed}${admin ? ", with admin policies" : ""}`, async () => {
      const c = randomCluster(seed, MAX_PODS, MAX_POLICIES, admin ? MAX_ADMIN : 0);
      const r = await runLab(clusterOf(c.yaml, `seed-${seed}.yaml`), { ...OPTIONS, topology, ipBlockMatchesPods: c.ipBlockMatchesPods, probeTimeoutMs: 700 });
      const replay = `replay: LAB_SEED=${seed}${admin ? " LAB_ADMIN=1" : ""} node --test dist/src/labrun/differential.test.js (${topology} lab, ipBlockMatchesPods ${c.ipBlockMatchesPods})`;
      assert.ok(r.ok, `${replay}\n${JSON.stringify(r.ok ? "" : r.error)}`);
      assert.ok(r.value.entries.length > 0, replay);
      const lines = r.value.mismatches.map((m) => `${m.from} → ${m.to} ${m.protocol} ${m.port}: engine ${m.expected}, kernel ${m.observed} (${m.outcome})`);
      assert.deepEqual(lines, [], `${replay}\n${lines.join("\n")}\n${c.yaml}`);
    });
  }
});
}

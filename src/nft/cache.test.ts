import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { arbCluster, varyCluster } from "../conformance/arbitrary.js";
import type { Cluster } from "../model/cluster.js";
import { labelsOf } from "../model/labels.js";
import { CompileCache } from "./cache.js";
import { compileRuleset } from "./compile.js";
import { ENGINE_OPTIONS, LOCAL_PODS, POD_CIDRS, POLICIES, testCluster, worker } from "./fixture.js";

const RUNS = Number(process.env["PROPERTY_RUNS"] ?? 100);

test("a compile with the cache of an earlier one gives the same text as a compile without", () => {
  const cache = new CompileCache();
  compileRuleset(testCluster(), ENGINE_OPTIONS, { localPods: LOCAL_PODS, podCidrs: POD_CIDRS }, { cache });
  const missesFirst = cache.misses;
  const moved = [...LOCAL_PODS.filter((e) => e !== worker), { ...worker, labels: labelsOf({ app: "web-api" }) }];
  const policies = POLICIES.filter((p) => p.name !== "db-ingress");
  const next = testCluster(policies, [...moved]);
  const cached = compileRuleset(next, ENGINE_OPTIONS, { localPods: moved, podCidrs: POD_CIDRS }, { cache });
  assert.equal(cached.text, compileRuleset(next, ENGINE_OPTIONS, { localPods: moved, podCidrs: POD_CIDRS }).text);
  assert.ok(cache.hits > 0, "unchanged rules were reused");
  assert.ok(missesFirst > 0);
});

test("random clusters and a change: compiling through the cache equals compiling afresh", () => {
  fc.assert(
    fc.property(arbCluster, fc.nat(), fc.boolean(), (cluster, pick, audit) => {
      const options = { ...ENGINE_OPTIONS, ipBlockMatchesPods: pick % 2 === 0 };
      const cache = new CompileCache();
      compileRuleset(cluster, options, {}, { cache, audit });
      const next = varyCluster(cluster, pick);
      assert.equal(compileRuleset(next, options, {}, { cache, audit }).text, compileRuleset(next, options, {}, { audit }).text);
    }),
    { numRuns: RUNS },
  );
});

test("a destination's container ports change: the egress named-port set is computed again", () => {
  const cache = new CompileCache();
  const local = (c: Cluster) => ({ localPods: c.endpoints.filter((e) => e.namespace === "production"), podCidrs: POD_CIDRS });
  compileRuleset(testCluster(), ENGINE_OPTIONS, local(testCluster()), { cache });
  const renamed = testCluster(undefined, testCluster().endpoints.map((e) => (e.id === "production/db" ? { ...e, ports: [{ name: "postgres", port: 5432, protocol: "TCP" as const }] } : e)));
  const cached = compileRuleset(renamed, ENGINE_OPTIONS, local(renamed), { cache }).text;
  assert.equal(cached, compileRuleset(renamed, ENGINE_OPTIONS, local(renamed)).text);
  assert.ok(!cached.includes("5432"), "db no longer names a port pg");
});

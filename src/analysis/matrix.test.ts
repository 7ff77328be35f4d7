/** The matrix output is the same whether verdicts come from the class matrix or the pair analysis; with admin policies it walks the tiers. */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Engine } from "../engine/engine.js";
import { ARB_POD_NETWORK, arbCluster, arbClusterWithAdmin } from "../conformance/arbitrary.js";
import type { Endpoint } from "../model/cluster.js";
import { referenceCheck } from "../reference/reference.js";
import { CLASS_MATRIX_FROM, computeMatrix, computeMatrixWith } from "./matrix.js";

const podNetwork = ARB_POD_NETWORK;

test("computeMatrix gives byte-identical JSON via the class matrix and via the pair analysis (clusters with and without admin policies: both walk the tiers)", () => {
  fc.assert(
    fc.property(fc.oneof(arbCluster, arbClusterWithAdmin), fc.boolean(), fc.option(fc.array(fc.integer({ min: 78, max: 84 }), { maxLength: 3 }), { nil: undefined }), (cluster, ipBlockMatchesPods, ports) => {
      const engine = Engine.compile(cluster, { podNetwork, ipBlockMatchesPods });
      const options = ports === undefined ? {} : { ports, protocols: ["TCP", "UDP"] as const };
      const viaPairs = JSON.stringify(computeMatrixWith(engine, options, "pairs"));
      const viaClasses = JSON.stringify(computeMatrixWith(engine, options, "classes"));
      assert.equal(viaClasses, viaPairs);
    }),
    { numRuns: Number(process.env["PROPERTY_RUNS"] ?? 300) },
  );
});

test("computeMatrix from 64 endpoints on, with admin policies: the verdicts walk the tiers (the class matrix answers), as the reference says", () => {
  let denied = 0;
  for (const small of fc.sample(arbClusterWithAdmin, { numRuns: 6, seed: 64 })) {
    // The same cluster grown to CLASS_MATRIX_FROM endpoints with copies of its own.
    const endpoints = Array.from({ length: CLASS_MATRIX_FROM }, (_, i) => {
      const e = small.endpoints[i % small.endpoints.length] as Endpoint;
      return i < small.endpoints.length ? e : { ...e, id: `${e.id}-${i}`, name: `${e.name}-${i}` };
    });
    const cluster = { ...small, endpoints };
    const options = { podNetwork, ipBlockMatchesPods: true };
    const byId = new Map(endpoints.map((e) => [e.id, e]));
    for (const entry of computeMatrix(Engine.compile(cluster, options)).entries) {
      const from = byId.get(entry.from) as Endpoint;
      const to = byId.get(entry.to) as Endpoint;
      const ref = referenceCheck(cluster, options, { from: { kind: "endpoint", endpoint: from }, to: { kind: "endpoint", endpoint: to }, port: entry.port, protocol: entry.protocol }, "match-nothing");
      assert.equal(entry.verdict, ref.verdict, `${entry.from} -> ${entry.to} ${entry.port}/${entry.protocol}`);
      if (ref.verdict === "denied") denied++;
    }
  }
  assert.ok(denied > 0, "some connection is denied: the check above is not vacuous");
});

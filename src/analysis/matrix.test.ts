/** The matrix output is the same whether verdicts come from the class matrix or the pair analysis. */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Engine } from "../engine/engine.js";
import { ARB_POD_NETWORK, arbCluster } from "../conformance/arbitrary.js";
import { computeMatrixWith } from "./matrix.js";

const podNetwork = ARB_POD_NETWORK;

test("computeMatrix gives byte-identical JSON via the class matrix and via the pair analysis", () => {
  fc.assert(
    fc.property(arbCluster, fc.boolean(), fc.option(fc.array(fc.integer({ min: 78, max: 84 }), { maxLength: 3 }), { nil: undefined }), (cluster, ipBlockMatchesPods, ports) => {
      const engine = Engine.compile(cluster, { podNetwork, ipBlockMatchesPods });
      const options = ports === undefined ? {} : { ports, protocols: ["TCP", "UDP"] as const };
      const viaPairs = JSON.stringify(computeMatrixWith(engine, options, "pairs"));
      const viaClasses = JSON.stringify(computeMatrixWith(engine, options, "classes"));
      assert.equal(viaClasses, viaPairs);
    }),
    { numRuns: Number(process.env["PROPERTY_RUNS"] ?? 300) },
  );
});

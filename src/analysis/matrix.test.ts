/** The matrix output is the same whether verdicts come from the class matrix or the pair analysis. */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Engine } from "../engine/engine.js";
import { arbCluster } from "../conformance/arbitrary.js";
import { AddressSet } from "../net/address-set.js";
import { parseCidr } from "../net/cidr.js";
import { computeMatrixWith } from "./matrix.js";

const podNetwork = (() => {
  const r = parseCidr("10.244.0.0/26");
  assert.ok(r.ok);
  return AddressSet.fromCidr(r.cidr);
})();

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

/**
 * Property-based: the class matrix gives the pair analysis's verdict (and the reference
 * evaluator's) for every endpoint pair and port, and its counts equal counting pair by pair.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Engine } from "./engine.js";
import type { EngineOptions } from "./types.js";
import { computeClassMatrix } from "./bitmatrix.js";
import { PairAnalysis, verdictFor } from "../analysis/matrix.js";
import { referenceCheck } from "../reference/reference.js";
import { ARB_POD_NETWORK, arbCluster } from "../conformance/arbitrary.js";
import { PROTOCOLS } from "../model/ports.js";

const podNetwork = ARB_POD_NETWORK;

const RUNS = Number(process.env["PROPERTY_RUNS"] ?? 200);
const PORTS = [1, 78, 79, 80, 81, 82, 83, 84, 65535];

for (const ipBlockMatchesPods of [true, false]) {
  test(`class matrix agrees with the pair analysis and the reference on random clusters (ipBlockMatchesPods=${ipBlockMatchesPods})`, () => {
    fc.assert(
      fc.property(arbCluster, (cluster) => {
        const options: EngineOptions = { podNetwork, ipBlockMatchesPods };
        const engine = Engine.compile(cluster, options);
        const matrix = computeClassMatrix(engine);
        const pairs = new PairAnalysis(engine);
        for (const from of cluster.endpoints) {
          for (const to of cluster.endpoints) {
            const conns = pairs.conns(from, to);
            for (const protocol of PROTOCOLS) {
              for (const port of PORTS) {
                const got = matrix.verdict(from, to, protocol, port);
                const label = `${from.id} -> ${to.id} ${port}/${protocol}`;
                assert.equal(got, verdictFor(conns, protocol, port), `pair analysis ${label}`);
                const ref = referenceCheck(cluster, options, { from: { kind: "endpoint", endpoint: from }, to: { kind: "endpoint", endpoint: to }, port, protocol });
                assert.equal(got, ref.verdict, `reference ${label}`);
              }
            }
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  test(`class matrix counts (dense and by rectangles) equal counting pair by pair at every atom (ipBlockMatchesPods=${ipBlockMatchesPods})`, () => {
    fc.assert(
      fc.property(arbCluster, (cluster) => {
        const engine = Engine.compile(cluster, { podNetwork, ipBlockMatchesPods });
        const matrix = computeClassMatrix(engine);
        const pairs = new PairAnalysis(engine);
        const counts = matrix.count();
        assert.deepEqual(matrix.count("dense"), counts, "dense count");
        assert.deepEqual(matrix.count("rectangles"), counts, "rectangle count");
        matrix.portAtoms.forEach((atom, a) => {
          let allowed = 0;
          let depends = 0;
          for (const from of cluster.endpoints) {
            for (const to of cluster.endpoints) {
              const v = verdictFor(pairs.conns(from, to), atom.protocol, atom.lo);
              if (v === "allowed") allowed++;
              if (v === "depends") depends++;
            }
          }
          assert.deepEqual(counts.atoms[a], { allowed, depends }, `atom ${a} ${atom.protocol} ${atom.lo}-${atom.hi}`);
        });
      }),
      { numRuns: RUNS },
    );
  });
}

test("rows list the destination classes a source reaches, as verdicts say", () => {
  fc.assert(
    fc.property(arbCluster, (cluster) => {
      const engine = Engine.compile(cluster, { podNetwork, ipBlockMatchesPods: true });
      const matrix = computeClassMatrix(engine);
      const n = matrix.classes.length;
      for (let src = 0; src < n; src++) {
        matrix.portAtoms.forEach((_, atom) => {
          const row = matrix.row(src, atom);
          for (let dst = 0; dst < n; dst++) {
            const v = matrix.allowed(src, dst, atom);
            assert.equal(row.allowed.includes(dst), v === "allowed");
            assert.equal(row.depends.includes(dst), v === "depends");
          }
        });
      }
    }),
    { numRuns: 100 },
  );
});

test("dense and rectangle counts agree when the transposed matrices span many 32-bit blocks", () => {
  fc.assert(
    fc.property(arbCluster, fc.integer({ min: 20, max: 40 }), (cluster, copies) => {
      // Copies differ by labels no selector reads: many classes that behave alike. The "source"
      // label keeps copies of two look-alike endpoints apart, so there are at least 18 classes per
      // endpoint; every seventh copy shares its label with copy 0, so some classes hold several.
      const endpoints = cluster.endpoints.flatMap((e, i) =>
        Array.from({ length: copies }, (_, k) => ({
          ...e,
          id: `${e.id}-${k}`,
          name: `${e.name}-${k}`,
          labels: new Map([...e.labels, ["source", String(i)], ["copy", String(k % 7 === 0 ? 0 : k)]]),
        })),
      );
      const big = { ...cluster, endpoints };
      const matrix = computeClassMatrix(Engine.compile(big, { podNetwork, ipBlockMatchesPods: true }));
      assert.ok(matrix.classes.length > 32 || cluster.endpoints.length < 2);
      assert.deepEqual(matrix.count("dense"), matrix.count("rectangles"));
      const atom = matrix.portAtoms.findIndex((a) => a.protocol === "TCP" && a.lo <= 80 && 80 <= a.hi);
      let allowed = 0;
      for (const from of endpoints) for (const to of endpoints) if (matrix.verdict(from, to, "TCP", 80) === "allowed") allowed++;
      assert.equal(matrix.count("dense").atoms[atom]?.allowed, allowed);
    }),
    { numRuns: 40 },
  );
});

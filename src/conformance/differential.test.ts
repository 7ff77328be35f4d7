/**
 * Property-based: on random clusters, the fast engine, the pair analysis behind matrix/connlist,
 * and the reference evaluator give the same answer for every connection. fast-check prints the
 * seed and the shrunk counterexample on failure.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Engine } from "../engine/engine.js";
import type { EngineOptions, Target } from "../engine/types.js";
import { AddressSet } from "../net/address-set.js";
import { pairConns } from "../analysis/reach.js";
import { verdictFor } from "../analysis/matrix.js";
import { assertCheckAgrees } from "./agreement.js";
import { ARB_POD_NETWORK, arbCluster, arbProbe } from "./arbitrary.js";

const podNetwork = ARB_POD_NETWORK;

const RUNS = Number(process.env["PROPERTY_RUNS"] ?? 300);

for (const ipBlockMatchesPods of [true, false]) {
  test(`fast engine agrees with the reference evaluator on random clusters (ipBlockMatchesPods=${ipBlockMatchesPods})`, () => {
    fc.assert(
      fc.property(arbCluster, fc.array(arbProbe, { minLength: 1, maxLength: 4 }), (cluster, probes) => {
        const options: EngineOptions = { podNetwork, ipBlockMatchesPods };
        const engine = Engine.compile(cluster, options);
        const targets: Target[] = cluster.endpoints.map((endpoint) => ({ kind: "endpoint", endpoint }));
        // A pod named by one of its addresses (`check --to <one IP of a dual-stack pod>`): that address only.
        const byAddress: Target[] = cluster.endpoints.flatMap((endpoint) => (endpoint.ips.length < 2 ? [] : endpoint.ips.map((address) => ({ kind: "endpoint" as const, endpoint, address }))));
        for (const probe of probes) {
          const external: Target = { kind: "external", addresses: probe.external.family === undefined ? AddressSet.EMPTY : "prefix" in probe.external ? AddressSet.fromCidr(probe.external) : AddressSet.fromIp(probe.external) };
          const all = [...targets, ...byAddress, external];
          for (const from of all) {
            for (const to of all) {
              if (from.kind === "external" && to.kind === "external") continue;
              const conn = { from, to, port: probe.port, protocol: probe.protocol };
              const { label, verdict } = assertCheckAgrees(engine, cluster, options, conn);
              if (from.kind === "endpoint" && to.kind === "endpoint") {
                const pair = verdictFor(pairConns(engine, from, to), probe.protocol, probe.port);
                assert.equal(pair, verdict, `pair analysis ${label}`);
              }
            }
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
}



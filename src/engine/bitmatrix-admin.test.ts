/**
 * Property-based: on random clusters WITH admin policies (tiers Admin and Baseline, every action,
 * priority ties, namespaces/pods/networks/nodes/domainNames peers, port numbers, ranges and named
 * ports, fail-closed rules) and Nodes, the class matrix gives the verdict of the reference
 * evaluator (written from the API text) and of the engine's check for every endpoint pair and port;
 * its counts equal counting pair by pair. fast-check prints the seed and the shrunk counterexample.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Engine } from "./engine.js";
import type { EngineOptions } from "./types.js";
import { computeClassMatrix } from "./bitmatrix.js";
import { applyChange } from "./incremental.js";
import { referenceCheck } from "../reference/reference.js";
import { dependsOnDns } from "../conformance/agreement.js";
import { ARB_POD_NETWORK, arbClusterWithAdmin, arbDnsRecords } from "../conformance/arbitrary.js";
import { DnsSnapshot } from "../dns/snapshot.js";
import { PROTOCOLS } from "../model/ports.js";
import type { Cluster, Endpoint } from "../model/cluster.js";

const podNetwork = ARB_POD_NETWORK;

/**
 * Random clusters with admin policies, half of them with twins: each endpoint's copy at another
 * endpoint's addresses (same namespace, labels and ports), so that `networks` and `nodes` peers
 * must tell apart endpoints that every selector treats alike.
 */
const arbAdminClusters: fc.Arbitrary<Cluster> = fc.tuple(arbClusterWithAdmin, fc.boolean()).map(([cluster, twins]) => {
  if (!twins) return cluster;
  const n = cluster.endpoints.length;
  const copies = cluster.endpoints.map((e, i) => ({ ...e, id: `${e.id}-twin`, name: `${e.name}-twin`, pods: [`${e.name}-twin`], ips: (cluster.endpoints[(i + 1) % n] as Endpoint).ips }));
  return { ...cluster, endpoints: [...cluster.endpoints, ...copies] };
});

const RUNS = Number(process.env["PROPERTY_RUNS"] ?? 150);
/** The random policies' ports lie in 78..84 (numbers, ranges, named ports declared as 79..83); 1 and 65535 lie outside. */
const PORTS = [1, 78, 79, 80, 81, 82, 83, 84, 65535];

test("domainNames with a resolution snapshot: the class matrix agrees with the reference evaluator and the engine's check (the domain peers match the snapshot's addresses, pods' included)", () => {
  fc.assert(
    fc.property(arbAdminClusters, arbDnsRecords, (cluster, records) => {
      const options: EngineOptions = { podNetwork, ipBlockMatchesPods: true, dns: new DnsSnapshot(records) };
      const engine = Engine.compile(cluster, options);
      const matrix = computeClassMatrix(engine);
      for (const from of cluster.endpoints) {
        for (const to of cluster.endpoints) {
          for (const port of [1, 80, 83]) {
            const conn = { from: { kind: "endpoint" as const, endpoint: from }, to: { kind: "endpoint" as const, endpoint: to }, port, protocol: "TCP" as const };
            const got = matrix.verdict(from, to, "TCP", port);
            const label = `${from.id} -> ${to.id} ${port}/TCP`;
            assert.equal(got, referenceCheck(cluster, options, conn).verdict, `reference ${label}`);
            assert.equal(got, engine.check(conn).verdict, `check ${label}`);
          }
        }
      }
    }),
    { numRuns: RUNS },
  );
});

for (const ipBlockMatchesPods of [true, false]) {
  test(`admin tiers: class matrix agrees with the reference evaluator and the engine's check on random clusters with admin policies (ipBlockMatchesPods=${ipBlockMatchesPods})`, () => {
    fc.assert(
      fc.property(arbAdminClusters, (cluster) => {
        const options: EngineOptions = { podNetwork, ipBlockMatchesPods };
        const engine = Engine.compile(cluster, options);
        const matrix = computeClassMatrix(engine);
        for (const from of cluster.endpoints) {
          for (const to of cluster.endpoints) {
            for (const protocol of PROTOCOLS) {
              for (const port of PORTS) {
                const conn = { from: { kind: "endpoint" as const, endpoint: from }, to: { kind: "endpoint" as const, endpoint: to }, port, protocol };
                const got = matrix.verdict(from, to, protocol, port);
                const label = `${from.id} -> ${to.id} ${port}/${protocol}`;
                assert.equal(got, referenceCheck(cluster, options, conn, "match-nothing").verdict, `reference ${label}`);
                // The class matrix takes a domainNames peer as matching nothing; check says when that makes the verdict depend on DNS.
                const checked = engine.check(conn);
                if (!dependsOnDns(checked)) assert.equal(got, checked.verdict, `check ${label}`);
              }
            }
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  test(`admin tiers: class matrix counts (dense and by rectangles) equal counting pair by pair (ipBlockMatchesPods=${ipBlockMatchesPods})`, () => {
    fc.assert(
      fc.property(arbAdminClusters, (cluster) => {
        const matrix = computeClassMatrix(Engine.compile(cluster, { podNetwork, ipBlockMatchesPods }));
        const counts = matrix.count();
        assert.deepEqual(matrix.count("dense"), counts, "dense count");
        assert.deepEqual(matrix.count("rectangles"), counts, "rectangle count");
        matrix.portAtoms.forEach((atom, a) => {
          let allowed = 0;
          let depends = 0;
          for (const from of cluster.endpoints) {
            for (const to of cluster.endpoints) {
              const v = matrix.verdict(from, to, atom.protocol, atom.lo);
              if (v === "allowed") allowed++;
              if (v === "depends") depends++;
            }
          }
          assert.deepEqual(counts.atoms[a], { allowed, depends }, `atom ${a} ${atom.protocol} ${atom.lo}-${atom.hi}`);
        });
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });
}

test("admin tiers: a change to a cluster with admin policies gives the matrix of the changed cluster (computed again)", () => {
  fc.assert(
    fc.property(arbClusterWithAdmin, fc.nat(), (cluster, i) => {
      const options: EngineOptions = { podNetwork, ipBlockMatchesPods: true };
      const before = computeClassMatrix(Engine.compile(cluster, options));
      const endpoint = cluster.endpoints[i % cluster.endpoints.length];
      if (endpoint === undefined) return;
      const after = applyChange(before, { kind: "add-endpoint", endpoint: { ...endpoint, id: `${endpoint.namespace}/copy`, name: "copy" } });
      const changed = after.engine.cluster;
      for (const from of changed.endpoints) {
        for (const to of changed.endpoints) {
          const conn = { from: { kind: "endpoint" as const, endpoint: from }, to: { kind: "endpoint" as const, endpoint: to }, port: 80, protocol: "TCP" as const };
          assert.equal(after.verdict(from, to, "TCP", 80), referenceCheck(changed, options, conn, "match-nothing").verdict, `${from.id} -> ${to.id}`);
        }
      }
    }),
    { numRuns: 50 },
  );
});

/**
 * Property-based: on random clusters WITH admin policies (see admin-differential.test.ts for what
 * they hold), the pair analysis behind matrix/connlist/explain/egress/graph/diff walks the tiers as
 * the reference evaluator does. For every pair of endpoints and every probed port, the memoised
 * pair analysis (PairAnalysis.conns, cached by class key) gives the reference's verdict; for every
 * endpoint, the regions of the IP space outside the model (externalConns) allow, at each probed
 * address (a random one, every Node address), what the reference allows in that direction.
 * fast-check prints the seed and the shrunk counterexample on failure.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Engine } from "../engine/engine.js";
import type { Connection, EngineOptions, Target } from "../engine/types.js";
import type { Cluster, Direction } from "../model/cluster.js";
import type { Ip } from "../net/ip.js";
import { AddressSet } from "../net/address-set.js";
import { PairAnalysis, verdictFor } from "../analysis/matrix.js";
import { externalConns } from "../analysis/reach.js";
import { referenceCheck } from "../reference/reference.js";
import { describeTarget } from "./agreement.js";
import { ARB_POD_NETWORK, arbClusterWithAdmin, arbDnsRecords, arbProbe } from "./arbitrary.js";
import { DnsSnapshot } from "../dns/snapshot.js";

const podNetwork = ARB_POD_NETWORK;

const RUNS = Number(process.env["PROPERTY_RUNS"] ?? 300);

/**
 * A random cluster with admin policies in which some endpoints have a twin: the same namespace,
 * labels and ports at other addresses (a replica elsewhere). Only the addresses tell twins apart,
 * so an admin `networks` or `nodes` peer the class-keyed cache did not see would answer one twin
 * for the other.
 */
const arbClusterWithTwins: fc.Arbitrary<Cluster> = arbClusterWithAdmin.chain((cluster) =>
  fc
    .tuple(...cluster.endpoints.map(() => fc.option(fc.array(fc.integer({ min: 0, max: 63 }), { minLength: 1, maxLength: 2 }), { nil: undefined })))
    .map((twins) => ({
      ...cluster,
      endpoints: [
        ...cluster.endpoints,
        ...cluster.endpoints.flatMap((e, i) => {
          const at = twins[i];
          if (at === undefined) return [];
          const ips = at.map((n): Ip => ({ family: 4, value: 0x0af40000n + BigInt(n) }));
          return [{ ...e, id: `${e.id}-twin`, name: `${e.name}-twin`, pods: [`${e.name}-twin`], ips }];
        }),
      ],
    })),
);

/** With `snapshot`: random resolution snapshots, whose domain rules the pair analysis must match as the check does. */
for (const { ipBlockMatchesPods, snapshot } of [
  { ipBlockMatchesPods: true, snapshot: false },
  { ipBlockMatchesPods: false, snapshot: false },
  { ipBlockMatchesPods: true, snapshot: true },
]) {
  test(`admin tiers: the pair analysis (PairAnalysis.conns, externalConns) agrees with the reference evaluator on random clusters with admin policies (ipBlockMatchesPods=${ipBlockMatchesPods}${snapshot ? ", domainNames from a random resolution snapshot" : ""})`, () => {
    fc.assert(pairsAgree(ipBlockMatchesPods, snapshot), { numRuns: RUNS });
  });
}

/**
 * Found by CI (session 11): two host-network pods of one class, one without an address and one with an
 * IPv6 address, a domain Accept whose name resolves to an IPv4 address, then Deny all. The class cache
 * answered the second with the first's "depends": the addresses a snapshot gives `domainNames` peers
 * did not split classes (address-atoms.ts). Replayed from fast-check's seed and path.
 */
test("admin tiers: the pair analysis splits classes at the addresses a resolution snapshot gives domainNames peers (replay of a CI counterexample)", () => {
  fc.assert(pairsAgree(true, true), {
    seed: -954144313,
    path: "21:0:0:0:0:2:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:1:0:0:1:1:3:1:1:1:1:3:1:1:3:4:3:3:4:3:3:4:5:5:5:5:5:5:5:5:5:5:5:5:5:5:5:5:5:5:5:5:0:0:0:1:0:1:1:1:1:1:1:1",
    endOnFailure: true,
  });
});

/** The property: every pair and every region of the IP space as the reference says. */
function pairsAgree(ipBlockMatchesPods: boolean, snapshot: boolean) {
  return fc.property(arbClusterWithTwins, snapshot ? arbDnsRecords : fc.constant(null), fc.array(arbProbe, { minLength: 1, maxLength: 3 }), (cluster, records, probes) => {
        const dns = records === null ? undefined : new DnsSnapshot(records);
        const options: EngineOptions = { podNetwork, ipBlockMatchesPods, ...(dns === undefined ? {} : { dns }) };
        const resolved = (dns?.records ?? []).flatMap((r) => (r.kind === "address" ? [AddressSet.fromIp(r.address)] : []));
        const engine = Engine.compile(cluster, options);
        const pairs = new PairAnalysis(engine);
        const nodeIps = (cluster.nodes ?? []).flatMap((n) => n.addresses.map((a) => AddressSet.fromIp(a.ip)));
        const regions = new Map(cluster.endpoints.map((e) => [e, { egress: externalConns(engine, e, "egress"), ingress: externalConns(engine, e, "ingress") }]));
        for (const probe of probes) {
          // Every pair of endpoints, each at all of its addresses, through the class-keyed cache.
          for (const from of cluster.endpoints) {
            for (const to of cluster.endpoints) {
              const conn: Connection = { from: { kind: "endpoint", endpoint: from }, to: { kind: "endpoint", endpoint: to }, port: probe.port, protocol: probe.protocol };
              const expected = referenceCheck(cluster, options, conn, "match-nothing").verdict;
              assert.equal(verdictFor(pairs.conns(from, to), probe.protocol, probe.port), expected, `pair analysis ${from.id} -> ${to.id} ${probe.port}/${probe.protocol}`);
            }
          }
          // The IP space outside the model, at one address at a time: a random one and each Node address.
          const single = "prefix" in probe.external ? [] : [AddressSet.fromIp(probe.external)];
          for (const at of [...single, ...nodeIps, ...resolved]) {
            const outside: Target = { kind: "external", addresses: at };
            for (const e of cluster.endpoints) {
              const self: Target = { kind: "endpoint", endpoint: e };
              for (const direction of ["egress", "ingress"] as const satisfies readonly Direction[]) {
                const conn: Connection = direction === "egress" ? { from: self, to: outside, port: probe.port, protocol: probe.protocol } : { from: outside, to: self, port: probe.port, protocol: probe.protocol };
                const ref = referenceCheck(cluster, options, conn, "match-nothing");
                const expected = (direction === "egress" ? ref.egressAllowed : ref.ingressAllowed).contains(at);
                const region = regions.get(e)?.[direction].find((r) => r.addresses.contains(at));
                const got = region !== undefined && region.conns.has(probe.protocol, probe.port);
                assert.equal(got, expected, `externalConns ${direction} of ${e.id} at ${describeTarget(outside)} ${probe.port}/${probe.protocol}`);
              }
            }
          }
        }
      });
}

/**
 * Property-based: on random clusters WITH admin policies (ClusterNetworkPolicy tiers Admin and
 * Baseline, AdminNetworkPolicy, the BaselineAdminNetworkPolicy; every action, priorities with
 * ties, namespaces/pods subjects, pods/namespaces/networks/nodes/domainNames peers, ports, named
 * ports, fail-closed rules) and Nodes, the fast engine's check and the reference evaluator give the
 * same verdict and the same allowed addresses for every connection, each direction (a pod to
 * itself also through a Service: hairpin walks the admin tiers). fast-check prints the seed and
 * the shrunk counterexample on failure.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Engine } from "../engine/engine.js";
import type { EngineOptions, Target } from "../engine/types.js";
import { AddressSet } from "../net/address-set.js";
import { formatIp } from "../net/ip.js";
import { DnsSnapshot, recordType } from "../dns/snapshot.js";
import type { Cluster } from "../model/cluster.js";
import { assertCheckAgrees, dependsOnDns } from "./agreement.js";
import { ARB_POD_NETWORK, arbClusterWithAdmin, arbDnsRecords, arbProbe } from "./arbitrary.js";

const podNetwork = ARB_POD_NETWORK;

const RUNS = Number(process.env["PROPERTY_RUNS"] ?? 300);

for (const ipBlockMatchesPods of [true, false]) {
  test(`admin tiers: fast engine check agrees with the reference evaluator on random clusters with admin policies (ipBlockMatchesPods=${ipBlockMatchesPods})`, () => {
    fc.assert(
      fc.property(arbClusterWithAdmin, fc.array(arbProbe, { minLength: 1, maxLength: 3 }), (cluster, probes) => {
        const options: EngineOptions = { podNetwork, ipBlockMatchesPods };
        const engine = Engine.compile(cluster, options);
        const targets: Target[] = cluster.endpoints.map((endpoint) => ({ kind: "endpoint", endpoint }));
        const byAddress: Target[] = cluster.endpoints.flatMap((endpoint) => (endpoint.ips.length < 2 ? [] : endpoint.ips.map((address) => ({ kind: "endpoint" as const, endpoint, address }))));
        // Node addresses as external destinations, so `nodes` peers are met.
        const nodeIps: Target[] = (cluster.nodes ?? []).flatMap((n) => n.addresses.map((a) => ({ kind: "external" as const, addresses: AddressSet.fromIp(a.ip) })));
        for (const probe of probes) {
          const external: Target = { kind: "external", addresses: "prefix" in probe.external ? AddressSet.fromCidr(probe.external) : AddressSet.fromIp(probe.external) };
          const all = [...targets, ...byAddress, external, ...nodeIps];
          for (const from of all) {
            for (const to of all) {
              if (from.kind === "external" && to.kind === "external") continue;
              const conn = { from, to, port: probe.port, protocol: probe.protocol };
              assertCheckAgrees(engine, cluster, options, conn);
              // A pod reaching itself through a Service (hairpin) walks the admin tiers: both evaluators must agree there too.
              if (from.kind === "endpoint" && to.kind === "endpoint" && from.endpoint === to.endpoint) assertCheckAgrees(engine, cluster, options, { ...conn, viaService: true });
            }
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
}

/** The snapshot's records, one line each, for a counterexample (fast-check prints the records as objects, the addresses as bigints). */
function describeSnapshot(s: DnsSnapshot): string {
  return s.records.map((r) => `${r.name} ${recordType(r)} ${r.kind === "cname" ? r.target : formatIp(r.address)}`).join("; ");
}

/** Every pod, each address of a dual-stack pod, the node addresses, and every address of the snapshot, as destinations. */
function targetsOf(cluster: Cluster, snapshot: DnsSnapshot): Target[] {
  const pods: Target[] = cluster.endpoints.map((endpoint) => ({ kind: "endpoint", endpoint }));
  const byAddress: Target[] = cluster.endpoints.flatMap((endpoint) => (endpoint.ips.length < 2 ? [] : endpoint.ips.map((address) => ({ kind: "endpoint" as const, endpoint, address }))));
  const nodeIps: Target[] = (cluster.nodes ?? []).flatMap((n) => n.addresses.map((a) => ({ kind: "external" as const, addresses: AddressSet.fromIp(a.ip) })));
  const resolved: Target[] = snapshot.records.flatMap((r) => (r.kind === "address" ? [{ kind: "external" as const, addresses: AddressSet.fromIp(r.address) }] : []));
  return [...pods, ...byAddress, ...nodeIps, ...resolved];
}

test("domainNames with a resolution snapshot: fast engine check agrees with the reference evaluator (random domain rules, random snapshots: wildcards, apexes, CNAME chains and loops), and no verdict depends on DNS", () => {
  fc.assert(
    fc.property(arbClusterWithAdmin, arbDnsRecords, fc.array(arbProbe, { minLength: 1, maxLength: 2 }), (cluster, records, probes) => {
      const dns = new DnsSnapshot(records);
      const options: EngineOptions = { podNetwork, ipBlockMatchesPods: true, dns };
      const engine = Engine.compile(cluster, options);
      const all = targetsOf(cluster, dns);
      for (const probe of probes) {
        const external: Target = { kind: "external", addresses: "prefix" in probe.external ? AddressSet.fromCidr(probe.external) : AddressSet.fromIp(probe.external) };
        for (const from of cluster.endpoints.map((endpoint): Target => ({ kind: "endpoint", endpoint }))) {
          for (const to of [...all, external]) {
            const conn = { from, to, port: probe.port, protocol: probe.protocol };
            const { label } = assertCheckAgrees(engine, cluster, options, conn, `snapshot: ${describeSnapshot(dns)}`);
            assert.ok(!dependsOnDns(engine.check(conn)), `with a snapshot the verdict never depends on DNS: ${label}`);
          }
        }
      }
    }),
    { numRuns: RUNS },
  );
});

test("domainNames with a resolution snapshot: the random snapshots do admit addresses through domain rules, CNAMEs included (the property above is not vacuous)", () => {
  let admitted = 0;
  let throughCname = 0;
  for (const [cluster, records] of fc.sample(fc.tuple(arbClusterWithAdmin, arbDnsRecords), { numRuns: 300, seed: 12 })) {
    const dns = new DnsSnapshot(records);
    const engine = Engine.compile(cluster, { podNetwork, ipBlockMatchesPods: true, dns });
    for (const from of cluster.endpoints) {
      for (const to of targetsOf(cluster, dns)) {
        const d = engine.check({ from: { kind: "endpoint", endpoint: from }, to, port: 80, protocol: "TCP" });
        for (const step of d.egress.tiers) {
          if (step.kind !== "rule" || step.admissions.length === 0) continue;
          admitted++;
          if (step.admissions.some((a) => a.resolution.chain.length > 1)) throughCname++;
        }
      }
    }
  }
  assert.ok(admitted > 50, `only ${admitted} decisions by a domain rule`);
  assert.ok(throughCname > 5, `only ${throughCname} through a CNAME chain`);
});

test("admin tiers: the random clusters do hold admin policies whose rules decide (the property above is not vacuous)", () => {
  // Over a fixed sample, some connections must be denied by an admin rule in a direction that NetworkPolicy leaves open.
  const options: EngineOptions = { podNetwork, ipBlockMatchesPods: true };
  let decidedByTier = 0;
  for (const cluster of fc.sample(arbClusterWithAdmin, { numRuns: 200, seed: 9 })) {
    const engine = Engine.compile(cluster, options);
    for (const from of cluster.endpoints) {
      for (const to of cluster.endpoints) {
        const d = engine.check({ from: { kind: "endpoint", endpoint: from }, to: { kind: "endpoint", endpoint: to }, port: 80, protocol: "TCP" });
        if (d.egress.tiers.some((s) => s.kind === "rule")) decidedByTier++;
      }
    }
  }
  assert.ok(decidedByTier > 100, `only ${decidedByTier} connections met an admin rule`);
});

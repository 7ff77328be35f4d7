/**
 * The dataplane as a third implementation of the shared conformance suite: every case is compiled
 * into a ruleset (all endpoints local), and each expectation is replayed as packets through the
 * simulator of the ruleset text. An expectation is skipped only with a stated reason (the
 * dataplane sees addresses, so an endpoint without a known IP has no packet).
 * Then, on random clusters, the simulated verdict of every address pair must be the reference
 * evaluator's, address by address.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { CASES, type ConformanceCase, type Expectation } from "../conformance/cases.js";
import { ARB_POD_NETWORK, arbCluster, arbClusterWithAdmin, arbProbe } from "../conformance/arbitrary.js";
import type { Cluster, Endpoint } from "../model/cluster.js";
import type { EngineOptions, Target } from "../engine/types.js";
import { referenceCheck } from "../reference/reference.js";
import { AddressSet } from "../net/address-set.js";
import { parseCidr } from "../net/cidr.js";
import { type Ip, formatIp, parseIp } from "../net/ip.js";
import { compileRuleset } from "./compile.js";
import { simulate } from "./simulate.js";
import { caseCluster, caseOptions } from "../conformance/inputs.js";
import { ADMIN_CONFORMANCE, asWritten } from "../conformance/admin-cases.js";

function clusterOf(c: ConformanceCase): Cluster {
  const { cluster, errors } = caseCluster(c);
  assert.deepEqual(errors, [], "case manifests are valid");
  return cluster;
}

function optionsOf(c: ConformanceCase): EngineOptions {
  const { options, invalid } = caseOptions(c);
  assert.deepEqual(invalid, [], "case pod CIDRs are valid");
  return options;
}

/** The addresses a packet can carry for one side of an expectation, or why there is none. */
function addressesOf(cluster: Cluster, text: string): Ip[] | string {
  const endpoint = cluster.endpoints.find((e) => e.id === text);
  if (endpoint !== undefined) return endpoint.ips.length > 0 ? [...endpoint.ips] : `${text} has no known IP`;
  const cidr = parseCidr(text);
  if (cidr.ok) return [{ family: cidr.cidr.family, value: cidr.cidr.first }, { family: cidr.cidr.family, value: cidr.cidr.last }];
  const ip = parseIp(text);
  return ip === undefined ? `unknown target ${text}` : [ip];
}

function replay(cluster: Cluster, ruleset: ReturnType<typeof compileRuleset>["ruleset"], e: Expectation): string | null {
  if (e.verdict === "depends") return "the verdict depends on the address";
  const from = addressesOf(cluster, e.from);
  const to = addressesOf(cluster, e.to);
  if (typeof from === "string") return from;
  if (typeof to === "string") return to;
  let packets = 0;
  for (const source of from) {
    for (const destination of to.filter((d: Ip) => d.family === source.family)) {
      packets++;
      const r = simulate(ruleset, { source, destination, protocol: e.protocol ?? "TCP", port: e.port });
      const label: string = `${e.from} -> ${e.to} ${e.port}/${e.protocol ?? "TCP"} as ${formatIp(source)} -> ${formatIp(destination)} (${r.trail.join(" ")})`;
      assert.equal(r.verdict === "accept" ? "allowed" : "denied", e.verdict, label);
    }
  }
  return packets === 0 ? "no address pair of one family" : null;
}

for (const c of CASES) {
  test(`dataplane: ${c.name}`, (t) => {
    const cluster = clusterOf(c);
    const { ruleset } = compileRuleset(cluster, optionsOf(c));
    const skipped = c.expect.map((e) => replay(cluster, ruleset, e)).filter((why): why is string => why !== null);
    if (skipped.length === c.expect.length) t.skip(`every expectation skipped: ${[...new Set(skipped)].join("; ")}`);
    else if (skipped.length > 0) t.diagnostic(`skipped ${skipped.length}: ${[...new Set(skipped)].join("; ")}`);
  });
}

/**
 * The upstream admin policy conformance suite (src/conformance/admin-cases.ts) through the
 * dataplane: each case, as written upstream and as its equivalent in the other API version, is
 * compiled (every pod local) and each expectation replayed as packets. A pod's packet to its own
 * IP never reaches the node ("not subject to ClusterNetworkPolicy" either): skipped, said so. Through
 * a Service back to itself (hairpin) it does, and is subject to the tiers.
 */
for (const api of ["v1alpha2", "v1alpha1"] as const) {
  for (const c of ADMIN_CONFORMANCE) {
    if (api === "v1alpha1" && c.onlyV1alpha2 !== undefined) continue;
    test(`dataplane, upstream admin policy conformance as ${api}: ${c.upstream.test} (conformance/tests/${c.upstream.file}): ${c.name}`, (t) => {
      const written = asWritten(c, api);
      const cluster = clusterOf(written);
      const { ruleset } = compileRuleset(cluster, optionsOf(written));
      const skipped = c.expect
        .map((e) => (e.from === e.to && e.viaService !== true ? "a pod's packet to its own IP never reaches the node" : replay(cluster, ruleset, e)))
        .filter((why): why is string => why !== null);
      if (skipped.length === c.expect.length) t.skip(`every expectation skipped: ${[...new Set(skipped)].join("; ")}`);
      else if (skipped.length > 0) t.diagnostic(`skipped ${skipped.length}: ${[...new Set(skipped)].join("; ")}`);
    });
  }
}

const PROPERTY_RUNS = Number(process.env["PROPERTY_RUNS"] ?? 150);
const POD_NETWORK = ARB_POD_NETWORK;

/** Addresses held by exactly one endpoint: a packet from or to them names one endpoint. */
function uniqueAddresses(endpoints: readonly Endpoint[]): Map<string, Endpoint> {
  const owners = new Map<string, Endpoint[]>();
  for (const e of endpoints) for (const ip of e.ips) owners.set(formatIp(ip), [...(owners.get(formatIp(ip)) ?? []), e]);
  return new Map([...owners].filter(([, list]) => list.length === 1).map(([ip, list]) => [ip, list[0] as Endpoint]));
}

/**
 * Every address of the probe as a packet end: pod addresses held by one endpoint, the probe's
 * external address and the nodes' addresses (when no pod holds them: then they are the pod's).
 */
type Probe = typeof arbProbe extends fc.Arbitrary<infer T> ? T : never;

function packetSides(cluster: Cluster, probe: Probe): { ip: Ip; target: Target }[] {
  const owners = uniqueAddresses(cluster.endpoints);
  const sides: { ip: Ip; target: Target }[] = [...owners].map(([ip, endpoint]) => ({ ip: parseIp(ip) as Ip, target: { kind: "endpoint", endpoint } }));
  const claimed = new Set(cluster.endpoints.flatMap((e) => e.ips.map(formatIp)));
  const external: Ip = "prefix" in probe.external ? { family: probe.external.family, value: probe.external.first } : probe.external;
  const outside = [external, ...(cluster.nodes ?? []).flatMap((n) => n.addresses.map((a) => a.ip))];
  // An address both external and a pod's would be two things to the engine and one to a packet.
  for (const ip of outside) {
    if (claimed.has(formatIp(ip))) continue;
    claimed.add(formatIp(ip));
    sides.push({ ip, target: { kind: "external", addresses: AddressSet.fromIp(ip) } });
  }
  return sides;
}

/**
 * A packet from a pod to itself at the node: a pod reaching its own IP never leaves its network
 * namespace, so such a packet came back through a Service: "A Pod connecting to a Service IP that
 * the service proxy load-balances back to the same Pod is subject to ClusterNetworkPolicy" (and
 * NetworkPolicy never blocks it). One replica of a workload at one address is that pod.
 */
function hairpin(from: { ip: Ip; target: Target }, to: { ip: Ip; target: Target }): { from: Target; to: Target; viaService?: true } {
  const plain = { from: from.target, to: to.target };
  if (from.target.kind !== "endpoint" || to.target.kind !== "endpoint" || from.target.endpoint !== to.target.endpoint) return plain;
  const e = from.target.endpoint;
  if (e.kind === "Pod") return { ...plain, viaService: true };
  if (from.ip.value !== to.ip.value) return plain;
  const replica: Target = { kind: "endpoint", endpoint: { ...e, kind: "Pod", ips: [from.ip] } };
  return { from: replica, to: replica, viaService: true };
}

/** Replays every address pair of the probe through the simulated ruleset and compares with the reference evaluator. */
function assertSimulationAgrees(cluster: Cluster, options: EngineOptions, probe: Probe): void {
  const { ruleset } = compileRuleset(cluster, options);
  const sides = packetSides(cluster, probe);
  for (const from of sides) {
    for (const to of sides) {
      if (from.ip.family !== to.ip.family || (from.target.kind === "external" && to.target.kind === "external")) continue;
      const conn = { port: probe.port, protocol: probe.protocol, ...hairpin(from, to) };
      const ref = referenceCheck(cluster, options, conn, "match-nothing");
      const expected = ref.egressAllowed.has(to.ip) && ref.ingressAllowed.has(from.ip);
      const got = simulate(ruleset, { source: from.ip, destination: to.ip, protocol: probe.protocol, port: probe.port });
      assert.equal(got.verdict === "accept", expected, `${formatIp(from.ip)} -> ${formatIp(to.ip)} ${probe.port}/${probe.protocol} (${got.trail.join(" ")})`);
    }
  }
}

for (const ipBlockMatchesPods of [true, false]) {
  test(`simulated ruleset agrees with the reference evaluator address by address (ipBlockMatchesPods=${ipBlockMatchesPods})`, () => {
    fc.assert(
      fc.property(arbCluster, arbProbe, (cluster, probe) => assertSimulationAgrees(cluster, { podNetwork: POD_NETWORK, ipBlockMatchesPods }, probe)),
      { numRuns: PROPERTY_RUNS },
    );
  });
  test(`admin tiers in the kernel: the simulated ruleset agrees with the reference evaluator address by address on random clusters with admin policies and Nodes (ipBlockMatchesPods=${ipBlockMatchesPods})`, () => {
    fc.assert(
      fc.property(arbClusterWithAdmin, arbProbe, (cluster, probe) => assertSimulationAgrees(cluster, { podNetwork: POD_NETWORK, ipBlockMatchesPods }, probe)),
      { numRuns: PROPERTY_RUNS },
    );
  });
}

/**
 * Property-based: after random changes applied one by one, the incremental engine and matrix
 * answer exactly as an engine and matrix compiled from scratch on the changed cluster; and the
 * state a change was applied to still answers for its own cluster.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Cluster, Endpoint, Policy } from "../model/cluster.js";
import { PROTOCOLS } from "../model/ports.js";
import { parseCidr } from "../net/cidr.js";
import { ARB_POD_NETWORK, arbCluster } from "../conformance/arbitrary.js";
import { type ClassMatrix, computeClassMatrix } from "./bitmatrix.js";
import { Engine } from "./engine.js";
import { type Change, applyChange } from "./incremental.js";
import type { EngineOptions, Target } from "./types.js";

const podNetwork = ARB_POD_NETWORK;

const RUNS = Number(process.env["PROPERTY_RUNS"] ?? 150);
const PORTS = [79, 80, 81, 82, 83];
const arbSteps = fc.array(fc.record({ op: fc.integer({ min: 0, max: 5 }), i: fc.nat(), j: fc.nat() }), { minLength: 1, maxLength: 6 });

/** A change drawn from a step: objects come from `donor` (another random cluster), renamed. */
function changeOf(cluster: Cluster, donor: Cluster, step: { op: number; i: number; j: number }, n: number): Change | null {
  const policy = donor.policies[step.i % Math.max(donor.policies.length, 1)];
  const endpoint = donor.endpoints[step.i % donor.endpoints.length] as Endpoint;
  const current = cluster.policies[step.j % Math.max(cluster.policies.length, 1)];
  const target = cluster.endpoints[step.j % Math.max(cluster.endpoints.length, 1)];
  switch (step.op) {
    case 0:
      return policy === undefined ? null : { kind: "add-policy", policy: renamePolicy(policy, policy.namespace, `x${n}`) };
    case 1:
      return policy === undefined || current === undefined ? null : { kind: "replace-policy", policy: renamePolicy(policy, current.namespace, current.name) };
    case 2:
      return current === undefined ? null : { kind: "remove-policy", id: current.id };
    case 3:
      return { kind: "add-endpoint", endpoint: { ...endpoint, id: `${endpoint.namespace}/n${n}`, name: `n${n}` } };
    case 4:
      return target === undefined ? null : { kind: "relabel-endpoint", id: target.id, labels: endpoint.labels };
    default:
      return target === undefined || cluster.endpoints.length === 1 ? null : { kind: "remove-endpoint", id: target.id };
  }
}

function renamePolicy(p: Policy, namespace: string, name: string): Policy {
  return { ...p, namespace, name, id: `${namespace}/${name}` };
}

/** The incremental matrix and its engine agree with fresh ones on every pair, port and external probe. */
function assertSame(matrix: ClassMatrix, options: EngineOptions, what: string): void {
  const cluster = matrix.engine.cluster;
  const fresh = computeClassMatrix(Engine.compile(cluster, options));
  const outside: Target = { kind: "external", addresses: podNetwork };
  for (const from of cluster.endpoints) {
    for (const to of cluster.endpoints) {
      for (const protocol of PROTOCOLS) {
        for (const port of PORTS) {
          const label = `${what}: ${from.id} -> ${to.id} ${port}/${protocol}`;
          assert.equal(matrix.verdict(from, to, protocol, port), fresh.verdict(from, to, protocol, port), `matrix ${label}`);
          const conn = { from: { kind: "endpoint", endpoint: from } as const, to: { kind: "endpoint", endpoint: to } as const, port, protocol };
          assert.equal(matrix.engine.check(conn).verdict, fresh.engine.check(conn).verdict, `engine ${label}`);
        }
      }
    }
    const conn = { from: { kind: "endpoint", endpoint: from } as const, to: outside, port: 80, protocol: "TCP" as const };
    assert.ok(matrix.engine.check(conn).egress.allowedPeerAddresses.equals(fresh.engine.check(conn).egress.allowedPeerAddresses), `${what}: egress of ${from.id}`);
  }
  for (const protocol of PROTOCOLS) {
    for (const port of PORTS) {
      const a = matrix.count().atoms[matrix.atomOf(protocol, port)];
      const b = fresh.count().atoms[fresh.atomOf(protocol, port)];
      assert.deepEqual(a, b, `${what}: count at ${port}/${protocol}`);
    }
  }
}

for (const ipBlockMatchesPods of [true, false]) {
  test(`incremental changes give what a fresh compile gives (ipBlockMatchesPods=${ipBlockMatchesPods})`, () => {
    fc.assert(
      fc.property(arbCluster, arbCluster, arbSteps, (cluster, donor, steps) => {
        const options: EngineOptions = { podNetwork, ipBlockMatchesPods };
        let matrix = computeClassMatrix(Engine.compile(cluster, options));
        steps.forEach((step, n) => {
          const change = changeOf(matrix.engine.cluster, donor, step, n);
          if (change === null) return;
          const before = matrix;
          matrix = applyChange(before, change);
          assertSame(matrix, options, `after ${change.kind} #${n}`);
          assertSame(before, options, `state before ${change.kind} #${n}`);
        });
      }),
      { numRuns: RUNS },
    );
  });
}

// The second case puts the new boundary on the highest address of the cluster (the edge of the
// address hull, which decides whether a boundary can split a class at all).
for (const { twoAt, clientAt } of [{ twoAt: 2, clientAt: 9 }, { twoAt: 9, clientAt: 5 }]) {
  test(`a new ipBlock boundary between two endpoints of one class puts them in different classes (10.244.0.1 and .${twoAt})`, () => {
    const at = { file: "t.yaml", line: 1, column: 1, document: 0, path: "" };
    const ip = (last: number) => ({ family: 4 as const, value: 0x0af40000n + BigInt(last) });
    const cidr = (last: number, prefix: number) => {
      const r = parseCidr(`10.244.0.${last}/${prefix}`);
      assert.ok(r.ok);
      return r.cidr;
    };
    const endpoint = (name: string, last: number, labels: Record<string, string>): Endpoint => ({
      id: `a/${name}`, namespace: "a", name, kind: "Pod", labels: new Map(Object.entries(labels)), ips: [ip(last)], hostNetwork: false, ports: [], pods: [name], at,
    });
    const egress = (name: string, block: ReturnType<typeof cidr>, port: number): Policy => ({
      id: `a/${name}`, namespace: "a", name, podSelector: { requirements: [{ key: "role", operator: "In", values: ["client"] }] }, podSelectorAt: at,
      affects: { ingress: false, egress: true }, policyTypesDeclared: true, egressWritten: true, ingress: [],
      egress: [{ index: 0, peers: [{ kind: "ipBlock", cidr: block, except: [], at }], ports: [{ protocol: "TCP", port: { kind: "range", from: port, to: port }, at }], at }],
      annotations: new Map(), at,
    });
    const [client, one, two] = [endpoint("client", clientAt, { role: "client" }), endpoint("one", 1, { app: "x" }), endpoint("two", twoAt, { app: "x" })];
    const cluster: Cluster = { namespaces: new Map(), endpoints: [client, one, two], services: [], policies: [egress("wide", cidr(0, 24), 443)] };
    const options: EngineOptions = { podNetwork, ipBlockMatchesPods: true };
    const before = computeClassMatrix(Engine.compile(cluster, options));
    assert.equal(before.classOf(one), before.classOf(two));
    const after = applyChange(before, { kind: "add-policy", policy: egress("narrow", cidr(twoAt, 32), 80) });
    assert.notEqual(after.classOf(one), after.classOf(two));
    assert.equal(after.verdict(client, one, "TCP", 80), "denied");
    assert.equal(after.verdict(client, two, "TCP", 80), "allowed");
    assertSame(after, options, "after the split");
  });
}

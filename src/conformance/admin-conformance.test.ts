/**
 * The upstream admin policy conformance suite (src/conformance/admin-cases.ts) through the whole
 * pure pipeline: manifest text (the conformance cluster, its admin policies and NetworkPolicies) →
 * parser and decoder → the engine's check AND the reference evaluator; both must give the verdict
 * the upstream test asserts. Each case runs as written upstream and as its equivalent in the other
 * API version: v1alpha1 AdminNetworkPolicy/BaselineAdminNetworkPolicy and v1alpha2
 * ClusterNetworkPolicy (tier Admin with the same priority, tier Baseline; Allow is Accept).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Engine } from "../engine/engine.js";
import type { Target } from "../engine/types.js";
import type { Cluster } from "../model/cluster.js";
import { AddressSet } from "../net/address-set.js";
import { parseIp } from "../net/ip.js";
import { referenceCheck } from "../reference/reference.js";
import { ADMIN_CONFORMANCE, type AdminConformanceCase, asWritten } from "./admin-cases.js";
import { caseCluster, caseOptions } from "./inputs.js";

type Api = "v1alpha1" | "v1alpha2";

function target(cluster: Cluster, text: string): Target {
  const endpoint = cluster.endpoints.find((e) => e.id === text);
  if (endpoint !== undefined) return { kind: "endpoint", endpoint };
  const ip = parseIp(text);
  assert.ok(ip, `unknown target ${text}`);
  return { kind: "external", addresses: AddressSet.fromIp(ip) };
}

function runCase(c: AdminConformanceCase, api: Api): void {
  const written = asWritten(c, api);
  const { cluster, errors } = caseCluster(written);
  assert.deepEqual(errors, [], "case manifests are valid");
  assert.equal((cluster.adminPolicies ?? []).length, c.policies.length, "every admin policy is decoded");
  const { options } = caseOptions(written);
  const engine = Engine.compile(cluster, options);
  const got = c.expect.map((e) => {
    const to = target(cluster, e.to);
    const conn = { from: target(cluster, e.from), to, port: e.port, protocol: e.protocol ?? "TCP", ...(e.viaService === true ? { viaService: true as const } : {}) };
    const label = `${e.from} -> ${e.to}${e.viaService === true ? " (via Service)" : ""} ${e.port}/${conn.protocol}`;
    return `${label}: engine ${engine.check(conn).verdict}, reference ${referenceCheck(cluster, options, conn).verdict}`;
  });
  const want = c.expect.map((e) => `${e.from} -> ${e.to}${e.viaService === true ? " (via Service)" : ""} ${e.port}/${e.protocol ?? "TCP"}: engine ${e.verdict}, reference ${e.verdict}`);
  assert.deepEqual(got, want);
}

for (const api of ["v1alpha1", "v1alpha2"] as const) {
  describe(`upstream admin policy conformance, policies as ${api === "v1alpha1" ? "AdminNetworkPolicy/BaselineAdminNetworkPolicy (v1alpha1)" : "ClusterNetworkPolicy (v1alpha2)"}`, () => {
    for (const c of ADMIN_CONFORMANCE) {
      const equivalent = c.written !== api;
      if (api === "v1alpha1" && c.onlyV1alpha2 !== undefined) continue;
      test(`${c.upstream.test} (conformance/tests/${c.upstream.file}): ${c.name}${equivalent ? ` [the ${api} equivalent]` : ""}`, () => runCase(c, api));
    }
  });
}

test("the admin conformance table covers every action, tier, protocol, named ports, port ranges, node and CIDR peers (it is not vacuous)", () => {
  const specs = ADMIN_CONFORMANCE.flatMap((c) => c.policies);
  const rules = specs.flatMap((p) => [...(p.ingress ?? []), ...(p.egress ?? [])]);
  assert.deepEqual([...new Set(rules.map((r) => r.action))].sort(), ["Allow", "Deny", "Pass"]);
  assert.deepEqual([...new Set(specs.map((p) => p.tier.kind))].sort(), ["Admin", "Baseline"]);
  const ports = rules.flatMap((r) => r.ports ?? []);
  assert.deepEqual([...new Set(ports.flatMap((p) => (p.kind === "named" ? [] : [p.protocol])))].sort(), ["SCTP", "TCP", "UDP"]);
  assert.ok(ports.some((p) => p.kind === "named") && ports.some((p) => p.kind === "range"));
  const peers = rules.flatMap((r) => r.peers.map((peer) => Object.keys(peer)[0]));
  assert.deepEqual([...new Set(peers)].sort(), ["namespaces", "networks", "nodes", "pods"]);
  const verdicts = ADMIN_CONFORMANCE.flatMap((c) => c.expect.map((e) => e.verdict));
  assert.ok(verdicts.includes("allowed") && verdicts.includes("denied"));
});

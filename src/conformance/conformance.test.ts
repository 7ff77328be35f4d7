/**
 * Runs every conformance case through the whole pure pipeline (manifest text → decoder → engine),
 * on the fast engine and on the reference evaluator. Case names are the API sentences.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Cluster } from "../model/cluster.js";
import { Engine } from "../engine/engine.js";
import type { DirectionResult, EngineOptions, Target } from "../engine/types.js";
import { referenceCheck } from "../reference/reference.js";
import { AddressSet } from "../net/address-set.js";
import { parseCidr } from "../net/cidr.js";
import { parseIp } from "../net/ip.js";
import { CASES, type ConformanceCase, type Expectation } from "./cases.js";
import { caseCluster, caseOptions } from "./inputs.js";

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

function target(cluster: Cluster, text: string): Target {
  const endpoint = cluster.endpoints.find((e) => e.id === text);
  if (endpoint !== undefined) return { kind: "endpoint", endpoint };
  const cidr = parseCidr(text);
  if (cidr.ok) return { kind: "external", addresses: AddressSet.fromCidr(cidr.cidr) };
  const ip = parseIp(text);
  assert.ok(ip, `unknown target ${text}`);
  return { kind: "external", addresses: AddressSet.fromIp(ip) };
}

function reasonsOf(side: DirectionResult): string[] {
  if (side.governance.kind !== "isolated") return [side.governance.kind];
  return [...side.allowedBy, ...side.misses].map((e) => e.reason);
}

function label(e: Expectation): string {
  return `${e.from} -> ${e.to} ${e.port}/${e.protocol ?? "TCP"}`;
}

for (const c of CASES) {
  test(c.name, () => {
    const cluster = clusterOf(c);
    const options = optionsOf(c);
    const engine = Engine.compile(cluster, options);
    for (const e of c.expect) {
      const conn = { from: target(cluster, e.from), to: target(cluster, e.to), port: e.port, protocol: e.protocol ?? "TCP" };
      const fast = engine.check(conn);
      assert.equal(fast.verdict, e.verdict, `engine: ${label(e)}`);
      assert.equal(referenceCheck(cluster, options, conn).verdict, e.verdict, `reference: ${label(e)}`);
      if (e.why !== undefined) {
        const side = e.why.side === "egress" ? fast.egress : fast.ingress;
        const reasons = fast.self ? ["self"] : reasonsOf(side);
        assert.ok(reasons.includes(e.why.reason), `${label(e)}: expected ${e.why.side} reason ${e.why.reason}, got ${reasons.join(",")}`);
      }
    }
  });
}

/**
 * The comparison both differential property tests make: the fast engine's check of one connection
 * against the reference evaluator's, verdict and allowed addresses per direction.
 */
import assert from "node:assert/strict";
import type { Engine } from "../engine/engine.js";
import type { Connection, Decision, EngineOptions, Target, Verdict } from "../engine/types.js";
import type { Cluster } from "../model/cluster.js";
import { formatIp } from "../net/ip.js";
import { referenceCheck } from "../reference/reference.js";

/** How a counterexample names a side: the endpoint (at one address when named by it), or the addresses. */
export function describeTarget(t: Target): string {
  if (t.kind === "external") return t.addresses.toString();
  return t.address === undefined ? t.endpoint.id : `${t.endpoint.id}@${formatIp(t.address)}`;
}

/** Asserts that the engine and the reference agree on `conn`; returns the connection's label and the verdict, for further checks. */
export function assertCheckAgrees(engine: Engine, cluster: Cluster, options: EngineOptions, conn: Connection, context = ""): { readonly label: string; readonly verdict: Verdict } {
  const fast = engine.check(conn);
  const ref = referenceCheck(cluster, options, conn);
  const label = `${describeTarget(conn.from)} -> ${describeTarget(conn.to)} ${conn.port}/${conn.protocol}${context === "" ? "" : ` (${context})`}`;
  assert.equal(fast.verdict, ref.verdict, `verdict ${label}`);
  assert.ok(fast.egress.allowedPeerAddresses.equals(ref.egressAllowed), `egress addresses ${label}`);
  assert.ok(fast.ingress.allowedPeerAddresses.equals(ref.ingressAllowed), `ingress addresses ${label}`);
  return { label, verdict: ref.verdict };
}

/** Whether a check's verdict depends on DNS (a `domainNames` peer would decide it if the pod resolved its name to the address). */
export function dependsOnDns(d: Decision): boolean {
  return [d.egress, d.ingress].some((side) => side.tiers.some((t) => t.kind === "depends-on-dns"));
}

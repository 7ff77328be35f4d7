import type { Endpoint, PolicyPort, Rule } from "../model/cluster.js";
import type { AdminProtocolMatch } from "../model/admin-policy.js";
import { IntervalSet } from "../net/interval-set.js";
import { ALL_PORTS, ConnSet } from "./connset.js";

/** The connections one NetworkPolicyPort admits towards `destination` (null: not a modelled pod). */
export function portConns(spec: PolicyPort, destination: Endpoint | null): ConnSet {
  const m = spec.port;
  switch (m.kind) {
    case "any":
      return ConnSet.of(spec.protocol, ALL_PORTS);
    case "range":
      return ConnSet.of(spec.protocol, IntervalSet.range(BigInt(m.from), BigInt(m.to)));
    case "named": {
      if (destination === null) return ConnSet.EMPTY;
      const ports = destination.ports.filter((p) => p.name === m.name && p.protocol === spec.protocol);
      return ConnSet.of(spec.protocol, IntervalSet.of(ports.map((p) => ({ lo: BigInt(p.port), hi: BigInt(p.port) }))));
    }
  }
}

/** The connections a rule's `ports` admit towards `destination`; all of them when `ports` is empty or missing. */
export function ruleConns(rule: Rule, destination: Endpoint | null): ConnSet {
  if (rule.ports === "all") return ConnSet.ALL;
  let out = ConnSet.EMPTY;
  for (const spec of rule.ports) out = out.union(portConns(spec, destination));
  return out;
}

/**
 * The connections one admin `protocols` entry (v1alpha1 `ports`) admits towards `destination`
 * (null: not a modelled pod). A named port resolves on the destination pod by name, protocol and
 * number: every container port of that name, on its own protocol.
 */
export function adminProtocolConns(entry: AdminProtocolMatch, destination: Endpoint | null): ConnSet {
  if (entry.kind === "protocol") {
    const p = entry.port;
    return ConnSet.of(entry.protocol, p.kind === "number" ? IntervalSet.range(BigInt(p.port), BigInt(p.port)) : IntervalSet.range(BigInt(p.start), BigInt(p.end)));
  }
  if (destination === null) return ConnSet.EMPTY;
  let out = ConnSet.EMPTY;
  for (const c of destination.ports) if (c.name === entry.name) out = out.union(ConnSet.port(c.protocol, c.port));
  return out;
}

/** The connections a rule's `protocols` (v1alpha1 `ports`) match towards `destination`: "If unspecified, protocol-specific attributes will not be used to match traffic." */
export function adminProtocolsConns(protocols: readonly AdminProtocolMatch[] | "all", destination: Endpoint | null): ConnSet {
  if (protocols === "all") return ConnSet.ALL;
  let out = ConnSet.EMPTY;
  for (const entry of protocols) out = out.union(adminProtocolConns(entry, destination));
  return out;
}

import type { Endpoint, PolicyPort, Rule } from "../model/cluster.js";
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

import type { Endpoint, PolicyPort } from "../model/cluster.js";
import type { Protocol } from "../model/ports.js";
import type { Reason } from "./types.js";

export type PortOutcome = Extract<Reason, "allowed" | "protocol-mismatch" | "port-mismatch" | "named-port-unresolved" | "named-port-not-endpoint">;

/** Closeness of a miss: a higher rank is a nearer miss, reported first. */
const MISS_RANK: Readonly<Record<PortOutcome, number>> = {
  allowed: 4,
  "port-mismatch": 3,
  "named-port-unresolved": 2,
  "named-port-not-endpoint": 1,
  "protocol-mismatch": 0,
};

/**
 * Whether one NetworkPolicyPort matches a connection to `port`/`protocol` on `destination`
 * (null when the destination is not a modelled pod).
 */
export function matchPolicyPort(spec: PolicyPort, protocol: Protocol, port: number, destination: Endpoint | null): PortOutcome {
  // "protocol: The protocol (TCP, UDP, or SCTP) which traffic must match. If not specified, this field defaults to TCP."
  if (spec.protocol !== protocol) return "protocol-mismatch";
  const m = spec.port;
  switch (m.kind) {
    case "any":
      // "If this field is not provided, this matches all port names and numbers."
      return "allowed";
    case "range":
      // "endPort indicates that the range of ports from port to endPort if set, inclusive, should be allowed."
      return m.from <= port && port <= m.to ? "allowed" : "port-mismatch";
    case "named": {
      // A named port is resolved against the destination pod's container ports (name and protocol);
      // it can never match a destination that is not a pod (an ipBlock or external address).
      if (destination === null) return "named-port-not-endpoint";
      const declared = destination.ports.filter((p) => p.name === m.name && p.protocol === protocol);
      if (declared.length === 0) return "named-port-unresolved";
      return declared.some((p) => p.port === port) ? "allowed" : "port-mismatch";
    }
  }
}

/** The best outcome over a rule's ports, with the index of the port that gave it. */
export function matchRulePorts(
  ports: readonly PolicyPort[] | "all",
  protocol: Protocol,
  port: number,
  destination: Endpoint | null,
): { readonly outcome: PortOutcome; readonly index: number | null } {
  // "If this field is empty or missing, this rule matches all ports."
  if (ports === "all") return { outcome: "allowed", index: null };
  let best: { outcome: PortOutcome; index: number | null } = { outcome: "protocol-mismatch", index: ports.length > 0 ? 0 : null };
  ports.forEach((spec, index) => {
    const outcome = matchPolicyPort(spec, protocol, port, destination);
    if (MISS_RANK[outcome] > MISS_RANK[best.outcome]) best = { outcome, index };
  });
  return best;
}

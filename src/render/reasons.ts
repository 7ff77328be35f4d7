/**
 * The one catalogue of sentences for explanation reasons. The core stores only the codes;
 * every view builds its sentence here from the code and the facts of the connection.
 */
import type { Direction } from "../model/cluster.js";
import type { Protocol } from "../model/ports.js";
import type { Governance, Reason } from "../engine/types.js";

/** The facts a sentence may name. `peer` is the other side; `destination` the side whose ports count. */
export interface ReasonContext {
  readonly direction: Direction;
  readonly peer: string;
  /** The peer's namespace, when the peer is a pod. */
  readonly peerNamespace: string | null;
  readonly destination: string;
  readonly port: number;
  readonly protocol: Protocol;
}

export const reasonSentences: Readonly<Record<Reason, (c: ReasonContext) => string>> = {
  allowed: (c) => `allows ${c.peer} on ${c.protocol} port ${c.port}`,
  "no-rules": (c) => `has no ${c.direction} rules, so it allows no ${c.direction} traffic`,
  "peer-namespace-mismatch": (c) => `${c.peer} is in namespace ${c.peerNamespace ?? "?"}, which this peer does not select`,
  "peer-pod-mismatch": (c) => `the pod selector does not match ${c.peer}`,
  "peer-not-a-pod": (c) => `this peer selects pods, and ${c.peer} is not a pod in the manifests`,
  "peer-host-network": (c) => `this peer selects pods, and ${c.peer} uses the host network (it counts as the node)`,
  "ipblock-outside-cidr": (c) => `${c.peer} is outside the ipBlock's cidr`,
  "ipblock-in-except": (c) => `${c.peer} is inside the ipBlock's cidr but in its except list`,
  "ipblock-partial": (c) => `the ipBlock covers only part of ${c.peer}`,
  "ipblock-ignores-pods": () => `ipBlock peers do not match pods (--ipblock-matches-pods=false)`,
  "port-mismatch": (c) => `${c.protocol} port ${c.port} is not among the rule's ports`,
  "protocol-mismatch": (c) => `the rule's ports do not cover ${c.protocol}`,
  "named-port-unresolved": (c) => `the named port does not resolve: ${c.destination} declares no ${c.protocol} container port of that name`,
  "named-port-not-endpoint": (c) => `a named port matches only pods, and ${c.destination} is not a pod in the manifests`,
};

export function reasonSentence(reason: Reason, context: ReasonContext): string {
  return reasonSentences[reason](context);
}

/** Why a direction is or is not restricted for its subject (the policies are listed by the caller). */
export function governanceSentence(kind: Governance["kind"], direction: Direction, count: number): string {
  switch (kind) {
    case "isolated":
      return `isolated for ${direction} by ${count === 1 ? "1 policy" : `${count} policies`}:`;
    case "not-isolated":
      return `not isolated: no policy selects it for ${direction}, so all ${direction} is allowed`;
    case "external":
      return `outside the cluster model: no policy applies`;
    case "host-network":
      return `uses the host network: NetworkPolicy does not apply`;
    case "self":
      return `a pod can always reach itself`;
  }
}

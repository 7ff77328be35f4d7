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
  /** Whether the peer's namespace is not in the input (its labels are assumed: the name label only). */
  readonly peerNamespaceAssumed?: boolean;
  readonly destination: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** The peer as written (`ipBlock 203.0.113.0/24`), when the sentence is about one. */
  readonly peerSpec?: string | null;
  /** The rule's ports as written (`TCP 443`), when it names any. */
  readonly ports?: readonly string[] | null;
  /** The one port the sentence is about, as written (`TCP http`). */
  readonly portSpec?: string | null;
}

const quote = (spec: string | null | undefined): string => (spec === null || spec === undefined ? "" : ` (${spec})`);
const portsOf = (c: ReasonContext): string => (c.ports === null || c.ports === undefined ? "" : ` (${c.ports.join(", ")})`);
const portName = (c: ReasonContext): string => {
  const name = c.portSpec?.split(" ")[1];
  return name === undefined ? "the named port" : `the named port ${name}`;
};

export const reasonSentences: Readonly<Record<Reason, (c: ReasonContext) => string>> = {
  allowed: (c) => `allows ${c.peer} on ${c.protocol} port ${c.port}`,
  "no-rules": (c) => `has no ${c.direction} rules, so it allows no ${c.direction} traffic`,
  "peer-namespace-mismatch": (c) =>
    `${c.peer} is in namespace ${c.peerNamespace ?? "?"}, which this peer does not select${quote(c.peerSpec)}${c.peerNamespaceAssumed === true ? ` (namespace ${c.peerNamespace ?? "?"} is not in the input: its labels are assumed to be kubernetes.io/metadata.name=${c.peerNamespace ?? "?"} only)` : ""}`,
  "peer-pod-mismatch": (c) => `the pod selector does not match ${c.peer}${quote(c.peerSpec)}`,
  "peer-not-a-pod": (c) => `this peer selects pods${quote(c.peerSpec)}, and ${c.peer} is not a pod in the manifests`,
  "peer-host-network": (c) => `this peer selects pods${quote(c.peerSpec)}, and ${c.peer} uses the host network (it counts as the node)`,
  "ipblock-outside-cidr": (c) => `${c.peer} is outside the ipBlock's cidr${quote(c.peerSpec)}`,
  "ipblock-in-except": (c) => `${c.peer} is inside the ipBlock's cidr but in its except list${quote(c.peerSpec)}`,
  "ipblock-partial": (c) => `the ipBlock covers only part of ${c.peer}${quote(c.peerSpec)}`,
  "ipblock-ignores-pods": () => `ipBlock peers do not match pods (--ipblock-matches-pods=false)`,
  "port-mismatch": (c) => `${c.protocol} port ${c.port} is not among the rule's ports${portsOf(c)}`,
  "protocol-mismatch": (c) => `the rule's ports do not cover ${c.protocol}${portsOf(c)}`,
  "named-port-unresolved": (c) => `${portName(c)} does not resolve: ${c.destination} declares no ${c.protocol} container port of that name`,
  "named-port-not-endpoint": (c) => `${portName(c)} matches only pods, and ${c.destination} is not a pod in the manifests`,
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

/**
 * What an answer assumes about namespaces the input does not contain: such a namespace carries
 * only `kubernetes.io/metadata.name` (the label the API server sets), and any other label a
 * namespaceSelector asks about is taken to be absent. Answers that hinge on it say so.
 */
import type { AdminEgressPeer, AdminPolicy, AdminRule } from "../model/admin-policy.js";
import type { Cluster, Direction, Namespace, Policy } from "../model/cluster.js";
import type { LabelSelector } from "../model/selector.js";
import { METADATA_NAME } from "../engine/classes.js";
import type { Engine } from "../engine/engine.js";
import type { Connection, Target } from "../engine/types.js";

/** A namespace not in the input, whose labels an answer assumed. */
export interface NamespaceAssumption {
  readonly namespace: string;
  /** The labels it is assumed to carry: `kubernetes.io/metadata.name=<name>` only. */
  readonly labels: Readonly<Record<string, string>>;
}

/** Whether a namespace selector asks about a label other than the name the API server sets. */
export function asksBeyondName(selector: LabelSelector): boolean {
  return selector.requirements.some((r) => r.key !== METADATA_NAME);
}

/** The namespace of that name when the input does not declare it. */
function undeclared(cluster: Cluster, name: string): Namespace | null {
  const ns = cluster.namespaces.get(name);
  return ns === undefined || !ns.declared ? (ns ?? { name, labels: new Map([[METADATA_NAME, name]]), declared: false }) : null;
}

/** Whether some rule peer of `policies` (in `direction`) evaluates a namespaceSelector that asks beyond the name. */
function selectorsAskBeyondName(policies: readonly Policy[], direction: Direction): boolean {
  return policies.some((p) => p[direction].some((r) => r.peers !== "all" && r.peers.some((peer) => peer.kind === "pods" && peer.namespaces.kind === "selected" && asksBeyondName(peer.namespaces.selector))));
}

/** Whether some admin policy's subject selects namespaces by a label beyond the name: every pod's namespace labels are evaluated to tell whether it is a subject. */
function adminSubjectsAskBeyondName(cluster: Cluster): boolean {
  return (cluster.adminPolicies ?? []).some((p) => asksBeyondName(p.subject.namespaces));
}

/** Whether some `namespaces`/`pods` peer of `policies` (in `direction`) selects namespaces by a label beyond the name. */
function adminPeersAskBeyondName(policies: readonly AdminPolicy[], direction: Direction): boolean {
  return policies.some((p) =>
    (p[direction] as readonly AdminRule<AdminEgressPeer>[]).some(
      (r) => r.match.kind === "as-written" && r.match.peers.some((peer) => (peer.kind === "namespaces" || peer.kind === "pods") && asksBeyondName(peer.namespaces)),
    ),
  );
}

function assumption(ns: Namespace): NamespaceAssumption {
  return { namespace: ns.name, labels: Object.fromEntries(ns.labels) };
}

/**
 * The namespaces not in the input whose labels deciding `conn` evaluated: the other side's
 * namespace, when a policy of either side has a peer whose namespaceSelector asks about a label
 * beyond the name.
 */
export function connectionAssumptions(engine: Engine, conn: Connection): NamespaceAssumption[] {
  const out = new Map<string, NamespaceAssumption>();
  const assume = (namespace: string): void => {
    const ns = undeclared(engine.cluster, namespace);
    if (ns !== null) out.set(ns.name, assumption(ns));
  };
  // The admin subjects are evaluated against both sides' namespaces.
  if (adminSubjectsAskBeyondName(engine.cluster)) for (const t of [conn.from, conn.to]) if (t.kind === "endpoint" && !t.endpoint.hostNetwork) assume(t.endpoint.namespace);
  const side = (direction: Direction, subject: Target, peer: Target): void => {
    if (subject.kind !== "endpoint" || subject.endpoint.hostNetwork || peer.kind !== "endpoint" || peer.endpoint.hostNetwork) return;
    const admin = engine.layersSelecting(subject.endpoint, direction).flatMap((l) => (l.kind === "admin" ? l.policies : []));
    if (selectorsAskBeyondName(engine.policiesSelecting(subject.endpoint, direction), direction) || adminPeersAskBeyondName(admin, direction)) assume(peer.endpoint.namespace);
  };
  side("egress", conn.from, conn.to);
  side("ingress", conn.to, conn.from);
  return [...out.values()].sort((a, b) => a.namespace.localeCompare(b.namespace));
}

/**
 * The namespaces not in the input whose labels the picture of `policies` evaluated: every
 * undeclared namespace holding endpoints, when some peer's namespaceSelector (or an admin policy's
 * subject or peer namespace selector) asks beyond the name.
 */
export function policiesAssumptions(cluster: Cluster, policies: readonly Policy[]): NamespaceAssumption[] {
  const admin = cluster.adminPolicies ?? [];
  const asks =
    selectorsAskBeyondName(policies, "egress") ||
    selectorsAskBeyondName(policies, "ingress") ||
    adminSubjectsAskBeyondName(cluster) ||
    adminPeersAskBeyondName(admin, "egress") ||
    adminPeersAskBeyondName(admin, "ingress");
  if (!asks) return [];
  const names = [...new Set(cluster.endpoints.map((e) => e.namespace))].sort();
  return names.flatMap((n) => {
    const ns = undeclared(cluster, n);
    return ns === null ? [] : [assumption(ns)];
  });
}

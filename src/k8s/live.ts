/**
 * Objects read from a live cluster, decoded by the same decoder as files (decode.ts): each object
 * is a document whose locations are the object itself and a field path (there is no file:line),
 * and what could not be read becomes `Unseen` notes that answers carry (never a silent partial answer).
 */
import type { LiveLocation, LiveObjectRef } from "../diag/location.js";
import type { LiveObject, LiveRead, MissingAccess } from "../kube/live.js";
import { type DecodeOptions, type DecodeResult, decodeCluster } from "./decode.js";
import type { RawDocument } from "./parse.js";
import { type FieldPath, formatPath } from "./path.js";
import { isWorkloadKind } from "./workload.js";

/** How messages name a live object: its kind, namespace (namespaced kinds) and name. */
export function liveRef(object: Pick<LiveObject, "kind" | "metadata">): LiveObjectRef {
  const namespace = object.metadata.namespace;
  return typeof namespace === "string" && namespace !== "" ? { kind: object.kind, namespace, name: object.metadata.name } : { kind: object.kind, name: object.metadata.name };
}

/**
 * A live object as a document: its value is the JSON the API server returned; its locations name
 * the object. `paths`: the string to keep for a field path (the node agent holds each once).
 */
export function liveDocument(object: LiveObject, paths?: (path: string) => string): RawDocument {
  const ref = liveRef(object);
  const locate = paths === undefined ? (path: FieldPath): LiveLocation => ({ object: ref, path: formatPath(path) }) : (path: FieldPath): LiveLocation => ({ object: ref, path: paths(formatPath(path)) });
  return { base: [], value: object, locate };
}

/** Decodes the objects of a live read into a Cluster, through the one decoder files use. */
export function decodeLive(read: Pick<LiveRead, "objects">, options: DecodeOptions = {}): DecodeResult {
  return decodeCluster(read.objects.map((o) => liveDocument(o)), options);
}

/**
 * What a refused read means for the answers, per kind:
 * - `incomplete`: the answers may be wrong where it was refused (NetworkPolicies and admin policies
 *   decide verdicts; Pods, workloads and Services are the endpoints and destinations). The command
 *   prints what it could compute, says what it did not see, and exits 6 (docs/exit-codes.md).
 * - `assumed`: Namespaces: their labels are not seen; every namespace is then one the input does not
 *   declare, and each answer that evaluated one's labels already says so (`Assumed:` lines).
 * - `defaulted`: Nodes: only their podCIDRs are read, for the pod network; without them the
 *   default or `--pod-cidr` is used, and `-v` says which.
 * - `pods-only`: a workload kind (Deployment, ReplicaSet, …) where the Pods were read: the answers
 *   see every pod; pods are named by their ownerReference (a ReplicaSet rather than its Deployment).
 */
export type UnseenEffect = "incomplete" | "assumed" | "defaulted" | "pods-only";

/** One read the server refused (403), as answers report it. */
export interface Unseen {
  readonly verb: MissingAccess["verb"];
  /** As the API names it: `networkpolicies`, `pods`. */
  readonly resource: string;
  readonly kind: string;
  /** Null: the read was cluster-wide (or the kind is cluster-scoped). */
  readonly namespace: string | null;
  readonly reason: MissingAccess["reason"];
  readonly effect: UnseenEffect;
  /** `cannot list networkpolicies in namespace shop (forbidden): answers below do not see NetworkPolicies there` */
  readonly message: string;
}

function effectOf(kind: string, podsSeen: boolean): UnseenEffect {
  if (kind === "Namespace") return "assumed";
  if (kind === "Node") return "defaulted";
  if (kind !== "Pod" && isWorkloadKind(kind) && podsSeen) return "pods-only";
  return "incomplete";
}

/** `NetworkPolicies`, `Pods`: a kind in the plural, as the sentences use it. */
function kindPlural(kind: string): string {
  return kind.endsWith("y") ? `${kind.slice(0, -1)}ies` : `${kind}s`;
}

function consequence(effect: UnseenEffect, kind: string, namespace: string | null): string {
  const where = namespace === null ? "anywhere" : "there";
  switch (effect) {
    case "pods-only":
      return `the pods were read: answers name them by their ownerReferences, not by their ${kindPlural(kind)}`;
    case "assumed":
      return "namespace labels are not seen: answers that evaluate one say what they assumed";
    case "defaulted":
      return "the pod network is not taken from the Nodes' podCIDRs (-v says which is used)";
    case "incomplete":
      return `answers below do not see ${kindPlural(kind)} ${where}`;
  }
}

/**
 * The refused reads, as answers report them. A resource the server does not serve (404: the admin
 * policy CRDs not installed) has no objects to miss, so it is no gap in the answers: left out here.
 */
export function unseenOf(missing: readonly MissingAccess[]): Unseen[] {
  const forbidden = missing.filter((m) => m.reason === "forbidden");
  // Pods refused where a workload was (or cluster-wide): the workload's pods are not seen either.
  const podsSeen = (namespace: string | null): boolean => !forbidden.some((m) => m.resource.kind === "Pod" && (m.namespace === null || namespace === null || m.namespace === namespace));
  return forbidden
    .map((m) => {
      const scope = m.namespace === null ? (m.resource.namespaced ? " in any namespace" : "") : ` in namespace ${m.namespace}`;
      const effect = effectOf(m.resource.kind, podsSeen(m.namespace));
      return {
        verb: m.verb,
        resource: m.resource.resource,
        kind: m.resource.kind,
        namespace: m.namespace,
        reason: m.reason,
        effect,
        message: `cannot ${m.verb} ${m.resource.resource}${scope} (${m.reason}): ${consequence(effect, m.resource.kind, m.namespace)}`,
      };
    });
}

/** Whether some answer may be wrong for what was not seen (exit 6). */
export function isIncomplete(unseen: readonly Unseen[]): boolean {
  return unseen.some((u) => u.effect === "incomplete");
}

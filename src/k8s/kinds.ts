import { ADMIN_POLICY_SOURCES } from "../model/admin-policy.js";
import { editDistance } from "../text/edit-distance.js";
import { WORKLOAD_KINDS } from "./workload.js";

/** The kinds Portcullis decodes; other kinds are skipped (counted, and listed with `-v`). */
export const MODELLED_KINDS: ReadonlySet<string> = new Set(["Namespace", "Node", "Service", "NetworkPolicy", ...ADMIN_POLICY_SOURCES.map((s) => s.kind), ...WORKLOAD_KINDS]);

/** Kinds of Kubernetes itself that Portcullis skips: real kinds, never typos of a modelled one. */
const OTHER_BUILTIN_KINDS: ReadonlySet<string> = new Set([
  "Secret", "ConfigMap", "Endpoints", "EndpointSlice", "ServiceAccount", "Role", "RoleBinding", "ClusterRole",
  "ClusterRoleBinding", "Ingress", "IngressClass", "PersistentVolume", "PersistentVolumeClaim", "StorageClass", "PodTemplate",
  "PodDisruptionBudget", "HorizontalPodAutoscaler", "LimitRange", "ResourceQuota", "Event", "Lease", "PriorityClass",
  "CustomResourceDefinition", "ControllerRevision", "Binding", "RuntimeClass", "CSIDriver", "CSINode", "VolumeAttachment",
]);

/**
 * How many edits still read as a typo of a kind: one for short words (`Node` is no typo of `Pod`),
 * else a quarter of the length, at least two (`Deploymnet` swaps two letters: two edits).
 */
const budget = (kind: string): number => (kind.length <= 4 ? 1 : Math.max(2, Math.floor(kind.length / 4)));

/**
 * The modelled kind that `kind` is most likely a typo of (`Networkpolicy`, `Deploymnet`, `Pods`),
 * or undefined: a modelled kind, a built-in kind Portcullis skips, or a kind no modelled one is
 * close to (a custom resource such as `CiliumNetworkPolicy`). Case differences count as typos: the
 * API server matches kinds exactly.
 */
export function kindNearMiss(kind: string): string | undefined {
  if (MODELLED_KINDS.has(kind) || OTHER_BUILTIN_KINDS.has(kind)) return undefined;
  let best: { kind: string; distance: number } | undefined;
  for (const known of MODELLED_KINDS) {
    const distance = editDistance(kind, known);
    if (distance <= budget(kind) && (best === undefined || distance < best.distance)) best = { kind: known, distance };
  }
  return best?.kind;
}

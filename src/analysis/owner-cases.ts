/**
 * A workload whose pods differ: some of its pods are endpoints of their own (a replica relabelled
 * for quarantine, a rollout's canary selected by pod-template-hash). A question about the workload
 * is then one case per endpoint that stands for some of its pods, answered on its own.
 */
import { type Cluster, type Endpoint, endpointsOfOwner } from "../model/cluster.js";
import type { Target } from "../engine/types.js";

/** The targets that stand for the pods of `target`: each endpoint of a workload whose pods differ; else the target alone. */
export function podTargets(cluster: Pick<Cluster, "endpoints">, target: Target): readonly Target[] {
  if (target.kind !== "endpoint" || target.address !== undefined || (target.endpoint.splitPods ?? []).length === 0) return [target];
  return endpointsOfOwner(cluster, target.endpoint).map((endpoint) => ({ kind: "endpoint", endpoint }));
}

/** `StatefulSet shop/db has pods that differ: db-0, db-2 answer as shop/db; pod db-1 on its own`. */
export function ownerTranslation(owner: Endpoint): string {
  const split = owner.splitPods ?? [];
  const kept = owner.pods.length === 0 ? "" : `${owner.pods.join(", ")} answer as ${owner.id}; `;
  return `${owner.kind} ${owner.namespace}/${owner.name} has pods that differ: ${kept}${split.length === 1 ? "pod" : "pods"} ${split.join(", ")} on ${split.length === 1 ? "its" : "their"} own`;
}

/** How a case names one endpoint of a workload whose pods differ. */
export function podTargetLabel(e: Endpoint): string {
  return e.owner !== undefined ? `Pod/${e.id}` : `${e.kind}/${e.id} (${e.pods.length === 1 ? "pod" : "pods"} ${e.pods.join(", ")})`;
}

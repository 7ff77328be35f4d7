/**
 * The resources a read command lists: every kind the file input models (src/k8s/kinds.ts), each
 * with its API group, version and plural. kinds.test checks this table covers MODELLED_KINDS.
 */
import { ADMIN_POLICY_SOURCES } from "../model/admin-policy.js";
import type { LiveResource } from "./live.js";

const core = (resource: string, kind: string, namespaced: boolean): LiveResource => ({ group: "", version: "v1", resource, kind, namespaced });
const apps = (resource: string, kind: string): LiveResource => ({ group: "apps", version: "v1", resource, kind, namespaced: true });
const batch = (resource: string, kind: string): LiveResource => ({ group: "batch", version: "v1", resource, kind, namespaced: true });

/** The plural of a *Policy kind as the API names it: adminnetworkpolicies. */
const plural = (kind: string): string => {
  const lower = kind.toLowerCase();
  return lower.endsWith("y") ? `${lower.slice(0, -1)}ies` : `${lower}s`;
};

/** The admin policy kinds, at the versions the decoder reads (all cluster-scoped; optional: CRDs a cluster may not have). */
export const ADMIN_POLICY_RESOURCES: readonly LiveResource[] = ADMIN_POLICY_SOURCES.map((s) => {
  const [group, version] = s.apiVersion.split("/") as [string, string];
  return { group, version, resource: plural(s.kind), kind: s.kind, namespaced: false, optional: true };
});

export const LIVE_RESOURCES: readonly LiveResource[] = [
  core("namespaces", "Namespace", false),
  core("nodes", "Node", false),
  core("pods", "Pod", true),
  core("services", "Service", true),
  core("replicationcontrollers", "ReplicationController", true),
  apps("deployments", "Deployment"),
  apps("statefulsets", "StatefulSet"),
  apps("daemonsets", "DaemonSet"),
  apps("replicasets", "ReplicaSet"),
  batch("jobs", "Job"),
  batch("cronjobs", "CronJob"),
  { group: "networking.k8s.io", version: "v1", resource: "networkpolicies", kind: "NetworkPolicy", namespaced: true },
  ...ADMIN_POLICY_RESOURCES,
];

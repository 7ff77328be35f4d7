/**
 * The resources the stand-in serves, as discovery names them (group, version, plural, kind, scope,
 * short names) and the field selectors each supports (the apiserver's per-type field label
 * conversion funcs; every type supports metadata.name and metadata.namespace).
 */

export interface ResourceType {
  /** "" for the core group. */
  readonly group: string;
  readonly version: string;
  /** Plural, lower case, as in the URL: "pods". */
  readonly resource: string;
  readonly singular: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  /**
   * Built-in types are served from typed Go structs: list items carry no kind/apiVersion on the wire.
   * Custom resources (the admin policy CRDs) are unstructured: their list items keep both.
   */
  readonly builtin: boolean;
  /** Field selector labels beyond metadata.name and metadata.namespace. */
  readonly fields: readonly string[];
  /**
   * Whether the type registers its own field label conversion (pkg/apis/core/v1/conversion.go), whose
   * error is "field label not supported: F", or uses runtime.DefaultMetaV1FieldSelectorConversion:
   * `"F" is not a known field selector: only "metadata.name", "metadata.namespace"`.
   */
  readonly ownFieldConversion: boolean;
}

const core = (resource: string, kind: string, namespaced: boolean, shortNames: readonly string[] = [], fields?: readonly string[]): ResourceType => ({
  group: "",
  version: "v1",
  resource,
  singular: kind.toLowerCase(),
  kind,
  namespaced,
  shortNames,
  builtin: true,
  fields: fields ?? [],
  ownFieldConversion: fields !== undefined,
});

const inGroup = (group: string, version: string, resource: string, kind: string, namespaced: boolean, shortNames: readonly string[] = [], builtin = true): ResourceType => ({
  group,
  version,
  resource,
  singular: kind.toLowerCase(),
  kind,
  namespaced,
  shortNames,
  builtin,
  fields: [],
  ownFieldConversion: false,
});

/** pkg/registry/core/pod: PodToSelectableFields. */
const POD_FIELDS = [
  "spec.nodeName",
  "spec.restartPolicy",
  "spec.schedulerName",
  "spec.serviceAccountName",
  "spec.hostNetwork",
  "status.phase",
  "status.podIP",
  "status.podIPs",
  "status.nominatedNodeName",
];

export const RESOURCES: readonly ResourceType[] = [
  core("namespaces", "Namespace", false, ["ns"], ["status.phase"]),
  core("pods", "Pod", true, ["po"], POD_FIELDS),
  core("services", "Service", true, ["svc"], []),
  core("nodes", "Node", false, ["no"], ["spec.unschedulable"]),
  core("serviceaccounts", "ServiceAccount", true, ["sa"]),
  core("configmaps", "ConfigMap", true, ["cm"]),
  core("events", "Event", true, ["ev"], ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"]),
  core("replicationcontrollers", "ReplicationController", true, ["rc"], ["status.replicas"]),
  inGroup("apps", "v1", "deployments", "Deployment", true, ["deploy"]),
  inGroup("apps", "v1", "daemonsets", "DaemonSet", true, ["ds"]),
  inGroup("apps", "v1", "statefulsets", "StatefulSet", true, ["sts"]),
  inGroup("apps", "v1", "replicasets", "ReplicaSet", true, ["rs"]),
  inGroup("batch", "v1", "jobs", "Job", true),
  inGroup("batch", "v1", "cronjobs", "CronJob", true, ["cj"]),
  inGroup("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true, ["netpol"]),
  inGroup("events.k8s.io", "v1", "events", "Event", true, ["ev"]),
  inGroup("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false),
  inGroup("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false),
  inGroup("rbac.authorization.k8s.io", "v1", "roles", "Role", true),
  inGroup("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true),
  inGroup("policy.networking.k8s.io", "v1alpha1", "adminnetworkpolicies", "AdminNetworkPolicy", false, ["anp"], false),
  inGroup("policy.networking.k8s.io", "v1alpha1", "baselineadminnetworkpolicies", "BaselineAdminNetworkPolicy", false, ["banp"], false),
  inGroup("policy.networking.k8s.io", "v1alpha2", "clusternetworkpolicies", "ClusterNetworkPolicy", false, ["cnp"], false),
];

/** "apps/v1", or "v1" for the core group. */
export function groupVersion(t: { readonly group: string; readonly version: string }): string {
  return t.group === "" ? t.version : `${t.group}/${t.version}`;
}

/** The type of an object by its apiVersion and kind. */
export function typeOfObject(apiVersion: string, kind: string): ResourceType | undefined {
  return RESOURCES.find((t) => groupVersion(t) === apiVersion && t.kind === kind);
}

/** The type a URL names: group ("" for /api), version and plural. */
export function typeOfPath(group: string, version: string, resource: string): ResourceType | undefined {
  return RESOURCES.find((t) => t.group === group && t.version === version && t.resource === resource);
}

/** Served API groups (not the core group) with their versions, preferred first (kube version priority: v1alpha2 before v1alpha1). */
export function apiGroups(): { name: string; versions: string[] }[] {
  const groups = new Map<string, Set<string>>();
  for (const t of RESOURCES) {
    if (t.group === "") continue;
    const versions = groups.get(t.group) ?? new Set<string>();
    versions.add(t.version);
    groups.set(t.group, versions);
  }
  return [...groups].map(([name, versions]) => ({ name, versions: [...versions].sort().reverse() }));
}

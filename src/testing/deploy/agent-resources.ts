/**
 * What the node agent's ClusterRole must grant, as the API names the resources: get/list/watch on
 * AGENT_WATCHED, create/patch on AGENT_EVENTS (manifests.test.ts compares deploy/ and the chart
 * with them). Written on the deploy branch before the agent was merged: branch node-agent exports
 * the list it watches as AGENT_RESOURCES (src/agent/watches.ts, LIVE_RESOURCES of its kinds),
 * equal to AGENT_WATCHED (checked against node-agent e8b822e). Once merged, manifests.test.ts
 * imports AGENT_RESOURCES instead and AGENT_WATCHED goes.
 */
import { ADMIN_POLICY_SOURCES, type AdminPolicyKind } from "../../model/admin-policy.js";
import type { LiveResource } from "../../kube/live.js";

const NAMESPACES: LiveResource = { group: "", version: "v1", resource: "namespaces", kind: "Namespace", namespaced: false };
const PODS: LiveResource = { group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true };
const SERVICES: LiveResource = { group: "", version: "v1", resource: "services", kind: "Service", namespaced: true };
const NODES: LiveResource = { group: "", version: "v1", resource: "nodes", kind: "Node", namespaced: false };
const NETWORK_POLICIES: LiveResource = { group: "networking.k8s.io", version: "v1", resource: "networkpolicies", kind: "NetworkPolicy", namespaced: true };

/** The CRDs' plural names (kubernetes-sigs/network-policy-api: `+kubebuilder:resource:...` of each type). */
const ADMIN_POLICY_PLURALS: Readonly<Record<AdminPolicyKind, string>> = {
  ClusterNetworkPolicy: "clusternetworkpolicies",
  AdminNetworkPolicy: "adminnetworkpolicies",
  BaselineAdminNetworkPolicy: "baselineadminnetworkpolicies",
};

/** The admin policy kinds at the API version the decoder reads them (cluster-scoped, all three). */
const ADMIN_POLICIES: readonly LiveResource[] = ADMIN_POLICY_SOURCES.map(({ kind, apiVersion }) => {
  const [group = "", version = ""] = apiVersion.split("/");
  return { group, version, resource: ADMIN_POLICY_PLURALS[kind], kind, namespaced: false };
});

/**
 * What `portcullis enforce --kubernetes` lists and watches: namespaces (labels), pods (all of them
 * are peers; those on its node are enforced), services (the cluster DNS), nodes (its pod CIDRs feed
 * fail-closed), NetworkPolicies and the admin policy kinds.
 */
export const AGENT_WATCHED: readonly LiveResource[] = [NAMESPACES, PODS, SERVICES, NODES, NETWORK_POLICIES, ...ADMIN_POLICIES];

/** Where the node agent reports what it did (Events: create, and patch to bump a repeated one's count), in both Event APIs. */
export const AGENT_EVENTS: readonly LiveResource[] = [
  { group: "", version: "v1", resource: "events", kind: "Event", namespaced: true },
  { group: "events.k8s.io", version: "v1", resource: "events", kind: "Event", namespaced: true },
];

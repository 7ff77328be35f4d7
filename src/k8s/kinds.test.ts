import { formatObjectRef } from "../model/cluster.js";
import { test } from "node:test";
import assert from "node:assert/strict";
import { messages } from "../diag/catalogue.js";
import { codes } from "./codes.js";
import { kindNearMiss } from "./kinds.js";
import { decodeYaml } from "./testing.js";

/** A kind a letter or two (or a case) away from one Portcullis reads is a typo; a real other kind is not. */
const CASES: readonly { readonly kind: string; readonly nearMiss: string | undefined }[] = [
  { kind: "Networkpolicy", nearMiss: "NetworkPolicy" },
  { kind: "networkpolicy", nearMiss: "NetworkPolicy" },
  { kind: "NetworkPolicies", nearMiss: "NetworkPolicy" },
  { kind: "NetworkPolcy", nearMiss: "NetworkPolicy" },
  { kind: "Deploymnet", nearMiss: "Deployment" },
  { kind: "deployment", nearMiss: "Deployment" },
  { kind: "Pods", nearMiss: "Pod" },
  { kind: "Servcie", nearMiss: "Service" },
  { kind: "NameSpace", nearMiss: "Namespace" },
  { kind: "Statefulset", nearMiss: "StatefulSet" },
  { kind: "Deamonset", nearMiss: "DaemonSet" },
  // The admin policy kinds (policy.networking.k8s.io) are modelled: their typos are near-misses too.
  { kind: "ClusterNetworkPolicies", nearMiss: "ClusterNetworkPolicy" },
  { kind: "ClusterNetworkpolicy", nearMiss: "ClusterNetworkPolicy" },
  { kind: "AdminNetworkpolicy", nearMiss: "AdminNetworkPolicy" },
  { kind: "BaselineAdminNetworkPolicies", nearMiss: "BaselineAdminNetworkPolicy" },
  { kind: "ClusterNetworkPolicy", nearMiss: undefined },
  { kind: "BaselineAdminNetworkPolicy", nearMiss: undefined },
  // Real kinds, and custom ones, are not typos.
  { kind: "Node", nearMiss: undefined },
  { kind: "Secret", nearMiss: undefined },
  { kind: "ConfigMap", nearMiss: undefined },
  { kind: "Endpoints", nearMiss: undefined },
  { kind: "ServiceAccount", nearMiss: undefined },
  { kind: "Role", nearMiss: undefined },
  { kind: "CiliumNetworkPolicy", nearMiss: undefined },
  { kind: "GlobalNetworkPolicy", nearMiss: undefined },
  { kind: "AdminNetworkPolicy", nearMiss: undefined },
  { kind: "NetworkSet", nearMiss: undefined },
  { kind: "DeploymentConfig", nearMiss: undefined },
  { kind: "PodDisruptionBudget", nearMiss: undefined },
  { kind: "NetworkPolicy", nearMiss: undefined },
];

for (const c of CASES) {
  test(`kind near-miss: ${c.kind} → ${c.nearMiss ?? "none"}`, () => {
    assert.equal(kindNearMiss(c.kind), c.nearMiss);
  });
}

const TYPO = `apiVersion: networking.k8s.io/v1
kind: Networkpolicy
metadata: { name: deny-egress, namespace: prod }
spec: { podSelector: {}, policyTypes: [Egress] }
`;

test("a kind near-miss is a warning at its kind field with a did-you-mean, the object is skipped and kept for lint", () => {
  const r = decodeYaml(`apiVersion: v1\nkind: Namespace\nmetadata: { name: prod }\n---\n${TYPO}`);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.severity, d.code, d.at?.line, d.at?.path, d.message]),
    [["warning", codes.kindNearMiss, 6, "kind", messages.kindNearMiss("Networkpolicy", "NetworkPolicy")]],
  );
  assert.match(r.diagnostics[0]?.message ?? "", /did you mean NetworkPolicy\?/);
  assert.deepEqual(r.value.policies, []);
  assert.deepEqual(r.skipped, [{ kind: "Networkpolicy", count: 1 }]);
  assert.deepEqual(
    r.value.kindNearMisses?.map((m) => [m.kind, m.suggestion, formatObjectRef(m.ref), m.at.line]),
    [["Networkpolicy", "NetworkPolicy", "Networkpolicy prod/deny-egress", 6]],
  );
});

test("a kind Portcullis does not model and no typo (ConfigMap) is skipped quietly, as before", () => {
  const r = decodeYaml("apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n");
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.value.kindNearMisses ?? [], []);
});

test("a near-miss of a cluster-scoped admin kind names the object without a namespace", () => {
  const r = decodeYaml("apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkpolicy\nmetadata: { name: deny-metadata }\n");
  assert.deepEqual(r.value.kindNearMisses?.map((m) => [m.suggestion, formatObjectRef(m.ref)]), [["ClusterNetworkPolicy", "ClusterNetworkpolicy deny-metadata"]]);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { MODELLED_KINDS } from "../k8s/kinds.js";
import { resourcePath } from "./client.js";
import { LIVE_RESOURCES } from "./resources.js";

test("a live read lists every kind the file input models, once (src/k8s/kinds.ts MODELLED_KINDS)", () => {
  assert.deepEqual(LIVE_RESOURCES.map((r) => r.kind).sort(), [...MODELLED_KINDS].sort());
});

test("API paths as kubectl -v=6 shows them: core under /api/v1, groups under /apis, namespace only for namespaced kinds", () => {
  const byKind = (kind: string) => LIVE_RESOURCES.find((r) => r.kind === kind)!;
  assert.equal(resourcePath(byKind("Pod"), "prod"), "/api/v1/namespaces/prod/pods");
  assert.equal(resourcePath(byKind("Pod")), "/api/v1/pods");
  assert.equal(resourcePath(byKind("Node"), "prod"), "/api/v1/nodes");
  assert.equal(resourcePath(byKind("NetworkPolicy")), "/apis/networking.k8s.io/v1/networkpolicies");
  assert.equal(resourcePath(byKind("CronJob"), "jobs"), "/apis/batch/v1/namespaces/jobs/cronjobs");
  assert.equal(resourcePath(byKind("AdminNetworkPolicy"), "prod"), "/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies");
  assert.equal(resourcePath(byKind("BaselineAdminNetworkPolicy")), "/apis/policy.networking.k8s.io/v1alpha1/baselineadminnetworkpolicies");
  assert.equal(resourcePath(byKind("ClusterNetworkPolicy")), "/apis/policy.networking.k8s.io/v1alpha2/clusternetworkpolicies");
});

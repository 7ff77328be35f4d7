/**
 * The reference evaluator reads the admin tiers from the API text: ClusterNetworkPolicy
 * (policy.networking.k8s.io/v1alpha2, tiers Admin and Baseline) and AdminNetworkPolicy /
 * BaselineAdminNetworkPolicy (v1alpha1, mapped onto it). Each case is a YAML input decoded through
 * the real decoder, and names the API sentence (or the issue 9 rule) it implements.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CASES, type Evaluate, expected, MAPPED, NO_ADMIN_POLICIES, verdicts } from "./admin-cases.js";
import { referenceCheck } from "./reference.js";

const reference: Evaluate = (cluster, options, conn) => referenceCheck(cluster, options, conn).verdict;

describe("reference evaluator: the admin tiers, from the API text", () => {
  for (const c of CASES) test(c.name, () => assert.deepEqual(verdicts(reference, c.policies, c.probes, c.ipBlockMatchesPods), expected(c.probes)));
});

describe("reference evaluator: v1alpha1 AdminNetworkPolicy and BaselineAdminNetworkPolicy are mapped onto the same tiers as ClusterNetworkPolicy", () => {
  for (const c of MAPPED) {
    test(c.name, () => {
      assert.deepEqual(verdicts(reference, c.v1alpha1, c.probes), expected(c.probes), "v1alpha1");
      assert.deepEqual(verdicts(reference, c.v1alpha2, c.probes), expected(c.probes), "v1alpha2");
    });
  }
});

test("no admin policies: the reference answers as before (a NetworkPolicy-only cluster)", () => {
  assert.deepEqual(verdicts(reference, NO_ADMIN_POLICIES.policies, NO_ADMIN_POLICIES.probes), expected(NO_ADMIN_POLICIES.probes));
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { lintMessages } from "../messages.js";
import { type RuleCase, docs, policy, runCase, workload } from "../test-support.js";

const DENY = policy("shop", "deny-egress", "  podSelector: {}\n  policyTypes: [Egress]\n");
const withKind = (yaml: string, kind: string): string => yaml.replace(/^kind: \S+$/m, `kind: ${kind}`);

const CASES: RuleCase[] = [
  { name: "kind: Networkpolicy (case)", yaml: withKind(DENY, "Networkpolicy"), expect: [{ path: "kind", message: lintMessages.kindNearMiss("Networkpolicy", "NetworkPolicy"), hint: "write kind: NetworkPolicy" }] },
  { name: "kind: Deploymnet (two letters swapped)", yaml: docs(DENY, withKind(workload("shop", "web", { app: "web" }), "Deploymnet")), expect: [{ path: "kind", message: "did you mean Deployment?" }] },
  { name: "kind: NetworkPolicy", yaml: DENY, expect: [] },
  { name: "a real kind Portcullis skips (ConfigMap)", yaml: docs(DENY, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\n"), expect: [] },
  { name: "a custom resource (CiliumNetworkPolicy)", yaml: docs(DENY, withKind(DENY, "CiliumNetworkPolicy").replace("networking.k8s.io/v1", "cilium.io/v2")), expect: [] },
];

for (const c of CASES) {
  test(`kind-near-miss: ${c.name}`, () => {
    const { actual, expected } = runCase("kind-near-miss", c);
    assert.deepEqual(actual, expected);
  });
}

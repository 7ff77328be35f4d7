import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, clusterPolicy, docs, namespace, policy, runCase, workload } from "../test-support.js";

const PODS = docs(namespace("shop"), workload("shop", "web", { app: "web" }), workload("shop", "db", { app: "db" }));
const DEFAULT_DENY = policy("shop", "default-deny", "  podSelector: {}\n  policyTypes: [Egress]\n");
const baseline = (subject: string): string =>
  clusterPolicy("shop-baseline", "Baseline", 10, `
  subject: ${subject}
  egress:
    - name: default-deny
      action: Deny
      to: [{networks: [0.0.0.0/0]}]
`);
const SHOP = "{namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}";

/**
 * "v1.NetworkPolicy always makes a final decision for selected pods. Further evaluation only
 * happens for Pods not selected by a v1.NetworkPolicy."
 */
const CASES: RuleCase[] = [
  {
    name: "a Baseline default-deny for namespace shop, where a NetworkPolicy podSelector: {} isolates every pod for egress: never reached",
    yaml: docs(PODS, DEFAULT_DENY, baseline(SHOP)),
    expect: [{ path: "spec.egress[0]", endpoints: ["shop/db", "shop/web"], message: "isolated for egress by NetworkPolicy shop/default-deny" }],
  },
  {
    name: "a pods subject (app=web) and a NetworkPolicy selecting app=web: never reached",
    yaml: docs(PODS, policy("shop", "web", "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n"), baseline(`{pods: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}, podSelector: {matchLabels: {app: web}}}}`)),
    expect: [{ path: "spec.egress[0]", endpoints: ["shop/web"] }],
  },
  {
    name: "near miss: the NetworkPolicy isolates ingress only, the Baseline rules are egress rules",
    yaml: docs(PODS, policy("shop", "default-deny", "  podSelector: {}\n  policyTypes: [Ingress]\n"), baseline(SHOP)),
    expect: [],
  },
  {
    name: "near miss: the NetworkPolicy selects app=web only, so shop/db (and pods to come) reach the Baseline tier",
    yaml: docs(PODS, policy("shop", "web", "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n"), baseline(SHOP)),
    expect: [],
  },
  {
    name: "near miss: a subject of every namespace (namespaces: {}) also selects namespaces created later, which no NetworkPolicy isolates yet",
    yaml: docs(PODS, DEFAULT_DENY, baseline("{namespaces: {}}")),
    expect: [],
  },
];

for (const c of CASES) {
  test(`baseline-rule-unreachable: ${c.name}`, () => {
    const { actual, expected } = runCase("baseline-rule-unreachable", c);
    assert.deepEqual(actual, expected);
  });
}

import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, clusterPolicy, docs, namespace, runCase, workload } from "../test-support.js";

const PODS = docs(namespace("shop"), namespace("monitoring"), workload("shop", "web", { app: "web" }, { ports: [{ port: 8080 }] }), workload("monitoring", "prometheus", { app: "prometheus" }));
const SHOP = "  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}\n";

/**
 * "If two (or more) policies in the same tier with the same priority could match a connection,
 * then the implementation can apply any of the matching policies to the connection, and there is
 * no way for the user to reliably determine which one it will choose."
 */
const CASES: RuleCase[] = [
  {
    name: "an Accept of ingress from monitoring and a Deny of ingress from every namespace, both Admin priority 10, both selecting shop: prometheus → web is decided either way",
    yaml: docs(
      PODS,
      clusterPolicy("allow-monitoring", "Admin", 10, `${SHOP}  ingress:
    - name: scrape
      action: Accept
      from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}]
`),
      clusterPolicy("lock-shop", "Admin", 10, `${SHOP}  ingress:
    - name: nobody
      action: Deny
      from: [{namespaces: {}}]
`),
    ),
    expect: [
      {
        path: "spec.ingress[0]",
        endpoints: ["shop/web"],
        message: 'ClusterNetworkPolicy allow-monitoring spec.ingress[0] "scrape" (Accept, case.yaml:',
        hint: "lower priority value than 10",
      },
    ],
  },
  {
    name: "an egress Deny of 169.254.169.254/32 and an Accept of 169.254.0.0/16 at the same priority: the connection named is the metadata address",
    yaml: docs(
      PODS,
      clusterPolicy("deny-metadata", "Admin", 10, `${SHOP}  egress:
    - action: Deny
      to: [{networks: [169.254.169.254/32]}]
`),
      clusterPolicy("link-local", "Admin", 10, `${SHOP}  egress:
    - action: Accept
      to: [{networks: [169.254.0.0/16]}]
`),
    ),
    expect: [{ path: "spec.egress[0]", message: "match shop/web → 169.254.169.254/32, TCP port 80" }],
  },
  {
    name: "an AdminNetworkPolicy (v1alpha1) and a ClusterNetworkPolicy of the Admin tier share the priorities: an Allow and a Deny of the same pods conflict",
    yaml: docs(
      PODS,
      workload("shop", "api", { app: "api" }),
      `apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: anp}
spec:
  priority: 10
  subject: {namespaces: {}}
  egress:
    - action: Allow
      to: [{namespaces: {}}]
      ports: [{portNumber: {port: 8080}}]
`,
      clusterPolicy("cnp", "Admin", 10, `${SHOP}  egress:
    - action: Deny
      to: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: web}}}}]
`),
    ),
    expect: [{ path: "spec.egress[0]", endpoints: ["shop/api"], message: "match shop/api → shop/web, TCP port 8080" }],
  },
  {
    name: "near miss: the same action (Deny and Deny) is no conflict, whichever applies",
    yaml: docs(
      PODS,
      clusterPolicy("a", "Admin", 10, `${SHOP}  egress:\n    - action: Deny\n      to: [{networks: [169.254.169.254/32]}]\n`),
      clusterPolicy("b", "Admin", 10, `${SHOP}  egress:\n    - action: Deny\n      to: [{networks: [169.254.0.0/16]}]\n`),
    ),
    expect: [],
  },
  {
    name: "near miss: priorities 10 and 11 are ordered",
    yaml: docs(
      PODS,
      clusterPolicy("a", "Admin", 10, `${SHOP}  egress:\n    - action: Deny\n      to: [{networks: [169.254.169.254/32]}]\n`),
      clusterPolicy("b", "Admin", 11, `${SHOP}  egress:\n    - action: Accept\n      to: [{networks: [169.254.0.0/16]}]\n`),
    ),
    expect: [],
  },
  {
    name: "near miss: disjoint networks (10.0.0.0/8 and 192.168.0.0/16) match no common connection",
    yaml: docs(
      PODS,
      clusterPolicy("a", "Admin", 10, `${SHOP}  egress:\n    - action: Accept\n      to: [{networks: [10.0.0.0/8]}]\n`),
      clusterPolicy("b", "Admin", 10, `${SHOP}  egress:\n    - action: Deny\n      to: [{networks: [192.168.0.0/16]}]\n`),
    ),
    expect: [],
  },
  {
    name: "near miss: TCP 443 and UDP 53 to the same networks match no common connection",
    yaml: docs(
      PODS,
      clusterPolicy("a", "Admin", 10, `${SHOP}  egress:\n    - action: Accept\n      to: [{networks: [0.0.0.0/0]}]\n      protocols: [{tcp: {destinationPort: {number: 443}}}]\n`),
      clusterPolicy("b", "Admin", 10, `${SHOP}  egress:\n    - action: Deny\n      to: [{networks: [0.0.0.0/0]}]\n      protocols: [{udp: {destinationPort: {number: 53}}}]\n`),
    ),
    expect: [],
  },
  {
    name: "near miss: no pod of the input is selected by both (shop and monitoring)",
    yaml: docs(
      PODS,
      clusterPolicy("a", "Admin", 10, `${SHOP}  egress:\n    - action: Accept\n      to: [{networks: [0.0.0.0/0]}]\n`),
      clusterPolicy("b", "Admin", 10, `  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: monitoring}}}\n  egress:\n    - action: Deny\n      to: [{networks: [0.0.0.0/0]}]\n`),
    ),
    expect: [],
  },
  {
    name: 'near miss: a policy of higher precedence (priority 5) decides the metadata address first ("Policies with lower priority values have higher precedence"): the two of priority 10 never see it',
    yaml: docs(
      PODS,
      clusterPolicy("first", "Admin", 5, `${SHOP}  egress:\n    - action: Deny\n      to: [{networks: [169.254.0.0/16]}]\n`),
      clusterPolicy("deny-metadata", "Admin", 10, `${SHOP}  egress:\n    - action: Deny\n      to: [{networks: [169.254.169.254/32]}]\n`),
      clusterPolicy("link-local", "Admin", 10, `${SHOP}  egress:\n    - action: Accept\n      to: [{networks: [169.254.0.0/16]}]\n`),
    ),
    expect: [],
  },
  {
    name: "near miss: an earlier rule of the same policy decides the overlap the same way (the first rule of each policy decides)",
    yaml: docs(
      PODS,
      clusterPolicy("a", "Admin", 10, `${SHOP}  egress:\n    - action: Deny\n      to: [{networks: [169.254.0.0/16]}]\n    - action: Accept\n      to: [{networks: [0.0.0.0/0]}]\n`),
      clusterPolicy("b", "Admin", 10, `${SHOP}  egress:\n    - action: Deny\n      to: [{networks: [169.254.169.254/32]}]\n`),
    ),
    expect: [],
  },
];

for (const c of CASES) {
  test(`admin-same-priority-conflict: ${c.name}`, () => {
    const { actual, expected } = runCase("admin-same-priority-conflict", c);
    assert.deepEqual(actual, expected);
  });
}

import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, clusterPolicy, docs, namespace, runCase, workload } from "../test-support.js";

const PODS = docs(namespace("shop", { env: "prod" }), workload("shop", "web", { app: "web" }));

/** The issue 9 case: "`Accept` in Admin that shadows a later `Deny` (dead rule)". */
const CASES: RuleCase[] = [
  {
    name: 'an Accept of 10.0.0.0/8 above a Deny of 10.1.0.0/16 in the same policy ("a rule that appears at the top of the egress rules would take the highest precedence"): the Deny never applies',
    yaml: docs(
      PODS,
      clusterPolicy("egress", "Admin", 10, `
  subject: {namespaces: {}}
  egress:
    - name: internal
      action: Accept
      to: [{networks: [10.0.0.0/8]}]
    - name: no-legacy
      action: Deny
      to: [{networks: [10.1.0.0/16]}]
      protocols: [{tcp: {destinationPort: {number: 5432}}}]
`),
    ),
    expect: [{ path: "spec.egress[1]", endpoints: ["shop/web"], message: 'ClusterNetworkPolicy egress spec.egress[0] "internal" (Accept, case.yaml:', hint: "move this rule above" }],
  },
  {
    name: '"Policies with lower priority values have higher precedence": an Admin Accept of all pods at priority 5 for every namespace shadows a Deny of the pods of namespaces env=prod at priority 10 (its subject asks more)',
    yaml: docs(
      PODS,
      clusterPolicy("open-cluster", "Admin", 5, `
  subject: {namespaces: {}}
  ingress:
    - action: Accept
      from: [{namespaces: {}}]
`),
      clusterPolicy("lock-prod", "Admin", 10, `
  subject: {namespaces: {matchLabels: {env: prod}}}
  ingress:
    - action: Deny
      from: [{pods: {namespaceSelector: {matchLabels: {env: dev}}, podSelector: {}}}]
`),
    ),
    expect: [{ path: "spec.ingress[0]", endpoints: ["shop/web"], message: "(Accept wins: this Deny never takes effect)" }],
  },
  {
    name: "a port range holds the port: an Accept of TCP 1-1024 to every pod shadows a later Pass of TCP 443 to the pods app=api",
    yaml: docs(
      PODS,
      clusterPolicy("p", "Admin", 10, `
  subject: {namespaces: {}}
  egress:
    - action: Accept
      to: [{namespaces: {}}]
      protocols: [{tcp: {destinationPort: {range: {start: 1, end: 1024}}}}]
    - action: Pass
      to: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: api}}}}]
      protocols: [{tcp: {destinationPort: {number: 443}}}]
`),
    ),
    expect: [{ path: "spec.egress[1]", message: "this Pass rule never applies" }],
  },
  {
    name: 'a Deny that fails closed ("treat the rule as a \'Deny all\' rule") shadows every later rule',
    yaml: docs(
      PODS,
      clusterPolicy("p", "Baseline", 10, `
  subject: {namespaces: {}}
  egress:
    - action: Deny
      to: [{futurePeer: {}}]
    - action: Accept
      to: [{networks: [1.1.1.1/32]}]
`),
    ),
    expect: [{ path: "spec.egress[1]", message: "(Deny wins: this Accept never takes effect)" }],
  },
  {
    name: "near miss: the earlier policy's subject (env=prod) does not select every pod of the later one's (all namespaces): a pod of another namespace reaches the later rule",
    yaml: docs(
      PODS,
      clusterPolicy("lock-prod", "Admin", 5, `
  subject: {namespaces: {matchLabels: {env: prod}}}
  egress:
    - action: Accept
      to: [{networks: [0.0.0.0/0, "::/0"]}]
`),
      clusterPolicy("deny-metadata", "Admin", 10, `
  subject: {namespaces: {}}
  egress:
    - action: Deny
      to: [{networks: [169.254.169.254/32]}]
`),
    ),
    expect: [],
  },
  {
    name: "near miss: the earlier rule covers TCP 443 only, the later one every protocol",
    yaml: docs(
      PODS,
      clusterPolicy("p", "Admin", 10, `
  subject: {namespaces: {}}
  egress:
    - action: Accept
      to: [{networks: [0.0.0.0/0]}]
      protocols: [{tcp: {destinationPort: {number: 443}}}]
    - action: Deny
      to: [{networks: [169.254.169.254/32]}]
`),
    ),
    expect: [],
  },
  {
    name: 'near miss: equal priorities are not ordered ("the implementation can apply any of the matching policies"): not reported here',
    yaml: docs(
      PODS,
      clusterPolicy("a", "Admin", 10, `
  subject: {namespaces: {}}
  egress:
    - action: Accept
      to: [{networks: [0.0.0.0/0]}]
`),
      clusterPolicy("b", "Admin", 10, `
  subject: {namespaces: {}}
  egress:
    - action: Deny
      to: [{networks: [169.254.169.254/32]}]
`),
    ),
    expect: [],
  },
  {
    name: "near miss: an Admin rule does not shadow a Baseline rule (another tier)",
    yaml: docs(
      PODS,
      clusterPolicy("a", "Admin", 10, `
  subject: {namespaces: {}}
  egress:
    - action: Pass
      to: [{networks: [0.0.0.0/0]}]
`),
      clusterPolicy("b", "Baseline", 10, `
  subject: {namespaces: {}}
  egress:
    - action: Deny
      to: [{networks: [169.254.169.254/32]}]
`),
    ),
    expect: [],
  },
];

for (const c of CASES) {
  test(`admin-rule-shadowed: ${c.name}`, () => {
    const { actual, expected } = runCase("admin-rule-shadowed", c);
    assert.deepEqual(actual, expected);
  });
}

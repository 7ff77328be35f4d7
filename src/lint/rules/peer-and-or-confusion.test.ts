import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, docs, namespace, policy, runCase, workload } from "../test-support.js";

const WORLD = docs(
  namespace("frontend"),
  namespace("backend"),
  workload("frontend", "web", { app: "web" }),
  workload("frontend", "admin-tools", { app: "admin-tools" }),
  workload("backend", "api", { app: "api" }),
);
const from = (peers: string): string =>
  policy("backend", "api-from-web", `
  podSelector: {matchLabels: {app: api}}
  ingress:
    - from:
${peers}`);
const NS_PEER = "        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: frontend}}\n";

/**
 * The Kubernetes documentation's reference example (Concepts > Network Policies, "The
 * NetworkPolicy resource"), verbatim: "The example policy contains a single rule, which matches
 * traffic on a single port, from one of three sources, the first specified via an ipBlock, the
 * second via a namespaceSelector and the third via a podSelector."
 */
const K8S_DOCS_TEST_NETWORK_POLICY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: test-network-policy
  namespace: default
spec:
  podSelector:
    matchLabels:
      role: db
  policyTypes:
  - Ingress
  - Egress
  ingress:
  - from:
    - ipBlock:
        cidr: 172.17.0.0/16
        except:
        - 172.17.1.0/24
    - namespaceSelector:
        matchLabels:
          project: myproject
    - podSelector:
        matchLabels:
          role: frontend
    ports:
    - protocol: TCP
      port: 6379
  egress:
  - to:
    - ipBlock:
        cidr: 10.0.0.0/24
    ports:
    - protocol: TCP
      port: 5978
`;

/** The cluster the docs describe: "any pod in the "default" namespace with the label "role=frontend"" and "any pod in a namespace with the label "project=myproject"". */
const K8S_DOCS_WORLD = docs(
  namespace("default"),
  namespace("myproject", { project: "myproject" }),
  workload("default", "db", { role: "db" }),
  workload("default", "frontend", { role: "frontend" }),
  workload("myproject", "client", { app: "client" }),
);

const CASES: RuleCase[] = [
  {
    name: "two list items are ORed: both readings are shown with what they select",
    yaml: docs(WORLD, from(`${NS_PEER}        - podSelector: {matchLabels: {app: web}}\n`)),
    expect: [
      {
        path: "spec.ingress[0].from[1]",
        endpoints: ["frontend/admin-tools", "frontend/web"],
        message: "(2 workloads: frontend/admin-tools, frontend/web); one peer with both selectors would select only pods matching app=web in namespaces matching kubernetes.io/metadata.name=frontend (1 workload: frontend/web)",
        severity: "warning",
      },
    ],
  },
  { name: "one item with both selectors (AND)", yaml: docs(WORLD, from(`${NS_PEER}          podSelector: {matchLabels: {app: web}}\n`)), expect: [] },
  { name: "a namespaceSelector peer alone", yaml: docs(WORLD, from(NS_PEER)), expect: [] },
  { name: "two podSelector peers", yaml: docs(WORLD, from("        - podSelector: {matchLabels: {app: web}}\n        - podSelector: {matchLabels: {app: api}}\n")), expect: [] },
  {
    name: "egress rules too, with the podSelector first",
    yaml: docs(
      WORLD,
      policy("frontend", "web-to-api", `
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
    - to:
        - podSelector: {matchLabels: {app: api}}
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: backend}}
`),
    ),
    expect: [{ path: "spec.egress[0].to[1]", endpoints: ["backend/api"], message: "to[1] (namespaceSelector kubernetes.io/metadata.name=backend) and to[0] (podSelector app=api)", severity: "warning" }],
  },
  {
    name: "without workloads, the readings are described by their selectors alone",
    yaml: from(`${NS_PEER}        - podSelector: {matchLabels: {app: web}}\n`),
    expect: [{ path: "spec.ingress[0].from[1]", endpoints: [], message: "in namespace backend; one peer", severity: "info" }],
  },
  {
    name: "the Kubernetes docs' test-network-policy (\"from one of three sources\") with the pods it describes: a deliberate OR, quiet",
    yaml: docs(K8S_DOCS_WORLD, K8S_DOCS_TEST_NETWORK_POLICY),
    expect: [],
  },
  {
    name: "the Kubernetes docs' test-network-policy verbatim, alone: the input cannot tell, info (not a warning that fails CI)",
    yaml: K8S_DOCS_TEST_NETWORK_POLICY,
    expect: [{ path: "spec.ingress[0].from[2]", severity: "info", message: "The input cannot tell which was meant" }],
  },
  {
    name: "the docs' test-network-policy where a role=frontend pod runs in myproject: one peer with both selectors would select it, a warning",
    yaml: docs(K8S_DOCS_WORLD, workload("myproject", "frontend", { role: "frontend" }), K8S_DOCS_TEST_NETWORK_POLICY),
    expect: [{ path: "spec.ingress[0].from[2]", severity: "warning", endpoints: ["default/frontend", "myproject/client", "myproject/frontend"] }],
  },
];

for (const c of CASES) {
  test(`peer-and-or-confusion: ${c.name}`, () => {
    const { actual, expected } = runCase("peer-and-or-confusion", c);
    assert.deepEqual(actual, expected);
  });
}

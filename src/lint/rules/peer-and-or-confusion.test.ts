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

const CASES: RuleCase[] = [
  {
    name: "two list items are ORed: both readings are shown with what they select",
    yaml: docs(WORLD, from(`${NS_PEER}        - podSelector: {matchLabels: {app: web}}\n`)),
    expect: [
      {
        path: "spec.ingress[0].from[1]",
        endpoints: ["frontend/admin-tools", "frontend/web"],
        message: "(2 workloads: frontend/admin-tools, frontend/web); one peer with both selectors would select only pods matching app=web in namespaces matching kubernetes.io/metadata.name=frontend (1 workload: frontend/web)",
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
    expect: [{ path: "spec.egress[0].to[1]", endpoints: ["backend/api"], message: "to[1] (namespaceSelector kubernetes.io/metadata.name=backend) and to[0] (podSelector app=api)" }],
  },
  {
    name: "without workloads, the readings are described by their selectors alone",
    yaml: from(`${NS_PEER}        - podSelector: {matchLabels: {app: web}}\n`),
    expect: [{ path: "spec.ingress[0].from[1]", endpoints: [], message: "in namespace backend; one peer" }],
  },
];

for (const c of CASES) {
  test(`peer-and-or-confusion: ${c.name}`, () => {
    const { actual, expected } = runCase("peer-and-or-confusion", c);
    assert.deepEqual(actual, expected);
  });
}

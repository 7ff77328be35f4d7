import { test } from "node:test";
import assert from "node:assert/strict";
import { lintMessages } from "../messages.js";
import { type RuleCase, docs, namespace, policy, runCase, workload } from "../test-support.js";

const WORLD = docs(
  namespace("monitoring"),
  namespace("orders"),
  workload("monitoring", "prometheus", { app: "prometheus" }),
  workload("orders", "orders", { app: "orders" }, { ports: [{ name: "metrics", port: 9102 }] }),
);
const from = (peer: string): string =>
  policy("orders", "allow-scrape", `
  podSelector: {matchLabels: {app: orders}}
  ingress:
    - from:
${peer}`);

const CASES: RuleCase[] = [
  {
    name: "namespaceSelector name: monitoring, where namespaces carry kubernetes.io/metadata.name",
    yaml: docs(WORLD, from("        - namespaceSelector: {matchLabels: {name: monitoring}}\n")),
    expect: [
      {
        path: "spec.ingress[0].from[0]",
        message: lintMessages.peerNoNamespace("name=monitoring"),
        hint: lintMessages.nearMissHint("name=monitoring", "kubernetes.io/metadata.name=monitoring"),
      },
    ],
  },
  { name: "the label the API server sets", yaml: docs(WORLD, from("        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}\n")), expect: [] },
  {
    name: "a namespace name with a typo",
    yaml: docs(WORLD, from("        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitorng}}\n")),
    expect: [{ path: "spec.ingress[0].from[0]", hint: "did you mean kubernetes.io/metadata.name=monitoring?" }],
  },
  { name: "a namespace selected by name that is simply not in the input", yaml: docs(WORLD, from("        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: logging}}\n")), expect: [] },
  { name: "kube-system exists in every cluster", yaml: docs(WORLD, from("        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}\n")), expect: [] },
  {
    name: "a podSelector alone looks in the policy's namespace; the hint names where those pods run",
    yaml: docs(WORLD, from("        - podSelector: {matchLabels: {app: prometheus}}\n")),
    expect: [{ path: "spec.ingress[0].from[0]", message: "matches no pod in namespace orders", hint: "run in namespace monitoring" }],
  },
  {
    name: "a podSelector with a typo in a selected namespace",
    yaml: docs(WORLD, from("        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}\n          podSelector: {matchLabels: {app: promethues}}\n")),
    expect: [{ path: "spec.ingress[0].from[0]", hint: "did you mean app=prometheus?" }],
  },
  {
    name: "a podSelector that matches only host-network pods",
    yaml: docs(WORLD, workload("orders", "agent", { app: "agent" }, { kind: "DaemonSet", hostNetwork: true }), from("        - podSelector: {matchLabels: {app: agent}}\n")),
    expect: [{ path: "spec.ingress[0].from[0]", hint: "orders/agent) use the host network" }],
  },
  { name: "an input without workloads is not judged", yaml: from("        - namespaceSelector: {matchLabels: {name: monitoring}}\n"), expect: [] },
  {
    name: "older guides' allow-dns-access (namespaceSelector name: kube-system), kube-system not in the input: whether it selects the DNS pods rests on kube-system's labels, which dns-egress-blocked names; nothing here",
    yaml: docs(
      WORLD,
      policy("orders", "allow-dns-access", `
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - namespaceSelector: {matchLabels: {name: kube-system}}
      ports:
        - {protocol: UDP, port: 53}
`),
    ),
    expect: [],
  },
  {
    name: "the same selector beside the Namespace kube-system in the input, without the label: drift for certain",
    yaml: docs(
      WORLD,
      namespace("kube-system"),
      policy("orders", "allow-dns-access", `
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - namespaceSelector: {matchLabels: {name: kube-system}}
      ports:
        - {protocol: UDP, port: 53}
`),
    ),
    expect: [{ path: "spec.egress[0].to[0]", message: "namespaceSelector name=kube-system matches no namespace in the input" }],
  },
];

for (const c of CASES) {
  test(`peer-selects-nothing: ${c.name}`, () => {
    const { actual, expected } = runCase("peer-selects-nothing", c);
    assert.deepEqual(actual, expected);
  });
}

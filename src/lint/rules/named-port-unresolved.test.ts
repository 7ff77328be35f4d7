import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, docs, policy, runCase, workload } from "../test-support.js";

const APPS = docs(
  workload("shop", "web", { app: "web" }, { ports: [{ name: "http", port: 8080 }] }),
  workload("shop", "db", { app: "db" }, { ports: [{ name: "pg", port: 5432 }] }),
);
const egress = (to: string, port: string): string =>
  policy("shop", "web-egress", `
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
    - to:
        - ${to}
      ports:
        - ${port}
`);

const CASES: RuleCase[] = [
  {
    name: "egress: the pods the peers select do not declare the name",
    yaml: docs(APPS, egress("podSelector: {matchLabels: {app: db}}", "{port: postgres}")),
    expect: [{ path: "spec.egress[0].ports[0]", endpoints: ["shop/db"], message: "named port \"postgres\" (TCP)" }],
  },
  { name: "egress: the destination declares it", yaml: docs(APPS, egress("podSelector: {matchLabels: {app: db}}", "{port: pg}")), expect: [] },
  { name: "the protocol counts: pg is TCP", yaml: docs(APPS, egress("podSelector: {matchLabels: {app: db}}", "{port: pg, protocol: UDP}")), expect: [{ path: "spec.egress[0].ports[0]", message: "(UDP)" }] },
  {
    name: "ingress: the pods the policy selects do not declare the name",
    yaml: docs(APPS, policy("shop", "db-ingress", "  podSelector: {matchLabels: {app: db}}\n  ingress:\n    - ports:\n        - {port: postgres}\n")),
    expect: [{ path: "spec.ingress[0].ports[0]", endpoints: ["shop/db"] }],
  },
  {
    name: "an ipBlock outside the pod network never matches a named port",
    yaml: docs(APPS, egress("ipBlock: {cidr: 203.0.113.0/24}", "{port: https}")),
    expect: [{ path: "spec.egress[0].ports[0]", endpoints: [], message: "to the addresses of ipBlock 203.0.113.0/24 outside the pods" }],
  },
  {
    name: "0.0.0.0/0 with a named port: the pods it covers do not declare it, and the rest is not pods",
    yaml: docs(APPS, egress("ipBlock: {cidr: 0.0.0.0/0}", "{port: https}")),
    expect: [
      { path: "spec.egress[0].ports[0]", endpoints: ["shop/db", "shop/web"], message: "declared by none of the pods" },
      { path: "spec.egress[0].ports[0]", endpoints: [], message: "ipBlock 0.0.0.0/0 outside the pods" },
    ],
  },
  {
    name: "a pod peer next to an ipBlock: the named port resolves for the pods, not for the addresses",
    yaml: docs(APPS, egress("podSelector: {matchLabels: {app: db}}\n        - ipBlock: {cidr: 203.0.113.0/24}", "{port: pg}")),
    expect: [{ path: "spec.egress[0].ports[0]", message: "ipBlock 203.0.113.0/24" }],
  },
  { name: "the assumed kube-dns endpoint declares dns and dns-tcp", yaml: docs(APPS, egress("namespaceSelector: {}\n          podSelector: {matchLabels: {k8s-app: kube-dns}}", "{port: dns, protocol: UDP}")), expect: [] },
  {
    name: "a name the kube-dns pods do not use",
    yaml: docs(APPS, egress("namespaceSelector: {}\n          podSelector: {matchLabels: {k8s-app: kube-dns}}", "{port: domain, protocol: UDP}")),
    expect: [{ path: "spec.egress[0].ports[0]", endpoints: ["kube-system/kube-dns"] }],
  },
  { name: "no workload the peers select in the input: not judged", yaml: egress("podSelector: {matchLabels: {app: db}}", "{port: postgres}"), expect: [] },
];

for (const c of CASES) {
  test(`named-port-unresolved: ${c.name}`, () => {
    const { actual, expected } = runCase("named-port-unresolved", c);
    assert.deepEqual(actual, expected);
  });
}

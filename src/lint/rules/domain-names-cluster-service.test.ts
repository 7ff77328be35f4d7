import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, clusterPolicy, docs, namespace, runCase, workload } from "../test-support.js";

const PODS = docs(namespace("shop"), workload("shop", "web", { app: "web" }), workload("shop", "db", { app: "db" }, { kind: "StatefulSet" }));
const service = (name: string, selector: string, spec = ""): string =>
  `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  selector: {${selector}}\n  ports: [{port: 80}]\n${spec}`;
const CLUSTER_IP = service("api", "app: web", "  clusterIP: 10.96.0.20\n");
const HEADLESS = service("db", "app: db", "  clusterIP: None\n");
const accept = (names: string): string => clusterPolicy("allowlist", "Admin", 10, `  subject: {namespaces: {}}\n  egress:\n    - action: Accept\n      to: [{domainNames: [${names}]}]\n`);

/** Issue 12: "ClusterIP Service names never match (post-DNAT), headless ones do"; "names under svc.cluster.local that are ClusterIP Services". */
const CASES: RuleCase[] = [
  {
    name: "api.shop.svc.cluster.local is a ClusterIP Service: never matches, use a pods peer with its selector",
    yaml: docs(PODS, CLUSTER_IP, accept("api.shop.svc.cluster.local")),
    expect: [{ path: "spec.egress[0].to[0].domainNames[0]", endpoints: ["shop/db", "shop/web"], message: "ClusterIP Service shop/api, which resolves to its ClusterIP 10.96.0.20", hint: "podSelector: {matchLabels: {app: web}}" }],
  },
  { name: "case and a trailing dot do not hide it", yaml: docs(PODS, CLUSTER_IP, accept("API.Shop.svc.cluster.local.")), expect: [{ path: "spec.egress[0].to[0].domainNames[0]", message: "ClusterIP Service shop/api" }] },
  { name: "near miss: a headless Service's name resolves to its pods and matches", yaml: docs(PODS, HEADLESS, accept("db.shop.svc.cluster.local")), expect: [] },
  { name: "near miss: a Service name the input does not hold (it cannot tell)", yaml: docs(PODS, accept("billing.other.svc.cluster.local")), expect: [] },
  {
    name: "*.svc.cluster.local: a wildcard over the cluster domain, naming the ClusterIP Services it matches",
    yaml: docs(PODS, CLUSTER_IP, HEADLESS, accept(`"*.svc.cluster.local"`)),
    expect: [{ path: "spec.egress[0].to[0].domainNames[0]", message: "matches names of the cluster domain cluster.local: a ClusterIP Service's name never matches (policies see the pod IP after Service translation), as for shop/api," }],
  },
  { name: "*.cluster.local: the cluster domain itself", yaml: docs(PODS, accept(`"*.cluster.local"`)), expect: [{ path: "spec.egress[0].to[0].domainNames[0]", message: "matches names of the cluster domain" }] },
  { name: "near miss: *.example.com is not about the cluster", yaml: docs(PODS, CLUSTER_IP, accept(`"*.example.com"`)), expect: [] },
];

for (const c of CASES) {
  test(`domain-names-cluster-service: ${c.name}`, () => {
    const { actual, expected } = runCase("domain-names-cluster-service", c);
    assert.deepEqual(actual, expected);
  });
}

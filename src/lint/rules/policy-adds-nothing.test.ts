import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { scaffold } from "../../scaffold/index.js";
import { type RuleCase, clusterPolicy, docs, policy, runCase, workload } from "../test-support.js";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const APPS = docs(workload("shop", "web", { app: "web" }));
const WEB_EGRESS = "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress:\n    - ports:\n        - {port: 443}\n";
const WEB_EGRESS_WIDER = "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress:\n    - ports:\n        - {port: 443}\n        - {port: 80}\n";
const DENY_EGRESS = "  podSelector: {}\n  policyTypes: [Egress]\n";

/** The Kubernetes documentation's "Default deny all egress traffic" and "Default allow all egress traffic" policies. */
const K8S_DOCS_DEFAULT_DENY_EGRESS = policy("shop", "default-deny-egress", DENY_EGRESS);
const K8S_DOCS_ALLOW_ALL_EGRESS = policy("shop", "allow-all-egress", "  podSelector: {}\n  egress:\n  - {}\n  policyTypes:\n  - Egress\n");

const scaffolded = (allowTo: readonly string[]): string => {
  const r = scaffold({ namespace: "shop", allowDns: true, blockMetadata: true, allowTo });
  if (!r.ok) throw new Error("scaffold failed");
  return r.value;
};

const CASES: RuleCase[] = [
  {
    name: "of two identical policies (a copy-paste), one finding names both: each adds nothing given the other, keep one",
    yaml: docs(APPS, policy("shop", "web-egress", WEB_EGRESS), policy("shop", "web-egress-copy", WEB_EGRESS)),
    expect: [
      {
        path: "",
        endpoints: ["shop/web"],
        message: "NetworkPolicy shop/web-egress, NetworkPolicy shop/web-egress-copy each add nothing given the other: removing one of them changes no connection, removing all of them would; keep one",
      },
    ],
  },
  {
    name: "a policy whose allowances a wider one covers is reported alone, naming the wider one",
    yaml: docs(APPS, policy("shop", "web-egress-wider", WEB_EGRESS_WIDER), policy("shop", "web-egress", WEB_EGRESS)),
    expect: [{ path: "", endpoints: ["shop/web"], message: "NetworkPolicy shop/web-egress-wider already allows the pods it selects at least as much" }],
  },
  {
    name: "a default-deny stays meaningful for pods to come, even when today's pods are all selected by another policy",
    yaml: docs(APPS, policy("shop", "default-deny", DENY_EGRESS), policy("shop", "web-egress", WEB_EGRESS)),
    expect: [],
  },
  {
    name: "examples/egress: default-deny-egress beside allow-dns (which also selects every pod) is a baseline, not dead weight",
    yaml: docs(
      readFileSync(`${ROOT}examples/egress/workloads.yaml`, "utf8"),
      readFileSync(`${ROOT}examples/egress/policies/default-deny-egress.yaml`, "utf8"),
      readFileSync(`${ROOT}examples/egress/policies/allow-dns.yaml`, "utf8"),
    ),
    expect: [],
  },
  { name: "scaffold output (default-deny-egress, allow-dns-egress, allow-egress): the baseline is not reported", yaml: scaffolded(["0.0.0.0/0:443"]), expect: [] },
  {
    name: "the Kubernetes docs' default deny all egress with default allow all egress: the allow-all is not redundant (removing it denies everything), and the baseline is never reported",
    yaml: docs(APPS, K8S_DOCS_ALLOW_ALL_EGRESS, K8S_DOCS_DEFAULT_DENY_EGRESS),
    expect: [],
  },
  {
    name: "two copies of the default-deny baseline: one finding naming both, keep one",
    yaml: docs(APPS, policy("shop", "default-deny", DENY_EGRESS), policy("shop", "deny-egress", `${DENY_EGRESS}  egress: []\n`)),
    expect: [{ path: "", message: "NetworkPolicy shop/default-deny, NetworkPolicy shop/deny-egress each add nothing given the other" }],
  },
  {
    name: "three copies of the Kubernetes docs' default deny all egress: one finding naming the three",
    yaml: docs(APPS, policy("shop", "deny-1", DENY_EGRESS), policy("shop", "deny-2", DENY_EGRESS), policy("shop", "deny-3", DENY_EGRESS)),
    expect: [{ path: "", message: "NetworkPolicy shop/deny-1, NetworkPolicy shop/deny-2, NetworkPolicy shop/deny-3 each add nothing given the others" }],
  },
  {
    name: "an egress baseline beside a deny-all baseline (Ingress and Egress) adds nothing given it, and is reported alone",
    yaml: docs(APPS, policy("shop", "deny-all", "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n"), policy("shop", "default-deny-egress", DENY_EGRESS)),
    expect: [{ path: "", message: "isolates its pods in no direction that NetworkPolicy shop/deny-all (also selecting every pod, with no rules) does not" }],
  },
  { name: "a policy that isolates pods no other policy isolates", yaml: docs(APPS, policy("shop", "web-egress", WEB_EGRESS)), expect: [] },
  {
    name: "the Kubernetes docs' default allow all egress alone: removing it leaves the pods not isolated, which allows as much",
    yaml: docs(APPS, K8S_DOCS_ALLOW_ALL_EGRESS),
    expect: [{ path: "", message: "without it the pods it selects are not isolated" }],
  },
  {
    name: 'admin tiers (near miss): the same allow-all beside a Baseline default-deny is not redundant: "Further evaluation only happens for Pods not selected by a v1.NetworkPolicy", so without it the Baseline Deny decides',
    yaml: docs(
      APPS,
      K8S_DOCS_ALLOW_ALL_EGRESS,
      clusterPolicy("baseline", "Baseline", 10, "  subject: {namespaces: {}}\n  egress:\n    - action: Deny\n      to: [{networks: [0.0.0.0/0]}]\n"),
    ),
    expect: [],
  },
  { name: "a policy that selects no pod is left to policy-selects-nothing", yaml: docs(APPS, policy("shop", "api", WEB_EGRESS.replace("app: web", "app: api"))), expect: [] },
];

for (const c of CASES) {
  test(`policy-adds-nothing: ${c.name}`, () => {
    const { actual, expected } = runCase("policy-adds-nothing", c);
    assert.deepEqual(actual, expected);
  });
}

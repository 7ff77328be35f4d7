/**
 * `lint` on what Portcullis ships — the examples and `scaffold` output — reports only true
 * findings: none of the cases the rules' docs pages call false positives (a baseline told to go,
 * a deliberate OR, a DNS error for a baseline whose allow-DNS policy lives elsewhere). Each case
 * lists every finding; each one is explained where it is not obvious.
 *
 * egress-not-isolated on kube-system is left out: whether that namespace is reported by default is
 * that rule's own question (issue 8, item 10), not one of these.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { scaffold } from "../scaffold/index.js";
import { lintCluster } from "./lint.js";
import { lintMistake, lintPaths, mistakeDirs } from "./mistakes-support.test.js";
import { TEST_OPTIONS, clusterOf, workload } from "./test-support.js";
import type { Finding } from "./types.js";

const shown = (findings: readonly Finding[]): string[] =>
  findings
    .filter((f) => !(f.rule === "egress-not-isolated" && f.object === "Namespace kube-system"))
    .map((f) => `${f.severity} ${f.rule} ${f.object}${f.location.path === "" ? "" : ` ${f.location.path}`} [${f.endpoints.join(", ")}]`);

const EXAMPLES: readonly { name: string; dirs: readonly string[]; expect: readonly string[] }[] = [
  { name: "examples/egress", dirs: ["examples/egress"], expect: [] },
  // The recommended CI line on a policies folder: `portcullis lint -f policies/`.
  { name: "examples/egress/policies alone (lint -f policies/)", dirs: ["examples/egress/policies"], expect: [] },
  {
    // The pull request's 0.0.0.0/0 on 443 covers the payment provider's 203.0.113.0/24 on 443: that rule now adds nothing.
    name: "examples/egress with the pull request examples/egress-pr",
    dirs: ["examples/egress", "examples/egress-pr"],
    expect: ["info redundant-rule NetworkPolicy production/web-api-egress spec.egress[1] [production/web-api]"],
  },
  {
    // The pull request alone is a delta, not a policy set: read by itself, its policy allows
    // web-api HTTPS and nothing isolating web-api allows DNS, which is what an error says.
    name: "examples/egress-pr alone",
    dirs: ["examples/egress-pr"],
    expect: ["error dns-egress-blocked NetworkPolicy production/web-api-https spec.egress[0] [production/{app=web-api}]"],
  },
  {
    // The README's admin-tier example: a cluster and the guardrails `scaffold --cluster` wrote for it.
    name: "examples/guardrails",
    dirs: ["examples/guardrails"],
    expect: [
      // shop has its own policy, so the Baseline leaves shop out; batch is selected by none.
      "info egress-not-isolated Namespace shop [shop/batch]",
      // web-egress allows everything: without it web is not isolated (and shop is no Baseline subject).
      "info policy-adds-nothing NetworkPolicy shop/web-egress [shop/web]",
      "warning egress-internet-open NetworkPolicy shop/web-egress spec.egress[0].to[0] [shop/web]",
      "warning egress-internet-open NetworkPolicy shop/web-egress spec.egress[0].to[1] [shop/web]",
      // The Baseline default-deny is meant to deny pod-to-pod egress too; the info says that it does.
      "info admin-networks-cover-cluster ClusterNetworkPolicy guardrail-baseline-default-deny-egress spec.egress[0].to[0].networks [legacy/app, reports/cron]",
    ],
  },
];

for (const c of EXAMPLES) {
  test(`lint on the bundled ${c.name}: only true findings`, () => {
    assert.deepEqual(shown(lintPaths(c.dirs)), c.expect);
  });
}

/** examples/mistakes: each folder's mistake, and besides it only findings that are true of the folder. */
const MISTAKES: Readonly<Record<string, readonly string[]>> = {
  "admin-tiers": [
    // The Admin Deny of TCP 53 comes before store/allow-dns, and applies to telemetry too.
    "error dns-egress-blocked ClusterNetworkPolicy dns-udp-only spec.egress[0] [store/db, store/web, telemetry/prometheus]",
    "info admin-networks-cover-cluster ClusterNetworkPolicy platform-egress spec.egress[0].to[0].networks [store/db, store/web, telemetry/prometheus]",
    "warning admin-rule-shadowed ClusterNetworkPolicy platform-egress spec.egress[1] [store/db, store/web, telemetry/prometheus]",
    "warning admin-same-priority-conflict ClusterNetworkPolicy lock-store spec.ingress[0] [store/web]",
    "warning domain-names-not-admin-accept ClusterNetworkPolicy no-pastebin spec.egress[0].to[0].domainNames [store/db, store/web, telemetry/prometheus]",
    "warning baseline-rule-unreachable ClusterNetworkPolicy store-baseline spec.egress[0] [store/db, store/web]",
    // The kube-dns pods are in 10.0.0.0/8: the Admin tier accepts UDP 53 (platform-egress) and denies
    // TCP 53 (dns-udp-only) before store/allow-dns is reached, so removing it changes no connection.
    "info policy-adds-nothing NetworkPolicy store/allow-dns [store/db, store/web]",
    // No Admin rule denies everything for prometheus and no NetworkPolicy isolates it: its egress is open.
    "info egress-not-isolated Namespace telemetry [telemetry/prometheus]",
  ],
  "and-or-confusion": [
    // One peer with both selectors would select frontend/web: the AND reading selects workloads.
    "warning peer-and-or-confusion NetworkPolicy backend/api-from-web spec.ingress[0].from[1] [frontend/admin-tools, frontend/web]",
    // app=web pods run in frontend, not backend: the podSelector-only peer selects nothing.
    "warning peer-selects-nothing NetworkPolicy backend/api-from-web spec.ingress[0].from[1] []",
    "info egress-not-isolated Namespace frontend [frontend/admin-tools, frontend/web]",
    "info egress-not-isolated Namespace backend [backend/api]",
  ],
  "domain-allowlist": [
    "warning domain-names-cluster-service ClusterNetworkPolicy checkout-allowlist spec.egress[0].to[0].domainNames[2] [checkout/payments, checkout/web]",
    "error domain-rule-dns-blocked ClusterNetworkPolicy checkout-allowlist spec.egress[0].to[0].domainNames [checkout/payments, checkout/web]",
    "warning domain-wildcard-too-wide ClusterNetworkPolicy checkout-allowlist spec.egress[0].to[0].domainNames[1] [checkout/payments, checkout/web]",
    // The same missing DNS Accept seen from the Deny: no NetworkPolicy can allow DNS again after it.
    "error dns-egress-blocked ClusterNetworkPolicy checkout-allowlist spec.egress[1] [checkout/payments, checkout/web]",
    // The Deny of 0.0.0.0/0 denies checkout's pod-to-pod egress too (web to payments' pod IP).
    "info admin-networks-cover-cluster ClusterNetworkPolicy checkout-allowlist spec.egress[1].to[0].networks [checkout/payments, checkout/web]",
    "warning domain-rule-adds-nothing ClusterNetworkPolicy reports-buckets spec.egress[0].to[0].domainNames [reports/exporter]",
    "warning domain-pattern-ambiguous NetworkPolicy reports/exporter-egress metadata.annotations[\"portcullis.dev/egress-domains\"] [reports/exporter]",
    // The 0.0.0.0/0 that makes the domain rule pointless: every port, the metadata address included.
    "warning egress-internet-open NetworkPolicy reports/exporter-egress spec.egress[0].to[0] [reports/exporter]",
    "warning metadata-reachable NetworkPolicy reports/exporter-egress spec.egress[0].to[0] [reports/exporter]",
  ],
  // The DNS rule and the ranges on 443 are fine: only the selector is too broad.
  "feed-amazon": ["warning feed-selection-too-broad NetworkPolicy payments/payments-s3 []"],
  // web-to-db allows web other egress and no DNS: forgotten, an error for the namespace.
  "dns-blocked": ["error dns-egress-blocked NetworkPolicy shop/default-deny-egress [shop/db, shop/web]"],
  "dns-udp-only": ["warning dns-tcp-missing NetworkPolicy payments/checkout-egress spec.egress[0].to[0] [payments/checkout]"],
  "egress-empty-without-policytypes": [
    "info egress-not-isolated Namespace finance [finance/ledger]",
    "warning egress-list-without-policytypes NetworkPolicy finance/deny-all-egress []",
  ],
  "egress-rules-ignored": ["info egress-not-isolated Namespace batch [batch/worker]", "error egress-rules-ignored NetworkPolicy batch/worker spec.egress[0] [batch/worker]"],
  "ipblock-clusterip": [
    "error dns-egress-blocked NetworkPolicy analytics/reports-egress spec.egress[0] [analytics/reports]",
    "warning ipblock-in-cluster NetworkPolicy analytics/reports-egress spec.egress[0].to[0] []",
  ],
  "label-drift-name-monitoring": [
    "info egress-not-isolated Namespace monitoring [monitoring/prometheus]",
    "info egress-not-isolated Namespace orders [orders/orders]",
    "warning peer-selects-nothing NetworkPolicy orders/allow-prometheus-scrape spec.ingress[0].from[0] []",
  ],
  "metadata-via-0.0.0.0": [
    "warning egress-internet-open NetworkPolicy search/crawler-egress spec.egress[1].to[0] [search/crawler]",
    "warning metadata-reachable NetworkPolicy search/crawler-egress spec.egress[1].to[0] [search/crawler]",
  ],
};

for (const dir of mistakeDirs()) {
  test(`lint on examples/mistakes/${dir}: its mistake, and only true findings besides`, () => {
    assert.deepEqual(shown(lintMistake(dir)), MISTAKES[dir] ?? ["(no expectation written for this folder)"]);
  });
}

const WORKLOADS = [workload("shop", "api", { app: "api" }), workload("data", "postgres", { app: "postgres" })].join("---\n");

const SCAFFOLDS: readonly { name: string; allowDns: boolean; allowTo: readonly string[]; alone: readonly string[]; withWorkloads: readonly string[] }[] = [
  { name: "scaffold -n shop --allow-dns --block-metadata", allowDns: true, allowTo: [], alone: [], withWorkloads: ["info egress-not-isolated Namespace data [data/postgres]"] },
  {
    name: "scaffold -n shop --allow-dns --block-metadata --allow-to 0.0.0.0/0:443 --allow-to data/app=postgres:5432/TCP",
    allowDns: true,
    allowTo: ["0.0.0.0/0:443", "data/app=postgres:5432/TCP"],
    alone: [],
    withWorkloads: ["info egress-not-isolated Namespace data [data/postgres]"],
  },
  // "DNS is denied too (no --allow-dns): name lookups will fail", as the output says: the baseline
  // alone is a warning (its allow-DNS policy may be kept elsewhere) ...
  {
    name: "scaffold -n shop --block-metadata (no --allow-dns)",
    allowDns: false,
    allowTo: [],
    alone: ["warning dns-egress-blocked NetworkPolicy shop/default-deny-egress [shop/{}]"],
    withWorkloads: ["warning dns-egress-blocked NetworkPolicy shop/default-deny-egress [shop/api]", "info egress-not-isolated Namespace data [data/postgres]"],
  },
  // ... and with allowances beside it, DNS was forgotten: an error.
  {
    name: "scaffold -n shop --block-metadata --allow-to 203.0.113.0/24:443 (no --allow-dns)",
    allowDns: false,
    allowTo: ["203.0.113.0/24:443"],
    alone: ["error dns-egress-blocked NetworkPolicy shop/default-deny-egress [shop/{}]"],
    withWorkloads: ["error dns-egress-blocked NetworkPolicy shop/default-deny-egress [shop/api]", "info egress-not-isolated Namespace data [data/postgres]"],
  },
];

for (const c of SCAFFOLDS) {
  const r = scaffold({ namespace: "shop", allowDns: c.allowDns, blockMetadata: true, allowTo: c.allowTo });
  test(`lint on ${c.name}, alone and beside workloads: only true findings`, () => {
    assert.ok(r.ok, "scaffold succeeded");
    const alone = lintCluster(clusterOf([{ file: "baseline.yaml", text: r.value }]), TEST_OPTIONS);
    assert.deepEqual(shown(alone), c.alone, "alone");
    const beside = lintCluster(clusterOf([{ file: "baseline.yaml", text: r.value }, { file: "workloads.yaml", text: WORKLOADS }]), TEST_OPTIONS);
    assert.deepEqual(shown(beside), c.withWorkloads, "beside workloads");
  });
}

/**
 * The classic tutorial mistakes under examples/mistakes/: lint finds each one, where it is.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { lintMistake, MISTAKES_DIR } from "./mistakes-support.test.js";

interface MistakeCase {
  readonly dir: string;
  readonly rule: string;
  readonly file: string;
  readonly path: string;
  readonly endpoints: readonly string[];
  /** A fragment of the message or hint that shows the finding says the right thing. */
  readonly says: string;
}

const CASES: MistakeCase[] = [
  { dir: "dns-blocked", rule: "dns-egress-blocked", file: "policies.yaml", path: "", endpoints: ["shop/db", "shop/web"], says: "has no egress rules" },
  { dir: "dns-udp-only", rule: "dns-tcp-missing", file: "app.yaml", path: "spec.egress[0].to[0]", endpoints: ["payments/checkout"], says: "no rule allows TCP 53" },
  { dir: "and-or-confusion", rule: "peer-and-or-confusion", file: "policy.yaml", path: "spec.ingress[0].from[1]", endpoints: ["frontend/admin-tools", "frontend/web"], says: "(1 workload: frontend/web)" },
  { dir: "egress-empty-without-policytypes", rule: "egress-list-without-policytypes", file: "ledger.yaml", path: "", endpoints: [], says: "denies all ingress" },
  { dir: "metadata-via-0.0.0.0", rule: "metadata-reachable", file: "crawler.yaml", path: "spec.egress[1].to[0]", endpoints: ["search/crawler"], says: "169.254.169.254" },
  { dir: "label-drift-name-monitoring", rule: "peer-selects-nothing", file: "orders.yaml", path: "spec.ingress[0].from[0]", endpoints: [], says: "did you mean kubernetes.io/metadata.name=monitoring?" },
  { dir: "egress-rules-ignored", rule: "egress-rules-ignored", file: "worker.yaml", path: "spec.egress[0]", endpoints: ["batch/worker"], says: "is ignored" },
  { dir: "ipblock-clusterip", rule: "ipblock-in-cluster", file: "policy.yaml", path: "spec.egress[0].to[0]", endpoints: [], says: "ClusterIP of Service kube-system/kube-dns" },
  { dir: "ipblock-clusterip", rule: "dns-egress-blocked", file: "policy.yaml", path: "spec.egress[0]", endpoints: ["analytics/reports"], says: "outside the ipBlock's cidr" },
  { dir: "admin-tiers", rule: "dns-egress-blocked", file: "guardrails.yaml", path: "spec.egress[0]", endpoints: ["store/db", "store/web", "telemetry/prometheus"], says: 'ClusterNetworkPolicy dns-udp-only spec.egress[0] "no-tcp-dns" denies DNS queries (TCP 53)' },
  { dir: "admin-tiers", rule: "admin-rule-shadowed", file: "guardrails.yaml", path: "spec.egress[1]", endpoints: ["store/db", "store/web", "telemetry/prometheus"], says: "(Accept wins: this Deny never takes effect)" },
  { dir: "admin-tiers", rule: "admin-networks-cover-cluster", file: "guardrails.yaml", path: "spec.egress[0].to[0].networks", endpoints: ["store/db", "store/web", "telemetry/prometheus"], says: "networks 10.0.0.0/8 covers pod addresses" },
  { dir: "admin-tiers", rule: "admin-same-priority-conflict", file: "guardrails.yaml", path: "spec.ingress[0]", endpoints: ["store/web"], says: "both match telemetry/prometheus → store/web, TCP port 8080" },
  { dir: "admin-tiers", rule: "domain-names-not-admin-accept", file: "guardrails.yaml", path: "spec.egress[0].to[0].domainNames", endpoints: ["store/db", "store/web", "telemetry/prometheus"], says: "in a Deny rule" },
  { dir: "admin-tiers", rule: "baseline-rule-unreachable", file: "guardrails.yaml", path: "spec.egress[0]", endpoints: ["store/db", "store/web"], says: "isolated for egress by NetworkPolicy store/default-deny-egress" },
  { dir: "domain-allowlist", rule: "domain-rule-dns-blocked", file: "allowlist.yaml", path: "spec.egress[0].to[0].domainNames", endpoints: ["checkout/payments", "checkout/web"], says: "cannot send DNS queries over UDP or TCP 53" },
  { dir: "domain-allowlist", rule: "domain-wildcard-too-wide", file: "allowlist.yaml", path: "spec.egress[0].to[0].domainNames[1]", endpoints: ["checkout/payments", "checkout/web"], says: "*.github.io matches every name under github.io" },
  { dir: "domain-allowlist", rule: "domain-names-cluster-service", file: "allowlist.yaml", path: "spec.egress[0].to[0].domainNames[2]", endpoints: ["checkout/payments", "checkout/web"], says: "ClusterIP Service checkout/payments" },
  { dir: "domain-allowlist", rule: "domain-rule-adds-nothing", file: "reports.yaml", path: "spec.egress[0].to[0].domainNames", endpoints: ["reports/exporter"], says: "allowed by NetworkPolicy reports/exporter-egress spec.egress[0]" },
  { dir: "domain-allowlist", rule: "domain-pattern-ambiguous", file: "reports.yaml", path: 'metadata.annotations["portcullis.dev/egress-domains"]', endpoints: ["reports/exporter"], says: "*amazonaws.com in" },
  { dir: "feed-amazon", rule: "feed-selection-too-broad", file: "policy.yaml", path: "", endpoints: [], says: "selects service=AMAZON, AWS's list of every Amazon range" },
];

for (const c of CASES) {
  test(`examples/mistakes/${c.dir}: ${c.rule} at ${c.file} ${c.path === "" ? "(the object)" : c.path}`, () => {
    const found = lintMistake(c.dir).filter((f) => f.rule === c.rule);
    assert.equal(found.length, 1, `one ${c.rule} finding`);
    const [f] = found;
    assert.ok(f !== undefined);
    assert.deepEqual(
      { file: f.location.file, path: f.location.path, endpoints: f.endpoints },
      { file: `examples/mistakes/${c.dir}/${c.file}`, path: c.path, endpoints: c.endpoints },
    );
    assert.ok(f.message.includes(c.says) || f.hint.includes(c.says), `says "${c.says}": ${f.message} / ${f.hint}`);
  });
}

test("every folder of examples/mistakes is checked above", () => {
  const dirs = readdirSync(MISTAKES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  assert.deepEqual(dirs, [...new Set(CASES.map((c) => c.dir))].sort());
});

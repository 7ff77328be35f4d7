import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { failLevel, lintCluster, selectedRules, type FailOn } from "./lint.js";
import { RULES, unknownRuleIds } from "./registry.js";
import { TEST_OPTIONS, clusterOf, clusterOfYaml, clusterPolicy, docs, policy, workload } from "./test-support.js";
import type { Finding, Severity } from "./types.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

const SHOP = docs(
  workload("shop", "web", { app: "web" }),
  policy("shop", "default-deny-egress", "  podSelector: {}\n  policyTypes: [Egress]\n"),
  policy("shop", "web-egress", "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress:\n    - to:\n        - ipBlock: {cidr: 0.0.0.0/0}\n"),
);

test("registry: ids are unique, kebab-case, and each rule's docs page is docs/rules/<id>.md", () => {
  const ids = RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const r of RULES) {
    assert.match(r.id, /^[a-z]+(-[a-z0-9]+)*$/);
    assert.equal(r.docs, `docs/rules/${r.id}.md`);
    assert.ok(r.summary.length > 0 && r.summary.length <= 120, `${r.id}: summary is one line`);
  }
});

test("registry: the rules of the issue, with their severities", () => {
  const bySeverity = (s: Severity): string[] => RULES.filter((r) => r.severity === s).map((r) => r.id).sort();
  assert.deepEqual(bySeverity("error"), ["dns-egress-blocked", "domain-rule-dns-blocked", "egress-rules-ignored", "kind-near-miss"]);
  assert.deepEqual(bySeverity("info"), ["egress-not-isolated", "hostnetwork-selected", "policy-adds-nothing", "redundant-rule"]);
  assert.deepEqual(
    RULES.filter((r) => r.id.startsWith("admin-") || r.id.startsWith("baseline-") || r.id.startsWith("domain-")).map((r) => `${r.id} ${r.severity}`),
    ["admin-same-priority-conflict warning", "admin-rule-shadowed warning", "baseline-rule-unreachable warning", "admin-networks-cover-cluster warning", "domain-names-not-admin-accept warning",
      "domain-rule-dns-blocked error", "domain-wildcard-too-wide warning", "domain-names-cluster-service warning", "domain-pattern-ambiguous warning", "domain-rule-adds-nothing warning"],
  );
  // Issue 13 (published IP ranges): both judge feed-bound policies.
  assert.deepEqual(RULES.filter((r) => r.id.startsWith("feed-")).map((r) => `${r.id} ${r.severity}`), ["feed-outdated warning", "feed-selection-too-broad warning"]);
  assert.equal(RULES.length, 28);
});

test("unknownRuleIds names the ids that are not rules, for the CLI to refuse", () => {
  assert.deepEqual(unknownRuleIds(["dns-egress-blocked", "dns-blocked", "redundant-rule"]), ["dns-blocked"]);
});

test("enable runs only the rules named; disable removes rules", () => {
  const ids = (o: { enable?: string[]; disable?: string[] }): string[] => selectedRules(o).map((r) => r.id);
  assert.deepEqual(ids({ enable: ["metadata-reachable", "dns-tcp-missing"] }), ["dns-tcp-missing", "metadata-reachable"]);
  assert.equal(ids({ disable: ["redundant-rule"] }).length, RULES.length - 1);
  assert.deepEqual(ids({ enable: ["redundant-rule"], disable: ["redundant-rule"] }), []);
  const cluster = clusterOfYaml(SHOP);
  const rulesOf = (findings: Finding[]): string[] => [...new Set(findings.map((f) => f.rule))].sort();
  assert.deepEqual(rulesOf(lintCluster(cluster, { ...TEST_OPTIONS, enable: ["metadata-reachable"] })), ["metadata-reachable"]);
  assert.ok(!rulesOf(lintCluster(cluster, { ...TEST_OPTIONS, disable: ["metadata-reachable"] })).includes("metadata-reachable"));
});

test("portcullis.dev/ignore silences the rules it lists on that object only", () => {
  const yaml = (ignore: string): string =>
    docs(
      workload("shop", "web", { app: "web" }),
      policy("shop", "web-egress", "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress:\n    - to:\n        - ipBlock: {cidr: 0.0.0.0/0}\n", { "portcullis.dev/ignore": ignore }),
      policy("shop", "other-egress", "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n  egress:\n    - to:\n        - ipBlock: {cidr: \"::/0\"}\n"),
    );
  const found = (ignore: string): string[] =>
    lintCluster(clusterOfYaml(yaml(ignore)), { ...TEST_OPTIONS, enable: ["egress-internet-open", "metadata-reachable"] }).map((f) => `${f.rule} ${f.object}`);
  assert.deepEqual(found(""), [
    "egress-internet-open NetworkPolicy shop/web-egress",
    "metadata-reachable NetworkPolicy shop/web-egress",
    "egress-internet-open NetworkPolicy shop/other-egress",
    "metadata-reachable NetworkPolicy shop/other-egress",
  ]);
  assert.deepEqual(found(" metadata-reachable , egress-internet-open"), ["egress-internet-open NetworkPolicy shop/other-egress", "metadata-reachable NetworkPolicy shop/other-egress"]);
  assert.deepEqual(found("metadata-reachable"), [
    "egress-internet-open NetworkPolicy shop/web-egress",
    "egress-internet-open NetworkPolicy shop/other-egress",
    "metadata-reachable NetworkPolicy shop/other-egress",
  ]);
});

test("findings are ordered by file, line and rule, and the same input gives the same output", () => {
  const files = [
    { file: "b.yaml", text: policy("shop", "web-egress", "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - {}\n") },
    { file: "a.yaml", text: docs(workload("shop", "web", { app: "web" }), policy("shop", "deny-egress", "  podSelector: {}\n")) },
  ];
  const run = (): Finding[] => lintCluster(clusterOf(files), TEST_OPTIONS);
  const first = run();
  assert.deepEqual(run(), first);
  assert.deepEqual(lintCluster(clusterOf([...files].reverse()), TEST_OPTIONS), first);
  const keys = first.map((f) => [f.location.file ?? "", f.location.line ?? 0, f.rule] as const);
  const sorted = [...keys].sort((a, b) => (a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0)));
  assert.deepEqual(keys, sorted);
  assert.ok(first.some((f) => f.location.file === "a.yaml") && first.some((f) => f.location.file === "b.yaml"));
});

test("a finding carries file, line, column, field path, object, workloads and hint", () => {
  const [f] = lintCluster(clusterOfYaml(SHOP, "shop.yaml"), { ...TEST_OPTIONS, enable: ["egress-internet-open"] });
  assert.ok(f !== undefined);
  assert.deepEqual(
    { rule: f.rule, severity: f.severity, object: f.object, location: f.location, endpoints: f.endpoints },
    {
      rule: "egress-internet-open",
      severity: "warning",
      object: "NetworkPolicy shop/web-egress",
      location: { file: "shop.yaml", line: 36, column: 11, path: "spec.egress[0].to[0]" },
      endpoints: ["shop/web"],
    },
  );
  assert.ok(f.hint.length > 0);
});

const FAIL_CASES: { name: string; severities: Severity[]; failOn: FailOn; fails: boolean }[] = [
  { name: "an error fails --fail-on error", severities: ["info", "error"], failOn: "error", fails: true },
  { name: "warnings do not fail --fail-on error", severities: ["warning", "info"], failOn: "error", fails: false },
  { name: "a warning fails --fail-on warning", severities: ["warning"], failOn: "warning", fails: true },
  { name: "an error fails --fail-on warning", severities: ["error"], failOn: "warning", fails: true },
  { name: "info does not fail --fail-on warning", severities: ["info"], failOn: "warning", fails: false },
  { name: "info fails --fail-on info", severities: ["info"], failOn: "info", fails: true },
  { name: "nothing fails --fail-on never", severities: ["error"], failOn: "never", fails: false },
  { name: "no findings never fail", severities: [], failOn: "info", fails: false },
];

for (const c of FAIL_CASES) {
  test(`failLevel: ${c.name}`, () => {
    const findings: Finding[] = c.severities.map((severity) => ({
      rule: "r",
      severity,
      message: "m",
      object: "o",
      location: { file: "f", line: 1, column: 1, path: "" },
      endpoints: [],
      hint: "h",
    }));
    assert.equal(failLevel(findings, c.failOn), c.fails);
  });
}

test("src/lint is pure: no node:* import outside *.test.ts, and nothing from the edges (cli, io)", () => {
  const dir = join(ROOT, "src", "lint");
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) files.push(p);
    }
  };
  walk(dir);
  assert.ok(files.length > 20);
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    assert.doesNotMatch(text, /from\s+"node:|require\(|child_process/, file);
    assert.doesNotMatch(text, /from\s+"\.\.\/(\.\.\/)?(cli|io|lab|nft|enforce)\//, file);
  }
});

test("-n keeps the findings about an admin policy (cluster-scoped) that concern workloads of that namespace, and only those", () => {
  const cluster = clusterOfYaml(
    docs(
      workload("shop", "web", { app: "web" }),
      workload("data", "db", { app: "db" }),
      clusterPolicy("no-tcp-dns", "Admin", 5, `
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
  egress:
    - action: Deny
      to: [{namespaces: {}}]
      protocols: [{tcp: {destinationPort: {number: 53}}}]
`),
    ),
  );
  const objects = (ns: string): string[] => lintCluster(cluster, { ...TEST_OPTIONS, namespace: ns, enable: ["dns-egress-blocked"] }).map((f) => `${f.object} [${f.endpoints.join(", ")}]`);
  assert.deepEqual(objects("shop"), ["ClusterNetworkPolicy no-tcp-dns [shop/web]"]);
  assert.deepEqual(objects("data"), []);
});

test("portcullis.dev/ignore on a namespace silences that rule for everything in it", () => {
  const ns = (ignore: string | null): string =>
    `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n${ignore === null ? "" : `  annotations:\n    portcullis.dev/ignore: ${ignore}\n`}`;
  const found = (ignore: string | null): string[] =>
    lintCluster(clusterOfYaml(docs(ns(ignore), workload("shop", "web", { app: "web" }))), { ...TEST_OPTIONS, enable: ["egress-not-isolated"] }).map((f) => f.rule);
  assert.deepEqual(found(null), ["egress-not-isolated"]);
  assert.deepEqual(found("egress-not-isolated"), []);
  assert.deepEqual(found("dns-tcp-missing"), ["egress-not-isolated"]);
});

test("portcullis.dev/ignore on a workload drops that endpoint from a finding, and the finding when none is left", () => {
  const annotated = (name: string, ignore: string): string =>
    workload("shop", name, { app: name }).replace(`  name: ${name}\n`, `  name: ${name}\n  annotations:\n    portcullis.dev/ignore: ${ignore}\n`);
  const lint = (...objects: string[]) =>
    lintCluster(clusterOfYaml(docs(...objects)), { ...TEST_OPTIONS, enable: ["egress-not-isolated"] }).map((f) => f.endpoints);
  assert.deepEqual(lint(workload("shop", "web", { app: "web" }), workload("shop", "api", { app: "api" })), [["shop/api", "shop/web"]]);
  assert.deepEqual(lint(annotated("web", "egress-not-isolated"), workload("shop", "api", { app: "api" })), [["shop/api"]]);
  assert.deepEqual(lint(annotated("web", "egress-not-isolated"), annotated("api", "egress-not-isolated")), []);
});

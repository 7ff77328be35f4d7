/**
 * Files found in a directory that are not Kubernetes manifests at all are skipped with a warning;
 * files that look like manifests and are broken stay errors (issue 8, item 11). Each case is a
 * file found beside manifests in real repositories.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { messages } from "../diag/catalogue.js";
import { codes } from "./codes.js";
import { loadCluster } from "./load.js";

const POLICY = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}, policyTypes: [Egress]}\n";

/** What becomes of a file found in a directory: skipped (`not-kubernetes`, at a line), or read with these diagnostic codes. */
type Outcome = { readonly skipped: "no-object" | "template"; readonly line: number } | { readonly read: readonly string[] };

const CASES: readonly { readonly name: string; readonly file: string; readonly text: string; readonly expect: Outcome }[] = [
  {
    name: "`npm init -y` package.json in a repository of manifests",
    file: "package.json",
    text: '{\n  "name": "deploy",\n  "version": "1.0.0",\n  "main": "index.js",\n  "scripts": { "test": "echo \\"Error: no test specified\\" && exit 1" },\n  "license": "ISC"\n}\n',
    expect: { skipped: "no-object", line: 1 },
  },
  {
    name: "`helm create` Chart.yaml: an apiVersion (v2) but no kind and no metadata",
    file: "Chart.yaml",
    text: "apiVersion: v2\nname: shop\ndescription: A Helm chart for Kubernetes\ntype: application\nversion: 0.1.0\nappVersion: \"1.16.0\"\n",
    expect: { skipped: "no-object", line: 1 },
  },
  { name: "Helm 2 Chart.yaml (apiVersion v1)", file: "Chart.yaml", text: "apiVersion: v1\nname: shop\nversion: 0.1.0\n", expect: { skipped: "no-object", line: 1 } },
  {
    name: "`helm create` values.yaml",
    file: "values.yaml",
    text: "# Default values for shop.\nreplicaCount: 1\nimage:\n  repository: nginx\n  pullPolicy: IfNotPresent\n  tag: \"\"\nservice:\n  type: ClusterIP\n  port: 80\n",
    expect: { skipped: "no-object", line: 1 },
  },
  {
    name: "`jest --json --outputFile=report.json` test report",
    file: "report.json",
    text: '{"numFailedTests":0,"numPassedTests":2,"success":true,"testResults":[{"name":"/repo/test/policies.test.js","status":"passed"}]}',
    expect: { skipped: "no-object", line: 1 },
  },
  { name: "a JSON array of results (a scanner's report)", file: "results.json", text: '[{"check":"egress","passed":true}]\n', expect: { skipped: "no-object", line: 1 } },
  {
    name: "Helm template wrapped in {{- if }} (a chart's templates/networkpolicy.yaml)",
    file: "templates/networkpolicy.yaml",
    text: `{{- if .Values.networkPolicy.enabled }}\n${POLICY}{{- end }}\n`,
    expect: { skipped: "template", line: 1 },
  },
  {
    name: "`helm create` templates/service.yaml: `name: {{ include … }}`, which YAML reads as a mapping",
    file: "templates/service.yaml",
    text: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include "shop.fullname" . }}\nspec:\n  type: {{ .Values.service.type }}\n  ports:\n    - port: 80\n',
    expect: { skipped: "template", line: 4 },
  },
  {
    name: "kustomization.yaml: a kind, so a manifest (of a kind not modelled)",
    file: "kustomization.yaml",
    text: "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - policy.yaml\n",
    expect: { read: [] },
  },
  {
    name: "a NetworkPolicy whose kind line was deleted: apiVersion and metadata, a broken manifest",
    file: "policy.yaml",
    text: POLICY.replace("kind: NetworkPolicy\n", ""),
    expect: { read: [codes.missingField] },
  },
  {
    name: "a file with a policy and a values document: it looks like a manifest, so the stray document is an error",
    file: "mixed.yaml",
    text: `${POLICY.replace("name: deny", "name: deny-too")}---\nreplicaCount: 1\n`,
    expect: { read: [codes.missingField] },
  },
  {
    name: "Alertmanager's template in a ConfigMap's block scalar is text, not template syntax",
    file: "alertmanager.yaml",
    text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: alertmanager-templates, namespace: monitoring}\ndata:\n  slack.tmpl: |\n    {{ define "slack.title" }}[{{ .Status }}] {{ .CommonLabels.alertname }}{{ end }}\n',
    expect: { read: [] },
  },
  {
    name: "a PrometheusRule's description with {{ $labels }} in plain and quoted scalars",
    file: "rules.yaml",
    text: 'apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: pods, namespace: monitoring}\nspec:\n  groups:\n    - name: pods\n      rules:\n        - alert: PodDown\n          annotations:\n            summary: "{{ $labels.pod }} is down"\n            description: Pod {{ $labels.namespace }}/{{ $labels.pod }} is down\n',
    expect: { read: [] },
  },
  {
    name: "a `kubectl get -o json` dump holding an alert's {{ $labels }} in a string: JSON is not lexed for templates",
    file: "dump.json",
    text: '{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "rules", "namespace": "monitoring"}, "data": {"summary": "Pod {{ $labels.pod }} is down"}}]}',
    expect: { read: [] },
  },
  { name: "invalid YAML without template syntax: cannot tell, so an error", file: "broken.yaml", text: "kind: [NetworkPolicy\n", expect: { read: [codes.yamlSyntax] } },
  { name: "an empty file (a failed kubectl get > file): the no-objects error", file: "empty.yaml", text: "# nothing\n", expect: { read: [codes.noObjects] } },
  { name: "an empty List (kubectl get found nothing): a real answer", file: "list.json", text: '{"apiVersion":"v1","items":[],"kind":"List"}', expect: { read: [] } },
];

for (const c of CASES) {
  test(`found in a directory: ${c.name} is ${"skipped" in c.expect ? `skipped (${c.expect.skipped})` : "read"}`, () => {
    const r = loadCluster([{ file: "shop.yaml", text: POLICY, inDirectory: true }, { file: c.file, text: c.text, inDirectory: true }]);
    const mine = r.diagnostics.filter((d) => d.at?.file === c.file);
    if ("read" in c.expect) {
      assert.deepEqual(mine.map((d) => d.code), c.expect.read);
      assert.deepEqual(r.notManifests, []);
      return;
    }
    const message = c.expect.skipped === "template" ? messages.goTemplate() : messages.notKubernetes();
    assert.deepEqual(mine.map((d) => [d.severity, d.code, d.at?.line, d.message]), [["warning", codes.notKubernetes, c.expect.line, message]]);
    assert.deepEqual(r.notManifests, [c.file]);
    assert.equal(r.value.policies.length, 1, "the manifest beside it is read");
  });
}

test("a file named on the command line (not found in a directory) is never skipped: package.json is an error", () => {
  const r = loadCluster([{ file: "package.json", text: '{"name": "deploy"}' }]);
  assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.code]), [["error", codes.missingField]]);
});

test("--strict: a package.json and a Helm template found in a directory are errors, as before", () => {
  const sources = [
    { file: "package.json", text: '{"name": "deploy"}', inDirectory: true as const },
    { file: "templates/np.yaml", text: `{{- if .Values.enabled }}\n${POLICY}{{- end }}\n`, inDirectory: true as const },
  ];
  const r = loadCluster(sources, undefined, { strict: true });
  assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.code, d.at?.file]).sort(), [
    ["error", codes.missingField, "package.json"],
    ["error", codes.yamlSyntax, "templates/np.yaml"],
  ]);
  assert.deepEqual(r.notManifests, []);
});

test("a directory with only package.json: the warning, then no-objects (fail closed: nothing is not 'no policies')", () => {
  const r = loadCluster([{ file: "deploy/package.json", text: '{"name": "deploy"}', inDirectory: true }]);
  assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.code, d.at?.file, d.message]), [
    ["warning", codes.notKubernetes, "deploy/package.json", messages.notKubernetes()],
    ["error", codes.noObjects, undefined, messages.noObjectsLeft(1)],
  ]);
});

test("a Helm chart directory without rendered output: every file skipped, then no-objects", () => {
  const r = loadCluster([
    { file: "chart/Chart.yaml", text: "apiVersion: v2\nname: shop\nversion: 0.1.0\n", inDirectory: true },
    { file: "chart/templates/np.yaml", text: `{{- if .Values.enabled }}\n${POLICY}{{- end }}\n`, inDirectory: true },
  ]);
  assert.deepEqual(r.diagnostics.map((d) => [d.severity, d.code, d.message]).at(-1), ["error", codes.noObjects, messages.noObjectsLeft(2)]);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { RESOURCES, type ResourceType } from "./resources.js";
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from "./selectors.js";

const type = (resource: string): ResourceType => RESOURCES.find((t) => t.resource === resource) as ResourceType;

// Cases from https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/ ("Label selectors").
const LABEL_CASES: readonly { selector: string; labels: Record<string, string>; matches: boolean; doc: string }[] = [
  { selector: "environment = production", labels: { environment: "production" }, matches: true, doc: "selects all resources with key equal to environment and value equal to production" },
  { selector: "environment==production", labels: { environment: "production" }, matches: true, doc: "The first two represent equality (and are synonyms)" },
  { selector: "environment=production", labels: { environment: "qa" }, matches: false, doc: "value equal to production" },
  { selector: "tier != frontend", labels: { tier: "backend" }, matches: true, doc: "key equal to tier and value distinct from frontend" },
  { selector: "tier != frontend", labels: {}, matches: true, doc: "and all resources with no labels with the tier key" },
  { selector: "tier != frontend", labels: { tier: "frontend" }, matches: false, doc: "value distinct from frontend" },
  { selector: "environment=production,tier!=frontend", labels: { environment: "production", tier: "backend" }, matches: true, doc: "the comma operator: both requirements" },
  { selector: "environment=production,tier!=frontend", labels: { environment: "production", tier: "frontend" }, matches: false, doc: "the comma separator acts as an AND operator" },
  { selector: "environment in (production, qa)", labels: { environment: "qa" }, matches: true, doc: "key equal to environment and value equal to production or qa" },
  { selector: "environment in (production, qa)", labels: {}, matches: false, doc: "in: the key must be there" },
  { selector: "tier notin (frontend, backend)", labels: { tier: "cache" }, matches: true, doc: "values other than frontend and backend" },
  { selector: "tier notin (frontend, backend)", labels: {}, matches: true, doc: "and all resources with no labels with the tier key" },
  { selector: "tier notin (frontend, backend)", labels: { tier: "backend" }, matches: false, doc: "notin excludes the listed values" },
  { selector: "partition", labels: { partition: "" }, matches: true, doc: "all resources including a label with key partition; no values are checked" },
  { selector: "partition", labels: {}, matches: false, doc: "exists needs the key" },
  { selector: "!partition", labels: {}, matches: true, doc: "all resources without a label with key partition" },
  { selector: "!partition", labels: { partition: "a" }, matches: false, doc: "!key excludes those with the key" },
  { selector: "partition,environment notin (qa)", labels: { partition: "x", environment: "prod" }, matches: true, doc: "set-based requirements mixed" },
  { selector: "replicas>2", labels: { replicas: "3" }, matches: true, doc: "Gt (labels.Selector): an integer comparison" },
  { selector: "replicas<2", labels: { replicas: "3" }, matches: false, doc: "Lt" },
  { selector: "app.kubernetes.io/name=web", labels: { "app.kubernetes.io/name": "web" }, matches: true, doc: "a prefixed key" },
  { selector: "", labels: { a: "b" }, matches: true, doc: "an empty selector selects everything" },
];

for (const c of LABEL_CASES) {
  test(`labelSelector "${c.selector}" on ${JSON.stringify(c.labels)}: ${c.matches} ("${c.doc}")`, () => {
    const parsed = parseLabelSelector(c.selector);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.equal(matchesLabels(parsed.value, c.labels), c.matches);
  });
}

test("labelSelector parse errors are the apiserver's 400 material: a bad key, a bad value, a non-integer for > and <", () => {
  for (const bad of ["-bad=x", "a=b c", "x>y", "a in (b c)"]) {
    const parsed = parseLabelSelector(bad);
    assert.equal(parsed.ok, false, bad);
  }
});

test('fieldSelector on pods: "spec.nodeName=n1" (kubectl get pods --field-selector spec.nodeName=n1, the node agent\'s local pods)', () => {
  const parsed = parseFieldSelector("spec.nodeName=n1", type("pods"));
  assert.ok(parsed.ok);
  assert.equal(matchesFields(parsed.value, { spec: { nodeName: "n1" } }), true);
  assert.equal(matchesFields(parsed.value, { spec: { nodeName: "n2" } }), false);
  assert.equal(matchesFields(parsed.value, { spec: {} }), false);
});

test("fieldSelector: ==, != and several terms; an unset field reads as the empty string", () => {
  const parsed = parseFieldSelector("status.phase!=Succeeded,metadata.namespace==prod,spec.nodeName=", type("pods"));
  assert.ok(parsed.ok);
  assert.equal(matchesFields(parsed.value, { metadata: { namespace: "prod" }, status: { phase: "Running" } }), true);
  assert.equal(matchesFields(parsed.value, { metadata: { namespace: "prod" }, status: { phase: "Succeeded" } }), false);
  assert.equal(matchesFields(parsed.value, { metadata: { namespace: "prod" }, spec: { nodeName: "n1" } }), false);
});

test('"All resource types support the metadata.name and metadata.namespace fields. Using unsupported field selectors produces an error." (worded per type as the apiserver words it)', () => {
  assert.deepEqual(parseFieldSelector("spec.foo=1", type("pods")), { ok: false, message: "field label not supported: spec.foo" });
  assert.deepEqual(parseFieldSelector("spec.podSelector=x", type("networkpolicies")), {
    ok: false,
    message: '"spec.podSelector" is not a known field selector: only "metadata.name", "metadata.namespace"',
  });
  assert.ok(parseFieldSelector("metadata.name=web", type("networkpolicies")).ok);
  assert.ok(parseFieldSelector("metadata.namespace=prod", type("adminnetworkpolicies")).ok);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { type ParseCache, loadCluster } from "./load.js";

const POLICY = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: deny, namespace: prod }\nspec: { podSelector: {}, policyTypes: [Egress] }\n";
const POD = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata: { name: ${name}, namespace: prod, labels: { app: ${name} } }\nspec: { containers: [{ name: c }] }\n`;

test("with a parse cache, a file whose text did not change is not parsed again", () => {
  const cache: ParseCache = new Map();
  const first = loadCluster([{ file: "policy.yaml", text: POLICY }, { file: "pods.yaml", text: POD("web") }], cache);
  const policyParse = cache.get("policy.yaml")?.parsed;
  const second = loadCluster([{ file: "policy.yaml", text: POLICY }, { file: "pods.yaml", text: POD("api") }], cache);
  assert.equal(cache.get("policy.yaml")?.parsed, policyParse, "unchanged: the same parse");
  assert.deepEqual(first.value.endpoints.map((e) => e.id), ["prod/web"]);
  assert.deepEqual(second.value.endpoints.map((e) => e.id), ["prod/api"], "changed: parsed again");
  assert.equal(second.value.policies.length, 1);
});

test("files no longer given leave the cache, and their objects the cluster", () => {
  const cache: ParseCache = new Map();
  loadCluster([{ file: "policy.yaml", text: POLICY }, { file: "pods.yaml", text: POD("web") }], cache);
  const after = loadCluster([{ file: "pods.yaml", text: POD("web") }], cache);
  assert.deepEqual([...cache.keys()], ["pods.yaml"]);
  assert.equal(after.value.policies.length, 0);
});

test("a cached file with errors reports them again on every load", () => {
  const cache: ParseCache = new Map();
  const broken = [{ file: "bad.yaml", text: "kind: [\n" }];
  const a = loadCluster(broken, cache);
  const b = loadCluster(broken, cache);
  assert.ok(a.diagnostics.some((d) => d.severity === "error"));
  assert.deepEqual(b.diagnostics, a.diagnostics);
});

test("documents decoded before are not decoded again, and give the same cluster and problems", () => {
  const cache: ParseCache = new Map();
  const dup = POD("web").replace("labels: { app: web }", "labels: { app: other }");
  const sources = [
    { file: "policy.yaml", text: POLICY },
    { file: "pods.yaml", text: `${POD("web")}---\n${dup}---\nkind: ConfigMap\napiVersion: v1\nmetadata: { name: c }\n` },
  ];
  const first = loadCluster(sources, cache);
  const again = loadCluster(sources, cache);
  assert.deepEqual(again.value, first.value);
  assert.deepEqual(again.diagnostics, first.diagnostics);
  assert.deepEqual(again.skipped, first.skipped);
  assert.equal(again.value.policies[0], first.value.policies[0], "the very same decoded policy");
  assert.deepEqual(first.diagnostics.map((d) => d.code), ["duplicate-object"], "the second prod/web is reported each time");
  assert.deepEqual(first.skipped, [{ kind: "ConfigMap", count: 1 }]);
});

/**
 * A file or stdin with no object is an error: an empty file, `---` alone, comments, `null`/`~`
 * documents (a failed `kubectl get … >file` leaves one of these). A List with no items is what
 * `kubectl get` prints when it found nothing: a legitimate empty answer, not an error.
 */
const NO_OBJECT: readonly { readonly name: string; readonly text: string; readonly error: boolean }[] = [
  { name: "an empty file", text: "", error: true },
  { name: "whitespace only", text: "\n  \n", error: true },
  { name: "only ---", text: "---\n", error: true },
  { name: "several empty documents", text: "---\n---\n...\n", error: true },
  { name: "only comments", text: "# exported by sync.sh\n---\n# nothing\n", error: true },
  { name: "a null document", text: "null\n", error: true },
  { name: "a ~ document", text: "--- ~\n", error: true },
  { name: "JSON null", text: "null", error: true },
  { name: "an empty List (kubectl get found nothing)", text: "apiVersion: v1\nkind: List\nitems: []\n", error: false },
  { name: "an empty List in JSON", text: '{"apiVersion":"v1","items":[],"kind":"List","metadata":{"resourceVersion":""}}', error: false },
  { name: "a NetworkPolicyList with items: null", text: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicyList\nitems: null\n", error: false },
  { name: "an empty document beside an object", text: `---\n${POLICY}---\n`, error: false },
];

for (const c of NO_OBJECT) {
  test(`no object: ${c.name} ${c.error ? "is an error naming the file" : "is not an error"}`, () => {
    const r = loadCluster([{ file: "in.yaml", text: c.text }]);
    const found = r.diagnostics.filter((d) => d.code === "no-objects");
    if (!c.error) return assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      found.map((d) => [d.severity, d.at?.file, d.at?.line, d.message]),
      [["error", "in.yaml", 1, "holds no Kubernetes object (it is empty, or has only comments, '---' or null documents)"]],
    );
    assert.equal(r.diagnostics.length, 1);
  });
}

test("no object: each empty source is named, the others load", () => {
  const r = loadCluster([{ file: "a.yaml", text: POLICY }, { file: "<stdin>", text: "" }, { file: "b.yaml", text: "---\n" }]);
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.at?.file]), [["no-objects", "<stdin>"], ["no-objects", "b.yaml"]]);
  assert.equal(r.value.policies.length, 1);
});

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

import { test } from "node:test";
import assert from "node:assert/strict";
import { parseDocuments } from "../k8s/parse.js";
import { DocumentTexts } from "./policy-text.js";

const MULTI = `# the first document
apiVersion: v1
kind: Namespace
metadata: {name: a}
---
# egress of a
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: p
  namespace: a
spec:
  podSelector: {}   # every pod
---
apiVersion: v1
kind: List
items:
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: q, namespace: a}
  spec: {podSelector: {}}
`;

const JSON_FILE = `{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "j", "namespace": "a"}, "spec": {"podSelector": {}}}`;

function texts(file: string, text: string): { name: string; text: string }[] {
  const t = new DocumentTexts(new Map([[file, text]]));
  return parseDocuments({ file, text }).documents.map((d) => ({ name: String((d.value as { metadata: { name: string } }).metadata.name), text: t.textAt(d.locate([]), () => d.value) }));
}

test("policy text: a document is sliced from its file, comments and layout kept", () => {
  const p = texts("multi.yaml", MULTI).find((d) => d.name === "p");
  assert.equal(p?.text, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p\n  namespace: a\nspec:\n  podSelector: {}   # every pod\n");
});

test("policy text: an item of a List is written out from its value", () => {
  const q = texts("multi.yaml", MULTI).find((d) => d.name === "q");
  assert.equal(q?.text, "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: q\n  namespace: a\nspec:\n  podSelector: {}\n");
});

test("policy text: a JSON file is its text", () => {
  assert.deepEqual(texts("p.json", JSON_FILE), [{ name: "j", text: `${JSON_FILE}\n` }]);
});

test("policy text: a live object (no file) is written out as YAML", () => {
  const t = new DocumentTexts(new Map());
  assert.equal(t.textAt({ object: { kind: "NetworkPolicy", namespace: "a", name: "x" }, path: "" }, () => ({ kind: "NetworkPolicy", metadata: { name: "x" } })), "kind: NetworkPolicy\nmetadata:\n  name: x\n");
});

import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { MAX_NESTING } from "./depth.js";
import { parseDocuments, parseYamlDocuments } from "./parse.js";
import { readJsonSource } from "./json-source.js";
import type { FieldPath } from "./path.js";

const RUNS = Number(process.env["PROPERTY_RUNS"] ?? 200);

/** Every path into a value: the fields and items written. */
function pathsOf(value: unknown, base: FieldPath = []): FieldPath[] {
  const out: FieldPath[] = [base];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...base, i])));
  else if (value !== null && typeof value === "object") for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...base, k]));
  return out;
}

function sameAsYaml(text: string, extraPaths: FieldPath[] = []): void {
  const source = { file: "dump.json", text };
  assert.notEqual(readJsonSource(text), null, "the fast path reads it");
  const fast = parseDocuments(source);
  const slow = parseYamlDocuments(source);
  assert.deepEqual(fast.diagnostics, slow.diagnostics);
  assert.deepEqual(fast.documents.map((d) => [d.locate([]).document, d.base, d.value]), slow.documents.map((d) => [d.locate([]).document, d.base, d.value]));
  fast.documents.forEach((d, k) => {
    for (const path of [...pathsOf(d.value), ...extraPaths]) assert.deepEqual(d.locate(path), slow.documents[k]?.locate(path), JSON.stringify(path));
  });
}

const KUBECTL_LIST = JSON.stringify(
  {
    apiVersion: "v1",
    kind: "List",
    items: [
      { apiVersion: "v1", kind: "Pod", metadata: { name: "web", namespace: "prod", labels: { "app.kubernetes.io/name": "web", "a\"b": "x" } }, status: { podIP: "10.0.0.1" } },
      { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "deny" }, spec: { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }], ports: [{ port: 443 }] }] } },
    ],
  },
  null,
  4,
);

test("a kubectl -o json List: the same objects and field positions as the YAML path", () => {
  sameAsYaml(KUBECTL_LIST, [["spec", "egress", 0, "ports", 0, "endPort"], ["spec", "nope", 3], ["metadata", "labels", 'a"b']]);
});

test("compact JSON on one line, and an escaped key", () => {
  sameAsYaml('{"kind":"Pod","metadata":{"name":"x","labels":{"k\\u0041":"v"}},"spec":{"containers":[{"name":"c","ports":[{"containerPort":80}]}]}}');
});

test("random JSON documents: the fast path agrees with the YAML path on values and every position", () => {
  // Integers, strings, booleans and null: JSON and YAML 1.1 read those alike (see the module doc on numbers).
  const scalar = fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null));
  const { tree } = fc.letrec((tie) => ({
    tree: fc.oneof({ depthSize: "small" }, scalar, fc.array(tie("tree"), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 6 }), tie("tree"), { maxKeys: 4 })),
  }));
  const document = fc.dictionary(fc.string({ maxLength: 6 }), tree, { maxKeys: 5 });
  fc.assert(
    fc.property(document, fc.constantFrom(0, 1, 2, "\t"), (value, indent) => sameAsYaml(JSON.stringify(value, null, indent))),
    { numRuns: RUNS },
  );
});

test("the YAML path reads what the fast path is unsure of", () => {
  assert.equal(readJsonSource('{"kind": "Pod", "kind": "Service"}'), null, "a duplicate key: kubectl rejects it, JSON.parse would keep the last");
  assert.equal(readJsonSource("kind: Pod\n"), null, "YAML");
  assert.equal(readJsonSource('{"kind": "Pod",}'), null, "not JSON");
  assert.equal(readJsonSource('{"a": 1}\n{"b": 2}\n'), null, "two values");
  assert.equal(readJsonSource(`${"[".repeat(MAX_NESTING + 1)}${"]".repeat(MAX_NESTING + 1)}`), null, "deeper than the YAML path accepts");
  assert.notEqual(readJsonSource(`${"[".repeat(MAX_NESTING)}${"]".repeat(MAX_NESTING)}`), null);
  const dup = parseDocuments({ file: "d.json", text: '{\n  "kind": "Pod",\n  "kind": "Service"\n}\n' });
  assert.equal(dup.diagnostics[0]?.severity, "error");
  assert.equal(dup.diagnostics[0]?.at?.line, 3, "reported where the YAML path reports it");
});

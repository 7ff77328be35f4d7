import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { messages } from "../diag/catalogue.js";
import { codes } from "./codes.js";
import { MAX_NESTING } from "./depth.js";
import { locateText, parseDocuments } from "./parse.js";
import { formatPath, parsePath } from "./path.js";
import { decodeYaml, errors, networkPolicy, summary } from "./testing.js";

const parse = (text: string, file = "in.yaml") => parseDocuments({ file, text });

describe("YAML documents", () => {
  test("a syntax error is reported with file, line and column; the other documents are still read", () => {
    const text = "kind: A\n---\nkind: B\n  bad: indentation\n---\nkind: C\n";
    const result = parse(text);
    assert.deepEqual(
      result.documents.map((d) => [d.locate([]).document, (d.value as { kind: string }).kind]),
      [
        [0, "A"],
        [2, "C"],
      ],
    );
    const [d] = result.diagnostics;
    assert.deepEqual([result.diagnostics.length, d?.code, d?.severity, d?.at?.file, d?.at?.line, d?.at?.column, d?.at?.document], [1, codes.yamlSyntax, "error", "in.yaml", 3, 7, 1]);
    assert.ok(d?.message.startsWith(messages.yamlSyntax("")));
  });

  test("duplicate keys are a syntax error (kubectl's strict decoding rejects them)", () => {
    const result = parse("kind: Pod\nkind: Service\n");
    assert.deepEqual(summary(result.diagnostics), ["error yaml-syntax "]);
    assert.equal(result.diagnostics[0]?.at?.line, 2);
  });

  test("empty documents (nothing, comments, null) are skipped; document indexes count them", () => {
    const result = parse("---\n# only a comment\n---\n~\n---\nkind: Pod\n---\n");
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(
      result.documents.map((d) => d.locate([]).document),
      [2],
    );
  });

  test("JSON is YAML: read with positions", () => {
    const text = '{\n  "kind": "NetworkPolicy",\n  "spec": {\n\t"podSelector": {"matchLabels": {"app": "web"}}\n  }\n}\n';
    const [doc] = parse(text, "in.json").documents;
    assert.deepEqual(doc?.locate(["spec", "podSelector", "matchLabels", "app"]), {
      file: "in.json",
      line: 4,
      column: 34,
      document: 0,
      path: "spec.podSelector.matchLabels.app",
    });
  });

  test("YAML 1.1 as go-yaml v2 reads it: yes is a boolean, timestamps and base-60 numbers stay strings, << merges", () => {
    const [doc] = parse("a: yes\nb: 2024-01-01\nc: 10:30\nbase: &base {x: 1}\nd:\n  <<: *base\n  y: 2\n").documents;
    // Even the key `y` is the boolean true in YAML 1.1, so it reads as "true", as in go-yaml v2.
    assert.deepEqual(doc?.value, { a: true, b: "2024-01-01", c: "10:30", base: { x: 1 }, d: { x: 1, true: 2 } });
  });

  test("an alias bomb is refused (aliases may add at most MAX_ALIAS_NODES nodes to a file)", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 10; i++) lines.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(", ")}]`);
    const result = parse(`${lines.join("\n")}\n`);
    assert.deepEqual(result.documents, []);
    assert.deepEqual(summary(result.diagnostics), [`error ${codes.yamlAliasesTooLarge} `]);
  });
});

describe("field positions", () => {
  const text = networkPolicy(`
    podSelector: {}
    egress:
      - to:
          - ipBlock:
              cidr: 10.0.0.0/8
              except:
                - 10.1.0.0/16
                - 10.2.0.0/16
  `);
  const [doc] = parse(text).documents;

  test("a field path points at its key or list item", () => {
    assert.deepEqual(doc?.locate(["spec", "egress", 0, "to", 0, "ipBlock", "except", 1]), {
      file: "in.yaml",
      line: 14,
      column: 17,
      document: 0,
      path: "spec.egress[0].to[0].ipBlock.except[1]",
    });
    assert.deepEqual([doc?.locate(["spec", "egress"]).line, doc?.locate(["spec", "egress"]).column], [8, 3]);
  });

  test("a field that was not written points at the nearest field that was", () => {
    const at = doc?.locate(["spec", "egress", 0, "ports", 3, "port"]);
    assert.deepEqual([at?.line, at?.column, at?.path], [9, 7, "spec.egress[0].ports[3].port"]);
  });

  test("keys that are not plain identifiers are quoted in paths", () => {
    assert.equal(formatPath(["metadata", "labels", "app.kubernetes.io/name"]), 'metadata.labels["app.kubernetes.io/name"]');
    assert.equal(formatPath(["spec", "egress", 0, "to"]), "spec.egress[0].to");
  });

  test("a path written as text reads back to its segments", () => {
    const paths = [[], ["spec", "egress", 1, "to", 0, "ipBlock", "except", 0], ["metadata", "labels", 'a.b/"c"'], ["items", 3, "spec"]];
    for (const path of paths) assert.deepEqual(parsePath(formatPath(path)), path);
    assert.equal(parsePath("spec..egress"), undefined);
    assert.equal(parsePath(".spec"), undefined);
    assert.equal(doc === undefined ? undefined : locateText(doc, "spec.egress[0].to[0].ipBlock.except[1]").line, 14);
  });
});

describe("kind: List", () => {
  const list = [
    "apiVersion: v1",
    "kind: List",
    "items:",
    "  - apiVersion: v1",
    "    kind: Namespace",
    "    metadata: {name: shop}",
    "  - apiVersion: networking.k8s.io/v1",
    "    kind: NetworkPolicy",
    "    metadata: {name: deny, namespace: shop}",
    "    spec:",
    "      podSelector: {}",
    "      egress:",
    "        - to:",
    "            - ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/8]}",
    "",
  ].join("\n");

  test("a List expands into its items, whose paths start at items[i]", () => {
    const result = parse(list);
    assert.deepEqual(
      result.documents.map((d) => formatPath(d.base)),
      ["items[0]", "items[1]"],
    );
    assert.deepEqual(result.documents[1]?.locate([]), { file: "in.yaml", line: 7, column: 5, document: 0, path: "items[1]" });
  });

  test("problems inside a List item point into the List", () => {
    const result = decodeYaml(list);
    assert.deepEqual(
      errors(result.diagnostics).map((d) => [d.code, d.at?.path, d.at?.line, d.object]),
      [[codes.exceptNotSubset, "items[1].spec.egress[0].to[0].ipBlock.except[0]", 14, "NetworkPolicy shop/deny"]],
    );
    assert.deepEqual([...result.value.namespaces.keys()], ["shop"]);
  });

  test("items of a typed list (NetworkPolicyList) take kind and apiVersion from the list", () => {
    const text = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicyList\nitems:\n  - metadata: {name: a}\n    spec: {podSelector: {}}\n";
    const result = decodeYaml(text);
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(
      result.value.policies.map((p) => p.id),
      ["default/a"],
    );
  });

  test("an empty List is nothing; a List item that is not a mapping is an error", () => {
    assert.deepEqual(parse("apiVersion: v1\nkind: List\nitems: []\n"), { documents: [], diagnostics: [] });
    const result = parse("apiVersion: v1\nkind: List\nitems:\n  - 42\n");
    assert.deepEqual(
      result.diagnostics.map((d) => [d.code, d.at?.path, d.at?.line]),
      [[codes.notAnObject, "items[0]", 4]],
    );
  });
});

describe("hostile input", () => {
  const deep: [string, string][] = [
    ["100000 nested [", "[".repeat(100_000)],
    ["100000 nested [ ... ]", `${"[".repeat(100_000)}${"]".repeat(100_000)}`],
    ["100000 nested {a:", "{a: ".repeat(100_000)],
    ["100000 nested block sequences on one line", `${"- ".repeat(100_000)}x\n`],
  ];
  for (const [name, text] of deep) {
    test(`deep nesting is refused with one error, without overflowing the stack: ${name}`, () => {
      const result = parse(text);
      assert.deepEqual(result.documents, []);
      assert.deepEqual(
        result.diagnostics.map((d) => [d.code, d.message]),
        [[codes.nestingTooDeep, messages.nestingTooDeep(MAX_NESTING)]],
      );
    });
  }

  test(`nesting up to ${MAX_NESTING} levels is read`, () => {
    const text = `${"[".repeat(MAX_NESTING)}${"]".repeat(MAX_NESTING)}`;
    assert.deepEqual(parse(text).diagnostics, []);
  });

  test("a 1 MB file of many policies parses and decodes", () => {
    const one = (i: number): string =>
      networkPolicy(
        `
        podSelector: {matchLabels: {app: app-${i}}}
        policyTypes: [Ingress, Egress]
        ingress:
          - from:
              - namespaceSelector: {matchLabels: {team: shop}}
                podSelector: {matchLabels: {role: frontend}}
            ports: [{protocol: TCP, port: 8080}]
        egress:
          - to:
              - ipBlock: {cidr: 10.${i % 256}.0.0/16, except: [10.${i % 256}.1.0/24]}
            ports: [{port: 443}, {protocol: UDP, port: 53}]
      `,
        `policy-${i}`,
      );
    const docs: string[] = [];
    let size = 0;
    for (let i = 0; size < 1_000_000; i++) {
      const d = one(i);
      docs.push(d);
      size += d.length + 4;
    }
    const started = Date.now();
    const result = decodeYaml(docs.join("---\n"));
    const elapsed = Date.now() - started;
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.value.policies.length, docs.length);
    assert.ok(elapsed < 30_000, `took ${elapsed} ms`);
  });
});

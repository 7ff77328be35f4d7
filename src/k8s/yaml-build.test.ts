import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { messages } from "../diag/catalogue.js";
import { codes } from "./codes.js";
import { loadCluster } from "./load.js";
import { MAX_YAML_CHARS, parseDocuments } from "./parse.js";
import { summary } from "./testing.js";
import { MAX_ALIAS_NODES } from "./yaml-build.js";

const parse = (text: string, file = "in.yaml") => parseDocuments({ file, text });

/** A policy whose first egress rule lists `peers` ipBlock peers under an anchor, and whose other rules alias that list. */
function aliasedPeers(peers: number, rules: number): string {
  const lines = ["apiVersion: networking.k8s.io/v1", "kind: NetworkPolicy", "metadata: {name: wide, namespace: prod}", "spec:", "  podSelector: {}", "  egress:", "    - to: &peers"];
  for (let i = 0; i < peers; i++) lines.push(`      - ipBlock: {cidr: 10.${(i >> 8) & 255}.${i & 255}.0/24}`);
  for (let r = 1; r < rules; r++) lines.push("    - to: *peers");
  return `${lines.join("\n")}\n`;
}

describe("YAML aliases", () => {
  // The old locator searched the whole document for the anchor at each position lookup: 8,000
  // peers took 221 s, so 20,000 peers behind two aliases would take about half an hour. The
  // figures are in the bench; this test only needs to end within the runner's timeout.
  test("a policy whose rules alias a 20,000-peer list loads, each peer located at its anchor's item", { timeout: 120_000 }, () => {
    const peers = 20_000;
    const loaded = loadCluster([{ file: "in.yaml", text: aliasedPeers(peers, 3) }]);
    assert.deepEqual(loaded.diagnostics, []);
    const rules = loaded.value.policies[0]?.egress ?? [];
    const lastPeers = rules.map((rule) => (rule.peers === "all" ? undefined : rule.peers[peers - 1]?.at.line));
    // The anchor's items start on line 8; an alias reports where the peer was written.
    assert.deepEqual(lastPeers, [8 + peers - 1, 8 + peers - 1, 8 + peers - 1]);
  });

  test(`aliases that add more than ${MAX_ALIAS_NODES} nodes to a file are refused at the alias that crosses the cap`, () => {
    const items = 200_000;
    const text = `a: &a [${Array(items).fill("0").join(", ")}]\nb: [*a, *a, *a, *a, *a, *a]\n`;
    const result = parse(text);
    assert.deepEqual(result.documents, []);
    assert.deepEqual(summary(result.diagnostics), [`error ${codes.yamlAliasesTooLarge} `]);
    const [d] = result.diagnostics;
    assert.equal(d?.message, messages.yamlAliasesTooLarge(MAX_ALIAS_NODES));
    // Each alias adds the list and its items: the fifth crosses the cap.
    assert.deepEqual([d?.at?.line, d?.at?.column], [2, 1 + "b: [*a, *a, *a, *a, ".length]);
  });

  test("an anchor may be used more than 100 times", () => {
    const text = `base: &b {x: 1}\nlist: [${Array(150).fill("*b").join(", ")}]\n`;
    const result = parse(text);
    assert.deepEqual(result.diagnostics, []);
    assert.equal((result.documents[0]?.value as { list: unknown[] }).list.length, 150);
  });

  const refused: [string, string][] = [
    ["an alias inside its own anchor (a cycle)", "a: &a [1, *a]\n"],
    ["an alias with no anchor before it", "a: *b\nb: &b 1\n"],
    ["a mapping as a key", "? {a: 1}\n: x\n"],
    ["a merge of a scalar", "a: &a 1\nb: {<<: *a}\n"],
  ];
  for (const [name, text] of refused) {
    test(`${name} is a syntax error, not a value`, () => {
      const result = parse(text);
      assert.deepEqual(result.documents, []);
      assert.deepEqual(summary(result.diagnostics), [`error ${codes.yamlSyntax} `]);
    });
  }
});

describe("YAML values", () => {
  // The values are yaml's own toJS; what differs is how aliases are found and counted.
  const cases: [string, string][] = [
    ["YAML 1.1 scalars", "a: yes\nb: off\nc: 0x1F\nd: 012\ne: 1_000\nf: .inf\ng: ~\nh: 2024-01-01\ni: 10:30\nj: '07'\n"],
    ["merge keys: written keys win, earlier sources win", "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  x: 3\n"],
    ["keys that are not strings become property names", "1: a\ntrue: b\n~: c\n2.5: d\n"],
    ["inherited names are own properties", "__proto__: {a: 1}\ntoString: x\nconstructor: y\n"],
    ["lists, nested, with anchors on scalars", "- &s text\n- [*s, {k: *s}]\n- []\n- {}\n"],
    ["block scalars", "a: |\n  line 1\n  line 2\nb: >-\n  folded\n  text\n"],
  ];
  for (const [name, text] of cases) {
    test(`${name}: as yaml's toJS reads them`, () => {
      const [expected] = parseAllDocuments(text, { version: "1.1", merge: true, customTags: (tags) => tags.filter((t) => typeof t === "string" || (t.tag !== "tag:yaml.org,2002:timestamp" && t.format !== "TIME")) })
        .map((d) => d.toJS());
      const result = parse(text);
      assert.deepEqual(result.diagnostics, []);
      assert.deepEqual(result.documents[0]?.value, expected);
    });
  }
});

describe("YAML size", () => {
  test(`YAML text above ${MAX_YAML_CHARS} characters is refused at once, recommending JSON`, () => {
    const text = `# ${"x".repeat(MAX_YAML_CHARS)}\n`;
    const result = parse(text, "dump.yaml");
    assert.deepEqual(result.documents, []);
    assert.deepEqual(result.diagnostics, [
      { severity: "error", code: codes.yamlTooLarge, message: messages.yamlTooLarge(text.length, MAX_YAML_CHARS), at: { file: "dump.yaml", line: 1, column: 1, document: 0, path: "" } },
    ]);
    assert.match(result.diagnostics[0]?.message ?? "", /-o json/);
  });

  test("JSON of the same size takes the JSON path and is read", () => {
    const text = `{"kind": "List", "apiVersion": "v1", "items": [], "x": "${"x".repeat(MAX_YAML_CHARS)}"}`;
    assert.deepEqual(parse(text, "dump.json").diagnostics, []);
  });
});

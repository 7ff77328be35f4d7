import { test } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import { emitDocument, entry, formatScalar, item, list, map } from "./yaml.js";

const CASES: readonly [string, string][] = [
  ["shop", "shop"],
  ["kubernetes.io/metadata.name", "kubernetes.io/metadata.name"],
  ["0.0.0.0/0", "0.0.0.0/0"],
  ["2001:db8::/32", '"2001:db8::/32"'],
  ["yes", '"yes"'],
  ["On", '"On"'],
  ["true", '"true"'],
  ["null", '"null"'],
  ["123", '"123"'],
  ["1_000", '"1_000"'],
  ["2024-01-01", '"2024-01-01"'],
  ["", '""'],
];

for (const [value, expected] of CASES) {
  test(`${JSON.stringify(value)} is written ${expected} and read back by YAML 1.1 as the same string`, () => {
    assert.equal(formatScalar(value), expected);
    assert.equal(parse(`k: ${formatScalar(value)}`, { version: "1.1" }).k, value);
  });
}

test("comments go before their list item; empty maps are {}", () => {
  const text = emitDocument(map(entry("a", list(item(map(entry("b", map()), entry("c", 1)), ["why"])))), ["top"]);
  assert.equal(text, "# top\na:\n  # why\n  - b: {}\n    c: 1\n");
  assert.deepEqual(parse(text), { a: [{ b: {}, c: 1 }] });
});

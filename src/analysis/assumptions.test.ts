/**
 * "Namespaces the input does not contain get only kubernetes.io/metadata.name; every answer that
 * depends on such an assumed label set must say so" (issue 8, item 5). A selector asking only about
 * the name label decides the same whatever else the namespace carries.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { LabelSelector } from "../model/selector.js";
import { asksBeyondName } from "./assumptions.js";

const sel = (...requirements: LabelSelector["requirements"]): LabelSelector => ({ requirements });

const CASES: readonly [string, LabelSelector, boolean][] = [
  ["namespaceSelector: {} (every namespace)", sel(), false],
  ["kubernetes.io/metadata.name: kube-system (the scaffold's DNS peer)", sel({ key: "kubernetes.io/metadata.name", operator: "In", values: ["kube-system"] }), false],
  ["name: kube-system (older guides' administrator-set label)", sel({ key: "name", operator: "In", values: ["kube-system"] }), true],
  ["env: prod (this issue's example)", sel({ key: "env", operator: "In", values: ["prod"] }), true],
  ["team Exists", sel({ key: "team", operator: "Exists" }), true],
];

for (const [name, selector, expected] of CASES) {
  test(`an assumed namespace matters for ${name}: ${expected}`, () => assert.equal(asksBeyondName(selector), expected));
}

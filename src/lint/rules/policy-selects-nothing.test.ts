import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, docs, policy, runCase, workload } from "../test-support.js";

const APPS = docs(workload("production", "webapi", { app: "webapi", tier: "backend" }), workload("production", "worker", { app: "worker", tier: "backend" }));
const selecting = (selector: string): string => policy("production", "api-egress", `  podSelector: ${selector}\n  policyTypes: [Egress]\n`);

const CASES: RuleCase[] = [
  {
    name: "a value one edit away is suggested",
    yaml: docs(APPS, selecting("{matchLabels: {app: web-api}}")),
    expect: [{ path: "spec.podSelector", endpoints: [], message: "matches none of the 2 workloads", hint: "did you mean app=webapi?" }],
  },
  { name: "a key one edit away is suggested", yaml: docs(APPS, selecting("{matchLabels: {teir: backend}}")), expect: [{ path: "spec.podSelector", hint: "did you mean tier=backend?" }] },
  {
    name: "with nothing close, the labels in use under that key are listed",
    yaml: docs(APPS, selecting("{matchLabels: {app: payments}}")),
    expect: [{ path: "spec.podSelector", hint: "they carry app=webapi, app=worker" }],
  },
  { name: "matchExpressions are checked too", yaml: docs(APPS, selecting("{matchExpressions: [{key: app, operator: In, values: [web-api]}]}")), expect: [{ path: "spec.podSelector", hint: "app=webapi" }] },
  { name: "a selector that matches a workload", yaml: docs(APPS, selecting("{matchLabels: {app: webapi}}")), expect: [] },
  { name: "a namespace without workloads in the input is not judged", yaml: docs(workload("staging", "webapi", { app: "webapi" }), selecting("{matchLabels: {app: web-api}}")), expect: [] },
];

for (const c of CASES) {
  test(`policy-selects-nothing: ${c.name}`, () => {
    const { actual, expected } = runCase("policy-selects-nothing", c);
    assert.deepEqual(actual, expected);
  });
}

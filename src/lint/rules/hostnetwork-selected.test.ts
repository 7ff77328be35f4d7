import { test } from "node:test";
import assert from "node:assert/strict";
import { type RuleCase, docs, policy, runCase, workload } from "../test-support.js";

const NODE_EXPORTER = workload("monitoring", "node-exporter", { app: "node-exporter" }, { kind: "DaemonSet", hostNetwork: true });
const PROMETHEUS = workload("monitoring", "prometheus", { app: "prometheus" });

const CASES: RuleCase[] = [
  {
    name: "a podSelector matching a host-network DaemonSet",
    yaml: docs(NODE_EXPORTER, PROMETHEUS, policy("monitoring", "default-deny", "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n")),
    expect: [{ path: "spec.podSelector", endpoints: ["monitoring/node-exporter"], message: "NetworkPolicy does not apply" }],
  },
  { name: "a podSelector matching only pod-network pods", yaml: docs(NODE_EXPORTER, PROMETHEUS, policy("monitoring", "prom", "  podSelector: {matchLabels: {app: prometheus}}\n")), expect: [] },
];

for (const c of CASES) {
  test(`hostnetwork-selected: ${c.name}`, () => {
    const { actual, expected } = runCase("hostnetwork-selected", c);
    assert.deepEqual(actual, expected);
  });
}

import { test } from "node:test";
import assert from "node:assert/strict";
import { lintMessages } from "../messages.js";
import { type RuleCase, docs, policy, runCase, workload } from "../test-support.js";

const APP = workload("batch", "worker", { app: "worker" });
const withTypes = (types: string | null): string =>
  policy("batch", "worker", `
  podSelector: {matchLabels: {app: worker}}
${types === null ? "" : `  policyTypes: ${types}\n`}  egress:
    - to:
        - ipBlock: {cidr: 198.51.100.10/32}
    - ports:
        - {port: 443}
`);

const CASES: RuleCase[] = [
  { name: "policyTypes: [Ingress] with egress rules", yaml: docs(APP, withTypes("[Ingress]")), expect: [{ path: "spec.egress[0]", endpoints: ["batch/worker"], message: lintMessages.egressRulesIgnored(2) }] },
  { name: "policyTypes: [Ingress, Egress]", yaml: docs(APP, withTypes("[Ingress, Egress]")), expect: [] },
  { name: "no policyTypes: egress rules make it affect egress", yaml: docs(APP, withTypes(null)), expect: [] },
];

for (const c of CASES) {
  test(`egress-rules-ignored: ${c.name}`, () => {
    const { actual, expected } = runCase("egress-rules-ignored", c);
    assert.deepEqual(actual, expected);
  });
}

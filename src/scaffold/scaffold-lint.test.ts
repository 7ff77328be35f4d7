/** "Its output passes lint clean": every scaffold, with and without workloads beside it. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { lintCluster } from "../lint/index.js";
import { TEST_OPTIONS, clusterOf, workload } from "../lint/test-support.js";
import { scaffold } from "./index.js";

const CASES = [
  { name: "DNS and metadata only", allowTo: [] },
  { name: "an external API on 443", allowTo: ["203.0.113.0/24:443"] },
  { name: "the internet on 443 with metadata carved out", allowTo: ["0.0.0.0/0:443"] },
  { name: "a database in another namespace", allowTo: ["data/app=postgres:5432/TCP"] },
];

for (const c of CASES) {
  test(`scaffold output passes lint clean: ${c.name}`, () => {
    const r = scaffold({ namespace: "shop", allowDns: true, blockMetadata: true, allowTo: c.allowTo });
    assert.ok(r.ok, "scaffold succeeded");
    const files = [
      { file: "baseline.yaml", text: r.value },
      { file: "workloads.yaml", text: [workload("shop", "api", { app: "api" }), workload("data", "postgres", { app: "postgres" }, {})].join("---\n") },
    ];
    const findings = lintCluster(clusterOf(files), TEST_OPTIONS).filter((f) => f.severity !== "info");
    assert.deepEqual(
      findings.map((f) => `${f.rule}: ${f.message}`),
      [],
    );
    // The path under test was taken: the baseline isolates shop/api for egress, so lint had work to do.
    const all = lintCluster(clusterOf(files), TEST_OPTIONS);
    assert.ok(!all.some((f) => f.rule === "egress-not-isolated" && f.endpoints.includes("shop/api")));
  });
}

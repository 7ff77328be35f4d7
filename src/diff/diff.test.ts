import { test } from "node:test";
import assert from "node:assert/strict";
import { diffClusters, shouldFail } from "./diff.js";
import { renderDiffJson, renderDiffText } from "./render-text.js";
import { renderDiffMarkdown } from "./render-md.js";
import { engineOf, overlay } from "./testkit.js";
import type { DiffReport } from "./types.js";
import { ROOT, golden as goldenIn, readTree } from "../testing/files.js";

const TESTDATA = new URL("src/diff/testdata/", ROOT);

const golden = (name: string, actual: string): string => goldenIn(TESTDATA, name, actual);

const example = readTree(new URL("examples/egress/", ROOT));

function diffScenario(name: string, reverse = false): DiffReport {
  const before = engineOf(example);
  const after = engineOf(overlay(example, readTree(new URL(`${name}/`, TESTDATA))));
  assert.deepEqual([...before.errors, ...after.errors], [], "manifests decode without errors");
  return reverse ? diffClusters(after.engine, before.engine) : diffClusters(before.engine, after.engine);
}

for (const scenario of ["internet-443", "new-worker"]) {
  const report = diffScenario(scenario);
  for (const [ext, render] of [
    ["txt", renderDiffText],
    ["json", renderDiffJson],
    ["md", renderDiffMarkdown],
  ] as const) {
    test(`diff ${scenario}: ${ext} output matches its golden`, () => {
      const actual = render(report);
      assert.equal(actual, golden(`${scenario}.diff.${ext}`, actual));
    });
  }
}

test("a version diffed with itself has no change", () => {
  const { engine } = engineOf(example);
  const report = diffClusters(engine, engine);
  assert.deepEqual(report.changes, []);
  assert.equal(shouldFail(report, "widened"), false);
});

test("allowing 0.0.0.0/0 on 443 is internet egress and makes the metadata address reachable", () => {
  const report = diffScenario("internet-443");
  const change = report.changes.find((c) => c.src === "production/web-api[Deployment]" && c.class.includes("internet-egress-added"));
  assert.ok(change, "an internet egress change for web-api");
  assert.equal(change.kind, "widened");
  assert.deepEqual(change.added, { TCP: "443" });
  assert.ok(change.class.includes("metadata-reachable"));
  assert.equal(shouldFail(report, "widened"), true);
  assert.equal(shouldFail(report, "never"), false);
});

test("dropping TCP 53 to kube-dns is dns-lost for every production pod", () => {
  const lost = diffScenario("internet-443").changes.filter((c) => c.class.includes("dns-lost"));
  assert.deepEqual(
    lost.map((c) => `${c.kind} ${c.src}`),
    // web-api's change also adds TCP 443 (its new 0.0.0.0/0 rule matches pod IPs): one widened change.
    ["widened production/web-api[Deployment]", "narrowed production/debug-shell[Pod]", "narrowed production/postgres[StatefulSet]"],
  );
  for (const c of lost) {
    assert.deepEqual(c.removed, { TCP: "53" });
    assert.equal(c.dst, "kube-system/coredns[Deployment]");
  }
});

test("web-api's new 0.0.0.0/0 rule also reaches pods of other namespaces: cross-namespace-widened", () => {
  const cross = diffScenario("internet-443").changes.filter((c) => c.class.includes("cross-namespace-widened"));
  assert.deepEqual(
    cross.map((c) => `${c.src} -> ${c.dst}`),
    ["production/web-api[Deployment] -> kube-system/coredns[Deployment]", "production/web-api[Deployment] -> monitoring/prometheus[Deployment]"],
  );
});

test("connections of a new endpoint are `added`, not widened, and the endpoint is listed", () => {
  const report = diffScenario("new-worker");
  assert.deepEqual(report.endpoints, { added: ["production/worker[Deployment]"], removed: [] });
  assert.ok(report.changes.length > 0);
  assert.ok(report.changes.every((c) => c.kind === "added"));
  assert.ok(report.changes.every((c) => c.class.length === 0), "DNS and ingress of a new worker are not flagged");
  assert.equal(report.summary.widened, 0);
  assert.equal(shouldFail(report, "widened"), false);
});

test("diffed the other way, the same changes are `removed` with added and removed swapped", () => {
  const forward = diffScenario("new-worker");
  const backward = diffScenario("new-worker", true);
  assert.deepEqual(backward.endpoints, { added: [], removed: ["production/worker[Deployment]"] });
  assert.deepEqual(
    backward.changes.map((c) => ({ ...c, kind: "added", added: c.removed, removed: c.added })),
    forward.changes,
  );
});

test("a workload gone is not dns-lost, though its DNS went with it", () => {
  const backward = diffScenario("new-worker", true);
  assert.ok(backward.changes.some((c) => c.kind === "removed" && c.dst === "kube-system/coredns[Deployment]"));
  assert.equal(backward.summary["dns-lost"], 0);
});

test("the summary counts each kind and class", () => {
  const report = diffScenario("internet-443");
  assert.equal(report.summary.widened, report.changes.filter((c) => c.kind === "widened").length);
  assert.equal(report.summary["dns-lost"], 3);
});

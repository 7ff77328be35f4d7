/** `-n NAMESPACE` on the read commands: the rows whose source is in that namespace; bare names resolved there. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { cliInProcess, ROOT } from "./e2e-support.js";

const cli = cliInProcess;

const EXAMPLE = join(ROOT, "examples", "egress");

async function json<T>(argv: readonly string[]): Promise<T> {
  const r = await cli([...argv, "-f", EXAMPLE, "-o", "json"]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

const namespaceOf = (id: string): string => id.split("/")[0] ?? "";

test("egress -n lists only that namespace", async () => {
  const all = await json<{ namespaces: { namespace: string }[]; unrestricted: { namespace: string }[] }>(["egress"]);
  const v = await json<{ namespaces: { namespace: string }[]; unrestricted: { namespace: string }[] }>(["egress", "-n", "production"]);
  assert.ok(all.namespaces.length > 1 && all.unrestricted.length > 0);
  assert.deepEqual(v.namespaces.map((n) => n.namespace), ["production"]);
  assert.deepEqual(v.unrestricted, []);
});

test("matrix -n keeps the rows of sources in the namespace, every destination as columns", async () => {
  const v = await json<{ entries: { from: string; to: string }[]; externalEgress: { from: string }[]; endpoints: string[]; sources: string[] }>(["matrix", "-n", "production"]);
  assert.deepEqual([...new Set(v.entries.map((e) => namespaceOf(e.from)))], ["production"]);
  assert.ok(v.entries.some((e) => namespaceOf(e.to) === "kube-system"), "destinations anywhere");
  assert.deepEqual([...new Set(v.externalEgress.map((e) => namespaceOf(e.from)))], ["production"]);
  assert.deepEqual(v.sources, ["production/debug-shell", "production/postgres", "production/web-api"]);
  const text = await cli(["matrix", "-f", EXAMPLE, "-n", "production"]);
  assert.doesNotMatch(text.stdout, /^\d+ kube-system\/coredns\s+[✓✗◐~·]/m, "no row for a source outside the namespace");
  assert.match(text.stdout, /^\d+ production\/web-api\s+[✓✗◐~·]/m);
});

test("connlist -n keeps the connections from the namespace's endpoints", async () => {
  const v = await json<{ src: string; dst: string }[]>(["connlist", "-n", "monitoring"]);
  assert.deepEqual([...new Set(v.map((e) => e.src))], ["monitoring/prometheus[Deployment]"]);
});

test("explain -n without a target explains the namespace's policies", async () => {
  const v = await json<{ policies: { namespace: string }[] }>(["explain", "-n", "monitoring"]);
  assert.deepEqual(v.policies.map((p) => p.namespace), ["monitoring"]);
});

test("explain -n resolves a bare target in the namespace", async () => {
  const v = await json<{ endpoint: { id: string } }>(["explain", "-n", "production", "web-api"]);
  assert.equal(v.endpoint.id, "production/web-api");
});

test("-n with a namespace the manifests lack is a usage error with the closest", async () => {
  const r = await cli(["connlist", "-f", EXAMPLE, "-n", "prodution"]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /-n: no namespace "prodution" in the manifests \(did you mean "production"\?\)/);
});

test("graph -A draws every namespace, as without -n", async () => {
  const a = await cli(["graph", "-f", EXAMPLE, "-A"]);
  const b = await cli(["graph", "-f", EXAMPLE]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
});

test("lint -n reports only findings about objects in that namespace, from the whole cluster's analysis", async () => {
  const MISTAKES = join(ROOT, "examples", "mistakes");
  type Findings = { findings: { rule: string; object: string }[] };
  const run = async (extra: readonly string[], code: number): Promise<Findings> => {
    // kube-system is a system namespace egress-not-isolated leaves out by default: asked for here.
    const r = await cli(["lint", "-f", MISTAKES, "-o", "json", "--system-namespaces", "", ...extra]);
    assert.equal(r.code, code, r.stderr);
    return JSON.parse(r.stdout) as Findings;
  };
  const all = await run([], 1);
  // kube-system has an info finding only: below the default --fail-on warning, so exit 0.
  const scoped = await run(["-n", "kube-system"], 0);
  const inKubeSystem = (object: string): boolean => object === "Namespace kube-system" || object.includes(" kube-system/");
  assert.ok(all.findings.some((f) => !inKubeSystem(f.object)), "the fixture has findings elsewhere");
  assert.ok(scoped.findings.length > 0);
  assert.deepEqual(scoped.findings, all.findings.filter((f) => inKubeSystem(f.object)));
  const unknown = await cli(["lint", "-f", MISTAKES, "-n", "kube-sytem"]);
  assert.equal(unknown.code, 3);
  assert.match(unknown.stderr, /no namespace "kube-sytem".*did you mean "kube-system"/);
});

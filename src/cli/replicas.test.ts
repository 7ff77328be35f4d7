/**
 * examples/replicas/cluster.json, shaped like `kubectl get -A -o json`: a StatefulSet whose pods
 * carry statefulset.kubernetes.io/pod-name, one replica (db-1) labelled quarantine=true under a
 * deny-all policy selecting quarantine=true, a Deployment with its ReplicaSet and pods, and a Job
 * pod that Succeeded, whose status.podIP a running web pod has since been given.
 * Every command answers for the quarantined replica as the pod it is.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { cliInProcess as cli, ROOT } from "./e2e-support.js";

const DUMP = join(ROOT, "examples", "replicas", "cluster.json");
const QUARANTINED = "10.244.1.11";
const REUSED = "10.244.1.12";

test("kubectl dump, quarantined StatefulSet replica: check says db-1 is isolated by the deny-all policy, while its siblings are not", async () => {
  const out = await cli(["check", "-f", DUMP, "--from", "shop/db-1", "--to", "203.0.113.7", "--port", "443", "-o", "json"]);
  assert.equal(out.code, 1, out.stderr);
  const view = JSON.parse(out.stdout) as { verdict: string; egress: { governance: { kind: string; policies?: { name: string }[] } } };
  assert.deepEqual([view.verdict, view.egress.governance.kind, view.egress.governance.policies?.map((p) => p.name)], ["denied", "isolated", ["quarantine"]]);
  const siblings = await cli(["check", "-f", DUMP, "--from", "10.244.1.10", "--to", "203.0.113.7", "--port", "443"]);
  assert.equal(siblings.code, 0, siblings.stdout);
  const into = await cli(["check", "-f", DUMP, "--from", "shop/web", "--to", QUARANTINED, "--port", "5432"]);
  assert.equal(into.code, 1);
  assert.match(into.stdout, /^DENIED: shop\/web \(Deployment\) → shop\/db-1 \(Pod\), TCP port 5432/);
});

test("kubectl dump, quarantined replica: the StatefulSet's answer is DEPENDS, per endpoint of its pods (issue: the owner's answer becomes depends when its pods differ)", async () => {
  const out = await cli(["check", "-f", DUMP, "--from", "StatefulSet/shop/db", "--to", "203.0.113.7", "--port", "443", "-o", "json"]);
  assert.equal(out.code, 1, out.stderr);
  const view = JSON.parse(out.stdout) as { verdict: string; translation: string; cases: { label: string; verdict: string }[] };
  assert.equal(view.verdict, "depends");
  assert.equal(view.translation, "StatefulSet shop/db has pods that differ: db-0, db-2 answer as shop/db; pod db-1 on its own");
  assert.deepEqual(
    view.cases.map((c) => [c.label, c.verdict]),
    [
      ["StatefulSet/shop/db (pods db-0, db-2) → 203.0.113.7", "allowed"],
      ["Pod/shop/db-1 → 203.0.113.7", "denied"],
    ],
  );
  const to = await cli(["check", "-f", DUMP, "--from", "shop/web", "--to", "sts/shop/db", "--port", "5432"]);
  assert.equal(to.code, 1, to.stderr);
  assert.match(to.stdout, /^DEPENDS: StatefulSet shop\/db has pods that differ/);
  assert.match(to.stdout, /\n {2}Deployment\/shop\/web → Pod\/shop\/db-1 TCP 5432: denied\n/);
  const explained = await cli(["explain", "-f", DUMP, "sts/shop/db", "-o", "json"]);
  assert.equal(explained.code, 0, explained.stderr);
  const cases = (JSON.parse(explained.stdout) as { cases: { label: string; endpoint: { endpoint: { id: string } } }[] }).cases;
  assert.deepEqual(cases.map((c) => c.label), ["StatefulSet/shop/db (pods db-0, db-2)", "Pod/shop/db-1"]);
});

test("kubectl dump, quarantined replica: lint no longer says no object carries quarantine=true (the policy selects db-1)", async () => {
  const out = await cli(["lint", "-f", DUMP, "-o", "json", "--fail-on", "never"]);
  assert.equal(out.code, 0, out.stderr);
  const findings = (JSON.parse(out.stdout) as { findings: { rule: string; endpoints: string[]; hint?: string }[] }).findings;
  assert.deepEqual(findings.filter((f) => f.rule === "policy-selects-nothing"), []);
  assert.ok(!out.stdout.includes("no object carries"), out.stdout);
  const dns = findings.find((f) => f.rule === "dns-egress-blocked");
  assert.deepEqual(dns?.endpoints, ["shop/db-1"], "the deny-all blocks the quarantined pod's DNS, and only its");
});

test("kubectl dump, quarantined replica: enforce --dry-run sends the replica's address to the chains of the quarantine policy", async () => {
  const out = await cli(["enforce", "-f", DUMP, "--dry-run"]);
  assert.equal(out.code, 0, out.stderr);
  for (const [map, prefix] of [["egress_v4", "eg"], ["ingress_v4", "in"]] as const) {
    const body = new RegExp(`map ${map} \\{[^}]*\\}`).exec(out.stdout)?.[0] ?? "";
    const chain = new RegExp(`${QUARANTINED.replaceAll(".", "\\.")} : jump (${prefix}_\\w+)`).exec(body)?.[1];
    assert.ok(chain !== undefined, `${map} sends ${QUARANTINED} to a chain: ${body}`);
    assert.match(out.stdout, new RegExp(`chain ${chain} \\{\\n\\t\\t# pc:\\w:\\w+ enforce: shop/quarantine\\n`));
    assert.ok(!body.includes("10.244.1.10"), "db-0 is not quarantined");
  }
});

test("kubectl dump: a Succeeded Job pod's IP reused by a running pod no longer makes check --from <ip> ambiguous (exit 3)", async () => {
  const out = await cli(["check", "-f", DUMP, "--from", REUSED, "--to", QUARANTINED, "--port", "5432"]);
  assert.equal(out.code, 1, out.stderr);
  assert.match(out.stdout, /^DENIED: shop\/web \(Deployment\) at 10\.244\.1\.12 → shop\/db-1 \(Pod\)/);
});

test("kubectl dump: -v says which pods are endpoints of their own and why, and counts the terminated pods", async () => {
  const out = await cli(["-f", DUMP, "-v"]);
  assert.equal(out.code, 0, out.stderr);
  const lines = out.stderr.split("\n");
  assert.ok(lines.includes("skipped 1 terminated pod (Succeeded 1): not endpoints"), out.stderr);
  assert.ok(lines.includes("StatefulSet shop/db: pod db-1 is its own endpoint (labels differ: quarantine=true)"), out.stderr);
  assert.match(out.stdout, /\n {2}StatefulSet db {2}10\.244\.1\.10, 10\.244\.2\.10\n/);
  assert.match(out.stdout, /\n {2}Pod db-1 \(of StatefulSet db, unlike its other pods\) {2}10\.244\.1\.11\n {4}egress limited by quarantine\n/);
});

test("kubectl dump: the egress view's JSON names the owner of a pod that is its own endpoint", async () => {
  const out = await cli(["-f", DUMP, "-o", "json"]);
  const view = JSON.parse(out.stdout) as { namespaces: { workloads: { id: string; owner?: unknown }[] }[] };
  const workloads = view.namespaces.flatMap((n) => n.workloads);
  assert.deepEqual(
    workloads.map((w) => [w.id, w.owner ?? null]),
    [
      ["shop/db", null],
      ["shop/db-1", { kind: "StatefulSet", namespace: "shop", name: "db" }],
      ["shop/web", null],
    ],
  );
});

test("kubectl dump: enforce --node-pods naming the StatefulSet takes its quarantined replica too (it was one of its pods)", async () => {
  const out = await cli(["enforce", "-f", DUMP, "--dry-run", "--node-pods", "shop/db"]);
  assert.equal(out.code, 0, out.stderr);
  const local = /set local_v4 \{[^}]*\}/.exec(out.stdout)?.[0] ?? "";
  assert.match(local, /10\.244\.1\.10\/31/, "db-0 and db-1 (10.244.1.10-11)");
  assert.match(local, /10\.244\.2\.10\b/, "db-2");
  assert.ok(!local.includes("10.244.1.12"), "web is on another node");
  assert.match(out.stdout, /10\.244\.1\.11 : jump eg_\w+/);
});

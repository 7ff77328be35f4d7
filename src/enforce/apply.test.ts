import { test } from "node:test";
import assert from "node:assert/strict";
import { compileRuleset } from "../nft/compile.js";
import { diffRulesets } from "../nft/diff.js";
import { ENGINE_OPTIONS, LOCAL_PODS, POD_CIDRS, coredns, db, nodeExporter, pending, pod, testCluster, tester, webApi, worker } from "../nft/fixture.js";
import type { Endpoint } from "../model/cluster.js";
import { labelsOf } from "../model/labels.js";
import { applyRuleset, listTable, readCounters } from "./nft.js";
import { canUseNetns, withNetns } from "./test-support.js";

const BASE: readonly Endpoint[] = [webApi, db, worker, tester, coredns, nodeExporter, pending];
const STARTED = pod("production", "pending", { app: "worker" }, ["10.244.1.31"]);
const compile = (endpoints: readonly Endpoint[]) =>
  compileRuleset(testCluster(undefined, endpoints), ENGINE_OPTIONS, { localPods: endpoints.filter((e) => e !== coredns), podCidrs: POD_CIDRS });

/** nft lists concatenated interval sets in insertion order: compare element lists sorted. */
const canonical = (listing: string): string =>
  listing.replace(/elements = \{([^}]*)\}/g, (_m, body: string) => `elements = { ${body.split(",").map((e) => e.trim()).sort().join(", ")} }`);

function ok<T>(r: { ok: true; value: T } | { ok: false; error: { message: string; stderr: string } }): T {
  assert.ok(r.ok, r.ok ? "" : `${r.error.message}: ${r.error.stderr}`);
  return r.value;
}

test("the compiled ruleset applies in a fresh namespace and lists its sets and elements", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    ok(await applyRuleset(compile(BASE).text, ns));
    const listed = ok(await listTable(ns));
    assert.match(listed, /set e1_v4 \{/);
    assert.match(listed, /10\.244\.1\.20 \. tcp \. 5432/);
    assert.match(listed, /10\.244\.1\.10 : jump eg_g2/);
    assert.match(listed, /type filter hook forward priority filter; policy accept;/);
  });
});

test("re-applying the same ruleset gives an identical listing", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    const text = compile(BASE).text;
    ok(await applyRuleset(text, ns));
    const first = ok(await listTable(ns));
    ok(await applyRuleset(text, ns));
    assert.equal(ok(await listTable(ns)), first);
  });
});

test("an element-only diff leaves the table as a full apply of the new state would", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    const before = compile(BASE);
    const after = compile(BASE.map((e) => (e === pending ? STARTED : e)));
    ok(await applyRuleset(before.text, ns));
    const diff = diffRulesets(before.ruleset, after.ruleset);
    assert.equal(diff.kind, "elements");
    ok(await applyRuleset(diff.text, ns));
    const patched = ok(await listTable(ns));
    assert.match(patched, /10\.244\.1\.31 : jump eg_g1/);
    ok(await applyRuleset(after.text, ns));
    assert.equal(canonical(patched), canonical(ok(await listTable(ns))));
  });
});

test("a label change moving a pod to another group applies as a map element diff", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    const moved = BASE.map((e) => (e === worker ? { ...worker, labels: labelsOf({ app: "web-api" }) } : e));
    const [before, after] = [compile(BASE), compile(moved)];
    ok(await applyRuleset(before.text, ns));
    const diff = diffRulesets(before.ruleset, after.ruleset);
    assert.equal(diff.kind, "elements");
    ok(await applyRuleset(diff.text, ns));
    const patched = ok(await listTable(ns));
    assert.match(patched, /10\.244\.1\.30 : jump eg_g2/);
    ok(await applyRuleset(after.text, ns));
    assert.equal(canonical(patched), canonical(ok(await listTable(ns))));
  });
});

test("a failing script is an error value with nft's stderr, and the applied table stays", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    ok(await applyRuleset(compile(BASE).text, ns));
    const before = ok(await listTable(ns));
    const r = await applyRuleset(`${compile(BASE).text}\nadd element inet portcullis no_such_set { 1.2.3.4 }\n`, ns);
    assert.equal(r.ok, false);
    assert.match(r.ok ? "" : r.error.stderr, /no_such_set|No such file/);
    assert.equal(ok(await listTable(ns)), before, "one transaction: nothing of the failed script applied");
  });
});

test("counters are read per rule id", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    ok(await applyRuleset(compile(BASE).text, ns));
    const counters = ok(await readCounters(ns));
    assert.deepEqual(counters.get("pc:e:1"), { packets: 0, bytes: 0 });
    assert.ok(counters.has("pc:i:g2") && counters.has("pc:e:unknown"));
  });
  assert.equal(LOCAL_PODS.length, 6);
});

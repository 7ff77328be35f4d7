import { test } from "node:test";
import assert from "node:assert/strict";
import { labelsOf } from "../model/labels.js";
import { compileRuleset } from "./compile.js";
import { diffRulesets } from "./diff.js";
import { ENGINE_OPTIONS, LOCAL_PODS, POD_CIDRS, POLICIES, coredns, db, nodeExporter, pending, pod, testCluster, tester, webApi, worker } from "./fixture.js";
import type { Endpoint } from "../model/cluster.js";

const compile = (endpoints: readonly Endpoint[], local: readonly Endpoint[] = endpoints.filter((e) => e !== coredns), policies = POLICIES) =>
  compileRuleset(testCluster(policies, endpoints), ENGINE_OPTIONS, { localPods: local, podCidrs: POD_CIDRS }).ruleset;

const BASE = [webApi, db, worker, tester, coredns, nodeExporter, pending];

test("the same state twice: nothing to send", () => {
  assert.deepEqual(diffRulesets(compile(BASE), compile(BASE)), { kind: "unchanged", text: "" });
});

test("no previous ruleset: the full replacing script", () => {
  const d = diffRulesets(null, compile(BASE));
  assert.equal(d.kind, "replace");
  assert.ok(d.text.startsWith("#!/usr/sbin/nft -f"));
});

test("a pod gets an IP: element changes only", () => {
  const started = pod("production", "pending", { app: "worker" }, ["10.244.1.31"]);
  const d = diffRulesets(compile(BASE), compile(BASE.map((e) => (e === pending ? started : e))));
  assert.equal(d.kind, "elements");
  // e4 (the audited ipBlock 10.244.0.0/16) loses the new pod IP: ipBlocks do not match pod IPs here.
  assert.equal(
    d.text,
    [
      "delete element inet portcullis local_v4 {\n\t10.244.1.30\n}\n",
      "delete element inet portcullis e4_v4 {\n\t10.244.1.31-10.244.1.39 . tcp . 80\n}\n",
      "add element inet portcullis local_v4 {\n\t10.244.1.30/31\n}\n",
      "add element inet portcullis self_v4 {\n\t10.244.1.31 . 10.244.1.31\n}\n",
      "add element inet portcullis egress_v4 {\n\t10.244.1.31 : jump eg_g1\n}\n",
      "add element inet portcullis e4_v4 {\n\t10.244.1.32/29 . tcp . 80\n}\n",
    ].join(""),
  );
});

test("a label change moving a pod to another group changes its map element only", () => {
  const relabelled: Endpoint = { ...worker, labels: labelsOf({ app: "web-api" }) };
  const before = compile(BASE);
  const after = compile(BASE.map((e) => (e === worker ? relabelled : e)));
  const d = diffRulesets(before, after);
  assert.equal(d.kind, "elements");
  assert.ok(d.text.includes("delete element inet portcullis egress_v4 {\n\t10.244.1.30\n}"));
  assert.ok(d.text.includes("add element inet portcullis egress_v4 {\n\t10.244.1.30 : jump eg_g2\n}"));
});

test("a changed policy changes the structure: full replace", () => {
  const fewer = POLICIES.filter((p) => p.name !== "db-ingress");
  const d = diffRulesets(compile(BASE), compile(BASE, undefined, fewer));
  assert.equal(d.kind, "replace");
  assert.equal(d.kind === "replace" ? d.reason : null, "structure");
});

test("the local pods default to every endpoint with an IP", () => {
  const r = compileRuleset(testCluster(), ENGINE_OPTIONS);
  assert.ok(r.ruleset.sets.find((s) => s.name === "local_v4")?.elements.some((e) => e.key === "10.244.2.53"));
  assert.deepEqual(LOCAL_PODS.length, 6);
});

/** The API over a live read (the reader injected, as the CLI's live tests do): policies without files, edits over the live objects, answers that could not see everything. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { ClusterReader } from "../cli/live.js";
import type { LiveObject, LiveRead, LiveResource } from "../kube/live.js";
import type { CheckAnswer, PolicyDocument, UiView } from "../ui-model/types.js";
import { call, post, startApi } from "./api-testkit.js";

function exampleObjects(): LiveObject[] {
  const tree = join("examples", "egress");
  const files = readdirSync(tree, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".yaml"));
  return files.flatMap((f) => parseAllDocuments(readFileSync(join(tree, f), "utf8")).map((d) => d.toJS() as LiveObject)).filter((o) => o !== null);
}

const PODS: LiveResource = { group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true };

function reader(read: Omit<LiveRead, "source">): ClusterReader {
  return () => Promise.resolve({ kind: "read", read: { ...read, source: "cluster https://10.0.0.1:6443 (context test)" }, namespace: null });
}

test("live: policies are listed by object, written as YAML; an edit applies over the live objects", async () => {
  const ui = await startApi(["-A"], reader({ objects: exampleObjects(), missing: [] }));
  try {
    const policies = (await call(ui.url, { path: "/api/policies" })).json as PolicyDocument[];
    const web = policies.find((p) => p.ref === "NetworkPolicy/production/web-api-egress");
    assert.ok(web !== undefined);
    assert.equal(web.at, "NetworkPolicy production/web-api-egress");
    assert.match(web.text, /^apiVersion: networking\.k8s\.io\/v1\nkind: NetworkPolicy\n/);
    const edited = await post(ui.url, "/api/policies", { documents: [{ name: "edit.yaml", text: web.text.replace("5432", "5433") }] });
    assert.equal(edited.status, 200);
    assert.equal((edited.json as UiView).diff?.summary.narrowed, 1);
  } finally {
    assert.equal(await ui.stop(), 0);
  }
});

test("live: a check from a read that could not see the pods is status incomplete", async () => {
  const ui = await startApi(["-A"], reader({ objects: exampleObjects(), missing: [{ verb: "list", resource: PODS, namespace: null, reason: "forbidden", message: "pods is forbidden" }] }));
  try {
    const answer = await post(ui.url, "/api/check", { from: "production/web-api", to: "169.254.169.254", port: "80" });
    assert.equal(answer.status, 200);
    const a = answer.json as CheckAnswer;
    assert.deepEqual([a.status, a.verdict], ["incomplete", "denied"]);
  } finally {
    assert.equal(await ui.stop(), 0);
  }
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { engineOf } from "../diff/testkit.js";
import { findingsJson, lintCluster } from "../lint/index.js";
import { viewAssumptions } from "./assumptions.js";
import type { UiView } from "./types.js";
import { deployment, drawnView } from "./testkit.js";


/** web may reach db, 192.0.2.0/24 and 198.51.100.7 on TCP 443, nothing else (no DNS: a lint finding about web); its namespaceSelector asks for a label. */
const webEgress = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to: [{podSelector: {matchLabels: {app: db}}}]
    ports: [{port: 5432}]
  - to: [{ipBlock: {cidr: 192.0.2.0/24}}, {ipBlock: {cidr: 198.51.100.7/32}}]
    ports: [{port: 443}]
  - to: [{namespaceSelector: {matchLabels: {team: ops}}}]
    ports: [{port: 9090}]
`;

function view(docs: readonly string[]): UiView {
  const { engine, errors } = engineOf([{ file: "case.yaml", text: docs.join("---\n") }]);
  assert.deepEqual(errors, []);
  const findings = findingsJson(lintCluster(engine.cluster, { engine: engine.options }));
  return drawnView(engine, { findings, assumptions: viewAssumptions(engine, "default") }).view;
}

const v = view([deployment("web"), deployment("db"), deployment("agent", "ops"), webEgress]);
const node = (kind: string, label?: string): UiView["nodes"][number] | undefined => v.nodes.find((n) => n.kind === kind && (label === undefined || n.label === label));

test("view: an endpoint node's target is its endpoint id, what check and explain take", () => {
  assert.equal(node("endpoint", "web")?.target, "shop/web");
});

test("view: an addresses node's target is the first CIDR of the set it stands for", () => {
  const region = v.nodes.filter((n) => n.kind === "addresses");
  assert.ok(region.length > 0, "web reaches a region");
  assert.deepEqual(region.map((n) => n.target), ["192.0.2.0/24"]);
  assert.ok(region.every((n) => n.label.includes("198.51.100.7")), "the node stands for both blocks");
});

test("view: the metadata node's target is the first metadata address; anywhere has none", () => {
  assert.equal(node("metadata")?.target, "169.254.169.254");
  assert.equal(node("anywhere")?.target, null);
});

test("view: a finding is linked to the nodes of the workloads lint names, and to the edges leaving them", () => {
  const web = node("endpoint", "web");
  const dnsFinding = v.findings.find((f) => f.rule === "dns-egress-blocked");
  assert.ok(web !== undefined && dnsFinding !== undefined, JSON.stringify(v.findings.map((f) => f.rule)));
  assert.deepEqual(dnsFinding.nodes, [web.id]);
  assert.deepEqual(dnsFinding.edges, v.edges.filter((e) => e.from === web.id).map((e) => e.id));
  assert.ok(dnsFinding.edges.length > 0);
});

test("view: the assumptions name the pod network and the namespaces whose labels were assumed", () => {
  assert.match(v.assumptions[0] ?? "", /^pod network: 10\.244\.0\.0\/16 \(the default/);
  assert.ok(v.assumptions.some((a) => a.startsWith("namespace shop is not in the input: assumed labels kubernetes.io/metadata.name=shop only")), v.assumptions.join("\n"));
});

test("view: counts", () => {
  assert.deepEqual(v.counts, { namespaces: 2, workloads: 3, edges: v.edges.length, findings: v.findings.length });
});

test("view: a finding about the metadata service is linked to the edges that reach it, not every edge of its workload", () => {
  const open = webEgress.replace("ipBlock: {cidr: 198.51.100.7/32}", "ipBlock: {cidr: 169.254.0.0/16}").replace("{port: 443}", "{port: 80}");
  const w = view([deployment("web"), deployment("db"), deployment("agent", "ops"), open]);
  const finding = w.findings.find((f) => f.rule === "metadata-reachable");
  assert.ok(finding !== undefined, JSON.stringify(w.findings.map((f) => f.rule)));
  const regions = new Set(w.nodes.filter((n) => n.kind === "addresses" && n.label.includes("169.254.0.0/16")).map((n) => n.id));
  assert.deepEqual(finding.edges, w.edges.filter((e) => e.from === "shop_web" && regions.has(e.to)).map((e) => e.id));
  assert.equal(finding.edges.length, 1);
});

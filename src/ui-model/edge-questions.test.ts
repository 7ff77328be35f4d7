import { test } from "node:test";
import assert from "node:assert/strict";
import { engineOf } from "../diff/testkit.js";
import { DEFAULT_METADATA } from "../model/well-known.js";
import { edgeQuestions, MAX_EDGE_CHECKS } from "./edge-questions.js";
import { deployment, drawnView } from "./testkit.js";


/** web → db: TCP 5432, UDP 7000-7010; → cache: 20 ports (more than the checks kept); → 198.51.100.0/24 TCP 443; nothing else. cache may send nowhere. */
const webEgress = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to: [{podSelector: {matchLabels: {app: db}}}]
    ports: [{port: 5432}, {port: 7000, endPort: 7010, protocol: UDP}]
  - to: [{podSelector: {matchLabels: {app: cache}}}]
    ports: [${Array.from({ length: 20 }, (_, i) => `{port: ${100 + 2 * i}}`).join(", ")}]
  - to: [{ipBlock: {cidr: 198.51.100.0/24}}]
    ports: [{port: 443}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: cache-deny, namespace: shop}
spec:
  podSelector: {matchLabels: {app: cache}}
  policyTypes: [Egress]
`;

const { engine, errors } = engineOf([{ file: "case.yaml", text: [deployment("web"), deployment("db"), deployment("cache"), webEgress].join("---\n") }]);
const { view, drawn } = drawnView(engine);
const nodes = new Map(view.nodes.map((n) => [n.id, n]));

function ask(edgeId: string): { title: string; questions: string[] } {
  const edge = view.edges.find((e) => e.id === edgeId);
  assert.ok(edge !== undefined, `${edgeId} not among ${view.edges.map((e) => e.id).join(", ")}`);
  const asked = edgeQuestions(edge, { engine, pairs: drawn.pairs, addresses: drawn.regions, nodes, metadata: DEFAULT_METADATA });
  return { title: asked.title, questions: asked.questions.map((q) => `${q.from} ${q.to} ${q.protocol ?? ""} ${q.port}`) };
}

test("edge questions: the input loads", () => assert.deepEqual(errors, []));

test("edge questions: one per port of the pair's connections; a range at its first port, said in the title", () => {
  const asked = ask("shop_web->shop_db:allowed");
  assert.deepEqual(asked.questions, ["shop/web shop/db TCP 5432", "shop/web shop/db UDP 7000"]);
  assert.match(asked.title, /ranges checked at their first port: UDP 7000-7010 at 7000/);
});

test("edge questions: at most MAX_EDGE_CHECKS, said in the title", () => {
  const asked = ask("shop_web->shop_cache:allowed");
  assert.equal(asked.questions.length, MAX_EDGE_CHECKS);
  assert.equal(asked.questions[0], "shop/web shop/cache TCP 100");
  assert.match(asked.title, new RegExp(`the first ${MAX_EDGE_CHECKS} of 20 ports`));
});

test("edge questions: an address range is asked at one of its addresses, on the ports the source may use", () => {
  const region = view.nodes.find((n) => n.kind === "addresses");
  assert.ok(region !== undefined);
  assert.deepEqual(ask(`shop_web->${region.id}:allowed`).questions, ["shop/web 198.51.100.0 TCP 443"]);
});

test("edge questions: a blocked edge to the metadata service is asked at the first metadata address, the internet at the documentation address", () => {
  assert.deepEqual(ask("shop_web->metadata:blocked").questions, ["shop/web 169.254.169.254 TCP 80"]);
  assert.deepEqual(ask("shop_cache->internet:blocked").questions, ["shop/cache 192.0.2.1 TCP 443"]);
});

test("edge questions: an unrestricted source's edge to anywhere is asked at TCP 443 of the documentation address", () => {
  const asked = ask("shop_db->anywhere:unrestricted");
  assert.deepEqual(asked.questions, ["shop/db 192.0.2.1 TCP 443"]);
  assert.match(asked.title, /documentation address/);
});

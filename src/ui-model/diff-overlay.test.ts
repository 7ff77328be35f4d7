import { test } from "node:test";
import assert from "node:assert/strict";
import { diffClusters } from "../diff/index.js";
import type { DiffSummary } from "../diff/types.js";
import { engineOf } from "../diff/testkit.js";
import type { Engine } from "../engine/engine.js";
import { type DrawnVersion, overlayDiff } from "./diff-overlay.js";
import { endpointNodes } from "./endpoint-nodes.js";
import type { UiView } from "./types.js";
import { deployment, drawnView } from "./testkit.js";


/** web's egress: db at `ports` (TCP), and with `internet` TCP 443 to every address. */
const webEgress = (ports: readonly number[], internet = false): string => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to: [{podSelector: {matchLabels: {app: db}}}]
    ports: [${ports.map((p) => `{port: ${p}}`).join(", ")}]
${internet ? "  - to: [{ipBlock: {cidr: 0.0.0.0/0}}]\n    ports: [{port: 443}]\n" : ""}`;

const shop = (...extra: string[]): string[] => [deployment("web"), deployment("db"), ...extra];

function engine(docs: readonly string[]): Engine {
  const { engine, errors } = engineOf([{ file: "case.yaml", text: docs.join("---\n") }]);
  assert.deepEqual(errors, []);
  return engine;
}

function drawn(e: Engine): DrawnVersion {
  const { view, drawn } = drawnView(e);
  return { view, addresses: drawn.regions, endpoints: endpointNodes(e, drawn.graph) };
}

function overlay(oldDocs: readonly string[], newDocs: readonly string[]): UiView {
  const [old, neu] = [engine(oldDocs), engine(newDocs)];
  return overlayDiff(drawn(neu), drawn(old), diffClusters(old, neu), { old: "old", new: "new" });
}

/** The view's marks: `node ID change` and `edge ID kind [classes] +added -removed`. */
function marks(view: UiView): string[] {
  return [
    ...view.nodes.flatMap((n) => (n.change === null ? [] : [`node ${n.id} ${n.change}`])),
    ...view.edges.flatMap((e) => (e.change === null ? [] : [`edge ${e.id} ${e.change.kind} [${e.change.classes.join(",")}] +${e.change.added} -${e.change.removed}`])),
  ];
}

const cases: { name: string; old: string[]; new: string[]; expect: string[]; summary: Partial<DiffSummary> }[] = [
  {
    name: "a widened edge is marked with the connections added",
    old: shop(webEgress([5432])),
    new: shop(webEgress([5432, 6432])),
    expect: ["edge shop_web->shop_db:allowed widened [] +TCP 6432 -"],
    summary: { widened: 1 },
  },
  {
    name: "a narrowed edge is marked with the connections removed",
    old: shop(webEgress([5432, 6432])),
    new: shop(webEgress([5432])),
    expect: ["edge shop_web->shop_db:allowed narrowed [] + -TCP 6432"],
    summary: { narrowed: 1 },
  },
  {
    name: "a workload of the new version only is marked added, with its edges",
    old: shop(webEgress([5432])),
    new: shop(webEgress([5432]), deployment("cache")),
    expect: ["node shop_cache added"],
    summary: { "endpoints-added": 1 },
  },
  {
    name: "a workload of the old version only is kept, marked removed, with its old edges",
    old: shop(webEgress([5432]), deployment("cache")),
    new: shop(webEgress([5432])),
    expect: ["node shop_cache removed", "edge shop_cache->anywhere:unrestricted removed [] + -"],
    summary: { "endpoints-removed": 1 },
  },
  {
    name: "internet egress added: the new region's edge carries the class, the old blocked edge is kept removed",
    old: shop(webEgress([5432])),
    new: shop(webEgress([5432], true)),
    expect: ["edge shop_web->internet:blocked removed [] + -"],
    summary: { "internet-egress-added": 1 },
  },
];

for (const c of cases) {
  test(`diff overlay: ${c.name}`, () => {
    const view = overlay(c.old, c.new);
    const got = marks(view);
    for (const m of c.expect) assert.ok(got.includes(m), `${m}\nnot among:\n${got.join("\n")}`);
    for (const [key, n] of Object.entries(c.summary)) assert.equal(view.diff?.summary[key as keyof DiffSummary], n, key);
  });
}

test("diff overlay: internet egress added marks the edge to the new region with the class", () => {
  const view = overlay(shop(webEgress([5432])), shop(webEgress([5432], true)));
  const region = view.edges.filter((e) => e.from === "shop_web" && view.nodes.find((n) => n.id === e.to)?.kind === "addresses");
  assert.ok(region.length > 0, "an edge to an addresses node");
  assert.ok(region.every((e) => e.change?.kind === "widened" && e.change.classes.includes("internet-egress-added") && e.change.added === "TCP 443"), JSON.stringify(region));
});

test("diff overlay: no change, no mark", () => {
  const view = overlay(shop(webEgress([5432])), shop(webEgress([5432])));
  assert.deepEqual(marks(view), []);
  assert.equal(view.diff?.summary.widened, 0);
});

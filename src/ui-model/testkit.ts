/** Test support of the view model's tests: manifests written as the tests read them, and the view drawn. */
import type { Engine } from "../engine/engine.js";
import { type DrawnGraph, drawEgressGraph } from "../graph/index.js";
import type { FindingsJson } from "../lint/render-json.js";
import { DEFAULT_METADATA } from "../model/well-known.js";
import type { UiView } from "./types.js";
import { buildView } from "./view.js";

/** A Deployment `name` in `ns` whose pods are labelled `app: name`. */
export const deployment = (name: string, ns = "shop"): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: x}]}
`;

/** The page's view of an engine, drawn as the session draws it (every namespace, the default metadata addresses). */
export function drawnView(engine: Engine, extra: { readonly findings?: FindingsJson; readonly assumptions?: readonly string[] } = {}): { readonly view: UiView; readonly drawn: DrawnGraph } {
  const drawn = drawEgressGraph(engine, { namespace: null });
  const notable = { internet: drawn.internet, metadata: drawn.metadata };
  const view = buildView({ graph: drawn.graph, addresses: drawn.regions, notable, metadata: DEFAULT_METADATA, findings: extra.findings ?? { findings: [] }, source: "case", edited: false, assumptions: extra.assumptions ?? [] });
  return { view, drawn };
}

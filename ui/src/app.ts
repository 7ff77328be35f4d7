/**
 * The page: fetches the view (GET /api/view) and draws it with Cytoscape, laid out by ELK's
 * layered algorithm in a Web Worker. `document.body.dataset.state` says how far it is:
 * `rendered` (drawn, first layout pending) then `settled` (laid out); tests and the benchmark wait on it.
 */
import type { UiView } from "../../src/ui-model/types.js";
import { drawGraph } from "./graph.js";

async function start(): Promise<void> {
  const status = element("status");
  const response = await fetch("/api/view");
  if (!response.ok) throw new Error(`GET /api/view: ${response.status}`);
  const view = (await response.json()) as UiView;
  element("source").textContent = `${view.source.label}: ${view.counts.workloads} workloads in ${view.counts.namespaces} namespaces, ${view.counts.edges} edges, ${view.counts.findings} findings`;
  const graph = drawGraph(element("graph"), view, { onSelectNode: () => undefined, onSelectEdge: () => undefined, onClear: () => undefined });
  mark("rendered");
  status.textContent = "Laying out…";
  await graph.layout();
  mark("settled");
  status.textContent = "";
}

function element(id: string): HTMLElement {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found;
}

/** Records a stage (`performance.mark`) and shows it on the body for whoever waits on it. */
function mark(state: "rendered" | "settled"): void {
  performance.mark(`portcullis:${state}`);
  document.body.dataset["state"] = state;
}

start().catch((error: unknown) => {
  document.body.dataset["state"] = "failed";
  element("status").textContent = `The page could not load: ${error instanceof Error ? error.message : String(error)}`;
});

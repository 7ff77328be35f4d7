/** The view as Cytoscape elements: namespaces as compound nodes, workloads inside, destinations outside. */
import type { Core, ElementDefinition } from "cytoscape";
import type { UiView } from "../../src/ui-model/types.js";
import { cytoscape } from "./globals.js";

export function elements(view: UiView): ElementDefinition[] {
  const groups: ElementDefinition[] = view.groups.map((g) => ({ group: "nodes", data: { id: g.id, label: g.namespace, kind: "namespace" } }));
  const parent = new Map(view.groups.flatMap((g) => g.nodes.map((n) => [n, g.id] as const)));
  const nodes: ElementDefinition[] = view.nodes.map((n) => {
    const box = parent.get(n.id);
    return { group: "nodes", data: { id: n.id, label: n.label, kind: n.kind, ...(box === undefined ? {} : { parent: box }) } };
  });
  const edges: ElementDefinition[] = view.edges.map((e) => ({ group: "edges", data: { id: e.id, source: e.from, target: e.to, label: e.label, style: e.style } }));
  return [...groups, ...nodes, ...edges];
}

export function drawGraph(container: HTMLElement, view: UiView): Core {
  return cytoscape()({
    container,
    elements: elements(view),
    layout: { name: "grid" },
    style: [
      { selector: "node", style: { label: "data(label)", "font-size": 11, "text-valign": "center", "text-halign": "center", shape: "round-rectangle", width: "label", height: 24, padding: "6px", "background-color": "#dfe9f5", "border-width": 1, "border-color": "#5b7fa8" } },
      { selector: "node[kind = 'namespace']", style: { "text-valign": "top", "background-color": "#f4f6f8", "border-color": "#8a96a3" } },
      { selector: "edge", style: { label: "data(label)", "font-size": 9, "curve-style": "bezier", "target-arrow-shape": "triangle", width: 1.5, "line-color": "#3a7d44", "target-arrow-color": "#3a7d44" } },
      { selector: "edge[style = 'blocked']", style: { "line-style": "dashed", "line-color": "#b3261e", "target-arrow-color": "#b3261e", "target-arrow-shape": "tee" } },
    ],
  });
}

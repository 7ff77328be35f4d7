/** The layered layout (ELK, in a Web Worker so the page stays responsive), applied as preset positions. */
import type { Core } from "cytoscape";
import type { ElkNode } from "elkjs/lib/elk-api.js";
import { newElk } from "./globals.js";

const elk = newElk({ workerUrl: "/vendor/elk-worker.min.js" });

const OPTIONS = { "elk.algorithm": "layered", "elk.direction": "RIGHT", "elk.hierarchyHandling": "INCLUDE_CHILDREN", "elk.layered.spacing.nodeNodeBetweenLayers": "60", "elk.spacing.nodeNode": "20" };

export async function layoutGraph(cy: Core): Promise<void> {
  const children = new Map<string, ElkNode>();
  const roots: ElkNode[] = [];
  for (const node of cy.nodes()) {
    const box = node.isParent() ? { id: node.id(), children: [], layoutOptions: { "elk.padding": "[top=28,left=12,bottom=12,right=12]" } } : { id: node.id(), width: node.outerWidth(), height: node.outerHeight() };
    children.set(node.id(), box);
  }
  for (const node of cy.nodes()) {
    const box = children.get(node.id());
    if (box === undefined) continue;
    const parent = node.parent().first();
    const holder = parent.empty() ? undefined : children.get(parent.id());
    if (holder === undefined) roots.push(box);
    else (holder.children ??= []).push(box);
  }
  const edges = cy.edges().map((e) => ({ id: e.id(), sources: [e.source().id()], targets: [e.target().id()] }));
  const laid = await elk.layout({ id: "root", layoutOptions: OPTIONS, children: roots, edges });
  const positions = new Map<string, { x: number; y: number }>();
  const visit = (n: ElkNode, dx: number, dy: number): void => {
    const x = dx + (n.x ?? 0);
    const y = dy + (n.y ?? 0);
    if ((n.children ?? []).length === 0) positions.set(n.id, { x: x + (n.width ?? 0) / 2, y: y + (n.height ?? 0) / 2 });
    for (const c of n.children ?? []) visit(c, x, y);
  };
  for (const c of laid.children ?? []) visit(c, 0, 0);
  cy.nodes().filter((n) => !n.isParent()).positions((n) => positions.get(n.id()) ?? n.position());
  cy.fit(undefined, 30);
}

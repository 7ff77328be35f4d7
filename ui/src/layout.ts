/**
 * The layered layout (ELK, in a Web Worker so the page stays responsive), applied as preset positions.
 * Two levels, laid out in one ELK call with separate hierarchy handling: inside each expanded
 * namespace its workloads are laid out alone (layered along its internal edges, packed when it has
 * none); then the top level — namespace boxes (expanded or collapsed) and the destinations — is
 * laid out layered with every edge lifted to the top-level nodes it joins (one per pair). The
 * whole-graph layout with edges across the hierarchy took 31 s at 1,000 workloads; this one stays
 * near the size of the top level. Above LAYERED_UP_TO top-level nodes a layered top level grows
 * long chains of dummy nodes (150 namespaces: 15 s in ELK), so the namespace boxes are packed in a
 * grid of the screen's proportions and the destinations stand in a column to their right
 * (docs/ui-scale.md).
 */
import type { Core, NodeSingular } from "cytoscape";
import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api.js";
import { newElk } from "./globals.js";

const elk = newElk({ workerUrl: "/vendor/elk-worker.min.js" });

const TOP = { "elk.algorithm": "layered", "elk.direction": "RIGHT", "elk.hierarchyHandling": "SEPARATE_CHILDREN", "elk.layered.spacing.nodeNodeBetweenLayers": "80", "elk.spacing.nodeNode": "24", "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF" };
/** Top-level nodes (namespace boxes and destinations) up to which the top level is layered. */
export const LAYERED_UP_TO = 80;
const PACKED = { "elk.algorithm": "rectpacking", "elk.hierarchyHandling": "SEPARATE_CHILDREN", "elk.aspectRatio": "1.6", "elk.spacing.nodeNode": "30" };
/** Between the packed namespaces and the destinations' column, and between destinations. */
const COLUMN_GAP = 240;
const ROW_GAP = 30;
const PADDING = "[top=30,left=12,bottom=12,right=12]";
const INNER_LAYERED = { "elk.algorithm": "layered", "elk.direction": "RIGHT", "elk.padding": PADDING, "elk.spacing.nodeNode": "16", "elk.layered.spacing.nodeNodeBetweenLayers": "40" };
const INNER_PACKED = { "elk.algorithm": "rectpacking", "elk.padding": PADDING, "elk.spacing.nodeNode": "12", "elk.aspectRatio": "1.6" };

export async function layoutGraph(cy: Core): Promise<void> {
  const top = (n: NodeSingular): NodeSingular => (n.isChild() ? n.parent().first() : n);
  const inner = new Map<string, ElkExtendedEdge[]>();
  const lifted = new Map<string, ElkExtendedEdge>();
  for (const e of cy.edges()) {
    const [s, t] = [e.source(), e.target()];
    if (s.isChild() && t.isChild() && s.parent().first().same(t.parent().first())) {
      const box = s.parent().first().id();
      const edges = inner.get(box);
      const edge = { id: e.id(), sources: [s.id()], targets: [t.id()] };
      if (edges === undefined) inner.set(box, [edge]);
      else edges.push(edge);
      continue;
    }
    const [from, to] = [top(s).id(), top(t).id()];
    if (from !== to && !lifted.has(`${from}\n${to}`)) lifted.set(`${from}\n${to}`, { id: `lift${lifted.size}`, sources: [from], targets: [to] });
  }
  const leaf = (n: NodeSingular): ElkNode => ({ id: n.id(), width: n.outerWidth(), height: n.outerHeight() });
  const children: ElkNode[] = cy
    .nodes()
    .orphans()
    .map((n) => {
      if (!n.isParent()) return leaf(n);
      const edges = inner.get(n.id()) ?? [];
      return { id: n.id(), layoutOptions: edges.length > 0 ? INNER_LAYERED : INNER_PACKED, children: n.children().map(leaf), edges };
    });
  const packed = children.length > LAYERED_UP_TO;
  const boxes = packed ? children.filter((c) => cy.getElementById(c.id).data("kind") === "namespace" && !shared(c.id, lifted.values(), children.length)) : children;
  const laid = await elk.layout({ id: "root", layoutOptions: packed ? PACKED : TOP, children: boxes, edges: packed ? [] : [...lifted.values()] });
  if (packed) laid.children = [...(laid.children ?? []), ...column(children.filter((c) => !boxes.includes(c)), laid)];
  const positions = new Map<string, { x: number; y: number }>();
  const visit = (n: ElkNode, dx: number, dy: number): void => {
    const x = dx + (n.x ?? 0);
    const y = dy + (n.y ?? 0);
    if ((n.children ?? []).length === 0) positions.set(n.id, { x: x + (n.width ?? 0) / 2, y: y + (n.height ?? 0) / 2 });
    for (const c of n.children ?? []) visit(c, x, y);
  };
  for (const c of laid.children ?? []) visit(c, 0, 0);
  cy.batch(() => {
    cy.nodes()
      .filter((n) => !n.isParent())
      .positions((n) => positions.get(n.id()) ?? n.position());
  });
  cy.fit(cy.elements(":visible"), 30);
}

/** A namespace many others reach (kube-system with DNS): it stands in the destinations' column. */
function shared(id: string, edges: Iterable<ElkExtendedEdge>, nodes: number): boolean {
  let from = 0;
  for (const e of edges) if (e.targets[0] === id) from++;
  return from > Math.max(10, nodes / 10);
}

/** The destinations, in the order given, stacked in a column right of the packed boxes, centred on them. */
function column(nodes: readonly ElkNode[], packed: ElkNode): ElkNode[] {
  const width = Math.max(0, ...(packed.children ?? []).map((c) => (c.x ?? 0) + (c.width ?? 0)));
  const height = Math.max(0, ...(packed.children ?? []).map((c) => (c.y ?? 0) + (c.height ?? 0)));
  const total = nodes.reduce((sum, n) => sum + (n.height ?? 0) + ROW_GAP, -ROW_GAP);
  let y = Math.max(0, (height - total) / 2);
  return nodes.map((n) => {
    const placed = { ...n, x: width + COLUMN_GAP, y };
    y += (n.height ?? 0) + ROW_GAP;
    return placed;
  });
}

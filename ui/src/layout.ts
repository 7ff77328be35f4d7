/**
 * The layered layout (ELK, in a Web Worker so the page stays responsive), applied as preset positions.
 * Two levels, laid out in one ELK call with separate hierarchy handling: inside each expanded
 * namespace its workloads are laid out alone (layered along its internal edges, packed when it has
 * none); then the top level — namespace boxes (expanded or collapsed) and the destinations — is
 * laid out layered with every edge lifted to the top-level nodes it joins (one per pair). The
 * whole-graph layout with edges across the hierarchy took 31 s at 1,000 workloads; this one stays
 * near the size of the top level (docs/ui-scale.md).
 */
import type { Core, NodeSingular } from "cytoscape";
import type { ElkExtendedEdge, ElkNode } from "elkjs/lib/elk-api.js";
import { newElk } from "./globals.js";

const elk = newElk({ workerUrl: "/vendor/elk-worker.min.js" });

const TOP = { "elk.algorithm": "layered", "elk.direction": "RIGHT", "elk.hierarchyHandling": "SEPARATE_CHILDREN", "elk.layered.spacing.nodeNodeBetweenLayers": "80", "elk.spacing.nodeNode": "24", "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF" };
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
      inner.set(box, [...(inner.get(box) ?? []), { id: e.id(), sources: [s.id()], targets: [t.id()] }]);
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
  const laid = await elk.layout({ id: "root", layoutOptions: TOP, children, edges: [...lifted.values()] });
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

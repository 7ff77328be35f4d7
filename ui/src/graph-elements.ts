/**
 * The view as Cytoscape elements, with some namespaces collapsed: a collapsed namespace is one node
 * (its workload count in the label) and the edges of its workloads are folded into one edge per
 * (drawn source, drawn target, style), labelled with how many edges it stands for. Expanded
 * namespaces are compound nodes holding their workloads. Every drawn element remembers the view ids
 * it stands for (`members`), so filters, highlights and selection speak in view ids.
 */
import type { ElementDefinition } from "cytoscape";
import type { UiEdge, UiNode, UiView } from "../../src/ui-model/types.js";

/** Above this many workloads the picture opens with every namespace collapsed (docs/ui-scale.md). */
export const COLLAPSE_ABOVE = 200;

/** Above this many drawn edges, edge labels are left out (they would cover the picture). */
export const EDGE_LABELS_UP_TO = 1500;

/** Where each view id is drawn: a workload of a collapsed namespace is drawn as that namespace. */
export interface Placement {
  /** View node id → drawn node id. */
  readonly node: ReadonlyMap<string, string>;
  /** View edge id → drawn edge id (itself, or the folded edge holding it). */
  readonly edge: ReadonlyMap<string, string>;
  /** Drawn element id → the view ids it stands for (a view node or edge: itself). */
  readonly members: ReadonlyMap<string, readonly string[]>;
}

export interface Drawing {
  readonly elements: ElementDefinition[];
  readonly placement: Placement;
}

/** The namespaces (group ids) a view opens with collapsed: all of them when it is large, none otherwise. */
export function initiallyCollapsed(view: UiView): Set<string> {
  return view.counts.workloads > COLLAPSE_ABOVE ? new Set(view.groups.map((g) => g.id)) : new Set();
}

export function drawing(view: UiView, collapsed: ReadonlySet<string>): Drawing {
  const groupOf = new Map(view.groups.flatMap((g) => g.nodes.map((n) => [n, g.id] as const)));
  const node = new Map<string, string>();
  const members = new Map<string, string[]>();
  const elements: ElementDefinition[] = [];
  for (const g of view.groups) {
    const folded = collapsed.has(g.id);
    const label = folded ? `${g.namespace}\n${g.nodes.length} workload${g.nodes.length === 1 ? "" : "s"}` : g.namespace;
    elements.push({ group: "nodes", data: { id: g.id, label, kind: "namespace", namespace: g.namespace, count: g.nodes.length }, classes: folded ? "collapsed" : "expanded" });
    members.set(g.id, folded ? [...g.nodes] : []);
  }
  for (const n of view.nodes) {
    const box = groupOf.get(n.id);
    if (box !== undefined && collapsed.has(box)) {
      node.set(n.id, box);
      continue;
    }
    node.set(n.id, n.id);
    members.set(n.id, [n.id]);
    elements.push({ group: "nodes", data: { id: n.id, label: nodeLabel(n), kind: n.kind, ...(box === undefined ? {} : { parent: box }) }, classes: changeClass(n.change) });
  }
  const edge = new Map<string, string>();
  const folds = new Map<string, UiEdge[]>();
  for (const e of view.edges) {
    const from = node.get(e.from) ?? e.from;
    const to = node.get(e.to) ?? e.to;
    if (from === e.from && to === e.to) {
      edge.set(e.id, e.id);
      members.set(e.id, [e.id]);
      elements.push({ group: "edges", data: { id: e.id, source: from, target: to, label: edgeLabel(e), style: e.style }, classes: changeClass(e.change?.kind ?? null) });
      continue;
    }
    const id = `fold:${from}->${to}:${e.style}`;
    edge.set(e.id, id);
    // Appended in place: a namespace of n workloads may fold n² edges into one.
    const held = folds.get(id);
    if (held === undefined) folds.set(id, [e]);
    else held.push(e);
  }
  for (const [id, held] of folds) {
    const first = held[0] as UiEdge;
    members.set(id, held.map((e) => e.id));
    const data = { id, source: node.get(first.from) ?? first.from, target: node.get(first.to) ?? first.to, label: foldLabel(held, held.length), style: first.style, folded: held.length };
    elements.push({ group: "edges", data, classes: ["folded", changeClass(foldChange(held))].join(" ").trim() });
  }
  return { elements, placement: { node, edge, members } };
}

/**
 * The label of a folded edge showing `shown` of the edges it holds: the edge's own label when it
 * holds one, `20 × UDP/TCP 53` when they all say the same, `20 edges` otherwise; changes counted.
 */
export function foldLabel(held: readonly UiEdge[], shown: number): string {
  if (held.length === 1) return edgeLabel(held[0] as UiEdge);
  const changed = held.filter((e) => e.change !== null).length;
  const labels = new Set(held.map((e) => e.label));
  const what = labels.size === 1 ? `${shown} × ${[...labels][0] ?? ""}` : `${shown} edge${shown === 1 ? "" : "s"}`;
  return `${what}${changed > 0 ? ` (${changed} changed)` : ""}`;
}

function nodeLabel(n: UiNode): string {
  if (n.change === "added") return `+ ${n.label}`;
  if (n.change === "removed") return `− ${n.label}`;
  return n.label;
}

/** Diff marks in words too (never colour alone): `+` added, `−` removed, `widened: +TCP 443`. */
function edgeLabel(e: UiEdge): string {
  const change = e.change;
  if (change === null) return e.label;
  switch (change.kind) {
    case "added":
      return `+ ${e.label}`;
    case "removed":
      return `− ${e.label}`;
    case "widened":
      return `${e.label}\nwidened: +${change.added}`;
    case "narrowed":
      return `${e.label}\nnarrowed: −${change.removed}`;
  }
}

function foldChange(held: readonly UiEdge[]): NonNullable<UiEdge["change"]>["kind"] | null {
  for (const kind of ["added", "widened", "removed", "narrowed"] as const) if (held.some((e) => e.change?.kind === kind)) return kind;
  return null;
}

function changeClass(kind: string | null): string {
  return kind === null ? "" : `change-${kind}`;
}

/**
 * A diff report (`portcullis diff`) drawn on the page's view: the new version's graph, each edge a
 * change concerns marked with it (kind, classes, the connections added and removed), the edges and
 * nodes of the old version that are gone kept and marked removed (their old style kept), endpoints
 * present in one version only marked. Changes are matched to edges by endpoint id and by the
 * addresses nodes' sets, never by label text. Pure.
 */
import type { DiffChange, DiffReport } from "../diff/types.js";
import { formatConns } from "../diff/format.js";
import type { AddressSet } from "../net/address-set.js";
import { parseCidrList } from "../render/addresses.js";
import { type AddressNodes, countsOf, edgeId, edgesBySource } from "./view.js";
import type { EndpointNodes } from "./endpoint-nodes.js";
import type { UiEdge, UiEdgeChange, UiGroup, UiNode, UiView } from "./types.js";

/** One version as drawn: its view and the sets of its addresses nodes. */
export interface DrawnVersion {
  readonly view: UiView;
  readonly addresses: AddressNodes;
  /** Its endpoint nodes by diff's endpoint name (endpoint-nodes.ts). */
  readonly endpoints: EndpointNodes;
}

export function overlayDiff(neu: DrawnVersion, old: DrawnVersion, report: DiffReport, names: { readonly old: string; readonly new: string }): UiView {
  const oldToNew = nodeCorrespondence(old, neu);
  const nodes = markNodes(neu, old, report, oldToNew);
  const gone = goneEdges(neu.view.edges, old.view.edges, oldToNew);
  // An endpoint's own connections (a change of kind removed) are drawn in the old version, the others in the new one (with the edges gone).
  const sides = { neu: sideOf(neu, [...neu.view.edges, ...gone], (id) => id), old: sideOf(old, old.view.edges.map((e) => renamed(e, oldToNew)), (id) => oldToNew.get(id) ?? id) };
  const changes = new Map<string, UiEdgeChange>();
  for (const c of report.changes) {
    for (const id of edgesOfChange(c, c.kind === "removed" ? sides.old : sides.neu)) changes.set(id, merged(changes.get(id), c));
  }
  // An old edge that is gone and no change named stays marked removed (its connections moved to another edge).
  const goneIds = new Set(gone.map((e) => e.id));
  const edges = [...neu.view.edges, ...gone].map((e) => ({ ...e, change: changes.get(e.id) ?? (goneIds.has(e.id) ? goneMark : null) }));
  const groups = withRemovedNodes(neu.view.groups, nodes);
  const view = neu.view;
  return { ...view, groups, nodes, edges, diff: { old: names.old, new: names.new, summary: report.summary }, counts: countsOf(groups.length, nodes, edges, view.findings.length) };
}

const goneMark: UiEdgeChange = { kind: "removed", classes: [], added: "", removed: "" };

/** One version indexed in the new view's node ids: its endpoint nodes by diff's name, its edges by source, its regions' sets. */
interface Side {
  readonly endpoints: ReadonlyMap<string, string>;
  readonly edgesFrom: ReadonlyMap<string, readonly UiEdge[]>;
  readonly regions: ReadonlyMap<string, AddressSet>;
}

function sideOf(drawn: DrawnVersion, edges: readonly UiEdge[], id: (drawnId: string) => string): Side {
  return {
    endpoints: new Map([...drawn.endpoints].map(([name, n]) => [name, id(n)])),
    edgesFrom: edgesBySource(edges),
    regions: new Map([...drawn.addresses].map(([n, set]) => [id(n), set])),
  };
}

/** Old node id → the new view's node id for the same thing: an endpoint by its id, a region by its set, a domain by its pattern, the others by kind. */
function nodeCorrespondence(old: DrawnVersion, neu: DrawnVersion): ReadonlyMap<string, string> {
  const key = (n: UiNode, drawn: DrawnVersion): string => (n.kind === "endpoint" ? `e ${n.target ?? n.id}` : n.kind === "addresses" ? `a ${drawn.addresses.get(n.id)?.key() ?? n.id}` : n.kind === "domain" ? `d ${n.label}` : n.kind);
  const byKey = new Map(neu.view.nodes.map((n) => [key(n, neu), n.id]));
  const taken = new Set(neu.view.nodes.map((n) => n.id));
  const out = new Map<string, string>();
  for (const n of old.view.nodes) {
    const id = byKey.get(key(n, old)) ?? (taken.has(n.id) ? `old_${n.id}` : n.id);
    out.set(n.id, id);
  }
  return out;
}

/** The new nodes (endpoints of the new version only marked `added`), then the old nodes with no counterpart, marked `removed`. */
function markNodes(neu: DrawnVersion, old: DrawnVersion, report: DiffReport, oldToNew: ReadonlyMap<string, string>): UiNode[] {
  const added = new Set(report.endpoints.added.flatMap((name) => neu.endpoints.get(name) ?? []));
  const present = new Set(neu.view.nodes.map((n) => n.id));
  const nodes = neu.view.nodes.map((n) => (added.has(n.id) ? { ...n, change: "added" as const } : n));
  for (const n of old.view.nodes) {
    const id = oldToNew.get(n.id) ?? n.id;
    if (!present.has(id)) nodes.push({ ...n, id, change: "removed" });
  }
  return nodes;
}

function renamed(e: UiEdge, oldToNew: ReadonlyMap<string, string>): UiEdge {
  const from = oldToNew.get(e.from) ?? e.from;
  const to = oldToNew.get(e.to) ?? e.to;
  return { ...e, id: edgeId({ from, to, style: e.style }), from, to };
}

/** The old version's edges (in the new view's node ids) that the new version does not draw. */
function goneEdges(edges: readonly UiEdge[], oldEdges: readonly UiEdge[], oldToNew: ReadonlyMap<string, string>): UiEdge[] {
  const present = new Set(edges.map((e) => e.id));
  return oldEdges.map((e) => renamed(e, oldToNew)).filter((e) => !present.has(e.id));
}

/** The edges a change concerns: from the source's node to the destination's (an endpoint's node, or every addresses node whose set meets the change's CIDRs). */
function edgesOfChange(c: DiffChange, side: Side): string[] {
  const from = side.endpoints.get(c.src);
  if (from === undefined) return [];
  const to = side.endpoints.get(c.dst);
  const region = to === undefined ? parseCidrList(c.dst) : null;
  const meets = (id: string): boolean => {
    if (to !== undefined) return id === to;
    const set = side.regions.get(id);
    return set !== undefined && region !== null && set.overlaps(region);
  };
  return (side.edgesFrom.get(from) ?? []).filter((e) => e.style !== "resolves" && meets(e.to)).map((e) => e.id);
}

/** Two changes on one edge (a region met by two changes): the wider kind, every class, both texts. */
function merged(prior: UiEdgeChange | undefined, c: DiffChange): UiEdgeChange {
  const mark: UiEdgeChange = { kind: c.kind, classes: c.class, added: formatConns(c.added), removed: formatConns(c.removed) };
  if (prior === undefined) return mark;
  const join = (a: string, b: string): string => [a, b].filter((t) => t !== "").join("; ");
  return { kind: prior.kind === "widened" || c.kind !== "widened" ? prior.kind : c.kind, classes: [...new Set([...prior.classes, ...c.class])], added: join(prior.added, mark.added), removed: join(prior.removed, mark.removed) };
}

/** The groups, with the removed endpoints in their namespace's group (a namespace of the old version only gets its own). */
function withRemovedNodes(groups: readonly UiGroup[], nodes: readonly UiNode[]): UiGroup[] {
  const out = groups.map((g) => ({ ...g, nodes: [...g.nodes] }));
  for (const n of nodes) {
    if (n.change !== "removed" || n.namespace === null) continue;
    let group = out.find((g) => g.namespace === n.namespace);
    if (group === undefined) {
      group = { id: `old_ns_${n.namespace.replace(/[^A-Za-z0-9]+/g, "_")}`, namespace: n.namespace, nodes: [] };
      out.push(group);
    }
    group.nodes.push(n.id);
  }
  return out;
}

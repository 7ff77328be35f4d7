/**
 * The drawing: the view in Cytoscape, behind the GraphHandle the panels use. Namespaces are compound
 * boxes; a large view opens with them collapsed (graph-elements.ts) and a namespace expands on a
 * double-click, Enter, focus() on one of its workloads or a namespace/workload filter naming it.
 * `document.body.dataset.state` is `rendered` when elements are drawn and `settled` when a layout
 * has placed them (every layout: the first, after update(), after expanding or collapsing).
 */
import type { Collection, Core, EventObject } from "cytoscape";
import type { UiView } from "../../src/ui-model/types.js";
import { exportSvg } from "./export.js";
import { COLLAPSE_ABOVE, type Drawing, drawing, EDGE_LABELS_UP_TO, foldLabel, initiallyCollapsed } from "./graph-elements.js";
import { NO_FILTER, shown } from "./graph-filter.js";
import type { GraphEvents, GraphFilter, GraphHandle } from "./graph-handle.js";
import { GRAPH_STYLE } from "./graph-style.js";
import { cytoscape } from "./globals.js";
import { layoutGraph } from "./layout.js";

export function drawGraph(container: HTMLElement, first: UiView, events: GraphEvents): GraphHandle {
  const large = first.counts.workloads > COLLAPSE_ABOVE;
  const cy = cytoscape()({ container, style: GRAPH_STYLE, layout: { name: "preset" }, boxSelectionEnabled: false, minZoom: 0.02, maxZoom: 4, textureOnViewport: large, hideEdgesOnViewport: large });
  // Tests and the benchmark read the drawn graph here.
  (window as unknown as { portcullisGraph: Core }).portcullisGraph = cy;
  let view = first;
  let collapsed = initiallyCollapsed(view);
  let filter = NO_FILTER;
  let marked: { nodes: readonly string[]; edges: readonly string[] } = { nodes: [], edges: [] };
  let drawn: Drawing = redraw();
  let queue: Promise<void> = Promise.resolve();

  /** Draws the view anew; a node keeps its place (a workload of a namespace just expanded starts at the namespace's) until the next layout. */
  function redraw(): Drawing {
    const next = drawing(view, collapsed);
    const was = new Map(cy.nodes().map((n) => [n.id(), { ...n.position() }] as const));
    for (const el of next.elements) {
      const at = was.get(String(el.data.id)) ?? was.get(String(el.data.parent));
      if (el.group === "nodes" && at !== undefined) el.position = at;
    }
    cy.batch(() => {
      cy.elements().remove();
      cy.add(next.elements);
      if (cy.edges().length > EDGE_LABELS_UP_TO) cy.edges().addClass("quiet");
    });
    mark("rendered");
    return next;
  }

  function layout(): Promise<void> {
    queue = queue.then(async () => {
      await layoutGraph(cy);
      mark("settled");
    });
    return queue;
  }

  /** Redraws with these namespaces expanded (those collapsed) and lays out again. */
  function expandFor(groups: readonly string[]): Promise<void> | null {
    const closed = groups.filter((g) => collapsed.has(g));
    if (closed.length === 0) return null;
    for (const g of closed) collapsed.delete(g);
    drawn = redraw();
    paint();
    return layout();
  }

  function groupsOf(nodes: Iterable<string>): string[] {
    const wanted = new Set(nodes);
    return view.groups.filter((g) => g.nodes.some((n) => wanted.has(n))).map((g) => g.id);
  }

  function filterGroups(f: GraphFilter): string[] {
    const named = view.groups.filter((g) => f.namespaces.has(g.namespace)).map((g) => g.id);
    return [...named, ...groupsOf(f.workload === null ? [] : [f.workload])];
  }

  /** Applies the filter and the highlights to what is drawn. */
  function paint(): void {
    const show = shown(view, filter);
    const hot = new Set([...marked.nodes.map((n) => drawn.placement.node.get(n)), ...marked.edges.map((e) => drawn.placement.edge.get(e))]);
    const search = filter.search.trim().toLowerCase();
    cy.batch(() => {
      for (const el of cy.elements()) {
        const members = drawn.placement.members.get(el.id()) ?? [];
        const shownMembers = members.filter((m) => show.nodes.has(m) || show.edges.has(m));
        const visible = el.isParent() ? true : shownMembers.length > 0;
        el.toggleClass("hidden", !visible);
        el.toggleClass("match", el.isNode() && (members.some((m) => show.matches.has(m)) || (search !== "" && el.data("kind") === "namespace" && String(el.data("namespace")).toLowerCase().includes(search))));
        el.toggleClass("highlighted", hot.has(el.id()));
        if (el.hasClass("folded")) el.data("label", foldLabel(members.map((m) => viewEdge(m)).filter((e) => e !== undefined), shownMembers.length));
      }
      for (const box of cy.nodes().parents()) box.toggleClass("hidden", box.children().not(".hidden").empty());
      const lit = cy.elements(".highlighted");
      cy.elements().not(lit).not(lit.ancestors()).toggleClass("dimmed", hot.size > 0 && !lit.empty());
    });
    // Cytoscape applies a class change when a style is next read, but visible() answers from a cache
    // before that (stale until the next frame): read one now so the export and lists see this filter.
    for (const el of cy.elements()) el.style("display");
  }

  const edgesById = (): Map<string, UiView["edges"][number]> => new Map(view.edges.map((e) => [e.id, e]));
  let edgeIndex = edgesById();
  const viewEdge = (id: string): UiView["edges"][number] | undefined => edgeIndex.get(id);

  function toggle(group: string): Promise<void> {
    if (collapsed.has(group)) collapsed.delete(group);
    else collapsed.add(group);
    drawn = redraw();
    paint();
    return layout();
  }

  wireEvents(cy, container, events, toggle);
  paint();
  const handle: GraphHandle = {
    layout,
    async update(next: UiView): Promise<void> {
      const known = new Set(view.groups.map((g) => g.id));
      const large = initiallyCollapsed(next);
      collapsed = new Set(next.groups.filter((g) => (known.has(g.id) ? collapsed.has(g.id) : large.has(g.id))).map((g) => g.id));
      view = next;
      edgeIndex = edgesById();
      drawn = redraw();
      paint();
      await layout();
    },
    applyFilter(next: GraphFilter): void {
      const narrowed = next.namespaces !== filter.namespaces || next.workload !== filter.workload || next.port !== filter.port;
      filter = next;
      if (expandFor(filterGroups(next)) !== null) return;
      paint();
      if (narrowed) cy.fit(cy.elements(":visible"), 30);
    },
    /** A marked workload of a collapsed namespace marks the namespace (a finding may name hundreds: nothing is expanded). */
    highlight(nodes, edges): void {
      marked = { nodes: [...nodes], edges: [...edges] };
      paint();
    },
    focus(id: string): void {
      const select = (): void => {
        const target = drawnFor(id);
        if (target.empty()) return;
        cy.elements(":selected").unselect();
        target.select();
        cy.center(target);
      };
      const opening = expandFor(groupsOf([id]));
      if (opening === null) select();
      else void opening.then(select);
    },
    visible() {
      const show = shown(view, filter);
      return { nodes: [...show.nodes], edges: [...show.edges] };
    },
    exportSvg: () => exportSvg(cy),
    // Bounded: a canvas larger than the browser allows would come out empty.
    exportPng: () => cy.png({ output: "blob-promise", full: true, bg: "#ffffff", maxWidth: 8000, maxHeight: 8000 }),
    expand: (namespace: string) => expandFor(view.groups.filter((g) => g.namespace === namespace).map((g) => g.id)) ?? Promise.resolve(),
    collapse(namespace: string): Promise<void> {
      const group = view.groups.find((g) => g.namespace === namespace && !collapsed.has(g.id));
      return group === undefined ? Promise.resolve() : toggle(group.id);
    },
    collapsedNamespaces: () => view.groups.filter((g) => collapsed.has(g.id)).map((g) => g.namespace),
  };
  // Tests and the benchmark drive the drawing through this (export, filters, expanding).
  (window as unknown as { portcullisHandle: GraphHandle }).portcullisHandle = handle;
  return handle;

  function drawnFor(id: string): Collection {
    const at = drawn.placement.node.get(id) ?? drawn.placement.edge.get(id) ?? id;
    return cy.getElementById(at);
  }
}

/** Clicks report selections; a double-click on a namespace, or Enter with one selected, expands or collapses it. */
function wireEvents(cy: Core, container: HTMLElement, events: GraphEvents, toggle: (group: string) => Promise<void>): void {
  cy.on("tap", (event: EventObject) => {
    if (event.target === cy) events.onClear();
  });
  cy.on("tap", "node", (event: EventObject) => {
    const id = String(event.target.id());
    if (event.target.data("kind") === "namespace") events.onSelectNamespace?.(String(event.target.data("namespace")));
    else events.onSelectNode(id);
  });
  cy.on("tap", "edge", (event: EventObject) => {
    const id = String(event.target.id());
    if (!event.target.hasClass("folded")) events.onSelectEdge(id);
  });
  cy.on("dbltap", "node[kind = 'namespace']", (event: EventObject) => void toggle(String(event.target.id())));
  if (container.tabIndex < 0) container.tabIndex = 0;
  container.addEventListener("keydown", (event) => {
    const chosen = cy.nodes(":selected[kind = 'namespace']");
    if (event.key !== "Enter" || chosen.empty()) return;
    event.preventDefault();
    void toggle(chosen.first().id());
  });

}

/** Records a stage (`performance.mark`) and shows it on the body for whoever waits on it. */
function mark(state: "rendered" | "settled"): void {
  performance.mark(`portcullis:${state}`);
  document.body.dataset["state"] = state;
}

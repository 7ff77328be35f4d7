/**
 * The seam between the drawing (graph.ts, layout.ts: Cytoscape + ELK) and the rest of the page
 * (panels, what-if, findings, diff, editor). The panels call only this; the drawing knows no panel.
 */
import type { UiView } from "../../src/ui-model/types.js";

/** What the user narrowed the picture to (filters and search); empty sets: everything. */
export interface GraphFilter {
  /** Namespaces whose workloads are drawn as sources; empty: all. */
  readonly namespaces: ReadonlySet<string>;
  /** A workload (node id) and what it reaches; null: all. */
  readonly workload: string | null;
  /** Only edges whose label mentions this port (`443`, `UDP 53`); empty: all. */
  readonly port: string;
  /** Nodes whose label contains this (case-insensitive) are marked as matches. */
  readonly search: string;
}

export interface GraphEvents {
  readonly onSelectNode: (id: string) => void;
  readonly onSelectEdge: (id: string) => void;
  /** A click on the background: nothing selected. */
  readonly onClear: () => void;
  /** A click on a namespace box (expanded or collapsed); a double-click or Enter expands or collapses it. */
  readonly onSelectNamespace?: (namespace: string) => void;
}

export interface GraphHandle {
  /** Lays out (first time or after update): resolves when positions are applied. */
  layout(): Promise<void>;
  /** Replaces the drawn view (after an edit in the page), keeping filters; resolves when laid out. */
  update(view: UiView): Promise<void>;
  applyFilter(filter: GraphFilter): void;
  /** Marks these nodes and edges (a finding's, a search's); empty: none marked. */
  highlight(nodes: readonly string[], edges: readonly string[]): void;
  /** Selects and centres a node or edge (keyboard or list navigation). */
  focus(id: string): void;
  /** The ids the current filter shows (what a list of the page should offer). */
  visible(): { readonly nodes: readonly string[]; readonly edges: readonly string[] };
  /** The current view (filters, highlights) as a standalone SVG document. */
  exportSvg(): string;
  /** The current view as PNG. */
  exportPng(): Promise<Blob>;
  /** Draws this namespace's workloads (a large view opens with namespaces collapsed); resolves when laid out. */
  expand?(namespace: string): Promise<void>;
  /** Draws this namespace as one node again; resolves when laid out. */
  collapse?(namespace: string): Promise<void>;
  /** The namespaces drawn collapsed, in the view's order. */
  collapsedNamespaces?(): readonly string[];
}

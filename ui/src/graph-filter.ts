/**
 * What a GraphFilter leaves of the view, in view ids (pure: the drawing maps them to what it draws).
 * An edge stays when its source's namespace is chosen (or none is), it leaves the chosen workload
 * (or none is) and its label names the port (or none is asked); a domain's `resolves` edges stay
 * when the domain does. A node stays when a staying edge touches it, or when it is a workload the
 * namespace and workload choices name and no port is asked.
 */
import type { UiView } from "../../src/ui-model/types.js";
import type { GraphFilter } from "./graph-handle.js";

export interface Shown {
  readonly nodes: ReadonlySet<string>;
  readonly edges: ReadonlySet<string>;
  /** Shown nodes whose label holds the search text (empty search: none). */
  readonly matches: ReadonlySet<string>;
}

export const NO_FILTER: GraphFilter = { namespaces: new Set(), workload: null, port: "", search: "" };

export function shown(view: UiView, filter: GraphFilter): Shown {
  const namespaceOf = new Map(view.nodes.map((n) => [n.id, n.namespace] as const));
  const port = filter.port.trim().toLowerCase();
  const sourcePasses = (id: string): boolean => (filter.namespaces.size === 0 || filter.namespaces.has(namespaceOf.get(id) ?? "")) && (filter.workload === null || filter.workload === id);
  const edges = new Set<string>();
  const nodes = new Set<string>();
  for (const e of view.edges) {
    if (e.style === "resolves" || !sourcePasses(e.from) || !e.label.toLowerCase().includes(port)) continue;
    edges.add(e.id);
    nodes.add(e.from).add(e.to);
  }
  for (const e of view.edges) {
    if (e.style !== "resolves" || !nodes.has(e.from)) continue;
    edges.add(e.id);
    nodes.add(e.to);
  }
  for (const n of view.nodes) if (n.kind === "endpoint" && port === "" && sourcePasses(n.id)) nodes.add(n.id);
  const search = filter.search.trim().toLowerCase();
  const matches = new Set(search === "" ? [] : view.nodes.filter((n) => nodes.has(n.id) && n.label.toLowerCase().includes(search)).map((n) => n.id));
  return { nodes, edges, matches };
}


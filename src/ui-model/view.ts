/**
 * The page's view (types.ts) from what the other commands compute: the egress graph (`graph`),
 * the lint findings (`lint`), and a diff report (`diff`, diff-overlay.ts). Pure: no I/O.
 */
import type { EgressGraph, GraphEdge, GraphNode } from "../graph/types.js";
import type { FindingsJson } from "../lint/render-json.js";
import type { AddressSet } from "../net/address-set.js";
import { formatCidr } from "../net/cidr.js";
import { formatIp, type Ip } from "../net/ip.js";
import { UI_VIEW_VERSION, type UiEdge, type UiFinding, type UiNode, type UiView } from "./types.js";

/** Node id → the addresses an `addresses` node stands for, as the graph drew it (DrawnGraph.regions). */
export type AddressNodes = ReadonlyMap<string, AddressSet>;

export interface ViewInput {
  readonly graph: EgressGraph;
  /** The address set of each `addresses` node. */
  readonly addresses: AddressNodes;
  /** The metadata addresses the graph checks (the first is the metadata node's target). */
  readonly metadata: readonly Ip[];
  readonly findings: FindingsJson;
  /** The internet and the metadata addresses as the graph checks them: findings about them are linked to the edges that reach them. */
  readonly notable: Readonly<Record<NotableKind, AddressSet>>;
  /** What was read, as the page shows it. */
  readonly source: string;
  readonly edited: boolean;
  readonly assumptions: readonly string[];
}

/** An edge's id: `from->to`, with the style, so two edges between the same nodes stay apart. */
export function edgeId(edge: Pick<GraphEdge, "from" | "to" | "style">): string {
  return `${edge.from}->${edge.to}:${edge.style}`;
}

export function buildView(input: ViewInput): UiView {
  const nodes: UiNode[] = input.graph.nodes.map((n) => ({ id: n.id, kind: n.kind, label: n.label, namespace: n.namespace, target: nodeTarget(n, input), change: null }));
  const edges: UiEdge[] = input.graph.edges.map((e) => ({ id: edgeId(e), from: e.from, to: e.to, style: e.style, label: e.label, change: null }));
  const findings = linkFindings(input, edges);
  return {
    version: UI_VIEW_VERSION,
    source: { label: input.source, edited: input.edited },
    groups: input.graph.groups,
    nodes,
    edges,
    findings,
    diff: null,
    assumptions: input.assumptions,
    counts: countsOf(input.graph.groups.length, nodes, edges, findings.length),
  };
}

export function countsOf(namespaces: number, nodes: readonly UiNode[], edges: readonly UiEdge[], findings: number): UiView["counts"] {
  return { namespaces, workloads: nodes.filter((n) => n.kind === "endpoint").length, edges: edges.length, findings };
}

/**
 * What `check --to` takes for a node: an endpoint's id; an address node's first CIDR; the first
 * metadata address; a domain's name when it is one (a wildcard `*.` pattern names no host: null);
 * null for the internet and anywhere (no one address stands for them here).
 */
export function nodeTarget(n: GraphNode, input: Pick<ViewInput, "addresses" | "metadata">): string | null {
  switch (n.kind) {
    case "endpoint":
      return n.endpoint;
    case "addresses": {
      const first = input.addresses.get(n.id)?.toCidrs()[0];
      return first === undefined ? null : formatCidr(first);
    }
    case "metadata": {
      const first = input.metadata[0];
      return first === undefined ? null : formatIp(first);
    }
    case "domain":
      return n.label.startsWith("*") ? null : n.label;
    case "internet":
    case "anywhere":
      return null;
  }
}

/** The edges leaving each node, in the order given. */
export function edgesBySource(edges: readonly UiEdge[]): ReadonlyMap<string, readonly UiEdge[]> {
  const out = new Map<string, UiEdge[]>();
  for (const e of edges) {
    const list = out.get(e.from);
    if (list === undefined) out.set(e.from, [e]);
    else list.push(e);
  }
  return out;
}

type NotableKind = "internet" | "metadata";

/** The lint rules about one notable destination: their findings concern the edges that reach it. */
const RULE_DESTINATION: Readonly<Record<string, NotableKind>> = { "metadata-reachable": "metadata", "egress-internet-open": "internet" };

/**
 * Each finding with the nodes of the workloads it names (lint names them by endpoint id, the id
 * the graph's endpoint nodes carry) and the edges leaving them it speaks of: for a rule about the
 * internet or the metadata service, those reaching it (its node, anywhere, an address node whose
 * set meets it); for the others, every edge leaving them. Numbered in lint's order: `f1` …
 */
function linkFindings(input: Pick<ViewInput, "findings" | "graph" | "addresses" | "notable">, edges: readonly UiEdge[]): UiFinding[] {
  const nodeOf = new Map(input.graph.nodes.flatMap((n) => (n.endpoint === null ? [] : [[n.endpoint, n.id] as const])));
  const kindOf = new Map(input.graph.nodes.map((n) => [n.id, n.kind]));
  const leaving = edgesBySource(edges);
  const reaches = (e: UiEdge, kind: NotableKind): boolean => {
    const to = kindOf.get(e.to);
    return to === kind || to === "anywhere" || (to === "addresses" && input.addresses.get(e.to)?.overlaps(input.notable[kind]) === true);
  };
  return input.findings.findings.map((f, i) => {
    const ids = [...new Set(f.endpoints.flatMap((w) => nodeOf.get(w) ?? []))];
    const destination = RULE_DESTINATION[f.rule];
    const from = ids.flatMap((n) => leaving.get(n) ?? []);
    return { ...f, id: `f${i + 1}`, nodes: ids, edges: (destination === undefined ? from : from.filter((e) => reaches(e, destination))).map((e) => e.id) };
  });
}

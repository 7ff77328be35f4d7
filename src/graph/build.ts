/**
 * The egress picture: for each source, what it may reach (workloads, regions of the IP space),
 * and the notable destinations it may not (the internet, the cloud metadata addresses).
 */
import { PairAnalysis, sortedEndpoints } from "../analysis/matrix.js";
import { type AddressConns, externalConns } from "../analysis/reach.js";
import type { Engine } from "../engine/engine.js";
import type { Endpoint } from "../model/cluster.js";
import { internetAddresses, metadataAddresses, podFamilies } from "../model/well-known.js";
import { AddressSet } from "../net/address-set.js";
import { formatIp } from "../net/ip.js";
import { compactAddresses } from "../render/addresses.js";
import { NodeIds } from "./ids.js";
import { connsLabel } from "./label.js";
import type { EgressGraph, GraphEdge, GraphNode, GraphOptions, NodeKind } from "./types.js";

type SpecialKind = Exclude<NodeKind, "endpoint" | "addresses">;

/** The well-known destinations a source is checked against (model/well-known.ts). */
interface Facts {
  readonly internet: AddressSet;
  readonly metadata: AddressSet;
  readonly labels: Readonly<Record<SpecialKind, string>>;
}

function facts(engine: Engine, options: GraphOptions): Facts {
  const metadata = metadataAddresses(options.metadata);
  return {
    internet: internetAddresses(podFamilies(engine.options.podNetwork, engine.cluster.endpoints)),
    metadata: AddressSet.fromIps(metadata),
    labels: { internet: "internet (public addresses)", metadata: `metadata (${metadata.map(formatIp).join(", ")})`, anywhere: "anywhere" },
  };
}

const NODE_ORDER: readonly NodeKind[] = ["endpoint", "addresses", "internet", "metadata", "anywhere"];

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

class Builder {
  constructor(private readonly labels: Facts["labels"]) {}
  private readonly ids = new NodeIds();
  private readonly nodes = new Map<string, GraphNode>();
  readonly edges: GraphEdge[] = [];

  endpoint(e: Endpoint): string {
    const id = this.ids.idOf(e.id);
    // The id names the endpoint; the label drops the namespace its group already shows.
    if (!this.nodes.has(id)) this.nodes.set(id, { id, kind: "endpoint", label: e.id.slice(e.namespace.length + 1), namespace: e.namespace });
    return id;
  }

  addresses(set: AddressSet): string {
    const label = compactAddresses(set);
    const id = this.ids.idOf(`net ${set.toString()}`, `net_${label}`);
    if (!this.nodes.has(id)) this.nodes.set(id, { id, kind: "addresses", label, namespace: null });
    return id;
  }

  special(kind: SpecialKind): string {
    const id = this.ids.idOf(kind);
    if (!this.nodes.has(id)) this.nodes.set(id, { id, kind, label: this.labels[kind], namespace: null });
    return id;
  }

  graph(): EgressGraph {
    const rank = (n: GraphNode): number => NODE_ORDER.indexOf(n.kind);
    // Workloads first (their groups list them), then regions by label, then the special nodes.
    const nodes = [...this.nodes.values()].sort((a, b) => rank(a) - rank(b) || (a.kind === "addresses" && b.kind === "addresses" ? compare(a.label, b.label) : 0));
    const namespaces = [...new Set(nodes.flatMap((n) => (n.namespace === null ? [] : [n.namespace])))].sort();
    const byLabel = (a: GraphNode, b: GraphNode): number => compare(a.label, b.label);
    return {
      groups: namespaces.map((namespace) => ({
        id: this.ids.idOf(`namespace ${namespace}`, `ns_${namespace}`),
        namespace,
        nodes: nodes.filter((n) => n.namespace === namespace).sort(byLabel).map((n) => n.id),
      })),
      nodes,
      edges: this.edges,
    };
  }
}

/** Whether any region lets the source reach part of `set` on some port. */
function reaches(regions: readonly AddressConns[], set: AddressSet): boolean {
  return regions.some((r) => !r.conns.isEmpty() && r.addresses.overlaps(set));
}

function drawSource(b: Builder, engine: Engine, f: Facts, pairs: PairAnalysis, endpoints: readonly Endpoint[], src: Endpoint): void {
  const from = b.endpoint(src);
  if (src.hostNetwork || engine.policiesSelecting(src, "egress").length === 0) {
    b.edges.push({ from, to: b.special("anywhere"), style: "unrestricted", label: "no egress policy" });
    return;
  }
  for (const dst of endpoints) {
    if (dst === src) continue;
    const conns = pairs.conns(src, dst).full;
    if (!conns.isEmpty()) b.edges.push({ from, to: b.endpoint(dst), style: "allowed", label: connsLabel(conns) });
  }
  const regions = externalConns(engine, src, "egress");
  for (const r of regions) b.edges.push({ from, to: b.addresses(r.addresses), style: "allowed", label: connsLabel(r.conns) });
  if (!reaches(regions, f.internet)) b.edges.push({ from, to: b.special("internet"), style: "blocked", label: "blocked" });
  if (!reaches(regions, f.metadata)) b.edges.push({ from, to: b.special("metadata"), style: "blocked", label: "blocked" });
}

/**
 * Sources in id order (only those of `options.namespace` when given); for each, its allowed edges
 * to workloads (both ends' policies agree, whatever the pods' addresses) and to regions of the IP
 * space, then `blocked` edges to the internet and the metadata addresses when it reaches none of
 * them (model/well-known.ts defines both). A source no egress policy selects gets one edge to `anywhere`.
 */
export function buildEgressGraph(engine: Engine, options: GraphOptions): EgressGraph {
  const f = facts(engine, options);
  const b = new Builder(f.labels);
  const endpoints = sortedEndpoints(engine.cluster.endpoints);
  const pairs = new PairAnalysis(engine);
  for (const src of endpoints) {
    if (options.namespace === null || src.namespace === options.namespace) drawSource(b, engine, f, pairs, endpoints, src);
  }
  return b.graph();
}

/**
 * The egress picture: for each source, what it may reach (workloads, regions of the IP space),
 * and the notable destinations it may not (the internet, the cloud metadata addresses).
 */
import { PairAnalysis, sortedEndpoints } from "../analysis/matrix.js";
import { externalConns } from "../analysis/reach.js";
import { adminRuleGrants } from "../analysis/admin-grants.js";
import type { ConnSet } from "../analysis/connset.js";
import { targetAddresses } from "../engine/addresses.js";
import { ruleAction } from "../engine/admin-tiers.js";
import type { Engine } from "../engine/engine.js";
import type { Action } from "../engine/tiers.js";
import type { Target } from "../engine/types.js";
import type { Endpoint } from "../model/cluster.js";
import { internetAddresses, metadataAddresses, podFamilies } from "../model/well-known.js";
import { AddressSet } from "../net/address-set.js";
import { formatIp } from "../net/ip.js";
import { compactAddresses } from "../render/addresses.js";
import { domainDestinations, resolvedAddresses, viaText } from "../render/egress-domains.js";
import type { DnsSnapshot } from "../dns/snapshot.js";
import { NodeIds } from "./ids.js";
import { connsLabel } from "./label.js";
import type { EgressGraph, GraphEdge, GraphNode, GraphOptions, NodeKind } from "./types.js";

type SpecialKind = Exclude<NodeKind, "endpoint" | "addresses" | "domain">;

/** The well-known destinations a source is checked against (model/well-known.ts). */
interface Facts {
  readonly internet: AddressSet;
  readonly metadata: AddressSet;
  readonly labels: Readonly<Record<SpecialKind, string>>;
  readonly resolution: DnsSnapshot | null;
}

function facts(engine: Engine, options: GraphOptions): Facts {
  const metadata = metadataAddresses(options.metadata);
  return {
    internet: internetAddresses(podFamilies(engine.options.podNetwork, engine.cluster.endpoints)),
    metadata: AddressSet.fromIps(metadata),
    labels: { internet: "internet (public addresses)", metadata: `metadata (${metadata.map(formatIp).join(", ")})`, anywhere: "anywhere" },
    resolution: engine.options.dns ?? null,
  };
}

const NODE_ORDER: readonly NodeKind[] = ["endpoint", "domain", "addresses", "internet", "metadata", "anywhere"];

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

class Builder {
  constructor(private readonly labels: Facts["labels"]) {}
  private readonly ids = new NodeIds();
  private readonly nodes = new Map<string, GraphNode>();
  readonly edges: GraphEdge[] = [];
  /** Each `addresses` node's id → the very set it stands for (its label is the compact text of it). */
  readonly regions = new Map<string, AddressSet>();

  endpoint(e: Endpoint): string {
    const id = this.ids.idOf(e.id);
    // The id names the endpoint; the label drops the namespace its group already shows.
    if (!this.nodes.has(id)) this.nodes.set(id, { id, kind: "endpoint", label: e.id.slice(e.namespace.length + 1), namespace: e.namespace, endpoint: e.id });
    return id;
  }

  addresses(set: AddressSet): string {
    const label = compactAddresses(set);
    const id = this.ids.idOf(`net ${set.toString()}`, `net_${label}`);
    if (!this.nodes.has(id)) {
      this.nodes.set(id, { id, kind: "addresses", label, namespace: null, endpoint: null });
      this.regions.set(id, set);
    }
    return id;
  }

  /** A domain pattern's node, labelled with the pattern (`*.example.com`). */
  domain(pattern: string): string {
    const id = this.ids.idOf(`domain ${pattern}`, `dns_${pattern.replace("*", "any")}`);
    if (!this.nodes.has(id)) this.nodes.set(id, { id, kind: "domain", label: pattern, namespace: null, endpoint: null });
    return id;
  }

  /** A `resolves` edge from a domain node to an address node, drawn once per pair. */
  resolves(from: string, to: string, label: string): void {
    if (!this.edges.some((e) => e.style === "resolves" && e.from === from && e.to === to)) this.edges.push({ from, to, style: "resolves", label });
  }

  special(kind: SpecialKind): string {
    const id = this.ids.idOf(kind);
    if (!this.nodes.has(id)) this.nodes.set(id, { id, kind, label: this.labels[kind], namespace: null, endpoint: null });
    return id;
  }

  graph(): EgressGraph {
    const rank = (n: GraphNode): number => NODE_ORDER.indexOf(n.kind);
    // Workloads first (their groups list them), then domains and regions by label, then the special nodes.
    const byLabelToo = (a: GraphNode, b: GraphNode): number => (a.kind === b.kind && (a.kind === "addresses" || a.kind === "domain") ? compare(a.label, b.label) : 0);
    const nodes = [...this.nodes.values()].sort((a, b) => rank(a) - rank(b) || byLabelToo(a, b));
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

function drawSource(b: Builder, engine: Engine, f: Facts, pairs: PairAnalysis, endpoints: readonly Endpoint[], src: Endpoint): void {
  const from = b.endpoint(src);
  // Restricted by some tier: NetworkPolicy isolation, or an admin policy whose subject selects it.
  if (src.hostNetwork || engine.layersSelecting(src, "egress").length === 0) {
    b.edges.push({ from, to: b.special("anywhere"), style: "unrestricted", label: "no egress policy" });
    return;
  }
  const guard = guardrails(engine, src);
  const allowed = (to: string, other: Target, conns: ConnSet): void => {
    const first = guard.meeting(other).find((r) => !r.conns.intersect(conns).isEmpty());
    // "an edge accepted by an Admin Accept": the first guardrail rule that meets the edge accepts (some of) it.
    if (first !== undefined && first.action === "accept") {
      b.edges.push({ from, to, style: "guardrail-accepted", label: `${connsLabel(conns)} (${first.label} accepts ${connsLabel(first.conns.intersect(conns))})` });
    } else {
      b.edges.push({ from, to, style: "allowed", label: connsLabel(conns) });
    }
  };
  for (const dst of endpoints) {
    if (dst === src) continue;
    const conns = pairs.conns(src, dst).full;
    if (!conns.isEmpty()) allowed(b.endpoint(dst), { kind: "endpoint", endpoint: dst }, conns);
  }
  const regions = externalConns(engine, src, "egress");
  for (const r of regions) allowed(b.addresses(r.addresses), { kind: "external", addresses: r.addresses }, r.conns);
  const notable = (kind: "internet" | "metadata", set: AddressSet): void => {
    const open = regions.reduce((acc, r) => (r.conns.isEmpty() ? acc : acc.union(r.addresses.intersect(set))), AddressSet.EMPTY);
    const closed = set.subtract(open);
    if (closed.isEmpty()) return;
    // Denied by a guardrail: admin rules that deny some of what the source may not reach there.
    const denying = guard.meeting({ kind: "external", addresses: closed }).filter((r) => r.action === "deny");
    const denied = denying.reduce((acc, r) => acc.union(r.addresses), AddressSet.EMPTY);
    if (denying.length > 0) {
      const part = open.isEmpty() ? "" : `${compactAddresses(denied)} `;
      b.edges.push({ from, to: b.special(kind), style: "guardrail-denied", label: `${part}denied by ${denying.map((r) => r.label).join(", ")}` });
    } else if (open.isEmpty()) {
      b.edges.push({ from, to: b.special(kind), style: "blocked", label: "blocked" });
    }
  };
  notable("internet", f.internet);
  notable("metadata", f.metadata);
  drawDomains(b, engine, f, src, from);
}

/**
 * The source's domain destinations (render/egress-domains.ts): an edge to each pattern's node,
 * `domain-accepted` for an Accept (labelled with its ports and rule), `domain-denied` for a Deny or
 * Pass; with a resolution snapshot, a `resolves` edge from the pattern's node to each address it
 * admits.
 */
function drawDomains(b: Builder, engine: Engine, f: Facts, src: Endpoint, from: string): void {
  for (const d of domainDestinations(engine, src)) {
    const to = b.domain(d.pattern);
    const rule = `${d.rule.tier} ${d.rule.policy.name}${d.rule.name === null ? "" : ` "${d.rule.name}"`}`;
    if (d.action === "Accept") b.edges.push({ from, to, style: "domain-accepted", label: `${connsLabel(d.conns)} (${rule}, the addresses it resolves)` });
    else b.edges.push({ from, to, style: "domain-denied", label: `${d.action === "Deny" ? "denied" : "passed"} by ${rule}: ${connsLabel(d.conns)}` });
    if (f.resolution === null) continue;
    for (const r of resolvedAddresses(d, f.resolution, engine.cluster.services)) {
      const via = viaText(r, d.pattern);
      const clusterIp = r.clusterIpOf === undefined ? "" : `, ClusterIP of ${r.clusterIpOf}: never matches`;
      b.resolves(to, b.addresses(AddressSet.fromIp(r.address)), `${via === "" ? "" : `${via.slice(2, -1)}, `}TTL ${r.ttl} s${clusterIp}`);
    }
  }
}

/** A guardrail rule met by a destination: what it does, how an edge names it (`Admin deny-metadata "block-imds"`), what of the destination it matches. */
interface Guardrail {
  readonly action: Action;
  readonly label: string;
  readonly conns: ConnSet;
  readonly addresses: AddressSet;
}

/**
 * The admin rules that decide `src`'s egress, in the order the tiers walk them (the Admin tier's;
 * the Baseline tier's unless NetworkPolicy isolates it, whose verdict is then final), and which of
 * them a destination meets: those that match some of its connections and addresses (the pair
 * analysis's own rule matching, engine/admin-tiers.ts and analysis/admin-grants.ts).
 */
function guardrails(engine: Engine, src: Endpoint): { meeting(other: Target): Guardrail[] } {
  const admin = engine.adminTiers();
  const isolated = engine.policiesSelecting(src, "egress").length > 0;
  const rules = engine
    .layersSelecting(src, "egress")
    .flatMap((layer) => (layer.kind === "admin" && (layer.tier === "Admin" || !isolated) ? layer.policies.flatMap((p) => p.egress.map((rule) => ({ tier: layer.tier, policy: p, rule }))) : []));
  return {
    meeting(other) {
      if (admin === null) return [];
      const addresses = targetAddresses(other, engine.options);
      const destination = other.kind === "endpoint" ? other.endpoint : null;
      return rules.flatMap(({ tier, policy, rule }) => {
        const { conns, admitted } = adminRuleGrants(admin, rule, other, addresses, destination);
        if (conns.isEmpty() || admitted.isEmpty()) return [];
        return [{ action: ruleAction(rule), label: `${tier} ${policy.name}${rule.name === undefined ? "" : ` "${rule.name}"`}`, conns, addresses: admitted }];
      });
    },
  };
}

/**
 * Sources in id order (only those of `options.namespace` when given); for each, its allowed edges
 * to workloads (both ends' policies agree, whatever the pods' addresses, every tier walked) and to
 * regions of the IP space, then `blocked` edges to the internet and the metadata addresses when it
 * reaches none of them (model/well-known.ts defines both). Guardrail (admin tier) edges are drawn
 * distinctly: `guardrail-accepted` when the first admin rule the destination meets accepts,
 * `guardrail-denied` when an admin rule denies the blocked destination. A source no egress policy
 * (NetworkPolicy or admin) selects gets one edge to `anywhere`.
 */
export function buildEgressGraph(engine: Engine, options: GraphOptions): EgressGraph {
  return drawEgressGraph(engine, options).graph;
}

/**
 * The graph with what it was drawn from, for callers that go on asking (the page): the address set
 * of each `addresses` node, the internet and metadata sets the blocked edges were checked against,
 * and the pair analysis (its cache filled by the drawing).
 */
export interface DrawnGraph {
  readonly graph: EgressGraph;
  readonly regions: ReadonlyMap<string, AddressSet>;
  readonly internet: AddressSet;
  readonly metadata: AddressSet;
  readonly pairs: PairAnalysis;
}

export function drawEgressGraph(engine: Engine, options: GraphOptions): DrawnGraph {
  const f = facts(engine, options);
  const b = new Builder(f.labels);
  const endpoints = sortedEndpoints(engine.cluster.endpoints);
  const pairs = new PairAnalysis(engine);
  for (const src of endpoints) {
    if (options.namespace === null || src.namespace === options.namespace) drawSource(b, engine, f, pairs, endpoints, src);
  }
  return { graph: b.graph(), regions: b.regions, internet: f.internet, metadata: f.metadata, pairs };
}

/**
 * The address set each `addresses` node of the graph stands for. The graph names a region by its
 * compact text (render/addresses.ts); the sets come from the same analyses the graph draws from
 * (each source's external regions, the addresses a resolution snapshot gives its domains), so a
 * node is matched to the very set behind it, never read back from its label. Pure.
 */
import { externalConns } from "../analysis/reach.js";
import type { Engine } from "../engine/engine.js";
import type { EgressGraph } from "../graph/types.js";
import { internetAddresses, podFamilies } from "../model/well-known.js";
import { AddressSet } from "../net/address-set.js";
import type { Ip } from "../net/ip.js";
import { compactAddresses } from "../render/addresses.js";
import { domainDestinations, resolvedAddresses } from "../render/egress-domains.js";

/** Node id → the addresses it stands for; every `addresses` node of the graph has one. */
export type AddressNodes = ReadonlyMap<string, AddressSet>;

export function addressNodes(engine: Engine, graph: EgressGraph): AddressNodes {
  const wanted = new Map(graph.nodes.filter((n) => n.kind === "addresses").map((n) => [n.label, n.id]));
  const out = new Map<string, AddressSet>();
  if (wanted.size === 0) return out;
  const sources = new Set(graph.edges.map((e) => e.from));
  const nodeOf = new Map(graph.nodes.flatMap((n) => (n.endpoint === null ? [] : [[n.endpoint, n.id] as const])));
  const seen = (set: AddressSet): void => {
    const id = wanted.get(compactAddresses(set));
    if (id !== undefined && !out.has(id)) out.set(id, set);
  };
  const dns = engine.options.dns;
  for (const e of engine.cluster.endpoints) {
    const node = nodeOf.get(e.id);
    if (node === undefined || !sources.has(node)) continue;
    for (const r of externalConns(engine, e, "egress")) seen(r.addresses);
    if (dns === undefined) continue;
    for (const d of domainDestinations(engine, e)) for (const r of resolvedAddresses(d, dns, engine.cluster.services)) seen(AddressSet.fromIp(r.address));
    if (out.size === wanted.size) break;
  }
  return out;
}

/** The internet (in the pods' address families) and the metadata addresses, as the graph checks them (model/well-known.ts). */
export function notableAddresses(engine: Engine, metadata: readonly Ip[]): { readonly internet: AddressSet; readonly metadata: AddressSet } {
  return { internet: internetAddresses(podFamilies(engine.options.podNetwork, engine.cluster.endpoints)), metadata: AddressSet.fromIps(metadata) };
}

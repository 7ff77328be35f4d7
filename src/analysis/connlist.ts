import type { Endpoint } from "../model/cluster.js";
import type { Engine } from "../engine/engine.js";
import type { ConnSetJson } from "./connset.js";
import { PairAnalysis, sortedEndpoints } from "./matrix.js";
import { externalConns } from "./reach.js";

export interface ConnlistEntry {
  /** `ns/name[Kind]`, or comma-separated CIDRs for the external IP space. */
  readonly src: string;
  readonly dst: string;
  readonly conns: ConnSetJson;
}

export function connlistName(e: Endpoint): string {
  return `${e.namespace}/${e.name}[${e.kind}]`;
}

/**
 * The allowed connections per endpoint pair, to the external IP space (egress) and from it
 * (ingress), omitting pairs with nothing allowed. A connection counts when it is allowed whatever
 * address the endpoints have; self pairs are left out.
 */
export function computeConnlist(engine: Engine): ConnlistEntry[] {
  const endpoints = sortedEndpoints(engine.cluster.endpoints);
  const pairs = new PairAnalysis(engine);
  const out: ConnlistEntry[] = [];
  for (const src of endpoints) {
    for (const dst of endpoints) {
      if (src === dst) continue;
      const conns = pairs.conns(src, dst).full;
      if (!conns.isEmpty()) out.push({ src: connlistName(src), dst: connlistName(dst), conns: conns.toJSON() });
    }
    for (const r of externalConns(engine, src, "egress")) out.push({ src: connlistName(src), dst: r.addresses.toString(), conns: r.conns.toJSON() });
  }
  for (const dst of endpoints) {
    for (const r of externalConns(engine, dst, "ingress")) out.push({ src: r.addresses.toString(), dst: connlistName(dst), conns: r.conns.toJSON() });
  }
  return out;
}

/**
 * The `check` questions that explain one edge of the picture: one per port of the connections the
 * edge stands for, taken from the engine's connection set for the pair (never from the label);
 * a range or every connection is asked at a representative port, and the title says so. A blocked
 * edge to the internet or the metadata service is asked at a representative address of it. Pure.
 */
import type { ConnSet } from "../analysis/connset.js";
import type { PairAnalysis } from "../analysis/matrix.js";
import { externalConns } from "../analysis/reach.js";
import type { Engine } from "../engine/engine.js";
import type { Endpoint } from "../model/cluster.js";
import { PROTOCOLS } from "../model/ports.js";
import { INTERNET_PROBE } from "../model/well-known.js";
import { AddressSet } from "../net/address-set.js";
import { formatIp, type Ip } from "../net/ip.js";
import { domainDestinations, resolvedAddresses } from "../render/egress-domains.js";
import type { AddressNodes } from "./view.js";
import type { CheckRequest, UiEdge, UiNode } from "./types.js";

/** At most this many ports are asked about per edge (the first, in protocol and port order). */
export const MAX_EDGE_CHECKS = 12;

/** A web port stands for a blocked destination: what a leak of credentials or data would use. */
const PROBE_PORT = "443";
const METADATA_PORT = "80";

export interface EdgeQuestions {
  readonly title: string;
  readonly questions: readonly CheckRequest[];
}

export interface EdgeContext {
  readonly engine: Engine;
  readonly pairs: PairAnalysis;
  readonly addresses: AddressNodes;
  readonly nodes: ReadonlyMap<string, UiNode>;
  readonly metadata: readonly Ip[];
  /** The version compared with (a diff, an edit): the ports of an edge it alone allows come from its pair analysis. */
  readonly previous?: { readonly engine: Engine; readonly pairs: PairAnalysis };
}

export function edgeQuestions(edge: UiEdge, ctx: EdgeContext): EdgeQuestions {
  const from = ctx.nodes.get(edge.from);
  const to = ctx.nodes.get(edge.to);
  const src = from?.target === null || from === undefined ? undefined : ctx.engine.cluster.endpoints.find((e) => e.id === from.target);
  if (from === undefined || to === undefined || src === undefined) return { title: `${from?.label ?? edge.from} → ${to?.label ?? edge.to}: no workload sends on this edge (${edge.style}), so there is nothing to check`, questions: [] };
  const name = `${from.target ?? from.label} → ${to.label}`;
  switch (to.kind) {
    case "endpoint": {
      const dst = ctx.engine.cluster.endpoints.find((e) => e.id === to.target);
      if (dst === undefined) return none(name);
      const now = ctx.pairs.conns(src, dst).full;
      return now.isEmpty() ? previousPorts(name, src, dst, ctx) : perPort(name, src.id, dst.id, now);
    }
    case "addresses": {
      const set = ctx.addresses.get(to.id);
      if (set === undefined) return none(name);
      const address = representative(set, ctx.engine);
      const region = externalConns(ctx.engine, src, "egress").find((r) => r.addresses.equals(set));
      if (region === undefined || region.conns.isEmpty()) return blocked(name, src.id, address, PROBE_PORT, `${address} of ${to.label}`);
      return perPort(`${name} (checked at ${address})`, src.id, address, region.conns);
    }
    case "domain":
      return domainQuestions(name, src, to.label, ctx.engine);
    case "metadata": {
      const first = ctx.metadata[0];
      return first === undefined ? none(name) : blocked(name, src.id, formatIp(first), METADATA_PORT, `the metadata address ${formatIp(first)}`);
    }
    case "internet":
    case "anywhere": {
      const address = formatIp(INTERNET_PROBE[4]);
      return blocked(name, src.id, address, PROBE_PORT, `${address}, a documentation address standing for the internet`);
    }
  }
}

/** An edge only the compared version allows: its ports there, asked of the current version. */
function previousPorts(name: string, src: Endpoint, dst: Endpoint, ctx: EdgeContext): EdgeQuestions {
  const before = ctx.previous;
  const [oldSrc, oldDst] = [src, dst].map((e) => before?.engine.cluster.endpoints.find((x) => x.id === e.id));
  const conns = before === undefined || oldSrc === undefined || oldDst === undefined ? null : before.pairs.conns(oldSrc, oldDst).full;
  if (conns === null || conns.isEmpty()) return { title: `${name}: nothing is allowed between them`, questions: [] };
  const asked = perPort(name, src.id, dst.id, conns);
  return { ...asked, title: `${asked.title}: the ports the compared version allows` };
}

function none(name: string): EdgeQuestions {
  return { title: `${name}: the destination is not in the current input`, questions: [] };
}

function blocked(name: string, from: string, to: string, port: string, what: string): EdgeQuestions {
  return { title: `${name}: checked at ${what}, TCP ${port}`, questions: [{ from, to, port, protocol: "TCP" }] };
}

/** One question per port (a range at its first port, every connection at TCP 443), at most MAX_EDGE_CHECKS. */
function perPort(name: string, from: string, to: string, conns: ConnSet): EdgeQuestions {
  if (conns.isAll()) return { title: `${name}: every connection is allowed; TCP ${PROBE_PORT} checked as a representative`, questions: [{ from, to, port: PROBE_PORT, protocol: "TCP" }] };
  const questions: CheckRequest[] = [];
  const ranges: string[] = [];
  for (const protocol of PROTOCOLS) {
    for (const i of conns.ports(protocol).intervals) {
      if (i.lo !== i.hi) ranges.push(`${protocol} ${i.lo}-${i.hi} at ${i.lo}`);
      questions.push({ from, to, port: String(i.lo), protocol });
    }
  }
  const kept = questions.slice(0, MAX_EDGE_CHECKS);
  const notes = [...(ranges.length === 0 ? [] : [`ranges checked at their first port: ${ranges.join(", ")}`]), ...(kept.length < questions.length ? [`the first ${kept.length} of ${questions.length} ports`] : [])];
  return { title: `${name}${notes.length === 0 ? "" : ` (${notes.join("; ")})`}`, questions: kept };
}

/**
 * A domain edge, at each port of the rules naming the pattern for this source: the pattern's name;
 * a wildcard's, the first name of the resolution snapshot it matches (`www.` under it without a
 * snapshot: check then answers that it depends on DNS).
 */
function domainQuestions(name: string, src: Endpoint, pattern: string, engine: Engine): EdgeQuestions {
  const entries = domainDestinations(engine, src).filter((d) => d.pattern === pattern);
  const conns = entries.reduce<ConnSet | null>((acc, d) => (acc === null ? d.conns : acc.union(d.conns)), null);
  if (conns === null) return none(name);
  const dns = engine.options.dns;
  const matched = dns === undefined ? undefined : entries.flatMap((d) => resolvedAddresses(d, dns, engine.cluster.services))[0]?.name;
  const host = !pattern.startsWith("*.") ? pattern : (matched ?? `www.${pattern.slice(2)}`);
  const asked = perPort(name, src.id, host, conns);
  return host === pattern ? asked : { ...asked, title: `${asked.title}; ${host} stands for the names ${pattern} matches` };
}

/**
 * An address of the set to ask about: the internet's probe address when the set holds it; else the
 * first address outside the pod network that is no Service's ClusterIP (check would ask about a pod
 * or a Service's backends there, not the address); else the first address.
 */
function representative(set: AddressSet, engine: Engine): string {
  for (const ip of [INTERNET_PROBE[4], INTERNET_PROBE[6]]) if (set.has(ip)) return formatIp(ip);
  const outside = set.subtract(engine.options.podNetwork).subtract(AddressSet.fromIps(clusterIps(engine)));
  const first = (outside.isEmpty() ? set : outside).toCidrs()[0];
  return first === undefined ? "" : formatIp({ family: first.family, value: first.first });
}

function clusterIps(engine: Engine): Ip[] {
  return engine.cluster.services.flatMap((s) => s.clusterIps);
}

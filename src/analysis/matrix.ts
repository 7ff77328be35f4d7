import type { Endpoint } from "../model/cluster.js";
import type { Protocol } from "../model/ports.js";
import type { Engine } from "../engine/engine.js";
import { computeClassMatrix } from "../engine/bitmatrix.js";
import type { Verdict } from "../engine/types.js";
import type { VerdictLayer } from "../engine/tiers.js";
import { AddressAtoms } from "./address-atoms.js";
import type { ConnSetJson } from "./connset.js";
import { type DirectionConns, externalConns, pairConns } from "./reach.js";

export interface MatrixEntry {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly allowed: boolean;
  /** `depends`: allowed for some of the addresses the endpoints may have (see README). */
  readonly verdict: Verdict;
}

export interface ExternalEgressEntry {
  readonly from: string;
  /** Comma-separated CIDRs. */
  readonly to: string;
  readonly conns: ConnSetJson;
}

export interface Matrix {
  readonly endpoints: readonly string[];
  /** The rows, when only some sources are shown (`-n`); absent: every endpoint. */
  readonly sources?: readonly string[];
  readonly entries: readonly MatrixEntry[];
  readonly externalEgress: readonly ExternalEgressEntry[];
}

export interface MatrixOptions {
  /** Probe these ports on every destination instead of the ports each destination declares. */
  readonly ports?: readonly number[];
  /** Only these protocols (default: all three, or TCP when `ports` is given). */
  readonly protocols?: readonly Protocol[];
}

/**
 * Memoises pair analyses by the classes of the two endpoints: endpoints with equal labels,
 * namespace, declared ports and address atoms (ipBlocks; admin `networks` and `nodes`) are
 * indistinguishable to every rule of every tier.
 */
export class PairAnalysis {
  private readonly atoms: AddressAtoms;
  /** By the source's class key, then the destination's: no key is built per pair (millions at 3,000 workloads). */
  private readonly cache = new Map<string, Map<string, DirectionConns>>();
  private readonly keys = new Map<Endpoint, string>();

  constructor(readonly engine: Engine) {
    this.atoms = new AddressAtoms(engine);
  }

  classKey(e: Endpoint): string {
    let k = this.keys.get(e);
    if (k === undefined) {
      const ports = e.ports.map((p) => `${p.name ?? ""}:${p.port}/${p.protocol}`).sort().join(",");
      k = `${this.engine.classes.classOf(e).index}#${ports}#${this.atoms.signature(e)}`;
      this.keys.set(e, k);
    }
    return k;
  }

  conns(from: Endpoint, to: Endpoint): DirectionConns {
    if (from === to && from.kind === "Pod") return pairConns(this.engine, { kind: "endpoint", endpoint: from }, { kind: "endpoint", endpoint: to });
    const fromKey = this.classKey(from);
    let row = this.cache.get(fromKey);
    if (row === undefined) {
      row = new Map();
      this.cache.set(fromKey, row);
    }
    const toKey = this.classKey(to);
    let hit = row.get(toKey);
    if (hit === undefined) {
      hit = pairConns(this.engine, { kind: "endpoint", endpoint: from }, { kind: "endpoint", endpoint: to });
      row.set(toKey, hit);
    }
    return hit;
  }

  get cachedPairs(): number {
    let n = 0;
    for (const row of this.cache.values()) n += row.size;
    return n;
  }
}

function portsToProbe(to: Endpoint, options: MatrixOptions): { port: number; protocol: Protocol }[] {
  if (options.ports !== undefined) {
    const protocols = options.protocols ?? ["TCP"];
    return options.ports.flatMap((port) => protocols.map((protocol) => ({ port, protocol })));
  }
  const seen = new Set<string>();
  const out: { port: number; protocol: Protocol }[] = [];
  for (const p of to.ports) {
    if (options.protocols !== undefined && !options.protocols.includes(p.protocol)) continue;
    const k = `${p.port}/${p.protocol}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ port: p.port, protocol: p.protocol });
  }
  return out.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

export function verdictFor(conns: DirectionConns, protocol: Protocol, port: number): Verdict {
  if (conns.full.has(protocol, port)) return "allowed";
  return conns.partial.has(protocol, port) ? "depends" : "denied";
}

/**
 * From this many endpoints on, verdicts come from the class matrix (engine/bitmatrix.ts): a lookup
 * in shared rows instead of a pair analysis per class pair. Both give the same verdicts (a property
 * test checks it); below this size building the class matrix costs more than it saves.
 */
export const CLASS_MATRIX_FROM = 64;

/** Reachability between all endpoints, for each port the destination declares (or the ports asked for). */
export function computeMatrix(engine: Engine, options: MatrixOptions = {}): Matrix {
  // The one place the verdicts' source is chosen. Both walk the admin tiers (the class matrix:
  // engine/matrix/groups.ts, property test engine/bitmatrix-admin.test.ts), so clusters with admin
  // policies take the class matrix from the same size on.
  return computeMatrixWith(engine, options, engine.cluster.endpoints.length >= CLASS_MATRIX_FROM ? "classes" : "pairs");
}

/** `computeMatrix` with the verdicts from the class matrix or from the pair analysis (the output is the same). */
export function computeMatrixWith(engine: Engine, options: MatrixOptions, via: "classes" | "pairs"): Matrix {
  const endpoints = sortedEndpoints(engine.cluster.endpoints);
  const verdict = pairVerdicts(engine, via);
  const entries: MatrixEntry[] = [];
  for (const from of endpoints) {
    for (const to of endpoints) {
      const probes = portsToProbe(to, options);
      if (probes.length === 0) continue;
      const of = verdict(from, to);
      for (const { port, protocol } of probes) {
        const v = of(protocol, port);
        entries.push({ from: from.id, to: to.id, port, protocol, allowed: v === "allowed", verdict: v });
      }
    }
  }
  // External egress depends only on the verdict layers of the source (the same list object for
  // every endpoint met by the same policies, of every tier), so it is computed once per list.
  const external = new Map<readonly VerdictLayer[], { to: string; conns: ExternalEgressEntry["conns"] }[]>();
  const externalEgress = endpoints.flatMap((from) => {
    const key = engine.layersSelecting(from, "egress");
    let regions = external.get(key);
    if (regions === undefined) {
      regions = externalConns(engine, from, "egress").map((r) => ({ to: r.addresses.toString(), conns: r.conns.toJSON() }));
      external.set(key, regions);
    }
    return regions.map((r) => ({ from: from.id, to: r.to, conns: r.conns }));
  });
  return { endpoints: endpoints.map((e) => e.id), entries, externalEgress };
}

type PairVerdict = (from: Endpoint, to: Endpoint) => (protocol: Protocol, port: number) => Verdict;

function pairVerdicts(engine: Engine, via: "classes" | "pairs"): PairVerdict {
  if (via === "classes") {
    const classes = computeClassMatrix(engine);
    return (from, to) => (protocol, port) => classes.verdict(from, to, protocol, port);
  }
  const pairs = new PairAnalysis(engine);
  return (from, to) => {
    const conns = pairs.conns(from, to);
    return (protocol, port) => verdictFor(conns, protocol, port);
  };
}

export function sortedEndpoints(endpoints: readonly Endpoint[]): Endpoint[] {
  return [...endpoints].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

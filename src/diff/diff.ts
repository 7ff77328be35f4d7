/**
 * `portcullis diff`: the semantic difference in allowed connections between two versions of a
 * cluster's manifests, not the textual one. Endpoints are matched across versions by id.
 */
import { connlistName } from "../analysis/connlist.js";
import { ConnSet } from "../analysis/connset.js";
import { PairAnalysis } from "../analysis/matrix.js";
import { externalConns } from "../analysis/reach.js";
import type { Engine } from "../engine/engine.js";
import type { Direction, Endpoint } from "../model/cluster.js";
import type { WellKnownOptions } from "../model/well-known.js";
import { type DiffFacts, type RawChange, type Side, classify, diffFacts } from "./classify.js";
import { regionDeltas } from "./overlay.js";
import { CHANGE_CLASSES, CHANGE_KINDS, type ChangeKind, type DiffChange, type DiffReport, type DiffSummary, type FailOn } from "./types.js";

/** One version: its engine, its endpoints by id, and memoised pair analyses. */
interface Version {
  readonly engine: Engine;
  readonly byId: ReadonlyMap<string, Endpoint>;
  readonly pairs: PairAnalysis;
}

function version(engine: Engine): Version {
  return { engine, byId: new Map(engine.cluster.endpoints.map((e) => [e.id, e])), pairs: new PairAnalysis(engine) };
}

/** Added/removed for connections of an endpoint in one version only; widened/narrowed otherwise. */
function kindOf(inOld: boolean, inNew: boolean, added: ConnSet): ChangeKind {
  if (!inNew) return "removed";
  if (!inOld) return "added";
  return added.isEmpty() ? "narrowed" : "widened";
}

function endpointSide(old: Version, neu: Version, id: string): Side {
  const endpoint = neu.byId.get(id) ?? old.byId.get(id);
  if (endpoint === undefined) throw new Error(`unknown endpoint ${id}`);
  return { kind: "endpoint", endpoint };
}

/** Connections allowed from `src` to `dst` (whatever their addresses), in both versions. */
function pairChange(old: Version, neu: Version, src: string, dst: string): RawChange | undefined {
  const conns = (v: Version): ConnSet => {
    const s = v.byId.get(src);
    const d = v.byId.get(dst);
    return s === undefined || d === undefined ? ConnSet.EMPTY : v.pairs.conns(s, d).full;
  };
  const before = conns(old);
  const after = conns(neu);
  const added = after.subtract(before);
  const removed = before.subtract(after);
  if (added.isEmpty() && removed.isEmpty()) return undefined;
  const inOld = old.byId.has(src) && old.byId.has(dst);
  const inNew = neu.byId.has(src) && neu.byId.has(dst);
  return { kind: kindOf(inOld, inNew, added), src: endpointSide(old, neu, src), dst: endpointSide(old, neu, dst), added, removed };
}

/** Per region of the IP space: what `id` may send there (egress) or receive from there (ingress). */
function externalChanges(old: Version, neu: Version, id: string, direction: Direction): RawChange[] {
  const regions = (v: Version) => {
    const e = v.byId.get(id);
    return e === undefined ? [] : externalConns(v.engine, e, direction);
  };
  const endpoint = endpointSide(old, neu, id);
  return regionDeltas(regions(old), regions(neu)).map((d) => {
    const region: Side = { kind: "addresses", addresses: d.addresses };
    const kind = kindOf(old.byId.has(id), neu.byId.has(id), d.added);
    return direction === "egress"
      ? { kind, src: endpoint, dst: region, added: d.added, removed: d.removed }
      : { kind, src: region, dst: endpoint, added: d.added, removed: d.removed };
  });
}

function sideName(side: Side): string {
  return side.kind === "endpoint" ? connlistName(side.endpoint) : side.addresses.toString();
}

function toJson(c: RawChange, facts: DiffFacts): DiffChange {
  return { kind: c.kind, class: classify(c, facts), src: sideName(c.src), dst: sideName(c.dst), added: c.added.toJSON(), removed: c.removed.toJSON() };
}

function summarise(changes: readonly DiffChange[], added: number, removed: number): DiffSummary {
  const count = (f: (c: DiffChange) => boolean): number => changes.filter(f).length;
  const kinds = Object.fromEntries(CHANGE_KINDS.map((k) => [k, count((c) => c.kind === k)]));
  const classes = Object.fromEntries(CHANGE_CLASSES.map((k) => [k, count((c) => c.class.includes(k))]));
  return { ...kinds, "endpoints-added": added, "endpoints-removed": removed, ...classes } as DiffSummary;
}

const sortIds = (ids: Iterable<string>): string[] => [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * What `after` allows that `before` did not, and the reverse, between endpoints and with the
 * external IP space (egress per source, ingress per destination), per protocol and port. A
 * connection counts when it is allowed whatever address the endpoints have (as in connlist).
 * Changes are classed by the well-known destinations (model/well-known.ts) they touch.
 */
export function diffClusters(before: Engine, after: Engine, options: WellKnownOptions = {}): DiffReport {
  const facts = diffFacts([before, after].map((e) => ({ cluster: e.cluster, podNetwork: e.options.podNetwork })), options);
  const old = version(before);
  const neu = version(after);
  const ids = sortIds([...old.byId.keys(), ...neu.byId.keys()]);
  const raw: RawChange[] = [];
  for (const src of ids) {
    for (const dst of ids) {
      const c = src === dst ? undefined : pairChange(old, neu, src, dst);
      if (c !== undefined) raw.push(c);
    }
    raw.push(...externalChanges(old, neu, src, "egress"));
  }
  for (const dst of ids) raw.push(...externalChanges(old, neu, dst, "ingress"));
  const rank = (k: ChangeKind): number => CHANGE_KINDS.indexOf(k);
  const changes = raw.map((c) => toJson(c, facts)).sort((a, b) => rank(a.kind) - rank(b.kind));
  const name = (v: Version, id: string): string => connlistName(v.byId.get(id) as Endpoint);
  const endpoints = {
    added: ids.filter((id) => !old.byId.has(id)).map((id) => name(neu, id)),
    removed: ids.filter((id) => !neu.byId.has(id)).map((id) => name(old, id)),
  };
  return { summary: summarise(changes, endpoints.added.length, endpoints.removed.length), endpoints, changes };
}

/** The exit decision of `--fail-on`: `widened` fails when any connection between existing endpoints widened. */
export function shouldFail(report: DiffReport, failOn: FailOn): boolean {
  return failOn === "widened" && report.summary.widened > 0;
}

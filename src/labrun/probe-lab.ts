/** Probing a lab (up, or attached to) with planned probes, and comparing with the engine. */
import { INTERNET, type Lab, type ProbeTarget } from "../lab/types.js";
import { parseIp } from "../net/ip.js";
import { type Observation, compare, explained } from "./compare.js";
import type { LabEntry, Mismatch, PlannedProbe, Skipped } from "./types.js";

export const DEFAULT_PROBE_TIMEOUT_MS = 1000;
/** A mismatch is probed once more with this many times the timeout before it is reported. */
const CONFIRM_FACTOR = 3;

function targetOf(p: PlannedProbe): ProbeTarget {
  const ip = parseIp(p.ip);
  if (ip === undefined) throw new Error(`planned probe to "${p.ip}", not an IP address`);
  return { ip, port: p.port, protocol: p.protocol };
}

/** Probes in order, all sources at once (the lab bounds how many run); a source that is an address probes from the internet, leaving from it. */
export async function observe(lab: Lab, probes: readonly PlannedProbe[], timeoutMs: number): Promise<Observation[]> {
  const bySource = new Map<string, number[]>();
  probes.forEach((p, i) => bySource.set(p.from, [...(bySource.get(p.from) ?? []), i]));
  const observations = new Array<Observation>(probes.length);
  await Promise.all(
    [...bySource].map(async ([from, indexes]) => {
      const targets = indexes.map((i) => targetOf(probes[i] as PlannedProbe));
      const source = parseIp(from);
      const results = source === undefined ? await lab.probe(from, targets, { timeoutMs }) : await lab.probe(INTERNET, targets, { timeoutMs, sourceIp: source });
      results.forEach((r, j) => {
        observations[indexes[j] as number] = { outcome: r.outcome, identity: r.identity, ...(r.detail === undefined ? {} : { detail: r.detail }) };
      });
    }),
  );
  return observations;
}

export interface Compared {
  readonly entries: readonly LabEntry[];
  readonly mismatches: readonly Mismatch[];
  /** SCTP probes when the lab cannot probe SCTP. */
  readonly skipped: readonly Skipped[];
  /** Probes that disagreed once and were probed again (a slow reply on a loaded machine). */
  readonly retried: number;
}

/**
 * Probes, compares, and probes each disagreeing entry once more with a longer timeout: an answer
 * that came late is load, not enforcement (a drop never answers). What still disagrees is reported.
 */
export async function probeAndCompare(lab: Lab, planned: readonly PlannedProbe[], timeoutMs: number): Promise<Compared> {
  const skipped: Skipped[] = [];
  const probes = planned.filter((p) => {
    if (p.protocol !== "SCTP" || lab.sctp) return true;
    skipped.push({ reason: "sctp-unsupported", from: p.from, to: p.to, port: p.port, protocol: p.protocol });
    return false;
  });
  const observations = await observe(lab, probes, timeoutMs);
  const first = compare(probes, observations);
  if (first.mismatches.length === 0) return { ...first, skipped, retried: 0 };
  const again = probes.flatMap((p, i) => (explained(p, observations[i] as Observation) ? [] : [i]));
  const second = await observe(lab, again.map((i) => probes[i] as PlannedProbe), timeoutMs * CONFIRM_FACTOR);
  again.forEach((i, j) => (observations[i] = second[j] as Observation));
  return { ...compare(probes, observations), skipped, retried: again.length };
}

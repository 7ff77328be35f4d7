/**
 * Every lab on this machine, whoever made it: found by its namespaces' names (`pc-<6 hex>-<n>`),
 * judged by the marker on its node namespace (`<prefix>-0`).
 */
import { LAB_NS, isKeptMarker, listNetns, markerAlive, markerOwner, netnsAgeMs, readMarker } from "./netns.js";

/**
 * `running`: its owner process is alive. `kept`: detached on purpose (`lab up`). `orphaned`: its
 * owner is gone and it was not kept (a killed run). `starting`: no marker yet, young enough to be
 * mid-setup in another process.
 */
export type LabStatus = "running" | "kept" | "orphaned" | "starting";

export interface LabEntry {
  readonly prefix: string;
  readonly status: LabStatus;
  /** The owner process's pid, when the marker names one. */
  readonly owner?: number;
  readonly namespaces: readonly string[];
  /** Since its node namespace was made; undefined when it has none. */
  readonly ageMs?: number;
}

/** A lab whose node namespace has no owner marker yet may be mid-setup in another process. */
const UNMARKED_GRACE_MS = 60_000;

/** The labs whose prefix starts with `within`, sorted by prefix. */
export async function listLabs(within = "pc-"): Promise<LabEntry[]> {
  const groups = new Map<string, string[]>();
  for (const name of await listNetns()) {
    const group = LAB_NS.exec(name)?.[1];
    if (group === undefined || !name.startsWith(within)) continue;
    groups.set(group, [...(groups.get(group) ?? []), name]);
  }
  const labs: LabEntry[] = [];
  for (const [prefix, namespaces] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    labs.push({ prefix, ...(await statusOf(prefix)), namespaces: namespaces.sort() });
  }
  return labs;
}

async function statusOf(prefix: string): Promise<{ status: LabStatus; owner?: number; ageMs?: number }> {
  const nodeNs = `${prefix}-0`;
  const marker = (await readMarker(nodeNs)) ?? "";
  const age = netnsAgeMs(nodeNs);
  const ageMs = age === undefined ? {} : { ageMs: Math.round(age) };
  if (isKeptMarker(marker)) return { status: "kept", ...ageMs };
  const owner = markerOwner(marker);
  if (marker !== "") return { status: markerAlive(marker) ? "running" : "orphaned", ...(owner === undefined ? {} : { owner }), ...ageMs };
  return { status: age === undefined || age > UNMARKED_GRACE_MS ? "orphaned" : "starting", ...ageMs };
}

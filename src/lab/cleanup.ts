/**
 * Removing what labs leave behind: live labs of this process on exit and on SIGINT/SIGTERM/SIGHUP,
 * and stale labs of crashed processes with cleanupStale().
 */
import { killQuietly } from "./run.js";
import {
  LAB_NS,
  LAB_PREFIX,
  deleteNetns,
  deleteNetnsSync,
  isKeptMarker,
  killNetnsPids,
  listNetns,
  markerAlive,
  netnsAgeMs,
  ofPrefix,
  readMarker,
} from "./netns.js";

/** What the exit handler must undo for one live lab. */
interface Live {
  readonly pids: Set<number>;
}

const live = new Map<string, Live>();
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

function cleanupAllSync(): void {
  for (const [prefix, entry] of live) {
    for (const pid of entry.pids) killQuietly(pid);
    deleteNetnsSync(prefix);
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  cleanupAllSync();
  uninstall();
  // Default behaviour again, so the process ends the way it would have without us.
  process.kill(process.pid, signal);
}

function install(): void {
  process.on("exit", cleanupAllSync);
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  process.off("exit", cleanupAllSync);
  for (const s of SIGNALS) process.off(s, onSignal);
}

/** Registers a lab before anything of it exists; returns the set its child pids go in. */
export function track(prefix: string): Set<number> {
  if (live.size === 0) install();
  const entry: Live = { pids: new Set() };
  live.set(prefix, entry);
  return entry.pids;
}

export function untrack(prefix: string): void {
  live.delete(prefix);
  if (live.size === 0) uninstall();
}

export function isTracked(prefix: string): boolean {
  return live.has(prefix);
}

/** A lab whose node namespace has no owner marker yet may be mid-setup in another process. */
const UNMARKED_GRACE_MS = 60_000;

/**
 * Removes labs left by crashed runs: namespaces named `pc-<6 hex>-<n>` (and starting with
 * `prefix`) whose owner process is gone. Labs of live processes, including other test runs, stay,
 * and so do detached labs (`lab.detach()`): only `labRemove` takes those down.
 * Returns the prefixes removed.
 */
export async function cleanupStale(prefix = "pc-"): Promise<string[]> {
  const groups = new Map<string, string[]>();
  for (const name of await listNetns()) {
    const group = LAB_NS.exec(name)?.[1];
    if (group === undefined || !name.startsWith(prefix) || isTracked(group)) continue;
    groups.set(group, [...(groups.get(group) ?? []), name]);
  }
  const removed: string[] = [];
  for (const [group, names] of groups) {
    if (!(await isStale(group))) continue;
    for (const ns of names) await killNetnsPids(ns);
    await deleteNetns(group);
    removed.push(group);
  }
  return removed;
}

async function isStale(group: string): Promise<boolean> {
  const nodeNs = `${group}-0`;
  const marker = await readMarker(nodeNs);
  if (marker !== undefined && isKeptMarker(marker)) return false;
  if (marker !== undefined && marker !== "") return !markerAlive(marker);
  const age = netnsAgeMs(nodeNs);
  return age === undefined || age > UNMARKED_GRACE_MS;
}

export type RemoveResult = { readonly ok: true; readonly removed: number } | { readonly ok: false; readonly reason: string };

/**
 * Takes down a lab by its prefix, from any process (`lab down`): kills what runs in its namespaces
 * and deletes them. Refuses a lab whose owner process is alive (this one included: `lab.down()`).
 * `removed` is how many namespaces went (0: there was no such lab).
 */
export async function labRemove(prefix: string): Promise<RemoveResult> {
  if (!LAB_PREFIX.test(prefix)) return { ok: false, reason: `"${prefix}" is not a lab prefix (pc- and 6 hex digits)` };
  const names = ofPrefix(await listNetns(), prefix);
  if (names.length === 0) return { ok: true, removed: 0 };
  const marker = await readMarker(`${prefix}-0`);
  if (isTracked(prefix) || (marker !== undefined && markerAlive(marker))) {
    return { ok: false, reason: `lab ${prefix} belongs to a running process (${marker}); stop that process instead` };
  }
  for (const ns of names) await killNetnsPids(ns);
  await deleteNetns(prefix);
  return { ok: true, removed: names.length };
}

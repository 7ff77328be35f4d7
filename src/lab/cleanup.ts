/**
 * Removing what labs leave behind: live labs of this process on exit and on SIGINT/SIGTERM/SIGHUP,
 * and stale labs of crashed processes with cleanupStale().
 */
import { killQuietly } from "./run.js";
import { listLabs } from "./inventory.js";
import { LAB_PREFIX, deleteNetns, deleteNetnsSync, killNetnsPids, listNetns, markerAlive, ofPrefix, readMarker } from "./netns.js";

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

/**
 * Removes labs left by crashed runs: namespaces named `pc-<6 hex>-<n>` (and starting with
 * `prefix`) whose owner process is gone (`orphaned` in listLabs). Labs of live processes, including
 * other test runs, stay, and so do detached labs (`lab.detach()`): only `labRemove` takes those down.
 * Returns the prefixes removed.
 */
export async function cleanupStale(prefix = "pc-"): Promise<string[]> {
  const removed: string[] = [];
  for (const lab of await listLabs(prefix)) {
    if (lab.status !== "orphaned" || isTracked(lab.prefix)) continue;
    for (const ns of lab.namespaces) await killNetnsPids(ns);
    await deleteNetns(lab.prefix);
    removed.push(lab.prefix);
  }
  return removed;
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

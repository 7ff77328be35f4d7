/**
 * Removing what labs leave behind: live labs of this process on exit and on SIGINT/SIGTERM/SIGHUP,
 * and stale labs of crashed processes with cleanupStale().
 */
import { killQuietly } from "./run.js";
import { LAB_NS, deleteNetns, deleteNetnsSync, killNetnsPids, listNetns, markerAlive, netnsAgeMs, readMarker } from "./netns.js";

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
 * `prefix`) whose owner process is gone. Labs of live processes, including other test runs, stay.
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
  if (marker !== undefined && marker !== "") return !markerAlive(marker);
  const age = netnsAgeMs(nodeNs);
  return age === undefined || age > UNMARKED_GRACE_MS;
}

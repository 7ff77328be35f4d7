import { PerformanceObserver, constants } from "node:perf_hooks";

/** A `gc` performance entry as this module reads it: when the pause began and ended, and its kind. */
interface GcEntry {
  readonly startTime: number;
  readonly duration: number;
  readonly detail?: unknown;
}

/** At most this many excluded windows are kept: entries arrive a turn or two after their pause. */
const MAX_WINDOWS = 8;

/**
 * The time this process has spent in garbage-collection pauses (scavenges, incremental marking steps,
 * mark-compact) since it started, from the runtime's `gc` performance entries, and how many of them
 * were mark-compacts (full collections). They are delivered after the pause, on a later turn of the
 * event loop: a reading misses a pause of the last few milliseconds.
 *
 * Pauses that began before it started, or inside a window given to `exclude` (a collection the process asked for while
 * idle: see IdleGc) are not counted: they are no cycle's.
 */
export class GcTime {
  private ms = 0;
  private majors = 0;
  /** Entries of pauses before this (delivered late to a new observer) are not counted. */
  private readonly since = performance.now();
  private readonly windows: { readonly from: number; readonly to: number }[] = [];
  private readonly listeners: (() => void)[] = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) this.take(entry);
  });

  constructor() {
    this.observer.observe({ entryTypes: ["gc"] });
  }

  private take(entry: GcEntry): void {
    if (entry.startTime < this.since || this.windows.some((w) => entry.startTime >= w.from && entry.startTime <= w.to)) return;
    this.ms += entry.duration;
    if ((entry.detail as { kind?: number } | undefined)?.kind !== constants.NODE_PERFORMANCE_GC_MAJOR) return;
    this.majors++;
    for (const f of this.listeners) f();
  }

  /** Milliseconds in GC pauses so far (excluded windows left out). */
  get totalMs(): number {
    return this.ms;
  }

  /** Mark-compacts so far (excluded windows left out). */
  get markCompacts(): number {
    return this.majors;
  }

  /** Calls `f` when the entry of a mark-compact arrives (excluded windows left out). */
  onMarkCompact(f: () => void): void {
    this.listeners.push(f);
  }

  /** Pauses that begin from `from` to `to` (performance.now() times) are not counted. */
  exclude(from: number, to: number): void {
    this.windows.push({ from, to });
    if (this.windows.length > MAX_WINDOWS) this.windows.shift();
  }

  close(): void {
    this.observer.disconnect();
  }
}

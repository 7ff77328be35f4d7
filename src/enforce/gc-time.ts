import { PerformanceObserver } from "node:perf_hooks";

/**
 * The time this process has spent in garbage-collection pauses (scavenges, incremental marking steps,
 * mark-compact) since it started, from the runtime's `gc` performance entries. They are delivered
 * after the pause, on a later turn of the event loop: a reading misses a pause of the last few
 * milliseconds.
 */
export class GcTime {
  private ms = 0;
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) this.ms += entry.duration;
  });

  constructor() {
    this.observer.observe({ entryTypes: ["gc"] });
  }

  /** Milliseconds in GC pauses so far. */
  get totalMs(): number {
    return this.ms;
  }

  close(): void {
    this.observer.disconnect();
  }
}

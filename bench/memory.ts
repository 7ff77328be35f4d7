/**
 * Peak resident memory per phase: a worker thread samples the process's RSS every few
 * milliseconds (phases are synchronous, so the main thread cannot) and keeps the maximum in
 * shared memory, which the main thread reads and resets between phases.
 */
import { Worker } from "node:worker_threads";

const SAMPLER = `
const { workerData } = require("node:worker_threads");
const peak = new Float64Array(workerData);
setInterval(() => {
  const rss = process.memoryUsage.rss();
  if (rss > peak[0]) peak[0] = rss;
}, 2);
`;

export class PeakSampler {
  private readonly peak: Float64Array;
  private readonly worker: Worker;

  constructor() {
    const shared = new SharedArrayBuffer(8);
    this.peak = new Float64Array(shared);
    this.worker = new Worker(SAMPLER, { eval: true, workerData: shared });
    this.worker.unref();
  }

  /** Starts a phase: the peak restarts from the current RSS. */
  reset(): void {
    this.peak[0] = process.memoryUsage.rss();
  }

  /** The highest RSS seen since `reset`, in bytes. */
  read(): number {
    return Math.max(this.peak[0] ?? 0, process.memoryUsage.rss());
  }

  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

export function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect !== undefined) collect();
}

export const MB = 1024 * 1024;

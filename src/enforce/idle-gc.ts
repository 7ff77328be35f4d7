/**
 * Full garbage collections while the enforce loop is idle. With a large live heap (the node agent
 * at 50k pods: ~125 MiB), V8's own mark-compact comes every 25-36 events and its marking runs
 * inside an event, which then costs 110-160 ms more (docs/performance.md, "The compile spikes are
 * mark-compact cycles"). Collecting once the loop has been quiet for a while, when the old
 * generation has grown enough since the last full collection, keeps V8 from starting its own
 * inside an event. A collection blocks the process: an event arriving during one waits for it.
 */
import v8 from "node:v8";
import vm from "node:vm";
import type { GcTime } from "./gc-time.js";

const MiB = 1024 * 1024;

/** When an idle collection is due. */
export interface IdleGcPolicy {
  /** The loop must have been idle this long since its last cycle ended, ms. */
  readonly quietMs: number;
  /** The old generation must have grown by at least this many bytes since the last full collection … */
  readonly minGrowthBytes: number;
  /** … and by at least this fraction of what it held after it. */
  readonly minGrowthRatio: number;
}

/**
 * 30 ms of quiet (events of one change come within a turn or two of each other); growth of 16 MiB
 * and 25%: at 50k pods ~125 MiB after a full collection, ~2 MiB more per event, a collection every
 * ~16 events, where V8 starts its own marking past ~+55-90 MiB (docs/performance.md).
 */
export const DEFAULT_IDLE_GC: IdleGcPolicy = { quietMs: 30, minGrowthBytes: 16 * MiB, minGrowthRatio: 0.25 };

/** What the decision looks at. */
export interface IdleGcInput {
  /** A cycle runs or waits. */
  readonly busy: boolean;
  /** Since the last cycle (or kernel check) ended, ms. */
  readonly idleMs: number;
  /** The old generation's bytes in use now. */
  readonly oldUsed: number;
  /** Its bytes in use after the last full collection (or when the loop started, before any). */
  readonly baseline: number;
}

export type IdleGcDecision = { readonly collect: true } | { readonly collect: false; readonly why: "busy" | "not-quiet" | "small-growth" };

/** Whether to collect now. */
export function idleGcDecision(input: IdleGcInput, policy: IdleGcPolicy): IdleGcDecision {
  if (input.busy) return { collect: false, why: "busy" };
  if (input.idleMs < policy.quietMs) return { collect: false, why: "not-quiet" };
  const grown = input.oldUsed - input.baseline;
  if (grown < policy.minGrowthBytes || grown < input.baseline * policy.minGrowthRatio) return { collect: false, why: "small-growth" };
  return { collect: true };
}

/** One idle collection: how long it blocked the process, and the old generation before and after (bytes). */
export interface IdleCollection {
  readonly ms: number;
  /** performance.now() when it ended. */
  readonly endedAt: number;
  readonly oldBefore: number;
  readonly oldAfter: number;
}

/** The old generation's bytes in use: every heap space but the young generation's and the read-only one. */
export function oldGenerationUsed(): number {
  let used = 0;
  for (const space of v8.getHeapSpaceStatistics()) if (!YOUNG_OR_READONLY.has(space.space_name)) used += space.space_used_size;
  return used;
}
const YOUNG_OR_READONLY = new Set(["new_space", "new_large_object_space", "read_only_space"]);

/**
 * The runtime's full collection as a function: `gc` when node runs with `--expose-gc`, else the
 * flag set now and `gc` taken from a new context (V8 installs it in contexts created after the
 * flag); null when neither works.
 */
export function exposedGc(): (() => void) | null {
  const global = (globalThis as { gc?: unknown }).gc;
  if (typeof global === "function") return () => void (global as () => void)();
  try {
    v8.setFlagsFromString("--expose-gc");
    const gc: unknown = vm.runInNewContext("gc");
    return typeof gc === "function" ? () => void (gc as () => void)() : null;
  } catch {
    return null;
  }
}

/**
 * The adapter: `settled()` after each cycle (or kernel check) of the loop arms a timer of
 * `quietMs`; when it fires and `idleGcDecision` says so, a full collection runs (synchronously:
 * nothing else runs meanwhile), its pauses are excluded from `gcTime`, and `onCollected` hears of
 * it. The baseline is the old generation after the last full collection, ours or V8's (a
 * mark-compact entry of `gcTime`).
 */
export class IdleGc {
  private timer: NodeJS.Timeout | undefined;
  private settledAt = performance.now();
  private baseline = oldGenerationUsed();
  private last: IdleCollection | null = null;

  constructor(
    private readonly policy: IdleGcPolicy,
    private readonly gcTime: GcTime,
    private readonly collect: () => void,
    private readonly busy: () => boolean,
    private readonly onCollected: (c: IdleCollection) => void,
  ) {
    gcTime.onMarkCompact(() => (this.baseline = oldGenerationUsed()));
  }

  /** The loop finished a piece of work: a collection may come after `quietMs` of quiet. */
  settled(): void {
    this.settledAt = performance.now();
    this.arm(this.policy.quietMs);
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.check(), ms);
    this.timer.unref();
  }

  private check(): void {
    this.timer = undefined;
    const idleMs = performance.now() - this.settledAt;
    const oldUsed = oldGenerationUsed();
    const decision = idleGcDecision({ busy: this.busy(), idleMs, oldUsed, baseline: this.baseline }, this.policy);
    if (!decision.collect) {
      // A timer that fired a little early: wait out the rest.
      if (decision.why === "not-quiet") this.arm(this.policy.quietMs - idleMs);
      return;
    }
    const from = performance.now();
    this.collect();
    const to = performance.now();
    this.gcTime.exclude(from, to);
    this.baseline = oldGenerationUsed();
    this.last = { ms: to - from, endedAt: to, oldBefore: oldUsed, oldAfter: this.baseline };
    this.onCollected(this.last);
  }

  /** The last idle collection since the previous call (a cycle asks as it starts), or null. */
  takeLast(): IdleCollection | null {
    const last = this.last;
    this.last = null;
    return last;
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * Kubernetes Events (events.k8s.io/v1) for what an operator must see of the node agent: enforcing
 * started, an apply failed or was refused, drift repaired, an object refused, a datapath that would
 * be bypassed. As client-go's events recorder (k8s.io/client-go/tools/events): `reportingController`
 * and `reportingInstance` name the agent; a repeat of the same action and reason about the same
 * object within 6 minutes is one Event whose `series.count` grows (patched on the first repeat, then
 * at most every 30 s) instead of a new Event each time.
 *
 * Best effort, never in the way of enforcement: `record` queues and returns; a failed post is a log
 * line and `onFailure`; a 403 (the ClusterRole without create/patch on events) is one warning and
 * then no more tries.
 */
import { type Result, isHttp } from "../kube/errors.js";
import type { LiveObject, LiveResource } from "../kube/live.js";
import { resourcePath } from "../kube/client.js";
import type { Transport } from "../kube/transport.js";
import type { Logger } from "./log.js";

/** The Event resource the agent writes (its ClusterRole grants create and patch on it). */
export const EVENTS_RESOURCE: LiveResource = { group: "events.k8s.io", version: "v1", resource: "events", kind: "Event", namespaced: true };

export const REPORTING_CONTROLLER = "portcullis.dev/node-agent";

/** client-go's events recorder forgets a series 6 minutes after its last occurrence: the next one is a new Event. */
export const SERIES_WINDOW_MS = 6 * 60_000;
/** A growing series' count is patched at most this often (client-go refreshes its series every 30 minutes; ours are few). */
export const SERIES_PATCH_MS = 30_000;
/** Posts waiting beyond this many are dropped (counted): the API server is slow or away. */
const MAX_QUEUED = 64;
/** An Event's note: "must be less than 1kB" (events.k8s.io/v1 validation). */
const MAX_NOTE = 1000;

/** What an Event is about: an object reference (events.k8s.io/v1 `regarding`). */
export interface Regarding {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly uid?: string;
}

export interface AgentEvent {
  readonly type: "Normal" | "Warning";
  /** CamelCase, machine readable: `Enforcing`, `ApplyFailed`, … */
  readonly reason: string;
  /** What the agent did or failed to do: `Apply`, `Decode`, `Start`, … */
  readonly action: string;
  readonly note: string;
  readonly regarding: Regarding;
}

/** Where Events go: the API server (create, merge patch). */
export interface EventSink {
  create(namespace: string, event: Record<string, unknown>): Promise<Result<unknown>>;
  patch(namespace: string, name: string, patch: Record<string, unknown>): Promise<Result<unknown>>;
}

export function kubeEventSink(transport: Transport): EventSink {
  return {
    create: (namespace, event) => transport.sendJson("POST", resourcePath(EVENTS_RESOURCE, namespace), event),
    patch: (namespace, name, patch) => transport.sendJson("PATCH", `${resourcePath(EVENTS_RESOURCE, namespace)}/${encodeURIComponent(name)}`, patch, "application/merge-patch+json"),
  };
}

/** The reference an Event carries for a live object (uid when the object has one). */
export function regardingObject(o: Pick<LiveObject, "apiVersion" | "kind" | "metadata">): Regarding {
  const uid = o.metadata["uid"];
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace === undefined ? {} : { namespace: o.metadata.namespace }), ...(typeof uid === "string" ? { uid } : {}) };
}

/**
 * The agent's Node as `regarding`: its uid once the watch has seen it, else the node's name, as the
 * kubelet writes it for its node's Events (`kubectl describe node` searches both).
 */
export function nodeRegarding(node: string, uid?: string): Regarding {
  return { apiVersion: "v1", kind: "Node", name: node, uid: uid ?? node };
}

/** Why a post was not made or failed, as the metric labels it. */
export type EventFailure = "forbidden" | "error" | "dropped";

export interface RecorderOptions {
  readonly sink: EventSink;
  /** The node's name: `reportingInstance`. */
  readonly node: string;
  readonly logger: Logger;
  readonly onFailure?: (why: EventFailure) => void;
  readonly now?: () => Date;
  /** How often a grown series' count is patched (default SERIES_PATCH_MS). */
  readonly seriesPatchMs?: number;
}

interface Series {
  readonly namespace: string;
  /** The Event's name once created (null while the create is queued). */
  name: string | null;
  count: number;
  lastObserved: Date;
  /** The count the server has. */
  posted: number;
  lastPatchAt: number;
}

/** RFC 3339 with microseconds, as metav1.MicroTime is written. */
const microTime = (d: Date): string => d.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");

const keyOf = (e: AgentEvent): string => JSON.stringify([e.action, e.reason, e.regarding.kind, e.regarding.namespace ?? "", e.regarding.name, e.regarding.uid ?? ""]);

export class EventRecorder {
  private readonly series = new Map<string, Series>();
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private forbidden = false;
  private lastError: string | null = null;
  /** Sub-millisecond part of the names' time: two Events in one millisecond get different names. */
  private sequence = 0;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly now: () => Date;
  private readonly patchMs: number;

  constructor(private readonly opts: RecorderOptions) {
    this.now = opts.now ?? (() => new Date());
    this.patchMs = opts.seriesPatchMs ?? SERIES_PATCH_MS;
    this.timer = setInterval(() => this.refresh(), this.patchMs);
    this.timer.unref();
  }

  /** Queues the Event (or counts a repeat of it); returns at once. */
  record(e: AgentEvent): void {
    if (this.forbidden) return;
    const now = this.now();
    const key = keyOf(e);
    const held = this.series.get(key);
    if (held !== undefined && now.getTime() - held.lastObserved.getTime() <= SERIES_WINDOW_MS) {
      held.count++;
      held.lastObserved = now;
      // The first repeat makes the Event a series at once (client-go does too; queued after the create); later ones ride the refresh.
      if (held.count === 2 || now.getTime() - held.lastPatchAt >= this.patchMs) this.enqueue(() => this.patchSeries(held));
      return;
    }
    const namespace = e.regarding.namespace ?? "default";
    const s: Series = { namespace, name: null, count: 1, lastObserved: now, posted: 0, lastPatchAt: now.getTime() };
    this.series.set(key, s);
    this.enqueue(() => this.create(e, s, now));
  }

  /** Resolves once every queued post is done, or after `ms`. */
  async flush(ms = 5_000): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.queue, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  /** Stops the refresh timer (queued posts still run). */
  close(): void {
    clearInterval(this.timer);
  }

  private enqueue(post: () => Promise<void>): void {
    if (this.queued >= MAX_QUEUED) {
      this.opts.onFailure?.("dropped");
      return;
    }
    this.queued++;
    this.queue = this.queue.then(post).finally(() => this.queued--);
  }

  private refresh(): void {
    const now = this.now().getTime();
    for (const [key, s] of this.series) {
      if (now - s.lastObserved.getTime() > SERIES_WINDOW_MS) this.series.delete(key);
      else if (s.count > s.posted && s.name !== null) this.enqueue(() => this.patchSeries(s));
    }
  }

  private async create(e: AgentEvent, s: Series, at: Date): Promise<void> {
    if (this.forbidden) return;
    // client-go's name: the object's name and the time in hex nanoseconds (unique per reporter in practice).
    const name = `${e.regarding.name}.${(BigInt(at.getTime()) * 1_000_000n + BigInt(this.sequence++ % 1_000_000)).toString(16)}`;
    const event = {
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { name, namespace: s.namespace },
      eventTime: microTime(at),
      reportingController: REPORTING_CONTROLLER,
      reportingInstance: this.opts.node,
      action: e.action,
      reason: e.reason,
      regarding: e.regarding,
      note: e.note.length > MAX_NOTE ? `${e.note.slice(0, MAX_NOTE - 1)}…` : e.note,
      type: e.type,
    };
    const r = await this.opts.sink.create(s.namespace, event);
    if (!this.answered(r, `${e.reason} about ${e.regarding.kind} ${e.regarding.name}`)) return;
    s.name = name;
    s.posted = 1;
  }

  private async patchSeries(s: Series): Promise<void> {
    if (this.forbidden || s.name === null || s.count === s.posted) return;
    const count = s.count;
    const r = await this.opts.sink.patch(s.namespace, s.name, { series: { count, lastObservedTime: microTime(s.lastObserved) } });
    s.lastPatchAt = this.now().getTime();
    if (this.answered(r, `the count of Event ${s.namespace}/${s.name}`)) s.posted = Math.max(s.posted, count);
  }

  /** Whether the post went through; a failure is logged (once per distinct error) and counted, a 403 stops every later post. */
  private answered(r: Result<unknown>, what: string): boolean {
    if (r.ok) {
      this.lastError = null;
      return true;
    }
    if (isHttp(r.error, "forbidden")) {
      this.forbidden = true;
      this.opts.onFailure?.("forbidden");
      this.opts.logger.log("warn", "cannot post Events (forbidden): no more will be tried; grant create and patch on events.k8s.io events", { error: r.error.message });
      return false;
    }
    this.opts.onFailure?.("error");
    if (r.error.message !== this.lastError) this.opts.logger.log("warn", "an Event could not be posted (enforcement goes on)", { event: what, error: r.error.message });
    this.lastError = r.error.message;
    return false;
  }
}

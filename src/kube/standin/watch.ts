/**
 * Watch streams as the apiserver's watch cache serves them: a 200 with a chunked body of JSON lines
 * `{"type":"ADDED","object":{...}}`. From no resourceVersion (or "0"), an ADDED per existing object
 * first; from N, every change after N, or, when N was compacted away, one ERROR event carrying a 410
 * Expired Status and the end of the stream (a 200, as the real server answers a watch). Objects that
 * start or stop matching the selectors arrive as ADDED or DELETED. BOOKMARKs (only when asked with
 * allowWatchBookmarks) carry the latest resourceVersion; timeoutSeconds ends the stream cleanly.
 * sendInitialEvents=true (the WatchList of KEP-3157, beta and on in 1.32) is served too.
 */
import type { ServerResponse } from "node:http";
import type { WatchFault } from "./faults.js";
import { type ResourceType, groupVersion } from "./resources.js";
import { type FieldSelector, type LabelSelector, matchesFields, matchesLabels } from "./selectors.js";
import type { Change, KubeObject, Store } from "./store.js";
import { ApiError, type Pace, writePaced } from "./wire.js";

export interface WatchRequest {
  readonly type: ResourceType;
  /** null: every namespace (or a cluster-scoped type). */
  readonly namespace: string | null;
  readonly labels: LabelSelector;
  readonly fields: FieldSelector;
  /** undefined for "" and "0": start with the current state. */
  readonly resourceVersion: number | undefined;
  readonly bookmarks: boolean;
  /**
   * sendInitialEvents (WatchList): the current state as ADDED events, then a BOOKMARK annotated
   * `k8s.io/initial-events-end: "true"`, then the changes; resourceVersion is a lower bound only.
   */
  readonly initialEvents: boolean;
  readonly timeoutSeconds: number | undefined;
}

export interface WatchContext {
  readonly store: Store;
  readonly bookmarkIntervalMs: number;
  readonly fault: WatchFault | undefined;
  readonly pace: () => Pace;
  /** How an event's object is written (a Table of one row when the client asked for Tables). */
  readonly render?: (o: KubeObject) => unknown;
}

type EventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

/** The event a watcher sees for a change, or undefined: out of scope, or matching neither before nor after. */
function eventFor(w: WatchRequest, c: Change): { type: EventType; object: KubeObject } | undefined {
  if (c.resource !== w.type) return undefined;
  const inScope = (o: KubeObject | undefined): boolean =>
    o !== undefined &&
    (w.namespace === null || o.metadata.namespace === w.namespace) &&
    matchesLabels(w.labels, o.metadata.labels ?? {}) &&
    matchesFields(w.fields, o);
  const before = c.type !== "ADDED" && inScope(c.previous);
  const after = c.type !== "DELETED" && inScope(c.object);
  if (before && after) return { type: "MODIFIED", object: c.object };
  if (after) return { type: "ADDED", object: c.object };
  if (before) return { type: "DELETED", object: c.object };
  return undefined;
}

export function serveWatch(res: ServerResponse, w: WatchRequest, ctx: WatchContext): void {
  const { store, fault } = ctx;
  res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked", "Cache-Control": "no-cache, private" });
  res.flushHeaders();
  if (fault?.kind === "stall") return;

  let sent = 0;
  /** The close fault struck: nothing more is written. */
  let dropped = false;
  let queue: Promise<unknown> = Promise.resolve();
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe = (): void => {};
  const stop = (): void => {
    unsubscribe();
    for (const t of timers) clearTimeout(t);
  };
  res.on("close", stop);
  const finish = (): void => {
    stop();
    queue = queue.then(() => res.end());
  };
  const send = (type: EventType, object: unknown): void => {
    const shown = ctx.render !== undefined && type !== "BOOKMARK" && type !== "ERROR" ? ctx.render(object as KubeObject) : object;
    const line = `${JSON.stringify({ type, object: shown })}\n`;
    queue = queue.then(async () => {
      if (res.destroyed || dropped) return;
      await writePaced(res, line, ctx.pace());
      if (type === "BOOKMARK") return;
      sent++;
      if (fault?.kind === "close" && sent >= fault.afterEvents) {
        stop();
        dropped = true;
        // The events written reach the client; the chunked body never gets its end.
        res.socket?.destroySoon();
      }
    });
  };

  if (fault?.kind === "close" && fault.afterEvents === 0) {
    res.socket?.destroySoon();
    return;
  }

  const bookmarkObject = (annotations?: Record<string, string>): unknown => ({
    kind: w.type.kind,
    apiVersion: groupVersion(w.type),
    metadata: { resourceVersion: String(store.rv), creationTimestamp: null, ...(annotations === undefined ? {} : { annotations }) },
  });

  if (w.resourceVersion !== undefined && !w.initialEvents) {
    const changes = store.changesSince(w.resourceVersion);
    if (changes === undefined) {
      const gone = new ApiError(410, "Expired", `too old resource version: ${w.resourceVersion} (${store.oldest})`);
      send("ERROR", gone.status);
      finish();
      return;
    }
    for (const c of changes) {
      const e = eventFor(w, c);
      if (e !== undefined) send(e.type, e.object);
    }
  } else {
    const now = store.list(w.type);
    for (const key of now?.keys ?? []) {
      const object = now?.objects.get(key) as KubeObject;
      const e = eventFor(w, { rv: store.rv, type: "ADDED", resource: w.type, object, previous: undefined });
      if (e !== undefined) send(e.type, e.object);
    }
    if (w.initialEvents) send("BOOKMARK", bookmarkObject({ "k8s.io/initial-events-end": "true" }));
  }
  unsubscribe = store.subscribe((c) => {
    const e = eventFor(w, c);
    if (e !== undefined) send(e.type, e.object);
  });

  if (w.bookmarks) {
    timers.push(setInterval(() => send("BOOKMARK", bookmarkObject()), ctx.bookmarkIntervalMs));
  }
  if (w.timeoutSeconds !== undefined) timers.push(setTimeout(finish, w.timeoutSeconds * 1000));
}

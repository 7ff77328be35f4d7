/**
 * A reflector (client-go's name): keeps a cache of one resource in step with the API server and
 * tells a callback what changed. List → `synced` → watch from the list's resourceVersion; a stream
 * that ends resumes from the last resourceVersion seen (events and bookmarks move it); 410 Gone
 * relists and emits the difference from the cache as events (a real informer's Replace), then
 * `relisted`; errors retry with full-jitter backoff (never sooner than a 429's Retry-After), and the
 * attempt count resets after a healthy stretch. Stops when the AbortSignal fires.
 */
import { type BackoffPolicy, DEFAULT_BACKOFF, attemptAfter, backoffDelay } from "./backoff.js";
import { type KubeClient, type Selectors, type WatchEnd, type WatchEvent, apiVersionOf } from "./client.js";
import { type KubeError, formatDuration } from "./errors.js";
import type { LiveObject, LiveResource } from "./live.js";

export type ReflectorEvent =
  | { readonly type: "synced"; readonly objects: number }
  /** `deleted` after a relist: the object as the cache kept it (its identity and resourceVersion: headerOf). */
  | { readonly type: "added" | "modified" | "deleted"; readonly object: LiveObject }
  | { readonly type: "relisted"; readonly added: number; readonly modified: number; readonly deleted: number }
  | { readonly type: "error"; readonly message: string; readonly willRetry: boolean; readonly error?: KubeError };

/** Counters for /metrics. */
export interface ReflectorStats {
  lists: number;
  relists: number;
  watches: number;
  /** Why watch streams ended (each one a restart, except an abort). */
  readonly restarts: { closed: number; expired: number; stalled: number; error: number };
  errors: number;
  /** Events dropped because the cache already held that object at that resourceVersion. */
  duplicates: number;
}

export interface ReflectorOptions extends Selectors {
  readonly limit?: number;
  /** Applied to every object listed or watched before it is cached and emitted (trimObject keeps the agent small). */
  readonly map?: (o: LiveObject) => LiveObject;
  /** Each watch's timeoutSeconds. Default: random in [300, 600) s, as client-go (spreads reconnects over time). */
  readonly timeoutSeconds?: number;
  readonly inactivityMs?: number;
  readonly backoff?: BackoffPolicy;
  /** In [0, 1); tests fix it. */
  readonly random?: () => number;
  readonly now?: () => number;
}

export const objectKey = (o: LiveObject): string => `${o.metadata.namespace ?? ""}/${o.metadata.name}`;
const rvOf = (o: LiveObject): string | undefined => (typeof o.metadata["resourceVersion"] === "string" ? o.metadata["resourceVersion"] : undefined);

/**
 * What the cache keeps of an object: its resourceVersion, by namespace ("" for a cluster-scoped
 * object) and name: all that resuming, dropping duplicates and a relist's diff read (its apiVersion
 * and kind are the resource's). The consumer keeps what it needs of the objects it is sent (the node
 * agent: its decoded model objects); a second copy of 50k Pods here would weigh tens of MiB, and a
 * header object per object with its key string 0.24M objects for the garbage collector to mark.
 */
class VersionCache {
  private readonly byNamespace = new Map<string, Map<string, string | undefined>>();

  has(o: LiveObject): boolean {
    return this.byNamespace.get(o.metadata.namespace ?? "")?.has(o.metadata.name) ?? false;
  }

  /** The resourceVersion cached for the object (undefined: none, or not cached: see `has`). */
  version(o: LiveObject): string | undefined {
    return this.byNamespace.get(o.metadata.namespace ?? "")?.get(o.metadata.name);
  }

  set(o: LiveObject): void {
    const namespace = o.metadata.namespace ?? "";
    let names = this.byNamespace.get(namespace);
    if (names === undefined) {
      names = new Map();
      this.byNamespace.set(namespace, names);
    }
    names.set(o.metadata.name, rvOf(o));
  }

  /** Whether it was cached. */
  delete(o: LiveObject): boolean {
    const namespace = o.metadata.namespace ?? "";
    const names = this.byNamespace.get(namespace);
    if (names === undefined || !names.delete(o.metadata.name)) return false;
    if (names.size === 0) this.byNamespace.delete(namespace);
    return true;
  }

  clear(): void {
    this.byNamespace.clear();
  }

  /** Each cached object as its identity and resourceVersion: `apiVersion`, `kind`, `metadata` {name, namespace?, resourceVersion?}. */
  *headers(resource: LiveResource): Generator<LiveObject> {
    const apiVersion = apiVersionOf(resource);
    for (const [namespace, names] of this.byNamespace) {
      for (const [name, rv] of names) {
        yield { apiVersion, kind: resource.kind, metadata: { name, ...(namespace === "" ? {} : { namespace }), ...(rv === undefined ? {} : { resourceVersion: rv }) } };
      }
    }
  }
}

/** Resolves after `ms`, or at once when the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

export class Reflector {
  readonly stats: ReflectorStats = { lists: 0, relists: 0, watches: 0, restarts: { closed: 0, expired: 0, stalled: 0, error: 0 }, errors: 0, duplicates: 0 };
  private readonly cache = new VersionCache();
  private resourceVersion = "";
  private synced = false;

  constructor(
    private readonly client: KubeClient,
    readonly resource: LiveResource,
    private readonly options: ReflectorOptions = {},
  ) {}

  /** The objects as last seen, by "namespace/name": their apiVersion, kind, name, namespace and resourceVersion only (see VersionCache), built on each call. */
  get objects(): ReadonlyMap<string, LiveObject> {
    return new Map([...this.cache.headers(this.resource)].map((o) => [objectKey(o), o]));
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  /** The resourceVersion a resumed watch starts from. */
  get lastResourceVersion(): string {
    return this.resourceVersion;
  }

  async run(onEvent: (e: ReflectorEvent) => void, signal: AbortSignal): Promise<void> {
    const policy = this.options.backoff ?? DEFAULT_BACKOFF;
    const random = this.options.random ?? Math.random;
    const now = this.options.now ?? Date.now;
    const { namespace, labelSelector, fieldSelector } = this.options;
    const selectors: Selectors = { ...(namespace === undefined ? {} : { namespace }), ...(labelSelector === undefined ? {} : { labelSelector }), ...(fieldSelector === undefined ? {} : { fieldSelector }) };
    let attempt = 0;
    let needList = true;
    /** The next watch starts from a list just made: a 410 at once then is a server behind, not history lost. */
    let justListed = false;
    const retry = async (error: KubeError | undefined, message: string | undefined): Promise<void> => {
      if (message !== undefined) {
        this.stats.errors++;
        onEvent({ type: "error", message, willRetry: true, ...(error === undefined ? {} : { error }) });
      }
      const retryAfter = error?.kind === "http" ? error.retryAfterSeconds : undefined;
      await sleep(backoffDelay(policy, attempt, random(), retryAfter), signal);
      attempt++;
    };
    while (!signal.aborted) {
      if (needList) {
        const listed = await this.listInto(selectors, onEvent, signal);
        if (signal.aborted) return;
        if (!listed.ok) {
          await retry(listed.error, listed.message);
          continue;
        }
        needList = false;
        justListed = true;
      }
      const afterList = justListed;
      justListed = false;
      this.stats.watches++;
      const started = now();
      let events = 0;
      const end = await this.client.watch(
        this.resource,
        {
          ...selectors,
          resourceVersion: this.resourceVersion,
          timeoutSeconds: this.options.timeoutSeconds ?? Math.floor(300 * (1 + random())),
          ...(this.options.inactivityMs === undefined ? {} : { inactivityMs: this.options.inactivityMs }),
        },
        (e) => {
          events++;
          this.apply(e, onEvent);
        },
        signal,
      );
      if (end.kind === "aborted" || signal.aborted) return;
      const ranFor = now() - started;
      attempt = attemptAfter(policy, attempt, ranFor);
      this.stats.restarts[end.kind]++;
      // 410 at once from the list's own resourceVersion (a watch cache behind the list): relisting at once would list in a hot loop.
      if (end.kind === "expired" && afterList && events === 0) await retry(undefined, undefined);
      await this.afterWatch(end, ranFor, events, retry, onEvent, () => (needList = true));
    }
  }

  /**
   * Lists and replaces the cache with what it got. Its own frame: the listed items must not stay
   * reachable while the watch that follows runs (a suspended async frame keeps its locals: at 50k
   * pods that was 38 MiB of list items held for the life of the agent).
   */
  private async listInto(selectors: Selectors, onEvent: (e: ReflectorEvent) => void, signal: AbortSignal): Promise<{ readonly ok: true } | { readonly ok: false; readonly error: KubeError; readonly message: string }> {
    const listed = await this.client.list(
      this.resource,
      { ...selectors, ...(this.options.limit === undefined ? {} : { limit: this.options.limit }), ...(this.options.map === undefined ? {} : { map: this.options.map }) },
      signal,
    );
    if (signal.aborted) return { ok: true };
    if (!listed.ok) return { ok: false, error: listed.error, message: `list ${this.resource.resource}: ${listed.error.message}` };
    this.stats.lists++;
    this.replace(listed.value.items, onEvent);
    this.resourceVersion = listed.value.resourceVersion;
    return { ok: true };
  }

  private async afterWatch(end: Exclude<WatchEnd, { kind: "aborted" }>, ranFor: number, events: number, retry: (e: KubeError | undefined, m: string | undefined) => Promise<void>,
    onEvent: (e: ReflectorEvent) => void,
    relist: () => void,
  ): Promise<void> {
    switch (end.kind) {
      case "closed":
        // A normal end (timeoutSeconds): resume at once. A server that closes at once every time is backed off.
        if (ranFor < 1000 && events === 0) await retry(undefined, undefined);
        return;
      case "expired":
        relist();
        return;
      case "stalled":
        // A silent stream (half-open connection, stuck server): resume at once from the last resourceVersion.
        this.stats.errors++;
        onEvent({ type: "error", message: `watch ${this.resource.resource}: no data for ${formatDuration(end.afterMs)}: reconnecting`, willRetry: true });
        return;
      case "error":
        await retry(end.error, `watch ${this.resource.resource}: ${end.error.message}`);
        return;
    }
  }

  private apply(e: WatchEvent, onEvent: (e: ReflectorEvent) => void): void {
    if (e.type === "BOOKMARK") {
      this.resourceVersion = e.resourceVersion;
      return;
    }
    const object = this.options.map === undefined ? e.object : this.options.map(e.object);
    const rv = rvOf(object);
    if (rv !== undefined) this.resourceVersion = rv;
    if (e.type === "DELETED") {
      if (!this.cache.delete(object)) {
        this.stats.duplicates++;
        return;
      }
      onEvent({ type: "deleted", object });
      return;
    }
    const cached = this.cache.has(object);
    if (cached && rv !== undefined && this.cache.version(object) === rv) {
      this.stats.duplicates++;
      return;
    }
    this.cache.set(object);
    onEvent({ type: cached ? "modified" : "added", object });
  }

  /** The first list fills the cache; a relist emits what changed against it, then `relisted`. */
  private replace(items: readonly LiveObject[], onEvent: (e: ReflectorEvent) => void): void {
    const fresh = new Map(items.map((o) => [objectKey(o), o] as const));
    let added = 0;
    let modified = 0;
    let deleted = 0;
    for (const object of fresh.values()) {
      if (!this.cache.has(object)) {
        added++;
        onEvent({ type: "added", object });
      } else if (this.cache.version(object) !== rvOf(object) || rvOf(object) === undefined) {
        modified++;
        onEvent({ type: "modified", object });
      }
    }
    for (const object of this.cache.headers(this.resource)) {
      if (!fresh.has(objectKey(object))) {
        deleted++;
        onEvent({ type: "deleted", object });
      }
    }
    this.cache.clear();
    for (const object of fresh.values()) this.cache.set(object);
    if (!this.synced) {
      this.synced = true;
      onEvent({ type: "synced", objects: fresh.size });
    } else {
      this.stats.relists++;
      onEvent({ type: "relisted", added, modified, deleted });
    }
  }
}

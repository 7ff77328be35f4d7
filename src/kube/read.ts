/**
 * A read command's view of a live cluster: every modelled resource listed (paginated, a few at a
 * time), objects trimmed, and what could not be read said as MissingAccess — a 403 is never a
 * silent drop, and a 404 on an optional kind (admin policy CRDs not installed) is `not-served`. With a namespace (-n)
 * namespaced kinds are listed in that namespace only; Namespaces and the cluster-scoped kinds are
 * still read, since selectors reach across namespaces (a forbidden Namespace list falls back to
 * getting the one namespace). Any other failure (unreachable, 401, a server error that persists)
 * fails the whole read: a partial answer would look complete.
 */
import { backoffDelay, DEFAULT_BACKOFF } from "./backoff.js";
import { KubeClient } from "./client.js";
import { type KubeError, type Result, fail, isHttp, ok } from "./errors.js";
import type { ClusterConfig } from "./kubeconfig.js";
import type { LiveObject, LiveRead, LiveResource, MissingAccess } from "./live.js";
import { sleep } from "./reflector.js";
import { LIVE_RESOURCES } from "./resources.js";
import { Transport, type TransportOptions } from "./transport.js";
import { trimObject } from "./trim.js";

export interface LiveReadOptions {
  /** `-n NS`: namespaced kinds from this namespace only; null: all namespaces (`-A`). */
  readonly namespace: string | null;
  /** Lists running at once. Default 4. */
  readonly concurrency?: number;
  /** Page size. Default 500. */
  readonly limit?: number;
  /** Attempts for a 429 or 5xx before the read fails. Default 3. */
  readonly attempts?: number;
  readonly transport?: TransportOptions;
  readonly resources?: readonly LiveResource[];
  readonly signal?: AbortSignal;
}

type Outcome = { readonly objects: readonly LiveObject[]; readonly missing: readonly MissingAccess[] };

const retriable = (e: KubeError): boolean => isHttp(e, "too-many-requests") || isHttp(e, "server");

export async function readLiveCluster(config: ClusterConfig, options: LiveReadOptions): Promise<Result<LiveRead>> {
  const transport = new Transport(config, options.transport);
  const client = new KubeClient(transport);
  const stop = new AbortController();
  const signal = options.signal === undefined ? stop.signal : AbortSignal.any([options.signal, stop.signal]);
  const resources = options.resources ?? LIVE_RESOURCES;
  const outcomes: (Outcome | undefined)[] = resources.map(() => undefined);
  let failure: KubeError | undefined;

  const readOne = async (r: LiveResource): Promise<Result<Outcome>> => {
    const namespace = r.namespaced && options.namespace !== null ? options.namespace : undefined;
    for (let attempt = 0; ; attempt++) {
      const listed = await client.list(r, { ...(namespace === undefined ? {} : { namespace }), ...(options.limit === undefined ? {} : { limit: options.limit }), map: trimObject }, signal);
      if (listed.ok) return ok({ objects: listed.value.items, missing: [] });
      const error = listed.error;
      if (retriable(error) && attempt + 1 < (options.attempts ?? 3)) {
        await sleep(backoffDelay(DEFAULT_BACKOFF, attempt, Math.random(), error.kind === "http" ? error.retryAfterSeconds : undefined), signal);
        continue;
      }
      // A 404 is "none here" only for a kind the cluster may not serve; on a built-in kind it is a wrong server (a path lost, a proxy): fail.
      if (error.kind !== "http" || (error.status !== "forbidden" && !(error.status === "not-found" && r.optional === true))) return listed;
      const missing: MissingAccess = { verb: "list", resource: r, namespace: namespace ?? null, reason: error.status === "forbidden" ? "forbidden" : "not-served", message: error.message };
      if (r.kind === "Namespace" && options.namespace !== null && error.status === "forbidden") {
        const one = await client.get(r, options.namespace, undefined, signal);
        if (one.ok) return ok({ objects: [trimObject(one.value)], missing: [missing] });
        if (one.error.kind !== "http" || one.error.status !== "forbidden") return one;
        return ok({ objects: [], missing: [missing, { verb: "get", resource: r, namespace: null, reason: "forbidden", message: one.error.message }] });
      }
      return ok({ objects: [], missing: [missing] });
    }
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < resources.length) {
      const index = next++;
      const outcome = await readOne(resources[index]!);
      if (!outcome.ok) {
        failure ??= outcome.error;
        stop.abort();
        return;
      }
      outcomes[index] = outcome.value;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, resources.length)) }, worker));
  } finally {
    transport.close();
  }
  if (failure !== undefined) return fail(failure);
  const done = outcomes.filter((o): o is Outcome => o !== undefined);
  return ok({
    objects: done.flatMap((o) => o.objects),
    missing: done.flatMap((o) => o.missing),
    source: `cluster ${config.cluster.server} (${config.origin})`,
  });
}

/**
 * The agent's watches over the client (src/kube): one reflector per resource the agent reads, each
 * object trimmed to what the model reads before the reflector caches it (a 50k-pod cluster's full
 * Pod objects would weigh gigabytes), and `alive` reported whenever a stream delivers.
 */
import { KubeClient, type WatchEnd, type WatchEvent as StreamEvent, type WatchOptions } from "../kube/client.js";
import type { ClusterConfig } from "../kube/kubeconfig.js";
import type { LiveResource } from "../kube/live.js";
import { Reflector, type ReflectorOptions } from "../kube/reflector.js";
import { ADMIN_POLICY_RESOURCES, LIVE_RESOURCES } from "../kube/resources.js";
import { trimObject } from "../kube/trim.js";
import { Transport, type TransportOptions } from "../kube/transport.js";
import type { WatchEvent, WatchSource } from "./agent.js";

/** What the agent watches: Namespaces, Pods (all: peers too), NetworkPolicies, Nodes, Services, and the admin policy kinds (optional: their CRDs may not be installed). */
export const AGENT_RESOURCES: readonly LiveResource[] = LIVE_RESOURCES.filter((r) => ["Namespace", "Pod", "NetworkPolicy", "Node", "Service"].includes(r.kind) || ADMIN_POLICY_RESOURCES.includes(r));

/** Calls `alive` whenever a stream delivers an event or a bookmark: the API answers again. */
class AliveClient extends KubeClient {
  constructor(
    transport: Transport,
    private readonly alive: (r: LiveResource) => void,
  ) {
    super(transport);
  }

  override watch(r: LiveResource, options: WatchOptions, onEvent: (e: StreamEvent) => void, signal?: AbortSignal): Promise<WatchEnd> {
    return super.watch(
      r,
      options,
      (e) => {
        this.alive(r);
        onEvent(e);
      },
      signal,
    );
  }
}

export interface KubeWatches {
  readonly sources: readonly WatchSource[];
  /** Closes the connections (after every source has stopped). */
  close(): void;
}

export function kubeWatches(config: ClusterConfig, options: { readonly reflector?: ReflectorOptions; readonly transport?: TransportOptions } = {}): KubeWatches {
  const transport = new Transport(config, options.transport);
  const listeners = new Map<LiveResource, (e: WatchEvent) => void>();
  const client = new AliveClient(transport, (r) => listeners.get(r)?.({ type: "alive" }));
  const sources = AGENT_RESOURCES.map((resource): WatchSource => {
    // Trimmed as each page and event arrives, before the reflector caches it (its `map`).
    const reflector = new Reflector(client, resource, { ...options.reflector, map: trimObject });
    return {
      kind: resource.kind,
      resource: resource.resource,
      ...(resource.optional === true ? { optional: true } : {}),
      start(onEvent) {
        const abort = new AbortController();
        listeners.set(resource, onEvent);
        reflector.run(onEvent, abort.signal).catch((e: unknown) => onEvent({ type: "error", message: `watch ${resource.resource}: ${e instanceof Error ? e.message : String(e)}`, willRetry: false }));
        return () => {
          listeners.delete(resource);
          abort.abort();
        };
      },
      restarts: () => ({ ...reflector.stats.restarts }),
    };
  });
  return { sources, close: () => transport.close() };
}

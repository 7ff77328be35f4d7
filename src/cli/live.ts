/**
 * Reading a live cluster from the CLI: what a reader gives back, and the default reader, which loads
 * the client (src/kube/client*) with a dynamic import only when a live read happens, so file
 * commands do not load it (a test checks main's static import graph).
 */
import type { LiveRead } from "../kube/live.js";
import type { ClusterFlags, LiveScope } from "./options.js";

/** Why a live read gave nothing: the exit status (docs/exit-codes.md); `internal`: a server error that persisted, a body that is not JSON. */
export type LiveFailure = "cluster-unreachable" | "cluster-credentials" | "kubeconfig" | "internal";

export type LiveOutcome =
  /** `namespace`: the namespace read (-n's, or the context's); null: every namespace. */
  | { readonly kind: "read"; readonly read: LiveRead; readonly namespace: string | null }
  /** No cluster configured: no --kubeconfig, no KUBECONFIG, no ~/.kube/config with a current context, not in a pod. */
  | { readonly kind: "not-configured" }
  | { readonly kind: "failed"; readonly failure: LiveFailure; readonly message: string };

export interface LiveRequest {
  readonly flags: ClusterFlags;
  readonly scope: LiveScope;
}

/** Reads a cluster; never throws for what the cluster or the configuration does (a failed outcome). */
export type ClusterReader = (request: LiveRequest) => Promise<LiveOutcome>;

/** The real client, loaded when first asked for. */
export const readClusterLazily: ClusterReader = async (request) => (await import("./live-client.js")).readConfiguredCluster(request);

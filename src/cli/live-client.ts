/**
 * The glue between the CLI and the client (src/kube): configuration as kubectl finds it, the read,
 * and the client's errors as the CLI's failures. Loaded only by a dynamic import (live.ts).
 */
import { kubeconfigPaths, loadClusterConfig } from "../kube/config-load.js";
import type { KubeError } from "../kube/errors.js";
import { readLiveCluster } from "../kube/read.js";
import type { LiveFailure, LiveOutcome, LiveRequest } from "./live.js";

/** Whether a cluster is configured at all when none was asked for: a kubeconfig file kubectl would read, or a pod's environment. */
function configured(env: Readonly<Record<string, string | undefined>>): boolean {
  const host = env["KUBERNETES_SERVICE_HOST"];
  return kubeconfigPaths({ env }).paths.length > 0 || (host !== undefined && host !== "");
}

/** What each client error means for the exit code (docs/exit-codes.md). */
export function failureOf(error: KubeError): LiveFailure {
  switch (error.kind) {
    case "config":
      return "kubeconfig";
    case "credentials":
      return "cluster-credentials";
    case "unreachable":
    case "tls":
      return "cluster-unreachable";
    case "http":
      return error.status === "unauthorized" ? "cluster-credentials" : "internal";
    case "decode":
    case "aborted":
      return "internal";
  }
}

export async function readConfiguredCluster(request: LiveRequest): Promise<LiveOutcome> {
  const { flags, scope } = request;
  const asked = flags.kubeconfig !== null || flags.context !== null;
  if (!asked && !configured(process.env)) return { kind: "not-configured" };
  const config = loadClusterConfig({ ...(flags.kubeconfig === null ? {} : { kubeconfig: flags.kubeconfig }), ...(flags.context === null ? {} : { context: flags.context }) });
  if (!config.ok) return { kind: "failed", failure: "kubeconfig", message: config.error.message };
  // kubectl's default: the context's namespace ("default" when it names none); -A reads every one.
  const namespace = scope.kind === "all" ? null : scope.kind === "namespace" ? scope.name : config.value.namespace;
  const read = await readLiveCluster(config.value, { namespace });
  if (read.ok) return { kind: "read", read: read.value, namespace };
  return { kind: "failed", failure: failureOf(read.error), message: read.error.message };
}

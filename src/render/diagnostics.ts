import type { Diagnostic } from "../diag/diagnostic.js";
import { formatLocation } from "../diag/location.js";
import type { GroupingNotes, PodDifference, PodSplit } from "../k8s/endpoints.js";
import { ADMIN_POLICY_SOURCES } from "../model/admin-policy.js";
import { type Cluster, formatObjectRef } from "../model/cluster.js";
import type { Labels } from "../model/labels.js";
import type { PodNetwork, PodNetworkFrom } from "../model/pod-network.js";

/**
 * One line per diagnostic, as compilers print them:
 * `file:line:column: error: NetworkPolicy production/app-egress: spec.egress[1].to[0]: message`.
 * A live object has no file position: `error: Pod production/web-api-7d9f: spec.containers[0]: message`.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const live = d.at !== undefined && d.at.file === undefined;
  const position = d.at === undefined || live ? null : formatLocation(d.at);
  const object = d.object ?? (live && d.at !== undefined ? formatLocation(d.at) : null);
  const parts = [position, d.severity, object, d.at === undefined || d.at.path === "" ? null : d.at.path, d.message];
  return parts.filter((p): p is string => p !== null).join(": ");
}

/** `skipped 3 kinds: ConfigMap (2), Ingress (1)`: what -v reports about objects not modelled. */
export function formatSkipped(skipped: readonly { readonly kind: string; readonly count: number }[]): string | null {
  if (skipped.length === 0) return null;
  const total = skipped.reduce((n, s) => n + s.count, 0);
  return `skipped ${total} object${total === 1 ? "" : "s"} of kinds not modelled: ${skipped.map((s) => `${s.kind} (${s.count})`).join(", ")}`;
}

function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/**
 * What -v reports about the input: `read 7 files: 3 namespaces, 5 endpoints, 1 service, 6
 * NetworkPolicies`, then each admin policy kind the input has (`2 ClusterNetworkPolicies`).
 */
export function formatLoaded(files: number, cluster: Cluster): string {
  return formatLoadedFrom(count(files, "file"), cluster);
}

/** `read cluster https://10.0.0.1:6443 (context prod, …): 3 namespaces, …`: what -v says of a live read (`source` as the reader names it). */
export function formatLoadedFrom(source: string, cluster: Cluster): string {
  const namespaces = [...cluster.namespaces.values()].filter((n) => n.declared).length;
  const admin = ADMIN_POLICY_SOURCES.map(({ kind }) => [kind, (cluster.adminPolicies ?? []).filter((p) => p.source.kind === kind).length] as const)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `, ${count(n, kind, `${kind.slice(0, -1)}ies`)}`)
    .join("");
  return `read ${source}: ${count(namespaces, "namespace")}, ${count(cluster.endpoints.length, "endpoint")}, ${count(cluster.services.length, "service")}, ${count(cluster.policies.length, "NetworkPolicy", "NetworkPolicies")}${admin}`;
}

/** Where the pod network came from, as the answers' assumption line says it. */
export function podNetworkOrigin(from: PodNetworkFrom): string {
  return from === "nodes" ? "from the Nodes' spec.podCIDRs; --pod-cidr overrides" : "--pod-cidr";
}

/** What -v reports about the pod network: `pod network: 10.244.0.0/16 (the default; --pod-cidr sets it)`. */
export function formatPodNetwork(p: PodNetwork): string {
  const origin = p.from === "default" ? "the default; --pod-cidr sets it" : p.from === "flag" ? "from --pod-cidr; it wins over Nodes' spec.podCIDRs" : podNetworkOrigin(p.from);
  return `pod network: ${p.podNetwork.toString()} (${origin})`;
}

const labelList = (labels: Labels): string => [...labels].map(([k, v]) => `${k}=${v}`).join(", ");

function differenceText(d: PodDifference): string {
  switch (d.kind) {
    case "labels":
      return `labels differ: ${[labelList(d.extra), d.lacking.size === 0 ? "" : `without ${labelList(d.lacking)}`].filter((t) => t !== "").join(", ")}`;
    case "ports":
      return `ports differ: ${d.ports.length === 0 ? "none declared" : d.ports.map((p) => `${p.protocol} ${p.port}${p.name === undefined ? "" : ` (${p.name})`}`).join(", ")}`;
    case "host-network":
      return d.hostNetwork ? "host network" : "not host network";
    case "address":
      return d.known ? "has a pod IP" : "no pod IP yet";
  }
}

/** `StatefulSet db/db: pod db-1 is its own endpoint (labels differ: quarantine=true)`: what -v says about a split. */
export function formatPodSplit(s: PodSplit): string {
  return `${formatObjectRef(s.owner)}: pod ${s.pod} is its own endpoint (${s.differences.map(differenceText).join("; ")})`;
}

/** `skipped 3 terminated pods (Succeeded 2, Failed 1)`: pods that are no endpoints; null when there are none. */
export function formatGonePods(gone: GroupingNotes["gone"]): string | null {
  const total = gone.reduce((n, g) => n + g.count, 0);
  if (total === 0) return null;
  return `skipped ${count(total, "terminated pod")} (${gone.map((g) => `${g.why} ${g.count}`).join(", ")}): not endpoints`;
}

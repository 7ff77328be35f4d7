/**
 * Server-side printing (meta.k8s.io/v1 Table), as kube-apiserver answers `Accept: application/json;as=Table;…`,
 * for pods only: the columns of pkg/printers/internalversion printPod, so `kubectl get pods [-o wide]`
 * prints what it prints against a cluster. Other types are served as plain lists (kubectl then prints
 * its default NAME/AGE columns).
 */
import type { IncomingMessage } from "node:http";
import type { ResourceType } from "./resources.js";
import type { KubeObject } from "./store.js";

/** Whether the client asks for a Table first (kubectl get does; kubectl get -o json does not). */
export function wantsTable(req: IncomingMessage): boolean {
  const first = (req.headers.accept ?? "").split(",")[0] ?? "";
  return /;\s*as=Table/.test(first) && /g=meta\.k8s\.io/.test(first);
}

interface Column {
  readonly name: string;
  readonly type: string;
  readonly format: string;
  readonly description: string;
  readonly priority: number;
}

const col = (name: string, type: string, description: string, priority = 0, format = ""): Column => ({ name, type, format, description, priority });

const POD_COLUMNS: readonly Column[] = [
  col("Name", "string", "Name must be unique within a namespace.", 0, "name"),
  col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
  col("Status", "string", "The aggregate status of the containers in this pod."),
  col("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
  col("Age", "string", "CreationTimestamp is a timestamp representing the server time when this object was created."),
  col("IP", "string", "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", 1),
  col("Node", "string", "NodeName is a request to schedule this pod onto a specific node.", 1),
  col("Nominated Node", "string", "nominatedNodeName is set when this pod preempts other pods on the node.", 1),
  col("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness.", 1),
];

/** apimachinery's duration.HumanDuration: "5s", "2m3s", "10m", "3h4m", "2d3h", "10d", "2y3d". */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return "<invalid>";
  if (s < 0) return "0s";
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 192) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  const d = Math.floor(h / 24);
  if (d < 730) return `${d}d`;
  const y = Math.floor(d / 365);
  return d % 365 === 0 ? `${y}y` : `${y}y${d % 365}d`;
}

interface ContainerStatus {
  readonly ready?: boolean;
  readonly restartCount?: number;
  readonly state?: { waiting?: { reason?: string }; terminated?: { reason?: string; exitCode?: number; signal?: number }; running?: unknown };
}

/** printPod's STATUS: the pod's reason, else its phase, overridden by a waiting or terminated container's reason; Terminating when deleted. */
function podStatus(pod: KubeObject): string {
  const status = (pod["status"] ?? {}) as { phase?: string; reason?: string; containerStatuses?: ContainerStatus[] };
  let reason = status.reason ?? status.phase ?? "Pending";
  for (const c of [...(status.containerStatuses ?? [])].reverse()) {
    const waiting = c.state?.waiting?.reason;
    const terminated = c.state?.terminated;
    if (waiting !== undefined && waiting !== "") reason = waiting;
    else if (terminated !== undefined) reason = terminated.reason ?? (terminated.signal !== undefined ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`);
  }
  if (pod.metadata["deletionTimestamp"] !== undefined) reason = status.reason === "NodeLost" ? "Unknown" : "Terminating";
  return reason;
}

function podRow(pod: KubeObject, now: number): unknown[] {
  const spec = (pod["spec"] ?? {}) as { containers?: unknown[]; nodeName?: string; readinessGates?: unknown[] };
  const status = (pod["status"] ?? {}) as { podIP?: string; nominatedNodeName?: string; containerStatuses?: ContainerStatus[] };
  const statuses = status.containerStatuses ?? [];
  const ready = statuses.filter((c) => c.ready === true).length;
  const restarts = statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const created = Date.parse(String(pod.metadata["creationTimestamp"] ?? ""));
  return [
    pod.metadata.name,
    `${ready}/${spec.containers?.length ?? 0}`,
    podStatus(pod),
    String(restarts),
    Number.isNaN(created) ? "<unknown>" : humanDuration(now - created),
    status.podIP ?? "<none>",
    spec.nodeName ?? "<none>",
    status.nominatedNodeName ?? "<none>",
    spec.readinessGates === undefined ? "<none>" : `0/${spec.readinessGates.length}`,
  ];
}

/** A row's object: PartialObjectMetadata by default (includeObject=Metadata), the object (Object), none (None). */
function rowObject(o: KubeObject, includeObject: string | null): unknown {
  if (includeObject === "None") return undefined;
  if (includeObject === "Object") return o;
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata };
}

export type TableOf = (items: readonly KubeObject[], listMeta: Record<string, unknown>, includeObject: string | null) => unknown;

/** The Table printer of a type; undefined where the stand-in serves plain lists. */
export function tableOf(type: ResourceType): TableOf | undefined {
  if (type.group !== "" || type.resource !== "pods") return undefined;
  return (items, listMeta, includeObject) => {
    const now = Date.now();
    return {
      kind: "Table",
      apiVersion: "meta.k8s.io/v1",
      metadata: listMeta,
      columnDefinitions: POD_COLUMNS,
      rows: items.map((o) => ({ cells: podRow(o, now), object: rowObject(o, includeObject) })),
    };
  };
}

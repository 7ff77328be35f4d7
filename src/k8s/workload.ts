import { messages } from "../diag/catalogue.js";
import type { Location } from "../diag/location.js";
import type { WorkloadKind } from "../model/cluster.js";
import type { Labels } from "../model/labels.js";
import type { ContainerPort } from "../model/ports.js";
import { type Ip, parseIp } from "../net/ip.js";
import { codes } from "./codes.js";
import type { ObjectHeader, OwnerRef } from "./header.js";
import type { FieldPath } from "./path.js";
import { readPortNumber, readProtocol, checkPortName } from "./policy-port.js";
import { type Field, type Reader, child, isAbsent, missing, readBoolean, readItemMap, readList, readMap, readString } from "./reader.js";
import { readLabels } from "./selector.js";
import { exact } from "./values.js";

export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  "Pod",
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "ReplicaSet",
  "ReplicationController",
  "Job",
  "CronJob",
];

export function isWorkloadKind(kind: string): kind is WorkloadKind {
  return (WORKLOAD_KINDS as readonly string[]).includes(kind);
}

/** A decoded Pod or workload: what its pods look like, before pods are grouped under owners. */
export interface WorkloadObject {
  readonly kind: WorkloadKind;
  readonly namespace: string;
  readonly name: string;
  /** The pod's labels; for a workload, its pod template's. */
  readonly podLabels: Labels;
  readonly ports: readonly ContainerPort[];
  readonly hostNetwork: boolean;
  /** Pods only. */
  readonly ips: readonly Ip[];
  /** Pods only: set when the pod's status says it is off the network for good (see `podGone`). */
  readonly gone?: PodGone;
  readonly owner: OwnerRef | undefined;
  readonly annotations: Labels;
  readonly at: Location;
}

/**
 * Why a pod is not an endpoint any more, from what the data says:
 * - `Succeeded`/`Failed`: "all containers in the Pod have terminated" (status.phase); its
 *   status.podIP lingers in a dump, and the address may already belong to another pod.
 * - `deleted`: metadata.deletionTimestamp is set AND every container status is `terminated`. A pod
 *   being deleted is still running, and still sending, until its containers stop (the grace period,
 *   30 s by default), and its policies apply until then: deletionTimestamp alone keeps it an
 *   endpoint, so that the enforcer does not drop a running pod's rules early (fail open).
 */
export type PodGone = "Succeeded" | "Failed" | "deleted";

/** Where the pod template sits: a Pod is its own; a CronJob's is inside its job template. */
function templatePath(kind: WorkloadKind): FieldPath | undefined {
  if (kind === "Pod") return undefined;
  if (kind === "CronJob") return ["spec", "jobTemplate", "spec", "template"];
  return ["spec", "template"];
}

export function readWorkload(r: Reader, kind: WorkloadKind, header: ObjectHeader): WorkloadObject | undefined {
  const path = templatePath(kind);
  let podLabels = header.labels;
  let spec: Field = child(r.root(), "spec");
  if (path !== undefined) {
    const template = path.reduce<Field>((f, key) => child(f, key), r.root());
    if (readMap(r, template) === undefined) {
      if (isAbsent(template)) missing(r, template);
      return undefined;
    }
    podLabels = readLabels(r, child(child(template, "metadata"), "labels"));
    spec = child(template, "spec");
  }
  readMap(r, spec);
  const ports = readContainerPorts(r, spec);
  const hostNetwork = readBoolean(r, child(spec, "hostNetwork")) ?? false;
  const ips = kind === "Pod" ? readPodIps(r) : [];
  const gone = kind === "Pod" ? podGone(r) : undefined;
  if (r.failed) return undefined;
  return {
    kind,
    namespace: header.ref.namespace,
    name: header.ref.name,
    podLabels,
    ports,
    hostNetwork,
    ips,
    ...(gone === undefined ? {} : { gone }),
    owner: header.owner,
    annotations: header.annotations,
    at: r.at([]),
  };
}

/** The ports of all containers: the targets of named ports. */
function readContainerPorts(r: Reader, spec: Field): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const container of readList(r, child(spec, "containers")) ?? []) {
    if (readItemMap(r, container) === undefined) continue;
    for (const item of readList(r, child(container, "ports")) ?? []) {
      if (readItemMap(r, item) === undefined) continue;
      const portField = child(item, "containerPort");
      const port = readPortNumber(r, portField);
      if (port === undefined && isAbsent(portField)) missing(r, portField);
      const protocol = readProtocol(r, child(item, "protocol"));
      const nameField = child(item, "name");
      const name = readString(r, nameField);
      if (name !== undefined && name !== "") checkPortName(r, name, nameField);
      if (port === undefined || protocol === undefined) continue;
      out.push(name === undefined || name === "" ? { port, protocol } : { name, port, protocol });
    }
  }
  return exact(out);
}

/** Why a pod is off the network for good (PodGone), or undefined while it may run. */
function podGone(r: Reader): PodGone | undefined {
  const status = child(r.root(), "status");
  const phase = readString(r, child(status, "phase"));
  if (phase === "Succeeded" || phase === "Failed") return phase;
  const deletion = readString(r, child(child(r.root(), "metadata"), "deletionTimestamp"));
  if (deletion === undefined || deletion === "") return undefined;
  const statuses = readList(r, child(status, "containerStatuses")) ?? [];
  const terminated = statuses.filter((s) => !isAbsent(child(child(s, "state"), "terminated")));
  return statuses.length > 0 && terminated.length === statuses.length ? "deleted" : undefined;
}

/** `status.podIPs[*].ip` and `status.podIP`, without repeats. */
function readPodIps(r: Reader): Ip[] {
  const status = child(r.root(), "status");
  const fields: Field[] = [];
  for (const item of readList(r, child(status, "podIPs")) ?? []) {
    if (readItemMap(r, item) !== undefined) fields.push(child(item, "ip"));
  }
  fields.push(child(status, "podIP"));
  const out: Ip[] = [];
  for (const field of fields) {
    const text = readString(r, field);
    if (text === undefined || text === "") continue;
    const ip = parseIp(text);
    if (ip === undefined) r.error(codes.invalidIp, messages.invalidIp(text), field.path);
    else if (!out.some((o) => o.family === ip.family && o.value === ip.value)) out.push(ip);
  }
  return exact(out);
}

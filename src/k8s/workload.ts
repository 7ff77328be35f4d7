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
  readonly owner: OwnerRef | undefined;
  readonly annotations: Labels;
  readonly at: Location;
}

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
  if (r.failed) return undefined;
  return { kind, namespace: header.ref.namespace, name: header.ref.name, podLabels, ports, hostNetwork, ips, owner: header.owner, annotations: header.annotations, at: r.at([]) };
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
  return out;
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
  return out;
}

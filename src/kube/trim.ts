/**
 * Objects trimmed to what the decoders (src/k8s) read, so that a 50k-pod cluster does not sit in
 * memory with its managedFields, env vars, volumes and node images. Pure. What is kept, by kind:
 * - metadata: name, namespace, uid, resourceVersion, generation, creationTimestamp,
 *   deletionTimestamp, labels, annotations (without kubectl's last-applied-configuration),
 *   ownerReferences;
 * - pod specs (a Pod's, a workload's template): containers/initContainers as name, ports (and an
 *   init container's restartPolicy), hostNetwork, nodeName; a Pod's status: phase, podIP(s),
 *   hostIP(s), containerStatuses as name and state;
 * - workloads: spec.selector, replicas, the template (CronJob: jobTemplate's); no status;
 * - Node: spec.podCIDR(s), taints, unschedulable; status.addresses;
 * - Namespace: status.phase;
 * - Service, NetworkPolicy, admin policies: the whole spec (small, and read nearly whole); no status.
 */
import type { LiveObject } from "./live.js";
import { isRecord } from "../k8s/values.js";

type Json = Record<string, unknown>;

export const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

const METADATA_KEYS = ["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "labels", "annotations", "ownerReferences"];
const CONTAINER_KEYS = ["name", "ports", "restartPolicy"];
const POD_SPEC_KEYS = ["hostNetwork", "nodeName"];
const POD_STATUS_KEYS = ["phase", "podIP", "podIPs", "hostIP", "hostIPs"];

/** `source` with only `keys` (those present). */
function pick(source: unknown, keys: readonly string[]): Json | undefined {
  if (!isRecord(source)) return undefined;
  const out: Json = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

function trimMetadata(meta: unknown): Json {
  const out = pick(meta, METADATA_KEYS) ?? {};
  const annotations = out["annotations"];
  if (isRecord(annotations) && LAST_APPLIED in annotations) {
    const { [LAST_APPLIED]: _, ...rest } = annotations;
    out["annotations"] = rest;
  }
  return out;
}

const trimContainers = (list: unknown): unknown => (Array.isArray(list) ? list.map((c) => pick(c, CONTAINER_KEYS) ?? c) : list);

function trimPodSpec(spec: unknown): unknown {
  if (!isRecord(spec)) return spec;
  const out = pick(spec, POD_SPEC_KEYS)!;
  if (spec["containers"] !== undefined) out["containers"] = trimContainers(spec["containers"]);
  if (spec["initContainers"] !== undefined) out["initContainers"] = trimContainers(spec["initContainers"]);
  return out;
}

function trimPodStatus(status: unknown): unknown {
  if (!isRecord(status)) return status;
  const out = pick(status, POD_STATUS_KEYS)!;
  const statuses = status["containerStatuses"];
  if (Array.isArray(statuses)) out["containerStatuses"] = statuses.map((s) => pick(s, ["name", "state"]) ?? s);
  return out;
}

function trimTemplate(template: unknown): unknown {
  if (!isRecord(template)) return template;
  return { metadata: pick(template["metadata"], ["labels", "annotations"]) ?? {}, spec: trimPodSpec(template["spec"]) };
}

function trimWorkloadSpec(kind: string, spec: unknown): unknown {
  if (!isRecord(spec)) return spec;
  const out = pick(spec, ["selector", "replicas"])!;
  if (kind === "CronJob") {
    const job = spec["jobTemplate"];
    if (isRecord(job)) {
      const jobSpec = job["spec"];
      out["jobTemplate"] = { metadata: pick(job["metadata"], ["labels", "annotations"]) ?? {}, spec: isRecord(jobSpec) ? { ...pick(jobSpec, ["selector"]), template: trimTemplate(jobSpec["template"]) } : jobSpec };
    } else if (job !== undefined) out["jobTemplate"] = job;
  } else if (spec["template"] !== undefined) out["template"] = trimTemplate(spec["template"]);
  return out;
}

/** The object with only what the model reads (see the file comment). Unknown kinds keep their spec. */
export function trimObject(o: LiveObject): LiveObject {
  const base: Json = { apiVersion: o.apiVersion, kind: o.kind, metadata: trimMetadata(o.metadata) };
  const spec = o["spec"];
  const status = o["status"];
  switch (o.kind) {
    case "Pod":
      if (spec !== undefined) base["spec"] = trimPodSpec(spec);
      if (status !== undefined) base["status"] = trimPodStatus(status);
      break;
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "ReplicaSet":
    case "ReplicationController":
    case "Job":
    case "CronJob":
      if (spec !== undefined) base["spec"] = trimWorkloadSpec(o.kind, spec);
      break;
    case "Node":
      if (spec !== undefined) base["spec"] = pick(spec, ["podCIDR", "podCIDRs", "taints", "unschedulable"]) ?? spec;
      if (status !== undefined) base["status"] = pick(status, ["addresses"]) ?? status;
      break;
    case "Namespace":
      if (status !== undefined) base["status"] = pick(status, ["phase"]) ?? status;
      break;
    default:
      if (spec !== undefined) base["spec"] = spec;
  }
  return base as unknown as LiveObject;
}

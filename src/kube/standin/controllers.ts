/**
 * The stand-in cluster's control plane beyond storage, small: admission defaults (a Service's
 * ClusterIP allocated, a pod's restartPolicy and Pending status; no new content in a terminating
 * namespace), the scheduler (pods without a node bound round robin to the kubelets' nodes), the
 * namespace controller (a deleted namespace Terminating, its content deleted, then itself), and the
 * ReplicaSet controller's adoption: an orphan pod its selector matches is adopted and a surplus pod
 * deleted, ranked as the real controller ranks them; a pod with a controller ownerReference is never
 * adopted. The ReplicaSet controller creates no pods (no templates are run).
 */
import type { PodEvents } from "./events.js";
import { labelSelectorOf, selects } from "./kube-proxy.js";
import { RESOURCES, typeOfObject } from "./resources.js";
import type { KubeObject, StandIn, StoreEvent } from "./standin.js";
import { ApiError } from "./wire.js";

/** The Service ClusterIP range (kubeadm's default 10.96.0.0/12; the stand-in allocates in 10.96.0.0/16). */
export const SERVICE_RANGE = { prefix: "10.96", kubernetes: "10.96.0.1", dns: "10.96.0.10" } as const;

interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
  readonly blockOwnerDeletion?: boolean;
}

const ownerRefs = (o: KubeObject): readonly OwnerReference[] => (o.metadata["ownerReferences"] as OwnerReference[] | undefined) ?? [];
const controllerOf = (o: KubeObject): OwnerReference | undefined => ownerRefs(o).find((r) => r.controller === true);
const terminating = (o: KubeObject): boolean => o.metadata["deletionTimestamp"] !== undefined;
const spec = <T>(o: KubeObject): T => (o["spec"] ?? {}) as T;

/** Mutating and validating admission, as the apiserver's registry strategies and admission plugins do for these fields. */
export function admission(api: () => StandIn): (obj: KubeObject, previous: KubeObject | undefined) => KubeObject {
  return (obj, previous) => {
    const t = typeOfObject(obj.apiVersion, obj.kind);
    if (previous === undefined && t?.namespaced === true) refuseInTerminating(api(), t.resource, obj);
    if (obj.kind === "Service" && obj.apiVersion === "v1") return serviceDefaults(api(), obj, previous);
    if (obj.kind === "Pod" && obj.apiVersion === "v1" && previous === undefined) return podDefaults(obj);
    return obj;
  };
}

/** NamespaceLifecycle: `unable to create new content in namespace X because it is being terminated`. */
function refuseInTerminating(api: StandIn, resource: string, obj: KubeObject): void {
  const ns = api.get("Namespace", null, obj.metadata.namespace ?? "default");
  if (ns === undefined || !terminating(ns)) return;
  throw new ApiError(403, "Forbidden", `${resource} "${obj.metadata.name}" is forbidden: unable to create new content in namespace ${ns.metadata.name} because it is being terminated`, { name: obj.metadata.name, kind: resource });
}

function podDefaults(pod: KubeObject): KubeObject {
  const s = spec<Record<string, unknown>>(pod);
  return {
    ...pod,
    spec: { restartPolicy: "Always", terminationGracePeriodSeconds: 30, dnsPolicy: "ClusterFirst", schedulerName: "default-scheduler", ...s },
    ...(pod["status"] === undefined ? { status: { phase: "Pending", qosClass: "BestEffort" } } : {}),
  };
}

/** A ClusterIP for a Service without one (kept from the stored object on update), ports defaulted (TCP, targetPort = port). */
function serviceDefaults(api: StandIn, svc: KubeObject, previous: KubeObject | undefined): KubeObject {
  const s = spec<{ type?: string; clusterIP?: string; ports?: { port: number; protocol?: string; targetPort?: number | string }[] }>(svc);
  const type = s.type ?? "ClusterIP";
  const ports = (s.ports ?? []).map((p) => ({ ...p, protocol: p.protocol ?? "TCP", targetPort: p.targetPort ?? p.port }));
  if (type === "ExternalName") return { ...svc, spec: { ...s, type, ports } };
  const kept = previous === undefined ? undefined : spec<{ clusterIP?: string }>(previous).clusterIP;
  const clusterIP = s.clusterIP !== undefined && s.clusterIP !== "" ? s.clusterIP : (kept ?? freeClusterIp(api));
  if (clusterIP !== "None" && previous === undefined && api.list("Service").some((o) => spec<{ clusterIP?: string }>(o).clusterIP === clusterIP)) {
    throw new ApiError(422, "Invalid", `Service "${svc.metadata.name}" is invalid: spec.clusterIPs: Invalid value: []string{"${clusterIP}"}: failed to allocate IP ${clusterIP}: provided IP is already allocated`, { name: svc.metadata.name, kind: "Service" });
  }
  return { ...svc, spec: { ...s, type, ports, clusterIP, clusterIPs: [clusterIP], ipFamilies: ["IPv4"], ipFamilyPolicy: "SingleStack", sessionAffinity: "None" } };
}

function freeClusterIp(api: StandIn): string {
  const used = new Set(api.list("Service").map((o) => spec<{ clusterIP?: string }>(o).clusterIP));
  for (let n = 11; n < 65_534; n++) {
    const ip = `${SERVICE_RANGE.prefix}.${n >> 8}.${n & 0xff}`;
    if (!used.has(ip)) return ip;
  }
  throw new ApiError(500, "InternalError", "Internal error occurred: failed to allocate a serviceIP: range is full");
}

/** Ranking for deletion (controller.ActivePods): a pod earlier in this order is deleted first. */
function deletionRank(a: KubeObject, b: KubeObject): number {
  const node = (p: KubeObject): number => (spec<{ nodeName?: string }>(p).nodeName === undefined ? 0 : 1);
  const phase = (p: KubeObject): number => ({ Pending: 0, Unknown: 1, Running: 2 })[(p["status"] as { phase?: string } | undefined)?.phase ?? "Pending"] ?? 0;
  const ready = (p: KubeObject): number => ((p["status"] as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true ? 1 : 0);
  const restartCount = (p: KubeObject): number => ((p["status"] as { containerStatuses?: { restartCount?: number }[] } | undefined)?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const created = (p: KubeObject): number => Date.parse(String(p.metadata["creationTimestamp"] ?? "")) || 0;
  return node(a) - node(b) || phase(a) - phase(b) || ready(a) - ready(b) || restartCount(b) - restartCount(a) || created(b) - created(a);
}

const NAMESPACED_KINDS = [...new Set(RESOURCES.filter((t) => t.namespaced && t.group !== "events.k8s.io").map((t) => t.kind))];

export class Controllers {
  #next = 0;

  constructor(
    private readonly api: StandIn,
    /** The kubelets' nodes, for the scheduler. */
    private readonly nodes: readonly string[],
    private readonly events?: PodEvents,
  ) {}

  observe(e: StoreEvent): void {
    const o = e.object;
    if (o.kind === "Namespace" && e.type !== "DELETED" && terminating(o)) this.#finalizeNamespace(o);
    if (o.kind === "Pod") {
      if (e.type === "ADDED" && spec<{ nodeName?: string }>(o).nodeName === undefined && !terminating(o)) this.#schedule(o);
      if (e.type === "DELETED") {
        const ns = this.api.get("Namespace", null, o.metadata.namespace ?? "default");
        if (ns !== undefined && terminating(ns)) this.#finalizeNamespace(ns);
      } else {
        this.#replicaSets(o.metadata.namespace ?? "default");
      }
    }
    if (o.kind === "ReplicaSet" && e.type !== "DELETED") this.#replicaSets(o.metadata.namespace ?? "default");
  }

  /** The scheduler: the next node, round robin (a Binding, as the scheduler posts). */
  #schedule(pod: KubeObject): void {
    if (this.nodes.length === 0) return;
    const nodeName = this.nodes[this.#next++ % this.nodes.length] as string;
    const cur = this.api.get("Pod", pod.metadata.namespace ?? "default", pod.metadata.name);
    if (cur === undefined || spec<{ nodeName?: string }>(cur).nodeName !== undefined) return;
    this.api.apply({ ...cur, spec: { ...spec<object>(cur), nodeName } });
    const namespace = cur.metadata.namespace ?? "default";
    this.events?.record({ component: "default-scheduler" }, { namespace, name: cur.metadata.name, uid: String(cur.metadata["uid"] ?? "") }, "Normal", "Scheduled", `Successfully assigned ${namespace}/${cur.metadata.name} to ${nodeName}`);
  }

  /** The namespace controller: Terminating, its content deleted (pods gracefully), then the namespace once no pod is left. */
  #finalizeNamespace(ns: KubeObject): void {
    const name = ns.metadata.name;
    if ((ns["status"] as { phase?: string } | undefined)?.phase !== "Terminating") {
      this.api.apply({ ...ns, status: { phase: "Terminating" } });
      for (const kind of NAMESPACED_KINDS) {
        for (const o of this.api.list(kind)) {
          if (o.metadata.namespace !== name) continue;
          if (kind === "Pod") this.api.delete("Pod", name, o.metadata.name);
          else this.api.remove(kind, name, o.metadata.name);
        }
      }
    }
    if (!this.api.list("Pod").some((p) => p.metadata.namespace === name)) this.api.remove("Namespace", null, name);
  }

  /** ReplicaSet adoption and release, then surplus pods deleted (only while the ReplicaSet is not being deleted). */
  #replicaSets(namespace: string): void {
    const pods = this.api.list("Pod").filter((p) => p.metadata.namespace === namespace && !terminating(p));
    for (const rs of this.api.list("ReplicaSet")) {
      if (rs.metadata.namespace !== namespace || terminating(rs)) continue;
      const s = spec<{ replicas?: number; selector?: Parameters<typeof labelSelectorOf>[0] }>(rs);
      const selector = labelSelectorOf(s.selector);
      if (selector.requirements.length === 0) continue;
      const uid = String(rs.metadata["uid"] ?? "");
      const owned: KubeObject[] = [];
      for (const pod of pods) {
        const ctl = controllerOf(pod);
        const matches = selects(selector, pod);
        if (ctl === undefined && matches) owned.push(this.#setOwner(pod, [...ownerRefs(pod), { apiVersion: "apps/v1", kind: "ReplicaSet", name: rs.metadata.name, uid, controller: true, blockOwnerDeletion: true }]));
        else if (ctl?.uid === uid && !matches) this.#setOwner(pod, ownerRefs(pod).filter((r) => r.uid !== uid));
        else if (ctl?.uid === uid) owned.push(pod);
      }
      const active = owned.filter((p) => !["Succeeded", "Failed"].includes((p["status"] as { phase?: string } | undefined)?.phase ?? ""));
      const surplus = active.length - (s.replicas ?? 1);
      if (surplus <= 0) continue;
      for (const pod of [...active].sort(deletionRank).slice(0, surplus)) this.api.delete("Pod", namespace, pod.metadata.name);
    }
  }

  #setOwner(pod: KubeObject, refs: readonly OwnerReference[]): KubeObject {
    const cur = this.api.get("Pod", pod.metadata.namespace ?? "default", pod.metadata.name) ?? pod;
    const { ownerReferences: _old, ...meta } = cur.metadata;
    return this.api.apply({ ...cur, metadata: refs.length === 0 ? meta : { ...meta, ownerReferences: refs } } as KubeObject);
  }
}

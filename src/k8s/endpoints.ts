import type { Location } from "../diag/location.js";
import type { Endpoint, ObjectRef, Policy, Service, WorkloadKind } from "../model/cluster.js";
import { type Labels, labelsKey } from "../model/labels.js";
import type { ContainerPort } from "../model/ports.js";
import type { LabelSelector } from "../model/selector.js";
import type { Ip } from "../net/ip.js";
import { isWorkloadKind, type PodGone, type WorkloadObject } from "./workload.js";

const keyOf = (kind: string, namespace: string, name: string): string => `${kind}\u0000${namespace}\u0000${name}`;

/**
 * Labels a controller writes on each pod, or on each revision of its pods: `pod-template-hash`
 * (a Deployment's ReplicaSets), `controller-revision-hash` and `pod-template-generation`
 * (StatefulSets, DaemonSets), the per-pod `statefulset.kubernetes.io/pod-name` and
 * `apps.kubernetes.io/pod-index`, and a Job's `job-name`, `controller-uid` and completion index.
 * Pods that differ only in these are still told apart whenever a selector in the input reads one.
 */
export const CONTROLLER_LABELS: ReadonlySet<string> = new Set([
  "pod-template-hash",
  "controller-revision-hash",
  "pod-template-generation",
  "statefulset.kubernetes.io/pod-name",
  "apps.kubernetes.io/pod-index",
  "job-name",
  "controller-uid",
  "batch.kubernetes.io/job-name",
  "batch.kubernetes.io/controller-uid",
  "batch.kubernetes.io/job-completion-index",
]);

/** The label keys the pod selectors of the input read: policies' podSelectors, their peers' podSelectors, Services' selectors. */
export function podLabelKeysRead(policies: readonly Policy[], services: readonly Service[]): Set<string> {
  const keys = new Set<string>();
  const read = (s: LabelSelector): void => {
    for (const r of s.requirements) keys.add(r.key);
  };
  for (const p of policies) {
    read(p.podSelector);
    for (const rule of [...p.ingress, ...p.egress]) {
      if (rule.peers === "all") continue;
      for (const peer of rule.peers) if (peer.kind === "pods") read(peer.pods);
    }
  }
  for (const s of services) for (const key of s.selector?.keys() ?? []) keys.add(key);
  return keys;
}

/** How a pod that is an endpoint of its own differs from the pods kept under its owner's name. */
export type PodDifference =
  /** Labels the pod has (or has with another value), and those it lacks. */
  | { readonly kind: "labels"; readonly extra: Labels; readonly lacking: Labels }
  | { readonly kind: "ports"; readonly ports: readonly ContainerPort[] }
  | { readonly kind: "host-network"; readonly hostNetwork: boolean }
  /** `known: false`: the pod has no IP yet (it is taken to be anywhere in the pod network). */
  | { readonly kind: "address"; readonly known: boolean };

/** A pod of `owner` that is an endpoint of its own, and why. */
export interface PodSplit {
  readonly owner: ObjectRef;
  readonly pod: string;
  readonly differences: readonly PodDifference[];
}

/** What grouping decided beyond the endpoints: what `-v` reports. */
export interface GroupingNotes {
  readonly splits: readonly PodSplit[];
  /** Pods that are not endpoints, by why (workload.ts PodGone), in order of first appearance. */
  readonly gone: readonly { readonly why: PodGone; readonly count: number }[];
}

/** The pods one owner (or a bare pod) stands for. */
interface Unit {
  readonly kind: WorkloadKind;
  readonly namespace: string;
  readonly name: string;
  /** The top of the controller chain, when it is in the input: its template is the workload's own shape. */
  root: WorkloadObject | undefined;
  readonly pods: WorkloadObject[];
  /** Position of the first object of the unit in the input. */
  readonly order: number;
}

/**
 * Turns Pods and workloads into endpoints.
 *
 * Owners:
 * - A workload stands for its pods, unless its controller (an ownerReference) is in the input too:
 *   a ReplicaSet owned by a Deployment in the input is part of that Deployment, a Job owned by a
 *   CronJob part of the CronJob. The chain is followed to its top.
 * - A Pod with an owner belongs to the top of its owner's chain when the owner is in the input.
 *   When it is not, the pods naming the same owner belong to it as the ownerReference is written
 *   (`ReplicaSet production/web-7d9f8`). Owners that are not workloads (a Node, for static pods;
 *   custom resources) leave the pod bare. A bare Pod stands alone.
 * - A workload with no pod in the input is its pod template: the template's labels and ports.
 *
 * Pods are endpoints exactly as they are: every pod is evaluated with its own labels, addresses,
 * host network and ports.
 * - Pods not on the network are no endpoints (workload.ts PodGone): phase Succeeded or Failed, or
 *   being deleted with every container terminated. They are counted in `notes.gone`.
 * - The pods of one owner share its endpoint only when nothing tells them apart: the same host
 *   network flag, the same declared container ports, a known address for all or none, and the same
 *   labels, except CONTROLLER_LABELS that no pod selector of the input reads (`labelKeysRead`):
 *   those differ from pod to pod (`statefulset.kubernetes.io/pod-name`) or revision to revision
 *   (`pod-template-hash`) and change no answer. The endpoint carries the labels all its pods share.
 * - When an owner's pods fall into several such groups, one group keeps the owner's name
 *   (`StatefulSet db/db`): the largest of the groups whose pods match the owner's pod template
 *   (when the owner is in the input: the template's labels, give or take CONTROLLER_LABELS, its
 *   ports and host network), else the largest group; ties go to the group whose first pod comes
 *   first in the input. Every pod of the other groups is an endpoint of its own, named and kinded
 *   as the Pod (`db/db-1`, kind Pod), with `owner` naming the owner's endpoint; the owner's
 *   endpoint lists them in `splitPods`, and `notes.splits` says how each differs.
 *
 * Endpoints come in the order their first object appears in the input (a pod of its own: the pod).
 */
export function groupEndpoints(objects: readonly WorkloadObject[], labelKeysRead: ReadonlySet<string>): { endpoints: Endpoint[]; notes: GroupingNotes } {
  const { units, gone } = unitsOf(objects);
  const orderOf = new Map(objects.map((o, i) => [o, i]));
  const significant = (labels: Labels): Labels => withoutUnread(labels, labelKeysRead);
  const placed: { endpoint: Omit<Endpoint, "id">; order: number }[] = [];
  const splits: PodSplit[] = [];
  for (const unit of units) {
    if (unit.pods.length === 0) {
      // Only workloads make a unit without pods, so the unit has its root.
      if (unit.root !== undefined) placed.push({ endpoint: templateEndpoint(unit.root), order: unit.order });
      continue;
    }
    const groups = groupAlike(unit.pods, significant);
    const kept = keptGroup(groups, unit.root);
    const ref: ObjectRef = { kind: unit.kind, namespace: unit.namespace, name: unit.name };
    const others = groups.filter((g) => g !== kept).flat();
    placed.push({ endpoint: ownerEndpoint(unit, kept, others), order: unit.order });
    for (const pod of others) {
      // The owner's annotations hold for its pods (a `portcullis.dev/ignore` on the StatefulSet), the pod's own win.
      const annotations = new Map([...(unit.root?.annotations ?? []), ...pod.annotations]);
      placed.push({ endpoint: { ...podEndpoint(pod), annotations, owner: ref }, order: orderOf.get(pod) ?? 0 });
      splits.push({ owner: ref, pod: pod.name, differences: differences(pod, kept[0] as WorkloadObject, significant) });
    }
  }
  placed.sort((a, b) => a.order - b.order);
  return { endpoints: withIds(placed.map((p) => p.endpoint)), notes: { splits, gone: [...gone].map(([why, count]) => ({ why, count })) } };
}

/**
 * The owner a pod is grouped under when that owner is not in the input (the node agent watches
 * Pods, never their controllers): the owner as its ownerReference names it when it is a workload
 * kind, else the pod itself (a bare pod, a static pod owned by its Node).
 */
export function podOwnerUnit(pod: WorkloadObject): { readonly kind: WorkloadKind; readonly name: string } {
  const owner = pod.owner;
  return owner !== undefined && isWorkloadKind(owner.kind) && owner.kind !== "Pod" ? { kind: owner.kind, name: owner.name } : { kind: "Pod", name: pod.name };
}

/** The owners (and bare pods) with their live pods, in order of first appearance; the pods that are gone, counted. */
function unitsOf(objects: readonly WorkloadObject[]): { units: Unit[]; gone: Map<PodGone, number> } {
  const byKey = new Map<string, WorkloadObject>();
  for (const o of objects) byKey.set(keyOf(o.kind, o.namespace, o.name), o);

  /** The top of the controller chain that is in the input (a workload is its own top without one). */
  const top = (start: WorkloadObject): WorkloadObject => {
    let current = start;
    const seen = new Set<WorkloadObject>([current]);
    for (;;) {
      const owner = current.owner;
      const next = owner === undefined ? undefined : byKey.get(keyOf(owner.kind, current.namespace, owner.name));
      if (next === undefined || next.kind === "Pod" || seen.has(next)) return current;
      seen.add(next);
      current = next;
    }
  };

  const units = new Map<string, Unit>();
  const unitFor = (kind: WorkloadKind, namespace: string, name: string, order: number): Unit => {
    const key = keyOf(kind, namespace, name);
    let unit = units.get(key);
    if (unit === undefined) {
      unit = { kind, namespace, name, root: undefined, pods: [], order };
      units.set(key, unit);
    }
    return unit;
  };
  const rootUnit = (o: WorkloadObject, order: number): Unit => {
    const root = top(o);
    const unit = unitFor(root.kind, root.namespace, root.name, order);
    unit.root = root;
    return unit;
  };
  const gone = new Map<PodGone, number>();

  objects.forEach((o, order) => {
    if (o.kind !== "Pod") {
      rootUnit(o, order);
    } else if (o.gone !== undefined) {
      gone.set(o.gone, (gone.get(o.gone) ?? 0) + 1);
    } else {
      const owner = o.owner;
      const ownerObject = owner === undefined ? undefined : byKey.get(keyOf(owner.kind, o.namespace, owner.name));
      const alone = podOwnerUnit(o);
      const unit = ownerObject !== undefined && ownerObject.kind !== "Pod" ? rootUnit(ownerObject, order) : unitFor(alone.kind, o.namespace, alone.name, order);
      unit.pods.push(o);
    }
  });
  return { units: [...units.values()], gone };
}

/** The labels without the CONTROLLER_LABELS no selector reads. */
function withoutUnread(labels: Labels, read: ReadonlySet<string>): Labels {
  let out: Map<string, string> | undefined;
  for (const key of labels.keys()) {
    if (!CONTROLLER_LABELS.has(key) || read.has(key)) continue;
    out ??= new Map(labels);
    out.delete(key);
  }
  return out ?? labels;
}

function portsKey(ports: readonly ContainerPort[]): string {
  return ports
    .map((p) => `${p.name ?? ""}:${p.port}/${p.protocol}`)
    .sort()
    .join(",");
}

/** Pods nothing tells apart, in groups; groups and their pods in input order. */
function groupAlike(pods: readonly WorkloadObject[], significant: (l: Labels) => Labels): WorkloadObject[][] {
  const groups = new Map<string, WorkloadObject[]>();
  for (const pod of pods) {
    const key = `${pod.hostNetwork}|${pod.ips.length > 0}|${portsKey(pod.ports)}|${labelsKey(significant(pod.podLabels))}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [pod]);
    else group.push(pod);
  }
  return [...groups.values()];
}

const NOTHING_READ: ReadonlySet<string> = new Set();

/** Whether a pod is as the owner's template makes them: its labels (give or take CONTROLLER_LABELS), ports, host network. */
function matchesTemplate(pod: WorkloadObject, root: WorkloadObject): boolean {
  if (pod.hostNetwork !== root.hostNetwork || portsKey(pod.ports) !== portsKey(root.ports)) return false;
  const mine = withoutUnread(pod.podLabels, NOTHING_READ);
  const template = withoutUnread(root.podLabels, NOTHING_READ);
  if (mine.size !== template.size) return false;
  for (const [key, value] of template) if (mine.get(key) !== value) return false;
  return true;
}

/** The group that keeps the owner's name (see groupEndpoints): largest matching the template, else largest; ties to the first. */
function keptGroup(groups: readonly WorkloadObject[][], root: WorkloadObject | undefined): WorkloadObject[] {
  const matching = root === undefined ? [] : groups.filter((g) => g.every((pod) => matchesTemplate(pod, root)));
  const candidates = matching.length > 0 ? matching : groups;
  let best = candidates[0] as WorkloadObject[];
  for (const g of candidates) if (g.length > best.length) best = g;
  return best;
}

/**
 * The labels every one of the pods carries, with the same value: the first pod's own Map when it is
 * all of them (a bare pod: the node agent keeps 50k endpoints, and a Map per endpoint is 150 bytes).
 */
function sharedLabels(pods: readonly WorkloadObject[]): Labels {
  const [first, ...rest] = pods;
  if (first === undefined) return new Map();
  const shared = [...first.podLabels].filter(([key, value]) => rest.every((p) => p.podLabels.get(key) === value));
  return shared.length === first.podLabels.size ? first.podLabels : new Map(shared);
}

/**
 * The pods' addresses, each once, in order (a set of keys: a DaemonSet may have thousands of pods);
 * one pod's own list when that is all of them.
 */
function unionIps(pods: readonly WorkloadObject[]): readonly Ip[] {
  const seen = new Set<string>();
  const out: Ip[] = [];
  for (const pod of pods) {
    for (const ip of pod.ips) {
      const key = `${ip.family}:${ip.value}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(ip);
    }
  }
  const only = pods.length === 1 ? pods[0] : undefined;
  return only !== undefined && only.ips.length === out.length ? only.ips : out;
}

function templateEndpoint(root: WorkloadObject): Omit<Endpoint, "id"> {
  return { namespace: root.namespace, name: root.name, kind: root.kind, labels: root.podLabels, ips: [], hostNetwork: root.hostNetwork, ports: root.ports, pods: [], annotations: root.annotations, at: root.at };
}

function podEndpoint(pod: WorkloadObject): Omit<Endpoint, "id"> {
  return { namespace: pod.namespace, name: pod.name, kind: "Pod", labels: pod.podLabels, ips: pod.ips, hostNetwork: pod.hostNetwork, ports: pod.ports, pods: [pod.name], annotations: pod.annotations, at: pod.at };
}

/**
 * The owner's endpoint: the kept pods as they are. Named and located as the owner object when it
 * is in the input, else named as the first kept pod's ownerReference and located at that pod; a bare pod is its own owner.
 */
function ownerEndpoint(unit: Unit, kept: readonly WorkloadObject[], others: readonly WorkloadObject[]): Omit<Endpoint, "id"> {
  const first = kept[0] as WorkloadObject;
  const definedBy = unit.root ?? first;
  // Located at the first pod (the object in the input), not at its ownerReferences entry: lint points there.
  const at: Location = unit.root?.at ?? first.at;
  return {
    namespace: unit.namespace,
    name: unit.name,
    kind: unit.kind,
    labels: sharedLabels(kept),
    ips: unionIps(kept),
    hostNetwork: first.hostNetwork,
    ports: first.ports,
    pods: kept.map((p) => p.name),
    ...(others.length === 0 ? {} : { splitPods: others.map((p) => p.name) }),
    annotations: definedBy.annotations,
    at,
  };
}

/** How `pod` differs from `like` (a pod kept under the owner's name), in what tells pods apart. */
function differences(pod: WorkloadObject, like: WorkloadObject, significant: (l: Labels) => Labels): PodDifference[] {
  const out: PodDifference[] = [];
  const mine = significant(pod.podLabels);
  const theirs = significant(like.podLabels);
  const extra = new Map([...mine].filter(([k, v]) => theirs.get(k) !== v));
  const lacking = new Map([...theirs].filter(([k]) => !mine.has(k)));
  if (extra.size > 0 || lacking.size > 0) out.push({ kind: "labels", extra, lacking });
  if (portsKey(pod.ports) !== portsKey(like.ports)) out.push({ kind: "ports", ports: pod.ports });
  if (pod.hostNetwork !== like.hostNetwork) out.push({ kind: "host-network", hostNetwork: pod.hostNetwork });
  if (pod.ips.length > 0 !== like.ips.length > 0) out.push({ kind: "address", known: pod.ips.length > 0 });
  return out;
}

/**
 * Endpoint ids are `namespace/name`. When two endpoints would share one (a Deployment `web` and a
 * bare Pod `web` in one namespace), every one of them is told apart by its kind instead:
 * `ns/web[Deployment]` and `ns/web[Pod]`. So an id never changes its meaning: `ns/web` names the
 * only endpoint called `web` in `ns`, or none. (Kinds are distinct within such a set: one object
 * per kind, namespace and name; a pod of its own is named as the Pod object.)
 */
function withIds(endpoints: readonly Omit<Endpoint, "id">[]): Endpoint[] {
  const count = new Map<string, number>();
  for (const e of endpoints) {
    const id = `${e.namespace}/${e.name}`;
    count.set(id, (count.get(id) ?? 0) + 1);
  }
  return endpoints.map((e) => {
    const plain = `${e.namespace}/${e.name}`;
    return withId(e, (count.get(plain) ?? 0) > 1 ? `${plain}[${e.kind}]` : plain);
  });
}

/**
 * `{id, ...e}`. The usual endpoint (no `owner`, no `splitPods`) is written as one literal, keys in
 * the same order: an object given its properties one by one after its literal keeps them out of
 * the object, in a second one (the node agent holds 50k endpoints: 4 MiB of such arrays).
 */
function withId(e: Omit<Endpoint, "id">, id: string): Endpoint {
  if ("owner" in e || "splitPods" in e || !("annotations" in e)) return { id, ...e };
  const { namespace, name, kind, labels, ips, hostNetwork, ports, pods, annotations, at } = e;
  return { id, namespace, name, kind, labels, ips, hostNetwork, ports, pods, annotations, at };
}

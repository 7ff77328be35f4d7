import type { Location } from "../diag/location.js";
import type { Endpoint, WorkloadKind } from "../model/cluster.js";
import type { Labels } from "../model/labels.js";
import type { ContainerPort } from "../model/ports.js";
import type { Ip } from "../net/ip.js";
import { isWorkloadKind, type WorkloadObject } from "./workload.js";

const keyOf = (kind: string, namespace: string, name: string): string => `${kind}\u0000${namespace}\u0000${name}`;

interface Group {
  readonly kind: WorkloadKind;
  readonly namespace: string;
  readonly name: string;
  labels: Labels;
  ports: readonly ContainerPort[];
  hostNetwork: boolean;
  annotations: Labels;
  at: Location;
  readonly ips: Ip[];
  readonly pods: string[];
}

/**
 * Turns Pods and workloads into endpoints.
 *
 * - A workload stands for the pods of its template, unless its controller (an ownerReference) is
 *   in the input too: a ReplicaSet owned by a Deployment in the input is part of that Deployment,
 *   a Job owned by a CronJob part of the CronJob. The chain is followed to its top.
 * - A Pod with an owner joins the endpoint of its owner when the owner is in the input. When it is
 *   not, the pods naming the same owner form one endpoint named as the ownerReference is written
 *   (`ReplicaSet production/web-7d9f8`), with the first pod's labels, ports and host network.
 *   Owners that are not workloads (a Node, for static pods; custom resources) leave the pod bare.
 * - A bare Pod stands alone.
 *
 * Endpoints come in the order their first object appears in the input.
 */
export function groupEndpoints(objects: readonly WorkloadObject[]): Endpoint[] {
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

  const groups = new Map<string, Group>();
  const groupFor = (kind: WorkloadKind, namespace: string, name: string, like: WorkloadObject, at: Location): Group => {
    const key = keyOf(kind, namespace, name);
    let group = groups.get(key);
    if (group === undefined) {
      group = { kind, namespace, name, labels: like.podLabels, ports: like.ports, hostNetwork: like.hostNetwork, annotations: like.annotations, at, ips: [], pods: [] };
      groups.set(key, group);
    }
    return group;
  };
  const defineBy = (group: Group, root: WorkloadObject): void => {
    group.labels = root.podLabels;
    group.ports = root.ports;
    group.hostNetwork = root.hostNetwork;
    group.annotations = root.annotations;
    group.at = root.at;
  };

  for (const o of objects) {
    if (o.kind !== "Pod") {
      const root = top(o);
      const group = groupFor(root.kind, root.namespace, root.name, root, root.at);
      defineBy(group, root);
      continue;
    }
    const owner = o.owner;
    const ownerObject = owner === undefined ? undefined : byKey.get(keyOf(owner.kind, o.namespace, owner.name));
    let group: Group;
    if (ownerObject !== undefined && ownerObject.kind !== "Pod") {
      const root = top(ownerObject);
      group = groupFor(root.kind, root.namespace, root.name, root, root.at);
      defineBy(group, root);
    } else if (owner !== undefined && isWorkloadKind(owner.kind) && owner.kind !== "Pod") {
      // Located at the first pod (the object in the input), not at its ownerReferences entry.
      group = groupFor(owner.kind, o.namespace, owner.name, o, o.at);
    } else {
      group = groupFor("Pod", o.namespace, o.name, o, o.at);
    }
    group.pods.push(o.name);
    for (const ip of o.ips) {
      if (!group.ips.some((g) => g.family === ip.family && g.value === ip.value)) group.ips.push(ip);
    }
  }
  return withIds([...groups.values()]);
}

/**
 * Endpoint ids are `namespace/name`. When two endpoints would share one (a Deployment `web` and a
 * bare Pod `web` in one namespace), every one of them is told apart by its kind instead:
 * `ns/web[Deployment]` and `ns/web[Pod]`. So an id never changes its meaning: `ns/web` names the
 * only endpoint called `web` in `ns`, or none. (Kinds are distinct within such a set: one object
 * per kind, namespace and name.)
 */
function withIds(groups: readonly Group[]): Endpoint[] {
  const count = new Map<string, number>();
  for (const g of groups) {
    const id = `${g.namespace}/${g.name}`;
    count.set(id, (count.get(id) ?? 0) + 1);
  }
  return groups.map((g) => {
    const plain = `${g.namespace}/${g.name}`;
    return {
      id: (count.get(plain) ?? 0) > 1 ? `${plain}[${g.kind}]` : plain,
      namespace: g.namespace,
      name: g.name,
      kind: g.kind,
      labels: g.labels,
      ips: g.ips,
      hostNetwork: g.hostNetwork,
      ports: g.ports,
      pods: g.pods,
      annotations: g.annotations,
      at: g.at,
    };
  });
}

import type { Location } from "../diag/location.js";
import type { AdminPolicy } from "./admin-policy.js";
import type { Cidr } from "../net/cidr.js";
import type { Ip } from "../net/ip.js";
import type { Labels } from "./labels.js";
import type { ContainerPort, PortMatch, Protocol } from "./ports.js";
import type { LabelSelector } from "./selector.js";

/** What an object is called in messages: `NetworkPolicy production/app-egress`. */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export function formatObjectRef(ref: ObjectRef): string {
  if (ref.name === "") return ref.kind; // an object whose name could not be read
  return `${ref.kind} ${ref.namespace === "" ? "" : `${ref.namespace}/`}${ref.name}`;
}

export interface Namespace {
  readonly name: string;
  /** Always carries `kubernetes.io/metadata.name=<name>`, as the API server sets it. */
  readonly labels: Labels;
  /** False for a namespace that is referenced but not declared: it exists implicitly. */
  readonly declared: boolean;
  /** metadata.annotations of a declared namespace (`portcullis.dev/ignore` is read from here). */
  readonly annotations?: Labels;
  readonly at?: Location;
}

export type WorkloadKind =
  | "Pod"
  | "Deployment"
  | "StatefulSet"
  | "DaemonSet"
  | "ReplicaSet"
  | "ReplicationController"
  | "Job"
  | "CronJob";

/**
 * A pod, or a workload standing for its pods (by pod template, or by the pods owned by it).
 * Identified as `namespace/name`; connlist names it `namespace/name[Kind]`.
 */
export interface Endpoint {
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly kind: WorkloadKind;
  readonly labels: Labels;
  /** Known pod IPs (status.podIP/podIPs). Empty: the endpoint sits somewhere in the pod network. */
  readonly ips: readonly Ip[];
  /** Host-network pods are not governed by NetworkPolicy; they are modelled as the node. */
  readonly hostNetwork: boolean;
  readonly ports: readonly ContainerPort[];
  /** Names of the pods grouped under this endpoint (the pod itself for a bare pod). */
  readonly pods: readonly string[];
  /**
   * On a pod that is an endpoint of its own although a controller owns it (it differs from the
   * pods kept under the owner's name: src/k8s/endpoints.ts): that owner, as the owner's endpoint
   * is named (`StatefulSet db/db`).
   */
  readonly owner?: ObjectRef;
  /** On an owner's endpoint: the names of its pods that are endpoints of their own (each has this one as `owner`). */
  readonly splitPods?: readonly string[];
  /**
   * metadata.annotations of the workload (or bare pod) that defines the endpoint; for a pod that is
   * an endpoint of its own (`owner`), its owner's overlaid with its own.
   */
  readonly annotations?: Labels;
  /** The object that defines the endpoint: the workload, the bare pod, or the first of the pods naming an owner not in the input. */
  readonly at: Location;
}

/** Whether two references name one object (an Endpoint is named by its kind, namespace and name). */
export function sameObject(a: ObjectRef, b: ObjectRef): boolean {
  return a.kind === b.kind && a.namespace === b.namespace && a.name === b.name;
}

/**
 * The endpoints that stand for the pods of the workload `ref`: its own endpoint first, then its
 * pods that are endpoints of their own (which differ from it), in input order. Empty when no
 * endpoint is named so. More than one: an answer about the workload depends on the pod.
 */
export function endpointsOfOwner(cluster: Pick<Cluster, "endpoints">, ref: ObjectRef): Endpoint[] {
  const own = cluster.endpoints.filter((e) => sameObject(e, ref));
  if (own.length === 0) return [];
  return [...own, ...cluster.endpoints.filter((e) => e.owner !== undefined && sameObject(e.owner, ref))];
}

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly targetPort: number | string;
  readonly protocol: Protocol;
}

/** `spec.type`: how the Service is exposed; NodePort and LoadBalancer also have a ClusterIP. */
export type ServiceType = "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName";

export interface Service {
  readonly namespace: string;
  readonly name: string;
  /** Null: a Service without selector (its endpoints are managed by hand). */
  readonly selector: Labels | null;
  readonly ports: readonly ServicePort[];
  readonly clusterIps: readonly Ip[];
  /** `spec.type` (default ClusterIP). */
  readonly type: ServiceType;
  /** `clusterIP: None`: no virtual IP; its DNS name resolves to the pods themselves. */
  readonly headless: boolean;
  /** `spec.externalName` of an ExternalName Service (a DNS name); null for every other type. */
  readonly externalName: string | null;
  readonly at: Location;
}

/** Where a peer looks for pods: the policy's own namespace, or the namespaces a selector matches. */
export type NamespaceScope = { readonly kind: "own" } | { readonly kind: "selected"; readonly selector: LabelSelector };

export type Peer =
  | {
      readonly kind: "pods";
      readonly namespaces: NamespaceScope;
      /** Absent podSelector is held as the empty selector (all pods). */
      readonly pods: LabelSelector;
      readonly at: Location;
    }
  | {
      readonly kind: "ipBlock";
      readonly cidr: Cidr;
      readonly except: readonly Cidr[];
      readonly at: Location;
    };

export interface PolicyPort {
  readonly protocol: Protocol;
  readonly port: PortMatch;
  readonly at: Location;
}

/**
 * One ingress or egress rule. `peers: "all"` when `to`/`from` is empty or missing
 * ("this rule matches all destinations/sources"); `ports: "all"` when `ports` is empty or missing.
 */
export interface Rule {
  readonly index: number;
  readonly peers: readonly Peer[] | "all";
  readonly ports: readonly PolicyPort[] | "all";
  readonly at: Location;
}

export type Direction = "ingress" | "egress";

export interface Policy {
  /** `namespace/name` */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly podSelector: LabelSelector;
  /** Where `spec.podSelector` is written (the position of `spec` when it is not). */
  readonly podSelectorAt: Location;
  /** Effective policyTypes, after defaulting. */
  readonly affects: { readonly ingress: boolean; readonly egress: boolean };
  /** Whether `spec.policyTypes` was written (lint reads this; semantics use `affects`). */
  readonly policyTypesDeclared: boolean;
  /** Whether `spec.egress` was written, even as `egress: []` (lint reads this; semantics use `affects`). */
  readonly egressWritten: boolean;
  readonly ingress: readonly Rule[];
  readonly egress: readonly Rule[];
  readonly annotations: Labels;
  readonly at: Location;
}

/** One of a Node's `status.addresses` that is an IP (names, as `Hostname` often is, are not kept). */
export interface NodeAddress {
  /** `InternalIP`, `ExternalIP`, or another type whose address is an IP. */
  readonly type: string;
  readonly ip: Ip;
  readonly at: Location;
}

/**
 * A Node: its pod ranges (`spec.podCIDRs`: where this cluster's pods take their addresses), and its
 * labels and addresses (a `nodes` peer of an admin policy "selects the nodeIPs as the peer type by
 * matching on the IPs present in the node.Status.Addresses field of the node").
 */
export interface Node {
  readonly name: string;
  readonly labels: Labels;
  readonly podCidrs: readonly Cidr[];
  readonly addresses: readonly NodeAddress[];
  readonly at: Location;
}

/** An object skipped because its kind is a typo of one Portcullis reads (`Networkpolicy`): lint reports it. */
export interface KindNearMiss {
  readonly kind: string;
  /** The kind it most likely meant, e.g. `NetworkPolicy`. */
  readonly suggestion: string;
  /** The object as written (its kind is the typo); name `""` when the name is unreadable. */
  readonly ref: ObjectRef;
  /** The `kind` field. */
  readonly at: Location;
}

export interface Cluster {
  readonly namespaces: ReadonlyMap<string, Namespace>;
  readonly endpoints: readonly Endpoint[];
  readonly services: readonly Service[];
  readonly policies: readonly Policy[];
  /** The Nodes in the input, when there are any. */
  readonly nodes?: readonly Node[];
  /**
   * ClusterNetworkPolicies, AdminNetworkPolicies and BaselineAdminNetworkPolicies, in input order,
   * when there are any. Decoded and validated; no command evaluates them yet (each load says so).
   */
  readonly adminPolicies?: readonly AdminPolicy[];
  /** Objects left out for a kind that is a near-miss of a modelled one (absent: none). */
  readonly kindNearMisses?: readonly KindNearMiss[];
}

/** The classes a change can carry: small named checks in one list. */
import type { ConnSet } from "../analysis/connset.js";
import type { Endpoint } from "../model/cluster.js";
import type { AddressSet } from "../net/address-set.js";
import { METADATA, publicPart } from "./addresses.js";
import type { ChangeClass, ChangeKind } from "./types.js";

export type Side = { readonly kind: "endpoint"; readonly endpoint: Endpoint } | { readonly kind: "addresses"; readonly addresses: AddressSet };

/** A change before it is rendered to JSON: the sides and sets the classifiers look at. */
export interface RawChange {
  readonly kind: ChangeKind;
  readonly src: Side;
  readonly dst: Side;
  readonly added: ConnSet;
  readonly removed: ConnSet;
}

export interface Classifier {
  readonly id: ChangeClass;
  readonly applies: (change: RawChange) => boolean;
}

export const KUBE_DNS_NAMESPACE = "kube-system";
export const KUBE_DNS_LABEL = { key: "k8s-app", value: "kube-dns" } as const;

/** The cluster DNS pods as kubeadm, kops, EKS, GKE and AKS label them. */
export function isKubeDns(e: Endpoint): boolean {
  return e.namespace === KUBE_DNS_NAMESPACE && e.labels.get(KUBE_DNS_LABEL.key) === KUBE_DNS_LABEL.value;
}

/** Something newly allowed, between existing endpoints or for a new one. */
const gains = (c: RawChange): boolean => c.kind === "widened" || c.kind === "added";

export const CLASSIFIERS: readonly Classifier[] = [
  {
    // New egress from a workload (existing or new) to addresses outside every private range.
    id: "internet-egress-added",
    applies: (c) => gains(c) && c.src.kind === "endpoint" && c.dst.kind === "addresses" && !c.added.isEmpty() && !publicPart(c.dst.addresses).isEmpty(),
  },
  {
    // A cloud metadata address newly reachable on some port, from an existing or a new workload.
    id: "metadata-reachable",
    applies: (c) => gains(c) && c.src.kind === "endpoint" && c.dst.kind === "addresses" && !c.added.isEmpty() && c.dst.addresses.overlaps(METADATA),
  },
  {
    // DNS (UDP or TCP 53) to the cluster DNS pods no longer allowed for a workload that is still there.
    id: "dns-lost",
    applies: (c) => (c.kind === "widened" || c.kind === "narrowed") && c.dst.kind === "endpoint" && isKubeDns(c.dst.endpoint) && (c.removed.has("UDP", 53) || c.removed.has("TCP", 53)),
  },
  {
    // A connection newly allowed between existing workloads of different namespaces.
    id: "cross-namespace-widened",
    applies: (c) => c.kind === "widened" && c.src.kind === "endpoint" && c.dst.kind === "endpoint" && c.src.endpoint.namespace !== c.dst.endpoint.namespace && !c.added.isEmpty(),
  },
];

export function classify(change: RawChange): ChangeClass[] {
  return CLASSIFIERS.filter((c) => c.applies(change)).map((c) => c.id);
}

/** The classes a change can carry: small named checks in one list. */
import type { ConnSet } from "../analysis/connset.js";
import type { Cluster, Endpoint } from "../model/cluster.js";
import { type WellKnownOptions, findClusterDns, internetAddresses, isDnsPod, metadataAddresses, podFamilies } from "../model/well-known.js";
import { AddressSet } from "../net/address-set.js";
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

/** The well-known destinations (model/well-known.ts) for both versions. */
export interface DiffFacts {
  readonly internet: AddressSet;
  readonly metadata: AddressSet;
  /** The `--dns` addresses; empty when the DNS pods are. */
  readonly dnsAddresses: AddressSet;
  readonly isDns: (e: Endpoint) => boolean;
}

/** The facts of both versions together: a DNS pod of either is one, the internet of both families. */
export function diffFacts(versions: readonly { readonly cluster: Cluster; readonly podNetwork: AddressSet }[], options: WellKnownOptions): DiffFacts {
  const families = new Set(versions.flatMap((v) => [...podFamilies(v.podNetwork, v.cluster.endpoints)]));
  const dns = versions.map((v) => findClusterDns(v.cluster, options.dns));
  return {
    internet: internetAddresses(families),
    metadata: AddressSet.fromIps(metadataAddresses(options.metadata)),
    dnsAddresses: AddressSet.fromIps(dns.flatMap((d) => d.addresses)),
    isDns: (e) => dns.some((d) => d.pods !== null && isDnsPod(d.pods, e)),
  };
}

export interface Classifier {
  readonly id: ChangeClass;
  readonly applies: (change: RawChange, facts: DiffFacts) => boolean;
}

const losesDns = (c: RawChange): boolean => c.removed.has("UDP", 53) || c.removed.has("TCP", 53);

/** Something newly allowed, between existing endpoints or for a new one. */
const gains = (c: RawChange): boolean => c.kind === "widened" || c.kind === "added";

export const CLASSIFIERS: readonly Classifier[] = [
  {
    // New egress from a workload (existing or new) to the internet (public addresses).
    id: "internet-egress-added",
    applies: (c, f) => gains(c) && c.src.kind === "endpoint" && c.dst.kind === "addresses" && !c.added.isEmpty() && c.dst.addresses.overlaps(f.internet),
  },
  {
    // A cloud metadata address newly reachable on some port, from an existing or a new workload.
    id: "metadata-reachable",
    applies: (c, f) => gains(c) && c.src.kind === "endpoint" && c.dst.kind === "addresses" && !c.added.isEmpty() && c.dst.addresses.overlaps(f.metadata),
  },
  {
    // DNS (UDP or TCP 53) to the cluster DNS (its pods, or the --dns addresses) no longer allowed for a workload that is still there.
    id: "dns-lost",
    applies: (c, f) =>
      (c.kind === "widened" || c.kind === "narrowed") &&
      (c.dst.kind === "endpoint" ? f.isDns(c.dst.endpoint) : c.dst.addresses.overlaps(f.dnsAddresses)) &&
      losesDns(c),
  },
  {
    // A connection newly allowed between existing workloads of different namespaces.
    id: "cross-namespace-widened",
    applies: (c) => c.kind === "widened" && c.src.kind === "endpoint" && c.dst.kind === "endpoint" && c.src.endpoint.namespace !== c.dst.endpoint.namespace && !c.added.isEmpty(),
  },
];

export function classify(change: RawChange, facts: DiffFacts): ChangeClass[] {
  return CLASSIFIERS.filter((c) => c.applies(change, facts)).map((c) => c.id);
}

import type { Location } from "../diag/location.js";
import type { AddressSet } from "../net/address-set.js";
import type { Ip } from "../net/ip.js";
import type { Direction, Endpoint } from "../model/cluster.js";
import type { Protocol } from "../model/ports.js";
import type { AdminAction, AdminPolicyKind, AdminTier } from "../model/admin-policy.js";
import type { Admission, DnsSnapshot } from "../dns/snapshot.js";

export interface EngineOptions {
  /** Where pods without a known IP sit (`--pod-cidr`, default 10.244.0.0/16). */
  readonly podNetwork: AddressSet;
  /** Whether an ipBlock peer matches pod IPs (upstream e2e and most CNIs: yes; Cilium: no). */
  readonly ipBlockMatchesPods: boolean;
  /**
   * The resolution snapshot (`--dns-records`, `--resolve`, with the cluster's own Service names):
   * every pod is taken to have resolved every name of it, so a `domainNames` peer matches exactly
   * the addresses it gives the peer's names, and the verdict is definite. Absent: what names
   * resolve to is not known, and a verdict a domain rule could change "depends" on DNS.
   */
  readonly dns?: DnsSnapshot;
}

/**
 * One side of a connection: a modelled pod/workload, or addresses outside the cluster model.
 * `address`: the one of the endpoint's IPs the connection uses (a dual-stack pod named by one of
 * its addresses); absent, every address the endpoint may have.
 */
export type Target =
  | { readonly kind: "endpoint"; readonly endpoint: Endpoint; readonly address?: Ip }
  | { readonly kind: "external"; readonly addresses: AddressSet };

export interface Connection {
  readonly from: Target;
  readonly to: Target;
  readonly port: number;
  readonly protocol: Protocol;
  /**
   * Set when `to` is reached through a Service IP that the service proxy load-balanced to it. A
   * pod reaching itself this way ("hairpin") is subject to the admin tiers: "A Pod connecting to a
   * Service IP that the service proxy load-balances back to the same Pod is subject to
   * ClusterNetworkPolicy" (network-policy-api, api-overview).
   */
  readonly viaService?: true;
}

/** `depends`: the answer varies with the address (inside a CIDR, or an endpoint whose IP is not known). */
export type Verdict = "allowed" | "denied" | "depends";

export interface PolicyRef {
  readonly namespace: string;
  readonly name: string;
  readonly at: Location;
}

/** Why a direction is or is not restricted for the endpoint on that side. */
export type Governance =
  | { readonly kind: "isolated"; readonly policies: readonly PolicyRef[] }
  | { readonly kind: "not-isolated" }
  | { readonly kind: "external" }
  | { readonly kind: "host-network" }
  | { readonly kind: "self" };

/**
 * Why a rule (or one peer/port of it) allowed or missed the connection. Stable codes; the
 * renderers turn them into sentences.
 */
export type Reason =
  | "allowed"
  | "no-rules"
  | "peer-namespace-mismatch"
  | "peer-pod-mismatch"
  | "peer-not-a-pod"
  | "peer-host-network"
  | "ipblock-outside-cidr"
  | "ipblock-in-except"
  | "ipblock-partial"
  | "ipblock-ignores-pods"
  | "port-mismatch"
  | "protocol-mismatch"
  | "named-port-unresolved"
  | "named-port-not-endpoint";

/** Explanations are data: which policy, direction, rule, peer and port, and the reason. */
export interface Explanation {
  readonly policy: { readonly namespace: string; readonly name: string };
  readonly direction: Direction;
  /** Index into spec.ingress/spec.egress; null for a policy with no rules. */
  readonly rule: number | null;
  /** Index into to/from; null when the rule has no peers (all) or the reason is not about a peer. */
  readonly peer: number | null;
  /** Index into ports; null when the rule has no ports (all) or the reason is not about a port. */
  readonly port: number | null;
  readonly reason: Reason;
  readonly at: Location;
}

/**
 * One step of the admin tier walk of a direction: the rule that decided (some of) the peer's
 * addresses in a tier (first match; `Pass` hands them to the next tier), or that no rule of the
 * tier's selecting policies matched (on to the next tier).
 */
export type TierStep =
  | (TierRuleFields & {
      readonly kind: "rule";
      readonly failClosed: boolean;
      /**
       * With a resolution snapshot, for a rule with `domainNames` peers: which pattern, name and
       * records admitted each of the addresses it decided (empty when its other peers did, or without a snapshot).
       */
      readonly admissions: readonly Admission[];
    })
  | { readonly kind: "no-match"; readonly tier: AdminTier; /** How many policies of the tier select the subject. */ readonly policies: number }
  /**
   * A rule with a `domainNames` peer that would decide the answer differently if the pod resolved
   * one of `domainNames` to the other side's address: the verdict depends on DNS (what names
   * resolve to is not known offline).
   */
  | (TierRuleFields & { readonly kind: "depends-on-dns"; readonly domainNames: readonly string[] });

/** The admin rule a step names. */
export interface TierRuleFields {
  readonly tier: AdminTier;
  readonly policy: { readonly kind: AdminPolicyKind; readonly name: string };
  /** null: the BaselineAdminNetworkPolicy, which has none. */
  readonly priority: number | null;
  /** Index into spec.ingress/spec.egress. */
  readonly rule: number;
  readonly name: string | null;
  /** What the rule does: a rule that fails closed as a Deny of everything says `Deny`. */
  readonly action: AdminAction;
  readonly at: Location;
}

export interface DirectionResult {
  readonly direction: Direction;
  readonly verdict: Verdict;
  readonly governance: Governance;
  /** The rules that allowed it (reason `allowed`). */
  readonly allowedBy: readonly Explanation[];
  /** For each rule that did not allow it, the closest miss. */
  readonly misses: readonly Explanation[];
  /** The part of the peer's addresses this direction allows (the peer's whole set when not restricted). */
  readonly allowedPeerAddresses: AddressSet;
  /** The admin tier walk (Admin, then Baseline when NetworkPolicy does not isolate); empty when no admin policy selects the subject. */
  readonly tiers: readonly TierStep[];
}

export interface Decision {
  readonly verdict: Verdict;
  readonly egress: DirectionResult;
  readonly ingress: DirectionResult;
  /** Set when the connection is a pod to itself: "a pod can always reach itself". */
  readonly self: boolean;
}

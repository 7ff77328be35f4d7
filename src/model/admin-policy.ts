import type { Location } from "../diag/location.js";
import type { DomainPattern } from "../dns/names.js";
import type { Cidr } from "../net/cidr.js";
import type { Labels } from "./labels.js";
import type { Protocol } from "./ports.js";
import type { LabelSelector } from "./selector.js";

/**
 * The admin policy kinds of kubernetes-sigs/network-policy-api, as one model: ClusterNetworkPolicy
 * (`policy.networking.k8s.io/v1alpha2`) and its predecessors AdminNetworkPolicy and
 * BaselineAdminNetworkPolicy (`v1alpha1`), mapped onto it. Decoded and validated; not yet evaluated.
 */

/** Where an admin policy came from: its kind and the API version that kind is read at. */
export type AdminPolicySource =
  | { readonly kind: "ClusterNetworkPolicy"; readonly apiVersion: "policy.networking.k8s.io/v1alpha2" }
  | { readonly kind: "AdminNetworkPolicy"; readonly apiVersion: "policy.networking.k8s.io/v1alpha1" }
  | { readonly kind: "BaselineAdminNetworkPolicy"; readonly apiVersion: "policy.networking.k8s.io/v1alpha1" };

export type AdminPolicyKind = AdminPolicySource["kind"];

export const ADMIN_POLICY_SOURCES: readonly AdminPolicySource[] = [
  { kind: "ClusterNetworkPolicy", apiVersion: "policy.networking.k8s.io/v1alpha2" },
  { kind: "AdminNetworkPolicy", apiVersion: "policy.networking.k8s.io/v1alpha1" },
  { kind: "BaselineAdminNetworkPolicy", apiVersion: "policy.networking.k8s.io/v1alpha1" },
];

/**
 * "Policy tiers are evaluated in the following order: * Admin tier * NetworkPolicy tier * Baseline
 * tier. ClusterNetworkPolicy can use 2 of these tiers: Admin and Baseline."
 */
export type AdminTier = "Admin" | "Baseline";

/** v1alpha2's actions; v1alpha1's `Allow` is read as `Accept`. */
export type AdminAction = "Accept" | "Deny" | "Pass";

/**
 * The pods a policy applies to ("Exactly one field must be set"). `namespaces`: every pod of the
 * namespaces the selector matches; `pods`: the pods matching `pods` in the namespaces matching
 * `namespaces`. "Note that host-networked pods are not included in subject selection."
 */
export type AdminSubject =
  | { readonly kind: "namespaces"; readonly namespaces: LabelSelector; readonly at: Location }
  | { readonly kind: "pods"; readonly namespaces: LabelSelector; readonly pods: LabelSelector; readonly at: Location };

/** A DomainName as written: an exact name, or `*.` and a name ("'*' may only be specified as a prefix"). */
export interface DomainName {
  readonly text: string;
  /**
   * What it matches (src/dns/names.ts: `*.kubernetes.io` "matches subdomains of kubernetes.io", not
   * kubernetes.io itself), read once when decoded; null for a text the CRD's pattern admits that is
   * no DNS name (a label over 63 octets, over 253 characters): it matches nothing.
   */
  readonly pattern: DomainPattern | null;
  readonly at: Location;
}

/** An ingress peer: "Note that host-networked pods are not included in this type of peer." */
export type AdminIngressPeer = AdminSubject;

/** An egress peer: the ingress ones, and the peers outside the pod network. */
export type AdminEgressPeer =
  | AdminIngressPeer
  /** "It selects the nodeIPs as the peer type by matching on the IPs present in the node.Status.Addresses field of the node." */
  | { readonly kind: "nodes"; readonly nodes: LabelSelector; readonly at: Location }
  /** "cluster-internal traffic will be checked against the rule as well" (pod IPs too). */
  | { readonly kind: "networks"; readonly networks: readonly Cidr[]; readonly at: Location }
  /** Matched by the DNS answers the pod receives: evaluation depends on DNS. */
  | { readonly kind: "domainNames"; readonly domainNames: readonly DomainName[]; readonly at: Location };

/** A destination port: one number, or an inclusive range with start < end (every protocol entry names one). */
export type AdminPortMatch =
  | { readonly kind: "number"; readonly port: number }
  | { readonly kind: "range"; readonly start: number; readonly end: number };

/**
 * One `protocols` entry (v1alpha2) or `ports` entry (v1alpha1): a protocol with an optional
 * destination port, or a named port of the destination pod (any protocol the pod names it on).
 */
export type AdminProtocolMatch =
  | { readonly kind: "protocol"; readonly protocol: Protocol; readonly port: AdminPortMatch; readonly at: Location }
  | { readonly kind: "namedPort"; readonly name: string; readonly at: Location };

/** An entry of a one-of (a peer, a protocol) that sets none of the fields this version knows. */
export interface UnknownEntry {
  /** The fields it sets instead, as written (a newer CRD's fields). */
  readonly fields: readonly string[];
  readonly at: Location;
}

/** The peers and protocols a rule matches, as written. `protocols: "all"`: "If unspecified, protocol-specific attributes will not be used to match traffic." */
export interface RuleMatch<P> {
  readonly kind: "as-written";
  readonly peers: readonly P[];
  readonly protocols: readonly AdminProtocolMatch[] | "all";
}

/**
 * "If an implementation sees no fields are set then it can infer that the deployed CRD is of an
 * incompatible version with an unknown field. In that case it should fail closed. For "Accept"
 * rules, "fail closed" means: "treat the rule as matching no traffic". For "Deny" and "Pass" rules,
 * "fail closed" means: "treat the rule as a 'Deny all' rule"."
 */
export interface FailClosed<E extends "matches-nothing" | "denies-all"> {
  readonly kind: E;
  /** The peers and protocols that set no known field. */
  readonly unknown: readonly UnknownEntry[];
}

interface RuleBase {
  readonly index: number;
  /** `name` (at most 100 characters); absent when not written. */
  readonly name?: string;
  readonly at: Location;
}

/**
 * A rule: an Accept rule whose entries all decoded, or one that fails closed by matching nothing;
 * a Deny or Pass rule whose entries all decoded, or one that fails closed as a Deny of everything.
 */
export type AdminRule<P> =
  | (RuleBase & { readonly action: "Accept"; readonly match: RuleMatch<P> | FailClosed<"matches-nothing"> })
  | (RuleBase & { readonly action: "Deny" | "Pass"; readonly match: RuleMatch<P> | FailClosed<"denies-all"> });

/** What a rule does to the traffic it matches, once fail-closed rules are resolved. */
export function effectiveAction(rule: AdminRule<unknown>): AdminAction {
  return rule.match.kind === "denies-all" ? "Deny" : rule.action;
}

/** Whether a rule names ports (`destinationNamedPort`, v1alpha1 `namedPort`): they resolve on the destination pod, so what it matches depends on pods' declared ports. */
export function adminRuleNamesPort(rule: AdminRule<unknown>): boolean {
  return rule.match.kind === "as-written" && rule.match.protocols !== "all" && rule.match.protocols.some((p) => p.kind === "namedPort");
}

interface AdminPolicyBase {
  readonly name: string;
  readonly source: AdminPolicySource;
  readonly subject: AdminSubject;
  /** "Rules ... a rule that appears at the top of the ... rules would take the highest precedence." */
  readonly ingress: readonly AdminRule<AdminIngressPeer>[];
  readonly egress: readonly AdminRule<AdminEgressPeer>[];
  /** metadata.annotations, absent when it has none (lint reads domain lists written there). */
  readonly annotations?: Labels;
  readonly at: Location;
}

/**
 * One admin policy. Admin tier: a ClusterNetworkPolicy `tier: Admin` or an AdminNetworkPolicy, with
 * its priority ("Policies with lower priority values have higher precedence"). Baseline tier: a
 * ClusterNetworkPolicy `tier: Baseline` (with priority), or the BaselineAdminNetworkPolicy
 * `default`, which has none (it is a singleton).
 */
export type AdminPolicy =
  | (AdminPolicyBase & { readonly tier: "Admin"; readonly priority: number })
  | (AdminPolicyBase & { readonly tier: "Baseline"; readonly priority: number | null });

/** What names one admin rule: its tier, policy, the policy's priority, the rule's index and name. */
export interface AdminRuleName {
  readonly tier: AdminTier;
  readonly policy: { readonly kind: AdminPolicyKind; readonly name: string };
  /** null: the BaselineAdminNetworkPolicy, which has none. */
  readonly priority: number | null;
  readonly rule: number;
  readonly name: string | null;
}

/** The name of `rule` of `policy` in `tier`. */
export function adminRuleName(tier: AdminTier, policy: AdminPolicy, rule: AdminRule<unknown>): AdminRuleName {
  return { tier, policy: { kind: policy.source.kind, name: policy.name }, priority: policy.priority, rule: rule.index, name: rule.name ?? null };
}

/** `Admin ClusterNetworkPolicy deny-metadata (priority 10) rule 0 "block-imds"`: how every output names an admin rule. */
export function formatAdminRule(r: AdminRuleName): string {
  const priority = r.priority === null ? "" : ` (priority ${r.priority})`;
  const name = r.name === null ? "" : ` "${r.name}"`;
  return `${r.tier} ${r.policy.kind} ${r.policy.name}${priority} rule ${r.rule}${name}`;
}

/** `ClusterNetworkPolicy deny-metadata`: how messages name an admin policy (cluster-scoped, no namespace). */
export function formatAdminPolicy(p: Pick<AdminPolicy, "source" | "name">): string {
  return `${p.source.kind} ${p.name}`;
}

/**
 * `lab run` as data: what is planned (pure, `plan.ts`), and what the run reports (`run.ts`).
 * Addresses in plans and reports are text, so a plan survives a JSON state file unchanged.
 */
import type { EngineOptions } from "../engine/types.js";
import type { LabSpec, LabTopology, ProbeOutcome } from "../lab/types.js";
import type { Cluster } from "../model/cluster.js";
import type { Protocol } from "../model/ports.js";
import type { Cidr } from "../net/cidr.js";
import type { Ip } from "../net/ip.js";

/** An external destination from `--to IP[:PORT[/PROTOCOL]]`; without a port, the default ports. */
export interface ExternalTarget {
  readonly ip: Ip;
  readonly port?: { readonly port: number; readonly protocol: Protocol };
}

export interface LabRunOptions {
  /** Pod CIDRs: lab pods without a known IP get one from the first; the ruleset fails closed in all. */
  readonly podCidrs: readonly Cidr[];
  readonly ipBlockMatchesPods: boolean;
  /** Replaces the external targets derived from the policies' ipBlocks. */
  readonly to?: readonly ExternalTarget[];
  /** Metadata addresses probed besides the defaults (`--metadata`). */
  readonly metadata?: readonly Ip[];
  /** Refuse plans with more probes than this (default 4096): a lab probes about 64 per second. */
  readonly maxProbes?: number;
  /** How the lab wires its pods (`--topology`; default routed): `bridge` puts them on `cni0`, holding the pod CIDRs' gateways. */
  readonly topology?: LabTopology["kind"];
}

/** One probe, with the engine's verdict: from a lab pod to a pod or an external address, or from an external address to a pod. */
export interface PlannedProbe {
  /** A pod id, or an external address (probing from the internet, leaving from it). */
  readonly from: string;
  /** A pod id, or the external address as text. */
  readonly to: string;
  /** The address probed. */
  readonly ip: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly expected: boolean;
  /** Who answers when it gets through: the pod id, or `internet <address>`. */
  readonly identity: string;
}

/**
 * Why something the cluster holds is not probed. Codes, not sentences (`messages.ts` words them):
 * - `host-network`: a host-network endpoint is the node itself, which the lab does not model.
 * - `duplicate-id`: another endpoint already has this `namespace/name` (a lab pod is named by it).
 * - `address-reserved`: its known IP is one the lab uses, or cannot be a pod's.
 * - `address-taken`: its known IP is another endpoint's.
 * - `no-address-family`: the source pod has no address of the destination's family.
 * - `in-pod-cidr`: an external address inside a pod CIDR, where the node fails closed.
 * - `depends`: the engine's verdict depends on addresses the lab cannot pick between.
 * - `sctp-unsupported`: the lab cannot probe SCTP (no kernel module or userspace for it).
 */
export type SkipReason =
  | "host-network"
  | "duplicate-id"
  | "address-reserved"
  | "address-taken"
  | "no-address-family"
  | "in-pod-cidr"
  | "depends"
  | "sctp-unsupported";

export interface Skipped {
  readonly reason: SkipReason;
  /** Absent when it concerns every source: an endpoint left out of the lab, an external address not probed. */
  readonly from?: string;
  readonly to: string;
  readonly port?: number;
  readonly protocol?: Protocol;
}

export type PlanError =
  | { readonly kind: "too-many-pods"; readonly count: number; readonly max: number }
  | { readonly kind: "too-many-probes"; readonly count: number; readonly max: number }
  | { readonly kind: "no-pod-cidr" }
  | { readonly kind: "pod-cidr-full"; readonly cidr: string };

export interface LabRunPlan {
  readonly spec: LabSpec;
  /** The cluster as the lab has it: one Pod per lab pod, with the lab's addresses. */
  readonly cluster: Cluster;
  readonly engineOptions: EngineOptions;
  readonly podCidrs: readonly Cidr[];
  readonly probes: readonly PlannedProbe[];
  readonly skipped: readonly Skipped[];
}

export type PlanResult = { readonly ok: true; readonly plan: LabRunPlan } | { readonly ok: false; readonly errors: readonly PlanError[] };

/** One probe's outcome, as `--output json` prints it. */
export interface LabEntry {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly expected: boolean;
  readonly observed: boolean;
}

/**
 * An entry whose packets disagree with the engine: `observed` differs from `expected`, or the
 * outcome is not the one enforcement explains (answered by someone else; a block that is not a drop).
 */
export interface Mismatch extends LabEntry {
  readonly outcome: ProbeOutcome;
  readonly identity: string | null;
  readonly wanted: string;
  readonly detail?: string;
}

/** Milliseconds. For `lab probe`, up is attaching to the kept lab and down is detaching. */
export interface LabTimings {
  readonly upMs: number;
  readonly enforceMs: number;
  readonly probeMs: number;
  readonly downMs: number;
}

export interface LabReport {
  readonly prefix: string;
  readonly entries: readonly LabEntry[];
  readonly mismatches: readonly Mismatch[];
  readonly skipped: readonly Skipped[];
  /** Probes that disagreed once and were probed again with a longer timeout before being judged. */
  readonly retried: number;
  readonly timings: LabTimings;
}

export type LabRunError =
  | { readonly kind: "plan"; readonly errors: readonly PlanError[] }
  | { readonly kind: "lab"; readonly message: string }
  | { readonly kind: "enforce"; readonly message: string }
  | { readonly kind: "state"; readonly message: string };

export type LabRunResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: LabRunError };

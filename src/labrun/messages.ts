/** Every sentence `lab` prints, in one place that tests import. */
import type { LabRunError, PlanError, SkipReason } from "./types.js";

export const skipMessages: Readonly<Record<SkipReason, string>> = {
  "host-network": "host-network endpoint: it is the node, which the lab does not model",
  "duplicate-id": "another endpoint has the same namespace/name",
  "address-reserved": "its address is one the lab routes by, or cannot be probed",
  "address-taken": "its address is another endpoint's",
  "no-address-family": "the source has no address of the destination's family",
  "in-pod-cidr": "inside a pod CIDR but no lab pod's: the node drops it (fail closed)",
  depends: "the engine's verdict depends on addresses the lab cannot choose between",
  "sctp-unsupported": "SCTP cannot be probed in this lab",
};

export function planErrorMessage(e: PlanError): string {
  switch (e.kind) {
    case "too-many-pods":
      return `${e.count} lab pods, at most ${e.max}`;
    case "too-many-probes":
      return `${e.count} probes, at most ${e.max}: name external targets with --to, or use fewer manifests`;
    case "no-pod-cidr":
      return "pods without an IP need a pod CIDR to take one from";
    case "pod-cidr-full":
      return `no free address left in pod CIDR ${e.cidr}`;
  }
}

export function runErrorMessage(e: LabRunError): string {
  switch (e.kind) {
    case "plan":
      return `cannot plan the lab: ${e.errors.map(planErrorMessage).join("; ")}`;
    case "lab":
      return `lab: ${e.message}`;
    case "enforce":
      return `enforcing the ruleset in the lab: ${e.message}`;
    case "state":
      return `lab state: ${e.message}`;
  }
}

export const verdictWord = (allowed: boolean): string => (allowed ? "allowed" : "blocked");

/** What `lab run` says (stderr) about labs orphaned by killed runs. */
export function orphanMessages(o: { readonly found: readonly string[]; readonly removed: readonly string[] }): string[] {
  return [
    ...o.found.map((p) => `warning: lab ${p} was left by a run that was killed; remove it: portcullis lab down --lab ${p} (or lab run --clean)`),
    ...o.removed.map((p) => `removed lab ${p}, left by a run that was killed`),
  ];
}

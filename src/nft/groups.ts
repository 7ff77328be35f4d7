import type { Direction, Endpoint, Policy } from "../model/cluster.js";
import type { Engine } from "../engine/engine.js";
import { stableHashes } from "./ids.js";
import { type CompileIssue, MODE_ANNOTATION, type Mode } from "./types.js";

/**
 * Local pods whose chain in one direction would be the same (the same mode and the same policies
 * to look up): they share one chain, and the verdict map sends each of their addresses there.
 */
export interface Group {
  /** A hash of the mode and the looked-up policy ids: the same group keeps its name across changes. */
  readonly hash: string;
  readonly direction: Direction;
  /** Policies whose rules the chain looks up: the enforcing ones, or (when none) the audited ones. */
  readonly lookup: readonly Policy[];
  /** `enforce` when any selecting policy enforces; then audited policies do not isolate nor allow. */
  readonly mode: Mode;
  readonly members: readonly Endpoint[];
}

export interface LocalPods {
  /** Local pods the ruleset can name by address, sorted by id. */
  readonly enforced: readonly Endpoint[];
  readonly egress: readonly Group[];
  readonly ingress: readonly Group[];
  readonly modes: ReadonlyMap<Policy, Mode>;
  readonly issues: readonly CompileIssue[];
}

export const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function policyMode(policy: Policy, auditAll: boolean, issues: CompileIssue[]): Mode {
  const value = policy.annotations.get(MODE_ANNOTATION);
  if (auditAll || value === "audit") return "audit";
  // Any other value enforces: an unknown mode must not open the policy (fail closed).
  if (value !== undefined && value !== "enforce") {
    issues.push({ kind: "unknown-mode", policy: { namespace: policy.namespace, name: policy.name }, value });
  }
  return "enforce";
}

export function groupLocalPods(engine: Engine, localPods: readonly Endpoint[], auditAll: boolean): LocalPods {
  const issues: CompileIssue[] = [];
  const enforced: Endpoint[] = [];
  for (const pod of [...localPods].sort((a, b) => byString(a.id, b.id))) {
    // Host-network pods are the node: NetworkPolicy does not govern them.
    if (pod.hostNetwork) issues.push({ kind: "host-network", endpoint: pod.id });
    else if (pod.ips.length === 0) issues.push({ kind: "no-ip", endpoint: pod.id });
    else enforced.push(pod);
  }
  const modes = new Map<Policy, Mode>();
  for (const p of [...engine.cluster.policies].sort((a, b) => byString(a.id, b.id))) modes.set(p, policyMode(p, auditAll, issues));
  const groups = (direction: Direction): Group[] => {
    const byKey = new Map<string, { mode: Mode; lookup: readonly Policy[]; members: Endpoint[] }>();
    for (const pod of enforced) {
      const policies = [...engine.policiesSelecting(pod, direction)].sort((a, b) => byString(a.id, b.id));
      // "By default, a pod is non-isolated": no policy, no group, no entry in the verdict map.
      if (policies.length === 0) continue;
      const enforcing = policies.filter((p) => modes.get(p) === "enforce");
      const mode: Mode = enforcing.length > 0 ? "enforce" : "audit";
      const lookup = mode === "enforce" ? enforcing : policies;
      const key = [mode, ...lookup.map((p) => p.id)].join("\n");
      const g = byKey.get(key) ?? { mode, lookup, members: [] };
      g.members.push(pod);
      byKey.set(key, g);
    }
    const hashes = stableHashes(byKey.keys());
    return [...byKey.entries()]
      .sort(([a], [b]) => byString(a, b))
      .map(([key, g]) => ({ hash: hashes.get(key) as string, direction, lookup: g.lookup, mode: g.mode, members: g.members }));
  };
  return { enforced, egress: groups("egress"), ingress: groups("ingress"), modes, issues };
}

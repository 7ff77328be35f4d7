import { type AdminPolicy, type AdminTier, formatAdminPolicy } from "../model/admin-policy.js";
import type { Direction, Endpoint, Policy } from "../model/cluster.js";
import type { Engine } from "../engine/engine.js";
import { stableHashes } from "./ids.js";
import { type CompileIssue, MODE_ANNOTATION, type Mode } from "./types.js";

/**
 * Local pods whose chain in one direction would be the same (the same mode and the same policies
 * to look up, in every tier): they share one chain, and the verdict map sends each of their
 * addresses there.
 */
export interface Group {
  /** A hash of the mode and the looked-up policies of every tier: the same group keeps its name across changes. */
  readonly hash: string;
  readonly direction: Direction;
  /** NetworkPolicies whose rules the chain looks up: the enforcing ones, or (when none) the audited ones; empty when none isolates. */
  readonly lookup: readonly Policy[];
  /** The Admin tier's policies that select the members, in precedence order (engine/admin-tiers.ts). */
  readonly admin: readonly AdminPolicy[];
  /**
   * The Baseline tier's policies that select the members, in precedence order; empty when a
   * NetworkPolicy isolates them ("only when the pod is isolated ... its verdict is final"): the
   * Baseline tier is never reached then.
   */
  readonly baseline: readonly AdminPolicy[];
  /**
   * The mode of the NetworkPolicy tier: `enforce` when any selecting policy enforces; then audited
   * policies do not isolate nor allow. Without NetworkPolicies, the admin mode.
   */
  readonly mode: Mode;
  readonly members: readonly Endpoint[];
}

export interface LocalPods {
  /** Local pods the ruleset can name by address, sorted by id. */
  readonly enforced: readonly Endpoint[];
  readonly egress: readonly Group[];
  readonly ingress: readonly Group[];
  readonly modes: ReadonlyMap<Policy, Mode>;
  /** The mode of every admin rule: `audit` under `--audit` (a Deny logs and lets the packet go on). */
  readonly adminMode: Mode;
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
  const adminMode: Mode = auditAll ? "audit" : "enforce";
  const { modes, issues: modeIssues } = policyModes(engine.cluster.policies, auditAll);
  issues.push(...modeIssues);
  const groups = (direction: Direction): Group[] => {
    const byKey = new Map<string, { mode: Mode; lookup: readonly Policy[]; admin: readonly AdminPolicy[]; baseline: readonly AdminPolicy[]; members: Endpoint[] }>();
    for (const pod of enforced) {
      const policies = byId(engine.policiesSelecting(pod, direction));
      const tiers = adminTiersOf(engine, pod, direction);
      const baseline = policies.length === 0 ? tiers.Baseline : NO_ADMIN;
      // "By default, a pod is non-isolated": no policy of any tier, no group, no entry in the verdict map.
      if (policies.length === 0 && tiers.Admin.length === 0 && baseline.length === 0) continue;
      const enforcing = policies.filter((p) => modes.get(p) === "enforce");
      const mode: Mode = policies.length === 0 ? adminMode : enforcing.length > 0 ? "enforce" : "audit";
      const lookup = mode === "enforce" ? enforcing : policies;
      const keyParts = [mode, ...lookup.map((p) => p.id)];
      // NetworkPolicy-only groups keep the keys (and so the names) they always had.
      if (tiers.Admin.length > 0) keyParts.push("Admin:", ...tiers.Admin.map(formatAdminPolicy));
      if (baseline.length > 0) keyParts.push("Baseline:", ...baseline.map(formatAdminPolicy));
      const key = keyParts.join("\n");
      const g = byKey.get(key) ?? { mode, lookup, admin: tiers.Admin, baseline, members: [] };
      g.members.push(pod);
      byKey.set(key, g);
    }
    const hashes = stableHashes(byKey.keys());
    return [...byKey.entries()]
      .sort(([a], [b]) => byString(a, b))
      .map(([key, g]) => ({ hash: hashes.get(key) as string, direction, lookup: g.lookup, admin: g.admin, baseline: g.baseline, mode: g.mode, members: g.members }));
  };
  return { enforced, egress: groups("egress"), ingress: groups("ingress"), modes, adminMode, issues };
}

const NO_ADMIN: readonly AdminPolicy[] = [];

/**
 * The mode of every policy, and the issues of unknown modes (annotated policies in id order):
 * remembered per policy list, which the node agent hands over as the same array while no policy
 * changed, so a pod event does not walk every policy of the cluster.
 */
function policyModes(policies: readonly Policy[], auditAll: boolean): { readonly modes: ReadonlyMap<Policy, Mode>; readonly issues: readonly CompileIssue[] } {
  const known = modesOf.get(policies);
  if (known !== undefined && known.auditAll === auditAll) return known;
  const issues: CompileIssue[] = [];
  const modes = new Map<Policy, Mode>();
  // Only an annotated policy can be reported (`policyMode`); those are taken in id order.
  const annotated: Policy[] = [];
  for (const p of policies) {
    if (auditAll || p.annotations.has(MODE_ANNOTATION)) annotated.push(p);
    else modes.set(p, "enforce");
  }
  for (const p of annotated.sort((a, b) => byString(a.id, b.id))) modes.set(p, policyMode(p, auditAll, issues));
  const out = { auditAll, modes, issues };
  modesOf.set(policies, out);
  return out;
}

const modesOf = new WeakMap<readonly Policy[], { readonly auditAll: boolean; readonly modes: ReadonlyMap<Policy, Mode>; readonly issues: readonly CompileIssue[] }>();

/**
 * The policies in id order, remembered per list: the engine hands back the same list for a label
 * class while its selection holds (see Engine.policiesSelecting), so pods of one class sort it once.
 */
function byId(policies: readonly Policy[]): readonly Policy[] {
  let sorted = sortedLists.get(policies);
  if (sorted === undefined) {
    sorted = [...policies].sort((a, b) => byString(a.id, b.id));
    sortedLists.set(policies, sorted);
  }
  return sorted;
}

const sortedLists = new WeakMap<readonly Policy[], readonly Policy[]>();

/** The admin policies of each tier that decide `direction` for `pod`, from the engine's verdict layers. */
function adminTiersOf(engine: Engine, pod: Endpoint, direction: Direction): Readonly<Record<AdminTier, readonly AdminPolicy[]>> {
  const out: Record<AdminTier, readonly AdminPolicy[]> = { Admin: NO_ADMIN, Baseline: NO_ADMIN };
  for (const layer of engine.layersSelecting(pod, direction)) if (layer.kind === "admin") out[layer.tier] = layer.policies;
  return out;
}

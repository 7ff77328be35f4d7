/**
 * What each probe saw against what the engine says, pure. Dropped (a timeout: nothing came back)
 * is told apart from refused (a reset or ICMP unreachable: the packet arrived somewhere):
 * - twin → twin: the destination twin listens on every port probed, so a refusal can only be a
 *   rejecting plugin (kube-router, a REJECT rule): blocked. Connected counts only when the very
 *   twin probed answered.
 * - twin → real pod (`--no-twins`): the real pod may not listen on a declared port; "a refused
 *   connection counts as reachable" (the packet got through the policy).
 * - twin → external address: connected or refused: reachable; a timeout where the engine allows
 *   is inconclusive (nothing may answer there), not a mismatch.
 * - DNS: an answer or NXDOMAIN: reachable; a timeout: blocked.
 * - unreachable (ICMP unreachable or prohibited, no route): blocked; for an allowed external
 *   address, inconclusive (the cluster has no route there).
 */
import type { Blame, ProbeKind, VerifyProbe } from "./plan.js";
import type { ResultLine } from "./probe-plan.js";

/**
 * What a probe saw, in the words of the output. `unreachable`: ICMP host/network unreachable or
 * prohibited, or no route from the pod (the packet did not get through); `missing`: the agent
 * printed no result for it.
 */
export type Observed = "connected" | "refused" | "dropped" | "unreachable" | "answered" | "nxdomain" | "error" | "missing";

/** An entry as `lab probe` prints one (from, to, port, protocol, expected, observed), and what verify adds. */
export interface VerifyEntry {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: string;
  readonly expected: boolean;
  /** Reachable (false also when the probe failed: `outcome` says error or missing, and the entry is a mismatch). */
  readonly observed: boolean;
  readonly outcome: Observed;
  readonly blamed: readonly Blame[];
  /** `match`, `mismatch`, or `inconclusive` (an allowed external address nothing answered at). */
  readonly verdict: "match" | "mismatch" | "inconclusive";
  readonly detail?: string;
  /** The first try timed out and this is the second's outcome. */
  readonly retried?: true;
}

export function observedOf(r: ResultLine | undefined): Observed {
  if (r === undefined) return "missing";
  return r.outcome === "timeout" ? "dropped" : r.outcome;
}

/** Whether the outcome means the packet got through, for this kind of probe; null: cannot tell. */
export function reachable(kind: ProbeKind, o: Observed): boolean | null {
  switch (o) {
    case "connected":
    case "answered":
    case "nxdomain":
      return true;
    case "refused":
      return kind === "twin" ? false : true;
    case "dropped":
    case "unreachable":
      return false;
    case "error":
    case "missing":
      return null;
  }
}

export function judge(p: VerifyProbe, r: ResultLine | undefined): VerifyEntry {
  const outcome = observedOf(r);
  const observed = reachable(p.kind, outcome);
  const base = { from: p.from, to: p.to, port: p.port, protocol: p.protocol, expected: p.expected, observed: observed ?? false, outcome, blamed: p.blamed, ...(r?.retried === true ? { retried: true as const } : {}) };
  const identity = r !== undefined && "identity" in r ? r.identity : undefined;
  if (p.kind === "twin" && outcome === "connected" && p.identity !== undefined && identity !== p.identity) {
    return { ...base, verdict: "mismatch", detail: `answered by ${identity ?? "nobody (no identity)"}, not ${p.identity}` };
  }
  const detail = r?.detail === undefined || p.kind === "dns" ? {} : { detail: r.detail };
  if (observed === p.expected) return { ...base, verdict: "match", ...detail };
  if (p.kind === "external" && p.expected && outcome === "dropped") return { ...base, verdict: "inconclusive", detail: "nothing answered; the policies allow it" };
  if (p.kind === "external" && p.expected && outcome === "unreachable") return { ...base, verdict: "inconclusive", detail: `no route to it from the pod (${r?.detail ?? "unreachable"}); the policies allow it` };
  return { ...base, verdict: "mismatch", ...detail };
}

export interface Comparison {
  readonly entries: readonly VerifyEntry[];
  readonly mismatches: number;
  readonly inconclusive: number;
}

export function compareProbes(probes: readonly VerifyProbe[], results: ReadonlyMap<string, ResultLine>): Comparison {
  const entries = probes.map((p) => judge(p, results.get(p.id)));
  return { entries, mismatches: entries.filter((e) => e.verdict === "mismatch").length, inconclusive: entries.filter((e) => e.verdict === "inconclusive").length };
}

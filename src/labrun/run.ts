/**
 * `lab run`: bring the lab up, enforce the lab cluster's ruleset in its node, probe every planned
 * target, compare with the engine, and take the lab down (always, also on failure).
 */
import { performance } from "node:perf_hooks";
import { labUp } from "../lab/lab.js";
import type { Lab } from "../lab/types.js";
import type { Cluster } from "../model/cluster.js";
import { compileRuleset } from "../nft/compile.js";
import { planLabRun } from "./plan.js";
import { DEFAULT_PROBE_TIMEOUT_MS, probeAndCompare } from "./probe-lab.js";
import type { LabReport, LabRunError, LabRunOptions, LabRunPlan, LabRunResult } from "./types.js";

export interface RunLabOptions extends LabRunOptions {
  /** Per probe (connect, then read); default 1000 ms. A blocked probe takes this long; mismatches are probed again with three times as long. */
  readonly probeTimeoutMs?: number;
  /** Runs in the enforced lab after the probes, before it goes down (tests make extra checks here). */
  readonly inLab?: (lab: Lab, plan: LabRunPlan) => Promise<void>;
}

export const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The compiled ruleset of the lab cluster, all pods local to the node, applied in the node namespace. */
export async function enforce(lab: Lab, plan: LabRunPlan): Promise<LabRunError | undefined> {
  const node = { localPods: plan.cluster.endpoints, podCidrs: plan.podCidrs };
  const compiled = compileRuleset(plan.cluster, plan.engineOptions, node);
  const r = await lab.exec(lab.nodeNs, ["nft", "-f", "-"], { input: compiled.text, timeoutMs: 20_000 });
  return r.code === 0 ? undefined : { kind: "enforce", message: `nft -f exited ${r.code}: ${r.stderr.trim()}` };
}

export const since = (start: number): number => Math.round(performance.now() - start);

/** The plan of a lab run and the lab brought up for it (`lab run` and `lab up`), or why not. */
export async function planAndUp(cluster: Cluster, options: LabRunOptions): Promise<LabRunResult<{ plan: LabRunPlan; lab: Lab; upMs: number }>> {
  const planned = planLabRun(cluster, options);
  if (!planned.ok) return { ok: false, error: { kind: "plan", errors: planned.errors } };
  const start = performance.now();
  try {
    const lab = await labUp(planned.plan.spec);
    return { ok: true, value: { plan: planned.plan, lab, upMs: since(start) } };
  } catch (e) {
    return { ok: false, error: { kind: "lab", message: message(e) } };
  }
}

/** Plan, up, enforce, probe, compare, down. Errors are values; the lab is down when this returns. */
export async function runLab(cluster: Cluster, options: RunLabOptions): Promise<LabRunResult<LabReport>> {
  const up = await planAndUp(cluster, options);
  if (!up.ok) return up;
  const { plan, lab, upMs } = up.value;
  let start = performance.now();
  let enforceMs = 0;
  let probeMs = 0;
  let report: Omit<LabReport, "timings">;
  try {
    start = performance.now();
    const failed = await enforce(lab, plan);
    enforceMs = since(start);
    if (failed !== undefined) return { ok: false, error: failed };
    start = performance.now();
    const probed = await probeAndCompare(lab, plan.probes, options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS).catch((e: unknown) => message(e));
    probeMs = since(start);
    if (typeof probed === "string") return { ok: false, error: { kind: "lab", message: `probing: ${probed}` } };
    // Errors of the hook are the caller's: they propagate (after the lab is down).
    await options.inLab?.(lab, plan);
    report = { prefix: lab.prefix, ...probed, skipped: [...plan.skipped, ...probed.skipped] };
  } finally {
    start = performance.now();
    await lab.down();
  }
  return { ok: true, value: { ...report, timings: { upMs, enforceMs, probeMs, downMs: since(start) } } };
}

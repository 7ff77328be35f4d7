/**
 * `lab up`, `lab probe --lab PREFIX`, `lab down --lab PREFIX`: a lab that outlives the command
 * that made it. `lab up` enforces and detaches the lab (its namespaces and ruleset stay; its agents
 * end with the process) and writes the plan to a state file; `lab probe` attaches new agents,
 * probes, and detaches again; `lab down` removes the lab and its state file.
 */
import { performance } from "node:perf_hooks";
import { labRemove } from "../lab/cleanup.js";
import { labAttach } from "../lab/lab.js";
import type { Lab } from "../lab/types.js";
import type { Cluster } from "../model/cluster.js";
import { DEFAULT_PROBE_TIMEOUT_MS, probeAndCompare } from "./probe-lab.js";
import { enforce, message, planAndUp, since } from "./run.js";
import { defaultStateDir, readState, removeState, statePath, writeState } from "./state.js";
import type { LabReport, LabRunOptions, LabRunResult } from "./types.js";
import { STATE_VERSION } from "./wire.js";

export interface KeptOptions {
  /** Default: `defaultStateDir()`. */
  readonly stateDir?: string;
}

export interface LabUpInfo {
  readonly prefix: string;
  readonly statePath: string;
  readonly pods: number;
  readonly probes: number;
  readonly upMs: number;
  readonly enforceMs: number;
}


/** Brings the lab up, enforces, records it, and leaves it running without this process. */
export async function labUpOnly(cluster: Cluster, options: LabRunOptions & KeptOptions): Promise<LabRunResult<LabUpInfo>> {
  const up = await planAndUp(cluster, options);
  if (!up.ok) return up;
  const { plan, lab, upMs } = up.value;
  const dir = options.stateDir ?? defaultStateDir();
  let kept = false;
  try {
    const start = performance.now();
    const failed = await enforce(lab, plan);
    if (failed !== undefined) return { ok: false, error: failed };
    const enforceMs = since(start);
    const state = { version: STATE_VERSION, prefix: lab.prefix, createdAt: new Date().toISOString(), spec: plan.spec, probes: plan.probes, skipped: plan.skipped } as const;
    const statePath = await writeState(dir, state).catch((e: unknown) => new Error(message(e)));
    if (statePath instanceof Error) return { ok: false, error: { kind: "state", message: statePath.message } };
    await lab.detach();
    kept = true;
    return { ok: true, value: { prefix: lab.prefix, statePath, pods: plan.spec.pods.length, probes: plan.probes.length, upMs, enforceMs } };
  } finally {
    if (!kept) {
      await lab.down();
      await removeState(dir, lab.prefix).catch(() => undefined);
    }
  }
}

/** Probes a kept lab again with the probes planned at `lab up`; the lab stays up. */
export async function labProbe(prefix: string, options: KeptOptions & { readonly probeTimeoutMs?: number } = {}): Promise<LabRunResult<LabReport>> {
  const read = await readState(options.stateDir ?? defaultStateDir(), prefix);
  if (!read.ok) return { ok: false, error: { kind: "state", message: read.message } };
  const { spec, probes, skipped } = read.state;
  let start = performance.now();
  let lab: Lab;
  try {
    lab = await labAttach(spec, prefix);
  } catch (e) {
    return { ok: false, error: { kind: "lab", message: message(e) } };
  }
  const upMs = since(start);
  let probeMs = 0;
  try {
    start = performance.now();
    const probed = await probeAndCompare(lab, probes, options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS);
    probeMs = since(start);
    start = performance.now();
    await lab.detach();
    const timings = { upMs, enforceMs: 0, probeMs, downMs: since(start) };
    return { ok: true, value: { prefix, ...probed, skipped: [...skipped, ...probed.skipped], timings } };
  } catch (e) {
    return { ok: false, error: { kind: "lab", message: `probing: ${message(e)}` } };
  } finally {
    await lab.detach().catch(() => undefined);
  }
}

/**
 * Removes a kept or orphaned lab (also one whose state file is gone) and its state file. A prefix
 * with neither namespaces nor a state file names no lab: a state error, like `lab probe`'s.
 */
export async function labDown(prefix: string, options: KeptOptions = {}): Promise<LabRunResult<{ readonly prefix: string; readonly removed: number }>> {
  const removed = await labRemove(prefix).catch((e: unknown) => ({ ok: false, reason: message(e) }) as const);
  if (!removed.ok) return { ok: false, error: { kind: "lab", message: removed.reason } };
  const dir = options.stateDir ?? defaultStateDir();
  const hadState = await removeState(dir, prefix).catch((e: unknown) => new Error(message(e)));
  if (hadState instanceof Error) return { ok: false, error: { kind: "state", message: hadState.message } };
  if (removed.removed === 0 && !hadState) return { ok: false, error: { kind: "state", message: `no lab ${prefix}: no network namespaces and no ${statePath(dir, prefix)}` } };
  return { ok: true, value: { prefix, removed: removed.removed } };
}

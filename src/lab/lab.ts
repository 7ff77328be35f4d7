/**
 * Bringing a lab up and down. Everything happens in namespaces this module creates; the root
 * namespace is only asked to list, add and delete named namespaces.
 */
import { performance } from "node:perf_hooks";
import { formatIp } from "../net/ip.js";
import { AgentHandle } from "./agent-handle.js";
import { track, untrack } from "./cleanup.js";
import { mapLimit } from "./limit.js";
import { LAB_PREFIX, addNetns, deleteNetns, ipBatch, isKeptMarker, keptMarker, listNetns, newPrefix, ofPrefix, ownerMarker, readMarker, sysctlIn } from "./netns.js";
import { type LabPlan, planLab } from "./plan.js";
import { bridgePreflight } from "./preflight.js";
import type { AgentConfig } from "./protocol.js";
import { RunningLab } from "./running-lab.js";
import { killQuietly, runOk } from "./run.js";
import type { Lab, LabOptions, LabSpec, LabStep } from "./types.js";

const SPAWN_CONCURRENCY = 16;
const AGENT_START_MS = 10_000;
/** Longer than any one step can take: commands are killed after 10 s, agents after AGENT_START_MS. */
const STEP_MAX_MS = 12_000;
const ATTACH_MS = 20_000;

async function freshPrefix(): Promise<string> {
  const names = await listNetns();
  for (let i = 0; i < 8; i++) {
    const prefix = newPrefix();
    if (ofPrefix(names, prefix).length === 0) return prefix;
  }
  throw new Error("could not pick an unused lab prefix");
}

async function wire(plan: LabPlan, step: (s: LabStep) => Promise<void>): Promise<void> {
  await addNetns(plan.namespaces);
  await step("namespaces");
  await mapLimit([...plan.sysctls], SPAWN_CONCURRENCY, ([ns, kv]) => sysctlIn(ns, kv));
  await step("sysctls");
  await ipBatch(plan.nodeBatch.ns, plan.nodeBatch.lines);
  await step("links");
  await mapLimit(plan.batches, SPAWN_CONCURRENCY, (b) => ipBatch(b.ns, b.lines));
  await mapLimit(plan.extra, SPAWN_CONCURRENCY, (argv) => runOk(["ip", ...argv]));
  await step("addresses");
}

function agentConfigs(spec: LabSpec, plan: LabPlan): [string, AgentConfig][] {
  const internet: AgentConfig = { role: "internet", identity: "internet", ips: [], ports: spec.internet.ports };
  const pods = spec.pods.map((pod, i): [string, AgentConfig] => [
    plan.pods[i]?.ns ?? "",
    { role: "pod", identity: pod.id, ips: pod.ips.map(formatIp), ports: pod.ports, ...(pod.dns === undefined ? {} : { dns: pod.dns }) },
  ]);
  return [[plan.internetNs, internet], ...pods];
}

async function startAgents(spec: LabSpec, plan: LabPlan, pids: Set<number>, agents: AgentHandle[], aborted: () => boolean): Promise<void> {
  await mapLimit(agentConfigs(spec, plan), SPAWN_CONCURRENCY, async ([ns, cfg]) => {
    if (aborted()) throw new Error("lab setup aborted");
    agents.push(await AgentHandle.start(ns, cfg, pids, AGENT_START_MS));
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)));
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * Builds the lab: node, internet and one namespace per pod, wired and serving. If any step fails,
 * everything created so far is removed before the error is thrown.
 */
export async function labUp(spec: LabSpec, opts: LabOptions = {}): Promise<Lab> {
  const prefix = await freshPrefix();
  const planned = planLab(spec, prefix, ownerMarker());
  if (!planned.ok) throw new Error(`invalid lab spec:\n  ${planned.errors.join("\n  ")}`);
  const plan = planned.plan;
  const bridge = plan.topology.kind === "bridge" ? bridgePreflight() : { ok: true as const };
  if (!bridge.ok) throw new Error(bridge.reason);
  const pids = track(prefix);
  const agents: AgentHandle[] = [];
  const start = performance.now();
  let aborted = false;
  const step = async (s: LabStep): Promise<void> => {
    if (aborted) throw new Error("lab setup aborted");
    await opts.onStep?.(s, { prefix, elapsedMs: performance.now() - start });
  };
  const setup = (async (): Promise<RunningLab> => {
    await wire(plan, step);
    await startAgents(spec, plan, pids, agents, () => aborted);
    await step("servers");
    // SCTP is neither served nor probed: Node.js has no SCTP sockets (see README).
    return new RunningLab(plan, agents, pids, false, { owned: true });
  })();
  try {
    return await withTimeout(setup, opts.setupTimeoutMs ?? 20_000, "lab setup");
  } catch (e) {
    aborted = true;
    // Let the step in flight end (each is bounded) so nothing is created after the cleanup.
    await withTimeout(setup, STEP_MAX_MS, "aborted setup").catch(() => undefined);
    await Promise.all(agents.map((a) => a.stop()));
    for (const pid of pids) killQuietly(pid);
    await deleteNetns(prefix).finally(() => untrack(prefix));
    throw e;
  }
}

/**
 * Starts servers and probers again in a detached lab (`lab.detach()`, maybe by another process),
 * so it can be probed; `spec` must be the one it was brought up with. The lab stays detached:
 * this process does not own it, its exit leaves it up; `detach()` stops the agents again, `down()`
 * removes the lab.
 */
export async function labAttach(spec: LabSpec, prefix: string): Promise<Lab> {
  if (!LAB_PREFIX.test(prefix)) throw new Error(`"${prefix}" is not a lab prefix (pc- and 6 hex digits)`);
  const planned = planLab(spec, prefix, keptMarker());
  if (!planned.ok) throw new Error(`invalid lab spec:\n  ${planned.errors.join("\n  ")}`);
  const plan = planned.plan;
  const present = ofPrefix(await listNetns(), prefix);
  const missing = plan.namespaces.filter((ns) => !present.includes(ns));
  if (missing.length > 0) throw new Error(`lab ${prefix} is not up (missing ${missing.join(", ")})`);
  if (present.length !== plan.namespaces.length) throw new Error(`lab ${prefix} has ${present.length} namespaces, the spec ${plan.namespaces.length}`);
  const marker = (await readMarker(plan.nodeNs)) ?? "";
  if (!isKeptMarker(marker)) throw new Error(`lab ${prefix} is not detached (its marker: "${marker}")`);
  const pids = new Set<number>();
  const agents: AgentHandle[] = [];
  let aborted = false;
  const starting = startAgents(spec, plan, pids, agents, () => aborted);
  try {
    await withTimeout(starting, ATTACH_MS, "attaching");
  } catch (e) {
    aborted = true;
    await withTimeout(starting, STEP_MAX_MS, "aborted attach").catch(() => undefined);
    await Promise.all(agents.map((a) => a.stop()));
    for (const pid of pids) killQuietly(pid);
    throw e;
  }
  return new RunningLab(plan, agents, pids, false, { owned: false });
}

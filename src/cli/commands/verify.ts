/**
 * `verify`: the verify core (src/verify) wired to the live cluster: the model from the live read,
 * a client for the writes, progress on stderr, Ctrl-C cleaning up before the process ends by the
 * signal. Loaded only when asked for (main.ts).
 */
import { randomBytes } from "node:crypto";
import { isIncomplete } from "../../k8s/live.js";
import { KubeClient } from "../../kube/client.js";
import { loadClusterConfig } from "../../kube/config-load.js";
import { Transport } from "../../kube/transport.js";
import type { Endpoint } from "../../model/cluster.js";
import { chooseTwins, unaddressed } from "../../verify/plan.js";
import { renderSmokeText, renderVerifyJunit, renderVerifyText, smokeView, verifyView } from "../../verify/render.js";
import { type CleanupReport, type RunFailure, type RunnerOptions, cleanupLeftovers, runSmoke, runVerify } from "../../verify/run.js";
import type { Status } from "../exit.js";
import { loadInput, type LiveLoadIo, withPodNetwork } from "../load.js";
import type { ClusterFlags, CommandOptions } from "../options.js";
import { render } from "../output.js";
import { resolveTarget } from "../target.js";
import { failureOf } from "../live-client.js";
import { type CommandResult, done, usage } from "./result.js";

type VerifyCommand = Extract<CommandOptions, { name: "verify" }>;


function clientFor(flags: ClusterFlags): { ok: true; client: KubeClient } | { ok: false; result: CommandResult } {
  const config = loadClusterConfig({ ...(flags.kubeconfig === null ? {} : { kubeconfig: flags.kubeconfig }), ...(flags.context === null ? {} : { context: flags.context }) });
  if (!config.ok) return { ok: false, result: done("kubeconfig", "", `portcullis: ${config.error.message}\n`) };
  return { ok: true, client: new KubeClient(new Transport(config.value)) };
}

/** Ctrl-C and SIGTERM abort the run (which then cleans up); the signal that came is re-raised after. */
function interruptible(): { signal: AbortSignal; received: () => NodeJS.Signals | null; release: () => void } {
  const stop = new AbortController();
  let received: NodeJS.Signals | null = null;
  const on = (s: NodeJS.Signals): void => {
    received = s;
    stop.abort();
  };
  const signals = ["SIGINT", "SIGTERM"] as const;
  for (const s of signals) process.on(s, on);
  return { signal: stop.signal, received: () => received, release: () => signals.forEach((s) => process.off(s, on)) };
}

function cleanupNote(c: CleanupReport): string {
  if (c.failed.length === 0) return "";
  return `portcullis: warning: cleanup left ${c.failed.length} kinds of objects: ${c.failed.join("; ")}; run "portcullis verify --cleanup" once the cause is fixed\n`;
}

function failed(f: Exclude<RunFailure, { kind: "interrupted" }>, cleanup: CleanupReport): CommandResult {
  const message = f.kind === "kube" ? `${f.doing}: ${f.error.message}${f.error.kind === "http" && f.error.status === "forbidden" ? " (the RBAC verify needs: docs/verify.md)" : ""}` : f.message;
  return done(f.kind === "kube" ? failureOf(f.error) : "internal", "", `portcullis: verify: ${message}\n${cleanupNote(cleanup)}`);
}

/** Ends the process by the signal received, as an uninterrupted command would have ended (130 for Ctrl-C); the run has cleaned up. */
function reraise(signal: NodeJS.Signals, cleanup: CleanupReport, io: LiveLoadIo): CommandResult {
  io.stderr(`portcullis: verify interrupted; ${cleanup.deleted.length} objects deleted\n${cleanupNote(cleanup)}`);
  process.kill(process.pid, signal);
  return done("internal", "");
}

async function withRun<T>(io: LiveLoadIo, work: (signal: AbortSignal) => Promise<{ ok: true; value: T; cleanup: CleanupReport } | { ok: false; failure: RunFailure; cleanup: CleanupReport }>, ok: (value: T, cleanup: CleanupReport) => CommandResult): Promise<CommandResult> {
  const interrupt = interruptible();
  try {
    const outcome = await work(interrupt.signal);
    const signal = interrupt.received();
    interrupt.release();
    if (signal !== null) return reraise(signal, outcome.cleanup, io);
    if (!outcome.ok) return outcome.failure.kind === "interrupted" ? done("internal", "", "portcullis: verify interrupted\n") : failed(outcome.failure, outcome.cleanup);
    return ok(outcome.value, outcome.cleanup);
  } finally {
    interrupt.release();
  }
}

function runnerOptions(probing: Extract<VerifyCommand, { action: "run" | "smoke" }>["probing"]): RunnerOptions {
  return { run: randomBytes(3).toString("hex"), image: probing.image, timeoutMs: probing.timeoutMs, podStartTimeoutMs: probing.podStartTimeoutMs };
}

const progress =
  (io: LiveLoadIo) =>
  (line: string): void =>
    io.stderr(`verify: ${line}\n`);

async function verifyWorkloads(o: Extract<VerifyCommand, { action: "run" }>, io: LiveLoadIo): Promise<CommandResult> {
  const input = o.common.input;
  if (input.kind !== "cluster") return usage("verify reads a live cluster, not files");
  const loaded = await loadInput(o.common, io, { adminPolicies: "evaluate" });
  if (loaded.kind === "ended") return loaded.result;
  const { cluster } = loaded;
  const common = withPodNetwork(loaded.common, cluster, io);
  const namespace = common.live?.namespace ?? null;
  const sources: Endpoint[] = [];
  for (const text of o.from ?? []) {
    const r = resolveTarget(text, cluster, namespace);
    if (!r.ok) return usage(`--from ${text}: ${r.message}`);
    if (r.target.kind !== "endpoint") return usage(`--from ${text}: a source is a workload or pod, not addresses`);
    sources.push(r.target.endpoint);
  }
  const runner = runnerOptions(o.probing);
  const choice = chooseTwins(cluster, { run: runner.run, namespace, sources: o.from === null ? null : sources, noTwins: o.noTwins });
  if (!choice.twins.some((t) => t.role === "source")) return usage(`no workload to verify ${namespace === null ? "in the cluster" : `in namespace ${namespace}`} (host-network pods have no twins): name a namespace with -n, or -A`);
  const client = clientFor(input.flags);
  if (!client.ok) return client.result;
  const real = o.noTwins ? cluster.endpoints.filter((e) => !e.hostNetwork && (namespace === null || e.namespace === namespace)) : null;
  const probeOptions = { run: runner.run, engine: { podNetwork: common.podNetwork, ipBlockMatchesPods: common.ipBlockMatchesPods }, to: o.to, metadata: o.metadata, realDestinations: real };
  const withSkips = { ...choice, skipped: [...choice.skipped, ...unaddressed(real ?? [])] };
  try {
    return await withRun(io, (signal) => runVerify(cluster, withSkips, probeOptions, runner, { client: client.client, progress: progress(io), signal }), (report, cleanup) => {
      const mismatched = report.entries.some((e) => e.verdict === "mismatch");
      let status: Status = mismatched ? "negative" : "ok";
      if (common.live !== undefined && isIncomplete(common.live.unseen)) status = "incomplete";
      const format = common.output;
      const stdout = format === "junit" ? renderVerifyJunit(report) : format === "json" ? render("json", verifyView(report), {}) : renderVerifyText(report);
      return done(status, stdout, cleanupNote(cleanup));
    });
  } finally {
    client.client.transport.close();
  }
}

async function smoke(o: Extract<VerifyCommand, { action: "smoke" }>, io: LiveLoadIo): Promise<CommandResult> {
  const client = clientFor(o.cluster);
  if (!client.ok) return client.result;
  try {
    return await withRun(io, (signal) => runSmoke(runnerOptions(o.probing), { client: client.client, progress: progress(io), signal }), (report, cleanup) => {
      if (report.verdict.kind === "inconclusive") return done("internal", o.output === "json" ? render("json", smokeView(report), {}) : renderSmokeText(report), cleanupNote(cleanup));
      const status: Status = report.verdict.kind === "enforced" && !report.dnsFailed ? "ok" : "negative";
      const stdout = o.output === "json" ? render("json", smokeView(report), {}) : o.output === "junit" ? smokeJunit(report) : renderSmokeText(report);
      return done(status, stdout, cleanupNote(cleanup));
    });
  } finally {
    client.client.transport.close();
  }
}

function smokeJunit(r: Parameters<typeof smokeView>[0]): string {
  return renderVerifyJunit({
    run: r.namespace,
    entries: r.steps.map((s) => ({
      from: "client",
      to: s.probe,
      port: s.probe.startsWith("dns") ? 53 : 8080,
      protocol: s.probe.startsWith("dns") ? "UDP" : "TCP",
      expected: s.expected === "reachable",
      observed: s.outcome === "connected" || s.outcome === "answered" || s.outcome === "nxdomain",
      outcome: s.outcome,
      blamed: [],
      verdict: s.ok ? "match" : "mismatch",
      detail: `${s.name}: observed ${s.outcome}`,
    })),
    skipped: [],
    warnings: [],
    timings: r.timings,
    podsCreated: r.podsCreated,
  });
}

async function cleanup(o: Extract<VerifyCommand, { action: "cleanup" }>, io: LiveLoadIo): Promise<CommandResult> {
  const client = clientFor(o.cluster);
  if (!client.ok) return client.result;
  try {
    const r = await cleanupLeftovers(client.client, o.namespace, progress(io));
    if (!r.ok) return done(failureOf(r.error), "", `portcullis: verify --cleanup: ${r.error.message}\n`);
    const view = { deleted: r.value.deleted, failed: r.value.failed };
    const text = `${r.value.deleted.length === 0 ? "nothing left by verify runs" : `deleted ${r.value.deleted.length} objects:\n${r.value.deleted.map((d) => `  ${d}\n`).join("")}`.trimEnd()}\n${r.value.failed.map((f) => `could not delete ${f}\n`).join("")}`;
    return done(r.value.failed.length === 0 ? "ok" : "internal", o.output === "json" ? render("json", view, {}) : text);
  } finally {
    client.client.transport.close();
  }
}

export async function runVerifyCommand(o: VerifyCommand, io: LiveLoadIo): Promise<CommandResult> {
  switch (o.action) {
    case "run":
      return verifyWorkloads(o, io);
    case "smoke":
      return smoke(o, io);
    case "cleanup":
      return cleanup(o, io);
  }
}

/**
 * The thin runner of `verify`: the pure plan (plan.ts, twin.ts) carried out against a cluster with
 * the client: create the run's owner ConfigMaps, the destination twins, wait until they run, create
 * the source twins with their probes, wait for their results in the pod logs, compare, and always
 * clean up (at the end, on failure, and when the signal fires: Ctrl-C). Every wait is bounded.
 */
import { performance } from "node:perf_hooks";
import type { KubeClient } from "../kube/client.js";
import type { KubeError } from "../kube/errors.js";
import type { LiveObject, LiveResource } from "../kube/live.js";
import type { Cluster } from "../model/cluster.js";
import { type Ip, formatIp } from "../net/ip.js";
import { isRecord } from "../k8s/values.js";
import { compareProbes, observedOf } from "./compare.js";
import { type ProbeOptions, type ProbeTarget, type Twin, type TwinChoice, expectations, notReadyServices, podAddress, probeTargets } from "./plan.js";
import { type AgentProbe, type ProbePlan, type ResultLine, readAgentLog } from "./probe-plan.js";
import type { SmokeReport, SmokeStep, SmokeStepName, VerifyReport } from "./render.js";
import { smokeVerdict } from "./render.js";
import { PROBE_CONTAINER, type Owner, type ProbePodSpec, ownerConfigMap, probePod, runLabels, runSelector } from "./twin.js";

const core = (resource: string, kind: string, namespaced = true): LiveResource => ({ group: "", version: "v1", resource, kind, namespaced });
export const PODS = core("pods", "Pod");
export const CONFIGMAPS = core("configmaps", "ConfigMap");
export const SERVICES = core("services", "Service");
export const NAMESPACES = core("namespaces", "Namespace", false);
export const NETWORK_POLICIES: LiveResource = { group: "networking.k8s.io", version: "v1", resource: "networkpolicies", kind: "NetworkPolicy", namespaced: true };

export interface RunnerOptions {
  readonly run: string;
  readonly image: string;
  /** Each probe's timeout (connect, reply). */
  readonly timeoutMs: number;
  /** How long pods may take to run (pull, schedule, start). */
  readonly podStartTimeoutMs: number;
  /** Probes that timed out are tried once more this long after the first pass (the agent's `retryAfterMs`). Default RETRY_AFTER_MS; smoke: none (its blocked steps expect timeouts). */
  readonly retryAfterMs?: number;
  /** How often pods and logs are polled. Default 500. */
  readonly pollMs?: number;
  /** The agent's wait before probing (the plugin's time to program a new pod, or a policy applied just before). Default SOURCE_START_DELAY_MS; smoke 1000. */
  readonly startDelayMs?: number;
}

export interface RunnerIo {
  readonly client: KubeClient;
  /** A progress line (stderr). */
  readonly progress: (line: string) => void;
  /** Ctrl-C: the run stops waiting, cleans up, and ends `interrupted`. */
  readonly signal: AbortSignal;
}

export type RunFailure =
  | { readonly kind: "kube"; readonly error: KubeError; readonly doing: string }
  | { readonly kind: "pod-start"; readonly message: string }
  | { readonly kind: "probing"; readonly message: string }
  | { readonly kind: "interrupted" };

export interface CleanupReport {
  /** `Kind namespace/name` of everything deleted. */
  readonly deleted: readonly string[];
  /** What could not be deleted, as messages (the run's label finds it again: `verify --cleanup`). */
  readonly failed: readonly string[];
  readonly ms: number;
}

export type RunOutcome<T> = { readonly ok: true; readonly value: T; readonly cleanup: CleanupReport } | { readonly ok: false; readonly failure: RunFailure; readonly cleanup: CleanupReport };

class Stop extends Error {
  constructor(readonly failure: RunFailure) {
    super("stop");
  }
}

const nsName = (namespace: string, name: string): string => `${namespace}/${name}`;

/** What a pod's status says about starting: running with an address, still starting, or never going to. */
type PodState = { readonly kind: "running"; readonly ip: Ip } | { readonly kind: "waiting"; readonly why: string } | { readonly kind: "failed"; readonly why: string };

/** Waiting reasons from which a pod does not recover by itself (kubelet's image and config errors). */
const HOPELESS = new Set(["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "CreateContainerConfigError", "CreateContainerError", "RunContainerError"]);

export function podState(pod: LiveObject | undefined): PodState {
  if (pod === undefined) return { kind: "waiting", why: "not created yet" };
  const status = isRecord(pod["status"]) ? pod["status"] : {};
  const phase = typeof status["phase"] === "string" ? status["phase"] : "Pending";
  const statuses = Array.isArray(status["containerStatuses"]) ? status["containerStatuses"].filter(isRecord) : [];
  const waiting = statuses.map((c) => (isRecord(c["state"]) && isRecord(c["state"]["waiting"]) ? c["state"]["waiting"] : undefined)).find((w) => w !== undefined);
  const reason = typeof waiting?.["reason"] === "string" ? waiting["reason"] : undefined;
  const message = typeof waiting?.["message"] === "string" ? `: ${waiting["message"]}` : "";
  const terminated = statuses.map((c) => (isRecord(c["state"]) && isRecord(c["state"]["terminated"]) ? c["state"]["terminated"] : undefined)).find((t) => t !== undefined);
  const exit = terminated === undefined ? "" : `, exit code ${String(terminated["exitCode"] ?? "?")}${typeof terminated["reason"] === "string" ? ` (${terminated["reason"]})` : ""}`;
  const said = typeof status["message"] === "string" ? `: ${status["message"]}` : "";
  if (phase === "Failed" || phase === "Succeeded") return { kind: "failed", why: `phase ${phase}${typeof status["reason"] === "string" ? ` (${status["reason"]}${said})` : ""}${exit}` };
  if (reason !== undefined && HOPELESS.has(reason)) return { kind: "failed", why: `${reason}${message}` };
  const ip = podAddress(status["podIP"]);
  if (phase === "Running" && ip !== undefined) return { kind: "running", ip };
  const scheduled = isRecord(pod["spec"]) && typeof pod["spec"]["nodeName"] === "string";
  return { kind: "waiting", why: reason !== undefined ? `${reason}${message}` : `phase ${phase}${scheduled ? "" : ", not scheduled"}` };
}

/** One run's steps, each failure a Stop; cleanup by the run's label in the namespaces it touched. */
class Runner {
  readonly touched = new Set<string>();
  /** Namespaces the run created (smoke): deleted last. */
  readonly ownNamespaces: string[] = [];
  podsCreated = 0;
  private readonly owners = new Map<string, Owner>();

  constructor(
    readonly o: RunnerOptions,
    readonly io: RunnerIo,
  ) {}

  private check(): void {
    if (this.io.signal.aborted) throw new Stop({ kind: "interrupted" });
  }

  private async kube<T>(doing: string, r: Promise<{ ok: true; value: T } | { ok: false; error: KubeError }>): Promise<T> {
    const v = await r;
    if (!v.ok) throw new Stop(v.error.kind === "aborted" ? { kind: "interrupted" } : { kind: "kube", error: v.error, doing });
    return v.value;
  }

  async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.io.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.io.signal.addEventListener("abort", done, { once: true });
    });
    this.check();
  }

  async createNamespace(name: string): Promise<void> {
    this.check();
    // Tracked before the request: a create whose answer is lost still gets cleaned up.
    this.ownNamespaces.push(name);
    this.touched.add(name);
    await this.kube(`create namespace ${name}`, this.io.client.create(NAMESPACES, { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: runLabels(this.o.run) } }, undefined, this.io.signal));
  }

  async owner(namespace: string): Promise<Owner> {
    const known = this.owners.get(namespace);
    if (known !== undefined) return known;
    this.check();
    this.touched.add(namespace);
    const name = `portcullis-verify-${this.o.run}`;
    const created = await this.kube(`create ConfigMap ${namespace}/${name}`, this.io.client.create(CONFIGMAPS, ownerConfigMap(name, namespace, this.o.run), namespace, this.io.signal));
    const uid = created.metadata["uid"];
    if (typeof uid !== "string") throw new Stop({ kind: "kube", error: { kind: "decode", message: `ConfigMap ${namespace}/${name} came back without metadata.uid` }, doing: "create the owner ConfigMap" });
    const owner = { name, uid };
    this.owners.set(namespace, owner);
    return owner;
  }

  async createPods(specs: readonly ProbePodSpec[]): Promise<void> {
    for (const spec of specs) {
      const owner = await this.owner(spec.namespace);
      this.check();
      this.podsCreated++;
      await this.kube(`create pod ${nsName(spec.namespace, spec.name)}`, this.io.client.create(PODS, probePod(spec, owner), spec.namespace, this.io.signal));
    }
  }

  /** Polls the run's pods until each named one runs with an address; bounded by the pod-start timeout. */
  async waitRunning(pods: readonly { namespace: string; name: string }[], what: string): Promise<Map<string, Ip>> {
    const deadline = performance.now() + this.o.podStartTimeoutMs;
    const namespaces = [...new Set(pods.map((p) => p.namespace))];
    let said = -1;
    for (;;) {
      const seen = new Map<string, LiveObject>();
      for (const ns of namespaces) {
        const listed = await this.kube(`list pods in ${ns}`, this.io.client.list(PODS, { namespace: ns, labelSelector: runSelector(this.o.run) }, this.io.signal));
        for (const item of listed.items) seen.set(nsName(ns, item.metadata.name), item);
      }
      const addresses = new Map<string, Ip>();
      const waiting: string[] = [];
      for (const p of pods) {
        const state = podState(seen.get(nsName(p.namespace, p.name)));
        if (state.kind === "failed") throw new Stop({ kind: "pod-start", message: `probe pod ${nsName(p.namespace, p.name)} cannot run: ${state.why}${await this.logTail(p.namespace, p.name)}` });
        if (state.kind === "running") addresses.set(nsName(p.namespace, p.name), state.ip);
        else waiting.push(`${nsName(p.namespace, p.name)} (${state.why})`);
      }
      if (waiting.length === 0) return addresses;
      if (addresses.size !== said) {
        said = addresses.size;
        this.io.progress(`waiting for ${what}: ${addresses.size}/${pods.length} running`);
      }
      if (performance.now() > deadline) {
        const shown = waiting.slice(0, 5).join(", ") + (waiting.length > 5 ? ` and ${waiting.length - 5} more` : "");
        throw new Stop({ kind: "pod-start", message: `${waiting.length} of ${pods.length} ${what} not running after ${Math.round(this.o.podStartTimeoutMs / 1000)} s (--pod-start-timeout): ${shown}` });
      }
      await this.sleep(this.o.pollMs ?? 500);
    }
  }

  /** The last lines of a pod's log, to say why it ended (empty when there is none). */
  private async logTail(namespace: string, name: string): Promise<string> {
    const text = await this.io.client.logs(namespace, name, { container: PROBE_CONTAINER, tailLines: 5 }, this.io.signal);
    const lines = text.ok ? text.value.trim() : "";
    return lines === "" ? "" : `; its log ends:\n${lines}`;
  }

  /** Reads each source's log until it says done; bounded by `boundMs`. Results of every source, by probe id. */
  async collect(pods: readonly { namespace: string; name: string; probes: number }[], boundMs: number): Promise<Map<string, ResultLine>> {
    const deadline = performance.now() + boundMs;
    const results = new Map<string, ResultLine>();
    const pending = new Map(pods.map((p) => [nsName(p.namespace, p.name), p]));
    let said = -1;
    for (;;) {
      for (const [id, p] of [...pending]) {
        const text = await this.io.client.logs(p.namespace, p.name, { container: PROBE_CONTAINER }, this.io.signal);
        if (!text.ok) {
          if (text.error.kind === "aborted") throw new Stop({ kind: "interrupted" });
          continue; // a log not there yet (400 while starting): read again
        }
        const log = readAgentLog(text.value);
        if (log.ready !== undefined && !log.ready.ready) throw new Stop({ kind: "probing", message: `probe pod ${id}: ${log.ready.error}` });
        if (!log.done) continue;
        for (const [k, v] of log.results) results.set(k, v);
        pending.delete(id);
      }
      if (pending.size === 0) return results;
      if (pending.size !== said) {
        said = pending.size;
        this.io.progress(`probing: ${pods.length - pending.size}/${pods.length} probe pods done`);
      }
      if (performance.now() > deadline) throw new Stop({ kind: "probing", message: `no results from ${[...pending.keys()].join(", ")} after ${Math.round(boundMs / 1000)} s` });
      await this.sleep(this.o.pollMs ?? 500);
    }
  }

  async applyPolicy(namespace: string, name: string, spec: unknown): Promise<void> {
    this.check();
    const policy = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace, labels: runLabels(this.o.run) }, spec };
    await this.kube(`create NetworkPolicy ${namespace}/${name}`, this.io.client.create(NETWORK_POLICIES, policy, namespace, this.io.signal));
  }

  async deletePolicy(namespace: string, name: string): Promise<void> {
    this.check();
    await this.kube(`delete NetworkPolicy ${namespace}/${name}`, this.io.client.delete(NETWORK_POLICIES, name, namespace, {}, this.io.signal));
  }

  /** Deletes what the run made, by its label, in every namespace it touched; then the namespaces it created. Never throws, never aborted by the run's signal. */
  async cleanup(): Promise<CleanupReport> {
    return cleanupBy(this.io.client, runSelector(this.o.run), [...this.touched], this.ownNamespaces, this.io.progress);
  }
}

/**
 * Deletes the objects of a label selector: pods (grace period 0: probe pods hold nothing), the
 * NetworkPolicies (smoke), the owner ConfigMaps (propagation Background: the garbage collector also
 * takes any pod left), in each namespace given (null: every namespace), then the namespaces given.
 */
export async function cleanupBy(client: KubeClient, selector: string, namespaces: readonly string[] | null, ownNamespaces: readonly string[], progress: (line: string) => void): Promise<CleanupReport> {
  const start = performance.now();
  const deleted: string[] = [];
  const failed: string[] = [];
  const steps: [LiveResource, { gracePeriodSeconds?: number; propagationPolicy?: "Background" }][] = [
    [PODS, { gracePeriodSeconds: 0 }],
    [NETWORK_POLICIES, {}],
    [CONFIGMAPS, { propagationPolicy: "Background" }],
  ];
  for (const [r, options] of steps) {
    for (const ns of namespaces ?? [undefined]) {
      const done = await client.deleteSelected(r, selector, ns, options);
      if (done.ok) deleted.push(...done.value.map((n) => `${r.kind} ${n}`));
      else if (!(done.error.kind === "http" && done.error.status === "not-found")) failed.push(`${r.kind} ${ns ?? "(every namespace)"}: ${done.error.message}`);
    }
  }
  for (const ns of ownNamespaces) {
    const done = await client.delete(NAMESPACES, ns, undefined, { propagationPolicy: "Background" });
    if (done.ok && done.value === "deleted") deleted.push(`Namespace ${ns}`);
    else if (!done.ok) failed.push(`Namespace ${ns}: ${done.error.message}`);
  }
  progress(`cleanup: deleted ${deleted.length} objects${failed.length === 0 ? "" : `; ${failed.length} could not be deleted`}`);
  return { deleted, failed, ms: Math.round(performance.now() - start) };
}

/** `verify --cleanup`: leftovers of killed runs, by label: in one namespace, or every one; and the smoke namespaces they left. */
export async function cleanupLeftovers(client: KubeClient, namespace: string | null, progress: (line: string) => void): Promise<{ ok: true; value: CleanupReport } | { ok: false; error: KubeError }> {
  let own: string[] = [];
  if (namespace === null) {
    const listed = await client.list(NAMESPACES, { labelSelector: runSelector() });
    if (!listed.ok && !(listed.error.kind === "http" && listed.error.status === "forbidden")) return listed;
    own = listed.ok ? listed.value.items.map((n) => n.metadata.name) : [];
  }
  return { ok: true, value: await cleanupBy(client, runSelector(), namespace === null ? null : [namespace], own, progress) };
}

/**
 * The source twins' wait before probing: a network plugin programs a new pod's rules after the pod
 * starts, and until then may drop its traffic (fail closed: Portcullis' own node agent does), which
 * would read as denials the policies do not make.
 */
export const SOURCE_START_DELAY_MS = 2000;

/** The wait before a timed-out probe's second try: more of that programming time, for a plugin that is slow to catch up. */
export const RETRY_AFTER_MS = 3000;

/** How long probing may take: the waves of 64 probes (the agent's concurrency), each a timeout (DNS: up to four names), plus the start delay and a margin. */
export function probingBoundMs(probes: number, o: Pick<RunnerOptions, "timeoutMs" | "startDelayMs" | "retryAfterMs">): number {
  const pass = Math.ceil(Math.max(probes, 1) / 64) * o.timeoutMs * 4;
  return (o.retryAfterMs === undefined ? pass : 2 * pass + o.retryAfterMs) + (o.startDelayMs ?? 0) + 15_000;
}

function agentProbe(t: ProbeTarget): AgentProbe {
  if (t.dns !== undefined) return { id: t.id, dns: t.dns, type: "A", over: "udp" };
  return { id: t.id, ip: t.ip ?? "", port: t.port, protocol: t.protocol === "UDP" ? "UDP" : "TCP" };
}

function agentPlan(o: RunnerOptions, identity: string, serve: ProbePlan["serve"], probes: readonly AgentProbe[], deadlineSeconds: number): ProbePlan {
  return {
    version: 1,
    run: o.run,
    identity,
    serve,
    probes,
    timeoutMs: o.timeoutMs,
    ...(o.startDelayMs === undefined ? {} : { startDelayMs: o.startDelayMs }),
    ...(o.retryAfterMs === undefined || probes.length === 0 ? {} : { retryAfterMs: o.retryAfterMs }),
    deadlineSeconds,
  };
}

/** The pods' deadline: long enough for every start and the probing, then they end by themselves. */
function deadlineSeconds(o: RunnerOptions, probes: number): number {
  return Math.ceil((2 * o.podStartTimeoutMs + probingBoundMs(probes, o)) / 1000) + 60;
}

function twinSpec(t: Twin, o: RunnerOptions, probes: readonly AgentProbe[], deadline: number): ProbePodSpec {
  return {
    name: t.name,
    namespace: t.namespace,
    run: o.run,
    role: t.role,
    labels: Object.fromEntries(t.endpoint.labels),
    ports: t.ports,
    twinOf: `${t.endpoint.kind}/${t.endpoint.id}`,
    image: o.image,
    plan: agentPlan(o, nsName(t.namespace, t.name), t.ports.map((p) => ({ port: p.port, protocol: p.protocol, ...(p.name === undefined ? {} : { name: p.name }) })), probes, deadline),
    deadlineSeconds: deadline,
  };
}

async function finish<T>(runner: Runner, work: () => Promise<T>): Promise<RunOutcome<T>> {
  try {
    const value = await work();
    return { ok: true, value, cleanup: await runner.cleanup() };
  } catch (e) {
    if (!(e instanceof Stop)) {
      await runner.cleanup();
      throw e;
    }
    return { ok: false, failure: e.failure, cleanup: await runner.cleanup() };
  }
}

/** Raw Services of the twins' namespaces, as notReadyServices reads them. */
async function servicesOf(runner: Runner, namespaces: readonly string[]) {
  const out: { namespace: string; name: string; selector: Record<string, string> | null; publishNotReadyAddresses: boolean }[] = [];
  for (const ns of namespaces) {
    const listed = await runner.io.client.list(SERVICES, { namespace: ns }, runner.io.signal);
    if (!listed.ok) continue; // a warning only: no Services readable, none warned about
    for (const s of listed.value.items) {
      const spec = isRecord(s["spec"]) ? s["spec"] : {};
      const selector = isRecord(spec["selector"]) ? (Object.fromEntries(Object.entries(spec["selector"]).filter(([, v]) => typeof v === "string")) as Record<string, string>) : null;
      out.push({ namespace: ns, name: s.metadata.name, selector, publishNotReadyAddresses: spec["publishNotReadyAddresses"] === true });
    }
  }
  return out;
}

/**
 * `verify`: destination twins first (serving only), then source twins with their probes, results
 * from the logs, compared with the engine on the live cluster plus the twins.
 */
export async function runVerify(live: Cluster, choice: TwinChoice, probeOptions: ProbeOptions, given: RunnerOptions, io: RunnerIo): Promise<RunOutcome<VerifyReport>> {
  const o = { ...given, startDelayMs: given.startDelayMs ?? SOURCE_START_DELAY_MS, retryAfterMs: given.retryAfterMs ?? RETRY_AFTER_MS };
  const runner = new Runner(o, io);
  let podStartMs = 0;
  let probeMs = 0;
  const outcome = await finish(runner, async () => {
    const warnings = notReadyServices(await servicesOf(runner, choice.namespaces), choice.twins);
    for (const w of warnings) io.progress(`warning: ${w}`);
    const destinations = choice.twins.filter((t) => t.role === "destination");
    const sources = choice.twins.filter((t) => t.role === "source");
    const t0 = performance.now();
    const serveDeadline = deadlineSeconds(o, sources.length * (destinations.length + 8) * 4);
    io.progress(`run ${o.run}: ${destinations.length} destination twins, ${sources.length} source twins in ${choice.namespaces.join(", ") || "no namespace"}`);
    await runner.createPods(destinations.map((t) => twinSpec(t, o, [], serveDeadline)));
    const addresses = new Map(await runner.waitRunning(destinations, "destination twins"));
    const targets = probeTargets(live, choice.twins, addresses, probeOptions);
    const bySource = new Map<string, AgentProbe[]>();
    for (const t of targets) bySource.set(t.twin, [...(bySource.get(t.twin) ?? []), agentProbe(t)]);
    const biggest = Math.max(0, ...[...bySource.values()].map((p) => p.length));
    await runner.createPods(sources.map((t) => twinSpec(t, o, bySource.get(t.name) ?? [], deadlineSeconds(o, biggest))));
    for (const [k, v] of await runner.waitRunning(sources, "source twins")) addresses.set(k, v);
    podStartMs = Math.round(performance.now() - t0);
    const t1 = performance.now();
    const results = await runner.collect(sources.map((t) => ({ namespace: t.namespace, name: t.name, probes: bySource.get(t.name)?.length ?? 0 })), probingBoundMs(biggest, o));
    probeMs = Math.round(performance.now() - t1);
    const planned = expectations(live, choice.twins, addresses, targets, probeOptions);
    const compared = compareProbes(planned.probes, results);
    return { entries: compared.entries, skipped: [...choice.skipped, ...planned.skipped], warnings };
  });
  const timings = { podStartMs, probeMs, cleanupMs: outcome.cleanup.ms };
  if (!outcome.ok) return outcome;
  return { ...outcome, value: { run: o.run, ...outcome.value, timings, podsCreated: runner.podsCreated } };
}

// --- --smoke ----------------------------------------------------------------------------------

const SERVER = "server";
const SMOKE_PORT = 8080;
const APP = "portcullis.dev/smoke";

/**
 * `verify --smoke`: a throwaway namespace, a server and a client per step: no policy (it must
 * connect), a deny-all ingress on the server, a deny-all egress on the clients, then an egress
 * policy that allows DNS only (DNS must answer, the server stays blocked).
 */
export async function runSmoke(o: RunnerOptions, io: RunnerIo): Promise<RunOutcome<SmokeReport>> {
  const runner = new Runner({ ...o, startDelayMs: o.startDelayMs ?? 1000 }, io);
  const ns = `portcullis-verify-${o.run}`;
  let podStartMs = 0;
  let probeMs = 0;
  const outcome = await finish(runner, async () => {
    const deadline = deadlineSeconds(runner.o, 8) + 4 * Math.ceil(o.podStartTimeoutMs / 1000);
    const pod = (name: string, app: string, serve: ProbePlan["serve"], probes: AgentProbe[]): ProbePodSpec => ({
      name,
      namespace: ns,
      run: o.run,
      role: serve.length > 0 ? "destination" : "source",
      labels: { [APP]: app },
      ports: serve.map((p) => ({ port: p.port, protocol: p.protocol, ...(p.name === undefined ? {} : { name: p.name }) })),
      image: o.image,
      plan: agentPlan(runner.o, nsName(ns, name), serve, probes, deadline),
      deadlineSeconds: deadline,
    });
    io.progress(`smoke test in namespace ${ns}`);
    await runner.createNamespace(ns);
    const t0 = performance.now();
    await runner.createPods([pod(SERVER, SERVER, [{ port: SMOKE_PORT, protocol: "TCP", name: "probe" }], [])]);
    const serverIp = (await runner.waitRunning([{ namespace: ns, name: SERVER }], "the smoke server")).get(nsName(ns, SERVER));
    podStartMs += performance.now() - t0;
    const steps: SmokeStep[] = [];
    const toServer: AgentProbe = { id: "server", ip: serverIp === undefined ? "" : formatIp(serverIp), port: SMOKE_PORT, protocol: "TCP" };
    const client = async (n: number, name: SmokeStepName, probes: AgentProbe[], expect: Readonly<Record<string, "reachable" | "blocked">>): Promise<void> => {
      const podName = `client-${n}`;
      io.progress(`smoke step ${n}: ${name}`);
      const s0 = performance.now();
      await runner.createPods([pod(podName, "client", [], probes)]);
      await runner.waitRunning([{ namespace: ns, name: podName }], `the smoke client of step ${n}`);
      const s1 = performance.now();
      podStartMs += s1 - s0;
      const results = await runner.collect([{ namespace: ns, name: podName, probes: probes.length }], probingBoundMs(probes.length, runner.o));
      probeMs += performance.now() - s1;
      for (const p of probes) {
        const r = results.get(p.id);
        const outcome = observedOf(r);
        const got = outcome === "connected" || outcome === "answered" || outcome === "nxdomain" ? "reachable" : outcome === "dropped" || outcome === "refused" ? "blocked" : "error";
        const expected = expect[p.id] ?? "reachable";
        steps.push({ name, probe: "dns" in p ? `dns ${p.dns}` : `server ${SMOKE_PORT}/TCP`, expected, outcome, ok: got === expected });
      }
    };
    await client(1, "no policy", [toServer], { server: "reachable" });
    await runner.applyPolicy(ns, "deny-all-ingress", { podSelector: { matchLabels: { [APP]: SERVER } }, policyTypes: ["Ingress"] });
    await client(2, "deny-all ingress", [toServer], { server: "blocked" });
    await runner.deletePolicy(ns, "deny-all-ingress");
    await runner.applyPolicy(ns, "deny-all-egress", { podSelector: { matchLabels: { [APP]: "client" } }, policyTypes: ["Egress"] });
    await client(3, "deny-all egress", [toServer], { server: "blocked" });
    await runner.deletePolicy(ns, "deny-all-egress");
    const dnsPorts = [
      { protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 53 },
    ];
    await runner.applyPolicy(ns, "allow-dns-only", { podSelector: { matchLabels: { [APP]: "client" } }, policyTypes: ["Egress"], egress: [{ ports: dnsPorts }] });
    await client(4, "egress allowing DNS only", [{ id: "dns", dns: "kubernetes.default", type: "A", over: "udp" }, toServer], { dns: "reachable", server: "blocked" });
    return steps;
  });
  if (!outcome.ok) return outcome;
  const steps = outcome.value;
  const verdict = smokeVerdict(steps);
  const dnsFailed = steps.some((s) => s.probe.startsWith("dns") && !s.ok);
  const timings = { podStartMs: Math.round(podStartMs), probeMs: Math.round(probeMs), cleanupMs: outcome.cleanup.ms };
  return { ...outcome, value: { namespace: ns, steps, verdict, dnsFailed, timings, podsCreated: runner.podsCreated } };
}

/**
 * The live source: the synthetic cluster served as Kubernetes objects by the stand-in API server
 * (a child process: spawnStandIn), the real node agent (`portcullis enforce --kubernetes --node
 * node-0 --netns NS`, a child process, so its RSS is its own) applying into the benchmark's network
 * namespace. Measured: the initial sync (every watch's list) and the first apply (compile + load of
 * the whole ruleset); then events written to the stand-in one after the other, each timed from the
 * write to the agent's `applied` log line that includes it (wall clock, this process), beside the
 * agent's own figures from that line (`podIpToApplied` / `policyToApplied`: from the watch event to
 * the apply; `ms`: the apply cycle, view read → nft's exit); the agent's RSS (VmRSS, VmHWM).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import type { Endpoint, Peer, Policy, PolicyPort, Rule } from "../../src/model/cluster.js";
import type { LabelSelector } from "../../src/model/selector.js";
import { formatCidr } from "../../src/net/cidr.js";
import { formatIp } from "../../src/net/ip.js";
import { ipBlock, podsPeer, policy, port, rule, sel } from "../../src/nft/fixture.js";
import { type RemoteStandIn, spawnStandIn } from "../../src/kube/standin/remote.js";
import type { KubeObject } from "../../src/kube/standin/standin.js";
import { APPS, Prng, type SyntheticCluster, synthetic } from "./cluster.js";
import type { EventSize } from "./events.js";

type Obj = Record<string, unknown>;

const NODE = "node-0";
const BIN = fileURLToPath(new URL("../../../bin/portcullis.js", import.meta.url));
const DEPLOY = fileURLToPath(new URL("../../../deploy/portcullis.yaml", import.meta.url));

/**
 * Diagnosis of the agent (not used by the figures): `PORTCULLIS_BENCH_AGENT_NODE_ARGS` adds node
 * options the DaemonSet does not use and NODE_OPTIONS refuses (`--trace-gc`,
 * `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=DIR`); `PORTCULLIS_BENCH_AGENT_STDOUT` keeps the
 * agent's stdout (where `--trace-gc` writes) in a file, truncated per cluster size.
 */
const AGENT_NODE_ARGS = (process.env["PORTCULLIS_BENCH_AGENT_NODE_ARGS"] ?? "").split(" ").filter((a) => a !== "");
const AGENT_STDOUT = process.env["PORTCULLIS_BENCH_AGENT_STDOUT"];

/** The agent's NODE_OPTIONS as the DaemonSet sets them (deploy/portcullis.yaml): the one definition of its V8 flags. */
function deployedNodeOptions(): string {
  for (const doc of parseAllDocuments(readFileSync(DEPLOY, "utf8"))) {
    const o = doc.toJS() as { kind?: string; spec?: { template?: { spec?: { containers?: { env?: { name: string; value?: string }[] }[] } } } } | null;
    if (o?.kind !== "DaemonSet") continue;
    const value = o.spec?.template?.spec?.containers?.[0]?.env?.find((e) => e.name === "NODE_OPTIONS")?.value;
    if (value !== undefined) return value;
  }
  throw new Error(`live bench: no NODE_OPTIONS in the DaemonSet of ${DEPLOY}`);
}

// ---------------------------------------------------------------------------------------------
// the model's synthetic cluster as API objects

const selectorObj = (s: LabelSelector): Obj => ({ matchExpressions: s.requirements.map((r) => ({ key: r.key, operator: r.operator, ...("values" in r ? { values: [...r.values] } : {}) })) });

function peerObj(p: Peer): Obj {
  switch (p.kind) {
    case "ipBlock":
      return { ipBlock: { cidr: formatCidr(p.cidr), ...(p.except.length === 0 ? {} : { except: p.except.map(formatCidr) }) } };
    case "pods":
      if (p.namespaces.kind === "own") return { podSelector: selectorObj(p.pods) };
      if (p.namespaces.kind === "selected") return { podSelector: selectorObj(p.pods), namespaceSelector: selectorObj(p.namespaces.selector) };
  }
  throw new Error(`live bench: peer ${JSON.stringify(p.kind)} not written`);
}

const portObj = (p: PolicyPort): Obj =>
  p.port.kind === "any"
    ? { protocol: p.protocol }
    : p.port.kind === "named"
      ? { protocol: p.protocol, port: p.port.name }
      : { protocol: p.protocol, port: p.port.from, ...(p.port.to === p.port.from ? {} : { endPort: p.port.to }) };

function ruleObj(r: Rule, peersKey: "to" | "from"): Obj {
  return { ...(r.peers === "all" ? {} : { [peersKey]: r.peers.map(peerObj) }), ...(r.ports === "all" ? {} : { ports: r.ports.map(portObj) }) };
}

function policyObj(p: Policy): KubeObject {
  const types = [...(p.affects.ingress ? ["Ingress"] : []), ...(p.affects.egress ? ["Egress"] : [])];
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { namespace: p.namespace, name: p.name },
    spec: {
      podSelector: selectorObj(p.podSelector),
      policyTypes: types,
      ...(p.affects.ingress ? { ingress: p.ingress.map((r) => ruleObj(r, "from")) } : {}),
      ...(p.affects.egress ? { egress: p.egress.map((r) => ruleObj(r, "to")) } : {}),
    },
  } as KubeObject;
}

/** The node of a synthetic pod: node k owns 10.244.k.0/24; the two infrastructure pods (10.96.x) sit on `infra`. */
function nodeOf(e: Endpoint): string {
  const ip = e.ips[0] === undefined ? "" : formatIp(e.ips[0]);
  const m = /^10\.244\.(\d+)\./.exec(ip);
  return m === null ? "infra" : `node-${m[1]}`;
}

function podObj(e: Endpoint, labels: ReadonlyMap<string, string> = e.labels, node = nodeOf(e)): KubeObject {
  const ips = e.ips.map(formatIp);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { namespace: e.namespace, name: e.name, labels: Object.fromEntries(labels) },
    spec: { nodeName: node, containers: [{ name: "main", image: "registry.example/app:1", ports: e.ports.map((p) => ({ ...(p.name === undefined ? {} : { name: p.name }), containerPort: p.port, protocol: p.protocol })) }] },
    status: { phase: "Running", podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) },
  } as KubeObject;
}

/** Namespaces, Pods, NetworkPolicies, the Nodes with their pod CIDRs, and the kube-dns Service. */
function clusterObjects(s: SyntheticCluster): KubeObject[] {
  const out: KubeObject[] = [];
  for (const ns of s.cluster.namespaces.values()) out.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns.name, labels: Object.fromEntries(ns.labels) }, status: { phase: "Active" } } as KubeObject);
  for (let k = 0; k < s.nodes; k++) out.push({ apiVersion: "v1", kind: "Node", metadata: { name: `node-${k}` }, spec: { podCIDR: `10.244.${k}.0/24`, podCIDRs: [`10.244.${k}.0/24`] } } as KubeObject);
  out.push({ apiVersion: "v1", kind: "Node", metadata: { name: "infra" }, spec: { podCIDR: "10.96.0.0/16", podCIDRs: ["10.96.0.0/16"] } } as KubeObject);
  out.push({
    apiVersion: "v1",
    kind: "Service",
    metadata: { namespace: "kube-system", name: "kube-dns", labels: { "k8s-app": "kube-dns" } },
    spec: { selector: { "k8s-app": "kube-dns" }, clusterIP: "10.100.0.10", clusterIPs: ["10.100.0.10"], ports: [{ name: "dns", port: 53, protocol: "UDP", targetPort: 53 }, { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 }] },
  } as KubeObject);
  for (const e of s.cluster.endpoints) out.push(podObj(e));
  for (const p of s.cluster.policies) out.push(policyObj(p));
  return out;
}

// ---------------------------------------------------------------------------------------------
// the agent as a child process, its JSON log lines timed as they arrive

interface LogLine {
  readonly at: number;
  readonly record: Obj;
}

class AgentProcess {
  readonly lines: LogLine[] = [];
  private waiters: (() => void)[] = [];
  private readonly exited: Promise<void>;
  private stderrTail = "";

  constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    child.once("exit", () => this.wake());
    createInterface({ input: child.stderr! }).on("line", (line) => {
      const at = performance.now();
      try {
        this.lines.push({ at, record: JSON.parse(line) as Obj });
      } catch {
        this.stderrTail = (this.stderrTail + line + "\n").slice(-2000);
      }
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** The first line from index `from` on that `match`es, within `timeoutMs`. */
  async next(from: number, match: (r: Obj) => boolean, timeoutMs: number, what: string): Promise<{ line: LogLine; index: number }> {
    const deadline = performance.now() + timeoutMs;
    for (let i = from; ; ) {
      for (; i < this.lines.length; i++) {
        const line = this.lines[i] as LogLine;
        if (line.record["level"] === "error") throw new Error(`agent: ${JSON.stringify(line.record).slice(0, 500)}`);
        if (match(line.record)) return { line, index: i };
      }
      // A V8 heap-limit abort ends the process by a signal (exitCode null): both mean it is gone.
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`agent exited (${this.child.exitCode ?? this.child.signalCode}) waiting for ${what}: ${this.stderrTail}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`agent: no ${what} within ${(timeoutMs / 1000).toFixed(0)} s`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** VmRSS and VmHWM of the agent process, MiB. */
  memory(): { rss: number; hwm: number } {
    const status = readFileSync(`/proc/${this.child.pid}/status`, "utf8");
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGTERM");
    const killed = setTimeout(() => this.child.kill("SIGKILL"), 20_000);
    await this.exited;
    clearTimeout(killed);
  }
}

// ---------------------------------------------------------------------------------------------

export interface LiveKindFigures {
  readonly kind: string;
  /** Events measured (fewer than asked when the time budget ran out). */
  readonly n: number;
  /** Write → the agent's `applied` log line arrived here, ms. */
  readonly wall: readonly number[];
  /** The agent's own figure: watch event → applied (pod IP, policy), ms. */
  readonly agentEvent: readonly number[];
  /** The agent's apply cycle (view read → nft's exit), ms. */
  readonly cycle: readonly number[];
  /** The cycle by step, from the `applied` line (viewMs, compileMs, shrinkMs, diffMs, nftMs), ms. */
  readonly phases: { readonly view: readonly number[]; readonly compile: readonly number[]; readonly shrink: readonly number[]; readonly diff: readonly number[]; readonly nft: readonly number[]; readonly gc: readonly number[] };
  /** Mark-compacts begun by V8 whose pause ended in the cycle (`gcMarkCompacts`). */
  readonly markCompacts: readonly number[];
  /** The agent's idle collection since the cycle before (`idleGc`), or null: its ms and how long before the cycle it ended. */
  readonly idleGc: readonly ({ readonly ms: number; readonly beforeMs: number } | null)[];
  readonly changes: string;
}

export interface LiveFigures {
  readonly size: string;
  readonly objects: number;
  readonly loadMs: number;
  /** Agent process spawned → "node agent starting" → "every watch has synced" → first "applied", ms (wall). */
  readonly startMs: number;
  readonly syncMs: number;
  readonly firstApplyWallMs: number;
  /** The first apply cycle as the agent logs it (`ms`). */
  readonly firstApplyAgentMs: number;
  readonly elements: number;
  readonly afterSync: { rss: number; hwm: number };
  readonly afterEvents: { rss: number; hwm: number };
  readonly kinds: readonly LiveKindFigures[];
  /** The agent's idle collections (`--idle-gc`), as its start line says: auto or off. */
  readonly idleGc: string;
  /** The agent's /metrics after the events: its two latency histograms' count and mean. */
  readonly metrics: string;
}

const isApplied = (r: Obj): boolean => r["msg"] === "applied";
const num = (v: unknown): number => (typeof v === "number" ? v : NaN);
const maxMsOf = (v: unknown): number => num((v as { maxMs?: unknown } | undefined)?.maxMs);

/**
 * One size: serve it, run the agent into `netns`, measure; the stand-in and the agent are stopped
 * (and the temp dir removed) also on failure. `eventBudgetMs`: per kind, no event starts past it.
 */
/**
 * `paceMs`: the wait after an event is applied before the next is written (0: back to back);
 * `idleGc`: the agent's `--idle-gc`.
 */
export async function measureLive(size: EventSize, seed: number, events: number, netns: string, eventBudgetMs: number, log: (m: string) => void, paceMs = 0, idleGc: "auto" | "off" = "auto"): Promise<LiveFigures> {
  const s = synthetic(seed, size.pods, size.policies, size.podsPerNode);
  const objects = clusterObjects(s);
  const dir = mkdtempSync(join(tmpdir(), "pcbench-live-"));
  let api: RemoteStandIn | null = null;
  let agent: AgentProcess | null = null;
  try {
    api = await spawnStandIn({ bookmarkIntervalMs: 60_000 });
    const tl = performance.now();
    for (let i = 0; i < objects.length; i += 2000) await api.call("applyMany", objects.slice(i, i + 2000));
    await api.call("compact");
    const loadMs = performance.now() - tl;
    log(`live ${size.label}: ${objects.length} objects in the stand-in (pid ${api.pid}) in ${(loadMs / 1000).toFixed(1)} s`);
    const kubeconfig = join(dir, "kubeconfig");
    writeFileSync(kubeconfig, await api.call<string>("kubeconfig", "admin"));

    const t0 = performance.now();
    // Started as the DaemonSet starts it: its V8 flags (the heap cap) from deploy/.
    const nodeOptions = deployedNodeOptions();
    log(`live ${size.label}: agent NODE_OPTIONS="${nodeOptions}" (deploy/portcullis.yaml)`);
    const child = spawn(process.execPath, [...AGENT_NODE_ARGS, BIN, "enforce", "--kubernetes", "--node", NODE, "--kubeconfig", kubeconfig, "--netns", netns, "--listen", "127.0.0.1:0", "--log-format", "json", "--idle-gc", idleGc], {
      stdio: ["ignore", AGENT_STDOUT === undefined ? "ignore" : openSync(AGENT_STDOUT, "w"), "pipe"],
      env: { ...process.env, NODE_OPTIONS: nodeOptions },
    });
    agent = new AgentProcess(child);
    const a = agent;
    const started = await a.next(0, (r) => r["msg"] === "node agent starting", 30_000, "start");
    const synced = await a.next(started.index, (r) => r["msg"] === "every watch has synced: applying", 300_000, "sync");
    const first = await a.next(synced.index, isApplied, 300_000, "first apply");
    const afterSync = a.memory();
    const stats = first.line.record["stats"] as { elements?: number } | undefined;
    log(`live ${size.label}: synced ${((synced.line.at - started.line.at) / 1000).toFixed(1)} s, first apply ${((first.line.at - synced.line.at) / 1000).toFixed(1)} s; agent RSS ${afterSync.rss.toFixed(0)} MiB`);

    let cursor = first.index + 1;
    const r = new Prng(seed ^ 0x11fe);
    const local = [...s.node0];
    const kinds: LiveKindFigures[] = [];
    /** Writes, then waits for the `applied` line that includes it (`match`), timing both ways. */
    const timedEvent = async (write: () => Promise<unknown>, match: (r: Obj) => boolean, agentFigure: (r: Obj) => number, fig: ReturnType<typeof newFig>): Promise<void> => {
      if (paceMs > 0) await new Promise((resolve) => setTimeout(resolve, paceMs));
      const from = a.lines.length;
      const tw = performance.now();
      await write();
      const got = await a.next(Math.max(from, cursor), (rec) => isApplied(rec) && match(rec), 120_000, "apply of an event");
      cursor = got.index + 1;
      fig.wall.push(got.line.at - tw);
      fig.agentEvent.push(agentFigure(got.line.record));
      fig.cycle.push(num(got.line.record["ms"]));
      for (const [phase, list] of Object.entries(fig.phases)) list.push(num(got.line.record[`${phase}Ms`]));
      fig.markCompacts.push(num(got.line.record["gcMarkCompacts"]));
      const idle = got.line.record["idleGc"] as { ms?: unknown; beforeMs?: unknown } | undefined;
      fig.idleGc.push(idle === undefined ? null : { ms: num(idle.ms), beforeMs: num(idle.beforeMs) });
      const change = String(got.line.record["change"]);
      fig.changes.set(change, (fig.changes.get(change) ?? 0) + 1);
    };
    const newFig = () => ({
      wall: [] as number[],
      agentEvent: [] as number[],
      cycle: [] as number[],
      phases: { view: [] as number[], compile: [] as number[], shrink: [] as number[], diff: [] as number[], nft: [] as number[], gc: [] as number[] },
      markCompacts: [] as number[],
      idleGc: [] as ({ ms: number; beforeMs: number } | null)[],
      changes: new Map<string, number>(),
    });
    const done = (kind: string, f: ReturnType<typeof newFig>): void => {
      kinds.push({ kind, n: f.wall.length, wall: f.wall, agentEvent: f.agentEvent, cycle: f.cycle, phases: f.phases, markCompacts: f.markCompacts, idleGc: f.idleGc, changes: [...f.changes].map(([c, n]) => `${c} ${n}`).join(", ") });
      log(`live ${size.label}: ${kind}: ${f.wall.length} events`);
    };

    // Pod added on this node with an IP (a free address of its pod CIDR), then deleted again (timed too).
    const added = newFig();
    const deleted = newFig();
    const freeIp = `10.244.0.${s.podsPerNode + 1}`;
    let budget = performance.now() + eventBudgetMs;
    for (let k = 0; k < events && performance.now() < budget; k++) {
      const like = local[k % local.length] as Endpoint;
      const name = `live-added-${k}`;
      const e: Endpoint = { ...like, name, id: `${like.namespace}/${name}`, labels: new Map([["app", like.labels.get("app") ?? "web"], ["version", "v1"]]), ips: [] };
      const obj = podObj(e, e.labels, NODE) as Obj;
      (obj["status"] as Obj)["podIP"] = freeIp;
      (obj["status"] as Obj)["podIPs"] = [{ ip: freeIp }];
      await timedEvent(() => api!.call("apply", obj), (rec) => rec["podIpToApplied"] !== undefined, (rec) => maxMsOf(rec["podIpToApplied"]), added);
      await timedEvent(() => api!.call("remove", "Pod", e.namespace, name), () => true, () => NaN, deleted);
    }
    done("pod added", added);
    done("pod deleted", deleted);

    // A local pod relabelled: its `app` moves to another app (other policies select it).
    const relabelled = newFig();
    budget = performance.now() + eventBudgetMs;
    const labels = new Map(local.map((e) => [e.id, e.labels]));
    for (let k = 0; k < events && performance.now() < budget; k++) {
      const victim = local[(k * 7) % local.length] as Endpoint;
      const now = labels.get(victim.id) ?? victim.labels;
      const app = now.get("app") as (typeof APPS)[number];
      const moved = new Map([...now, ["app", APPS[(APPS.indexOf(app) + 1 + r.int(3)) % APPS.length] as string]]);
      labels.set(victim.id, moved);
      await timedEvent(() => api!.call("apply", podObj(victim, moved, NODE)), () => true, () => NaN, relabelled);
    }
    done("pod relabelled", relabelled);

    // A policy added: a new egress policy for a local pod's app in its namespace.
    const policies = newFig();
    budget = performance.now() + eventBudgetMs;
    for (let k = 0; k < events && performance.now() < budget; k++) {
      const target = local[(k * 13) % local.length] as Endpoint;
      const p = policy(target.namespace, `live-egress-${k}`, sel({ app: labels.get(target.id)?.get("app") ?? "web" }), {
        egress: [
          rule(0, [podsPeer(sel({ app: APPS[r.int(APPS.length)] as string }), sel({ env: "prod" }))], [port("TCP", "http"), port("TCP", 9443)]),
          rule(1, [ipBlock("203.0.113.0/24", ["203.0.113.128/25"])], [port("TCP", 443)]),
        ],
      });
      await timedEvent(() => api!.call("apply", policyObj(p)), (rec) => rec["policyToApplied"] !== undefined, (rec) => maxMsOf(rec["policyToApplied"]), policies);
    }
    done("policy added", policies);

    const afterEvents = a.memory();
    const listening = a.lines.find((l) => l.record["msg"] === "ops endpoints listening")?.record["address"];
    const metrics = typeof listening === "string" ? await latencyMetrics(listening) : "no ops address logged";
    return {
      size: size.label,
      objects: objects.length,
      loadMs,
      startMs: started.line.at - t0,
      syncMs: synced.line.at - started.line.at,
      firstApplyWallMs: first.line.at - synced.line.at,
      firstApplyAgentMs: num(first.line.record["ms"]),
      elements: num(stats?.elements),
      afterSync,
      afterEvents,
      kinds,
      idleGc: String(started.line.record["idleGc"] ?? "?"),
      metrics,
    };
  } finally {
    await agent?.stop();
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `portcullis_pod_ip_to_applied_seconds`, `portcullis_policy_to_applied_seconds` and `portcullis_idle_gc_duration_seconds` from /metrics: count and mean. */
async function latencyMetrics(address: string): Promise<string> {
  try {
    const text = await (await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(60_000) })).text();
    const sample = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
    return ["portcullis_pod_ip_to_applied_seconds", "portcullis_policy_to_applied_seconds", "portcullis_idle_gc_duration_seconds"]
      .map((h) => {
        const count = sample(`${h}_count`);
        // A histogram without observations has no samples yet.
        if (Number.isNaN(count)) return `${h}: none`;
        return `${h}: count ${count}, mean ${((sample(`${h}_sum`) / count) * 1000).toFixed(0)} ms`;
      })
      .join("; ");
  } catch (e) {
    return `/metrics not read: ${(e as Error).message}`;
  }
}

/**
 * The stand-in kubelet of one node: each pod bound to the node becomes a network namespace wired to
 * the node's router (pod-netns.ts) with an address of the node's pod CIDR and the cluster DNS in its
 * resolv.conf; each container a local process in it (the image mapped to an executable, pod-spec.ts),
 * its output the pod log (log.ts); the status written back as a kubelet writes it (phase,
 * containerStatuses, conditions, podIP, hostIP, startTime), readiness probes run, restarts with
 * backoff, activeDeadlineSeconds enforced; a deleted pod's processes stopped (SIGTERM, then SIGKILL
 * after its grace period, at most 2 s here), its namespace removed, then the object removed.
 * The decisions are in pod-spec.ts; this is the adapter (processes, namespaces, the API).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { constants, tmpdir } from "node:os";
import { run } from "../../lab/run.js";
import type { PodEvents } from "./events.js";
import type { ContainerLog, PodLogs } from "./log.js";
import {
  type Container,
  type ContainerRuntime,
  type Images,
  type PodAddresses,
  type PodRuntime,
  type PodSpec,
  type Probe,
  containerArgv,
  containerEnv,
  execArgv,
  exitReason,
  podStatusJson,
  resolvePort,
  resolvConf,
  restartDelayMs,
  restarts,
} from "./pod-spec.js";
import { type Namespaces, type NodeNet, type Topology, wirePod, writeResolvConf } from "./pod-netns.js";
import type { KubeObject, StandIn, StoreEvent } from "./standin.js";

export interface KubeletOptions {
  readonly api: StandIn;
  readonly node: NodeNet;
  readonly addresses: PodAddresses;
  readonly topology: Topology;
  readonly namespaces: Namespaces;
  readonly images: Images;
  readonly logs: PodLogs;
  readonly events: PodEvents;
  readonly dnsServiceIp: string;
  /** Environment every container gets before its own env (PATH, KUBERNETES_SERVICE_*). */
  readonly baseEnv: Readonly<Record<string, string>>;
}

/** The most the stand-in waits between SIGTERM and SIGKILL, whatever the grace period. */
const MAX_GRACE_MS = 2000;

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, "Z");
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

/** One container of a pod: its process, its probe loop, its state. */
interface ContainerSlot {
  readonly spec: Container;
  rt: ContainerRuntime;
  running: Running | undefined;
  log: ContainerLog | undefined;
  probeTimer: NodeJS.Timeout | undefined;
  restartTimer: NodeJS.Timeout | undefined;
  probeFailures: number;
}

/** A pod this kubelet runs. */
class PodWorker {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly spec: PodSpec;
  netns: string | undefined;
  podIP: string | undefined;
  readonly startTime = now();
  failed: PodRuntime["failed"];
  slots: ContainerSlot[];
  stopping = false;
  deadline: NodeJS.Timeout | undefined;
  /** Operations on this pod, one at a time. */
  chain: Promise<void> = Promise.resolve();

  constructor(pod: KubeObject) {
    this.namespace = pod.metadata.namespace ?? "default";
    this.name = pod.metadata.name;
    this.uid = String(pod.metadata["uid"] ?? "");
    this.spec = (pod["spec"] ?? {}) as PodSpec;
    this.slots = (this.spec.containers ?? []).map((c) => ({
      spec: c,
      rt: { name: c.name, image: c.image ?? "", state: { kind: "waiting", reason: "ContainerCreating" }, ready: false, restartCount: 0, started: false },
      running: undefined,
      log: undefined,
      probeTimer: undefined,
      restartTimer: undefined,
      probeFailures: 0,
    }));
  }

  get key(): string {
    return `${this.namespace}/${this.name}`;
  }

  then(op: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(op, op);
    return this.chain;
  }
}

export class Kubelet {
  readonly #o: KubeletOptions;
  readonly #pods = new Map<string, PodWorker>();
  #veth = 0;
  /** Errors of background work (wiring, writes), for the harness to report. */
  readonly errors: string[] = [];

  constructor(o: KubeletOptions) {
    this.#o = o;
  }

  get nodeName(): string {
    return this.#o.node.name;
  }

  /** The pods running here, by namespace/name (tests). */
  podNetns(namespace: string, name: string): string | undefined {
    return this.#pods.get(`${namespace}/${name}`)?.netns;
  }

  /** A change of a pod bound to this node. */
  observe(e: StoreEvent): void {
    const pod = e.object;
    const key = `${pod.metadata.namespace ?? "default"}/${pod.metadata.name}`;
    const known = this.#pods.get(key);
    if (known !== undefined && known.uid !== String(pod.metadata["uid"] ?? "")) {
      // Another pod of the same name: the old one is gone.
      void this.#stopPod(known, false);
    }
    const worker = known !== undefined && known.uid === String(pod.metadata["uid"] ?? "") ? known : undefined;
    if (e.type === "DELETED") {
      if (worker !== undefined) void this.#stopPod(worker, false);
      return;
    }
    if (pod.metadata["deletionTimestamp"] !== undefined) {
      if (worker !== undefined) void this.#stopPod(worker, true, Number(pod.metadata["deletionGracePeriodSeconds"] ?? 30));
      else this.#o.api.remove("Pod", pod.metadata.namespace ?? "default", pod.metadata.name);
      return;
    }
    if (worker !== undefined) return;
    const phase = (pod["status"] as { phase?: string } | undefined)?.phase;
    if (phase === "Succeeded" || phase === "Failed") return;
    const w = new PodWorker(pod);
    this.#pods.set(w.key, w);
    void w.then(() => this.#startPod(w)).catch((err: unknown) => {
      this.errors.push(`${w.key}: ${String(err)}`);
      this.#event(w, undefined, "Warning", "FailedCreatePodSandBox", `Failed to create pod sandbox: ${err instanceof Error ? err.message : String(err)}`);
    });
  }

  /** Stops every pod (processes killed, namespaces removed); their objects stay. */
  async stop(): Promise<void> {
    await Promise.all([...this.#pods.values()].map((w) => this.#stopPod(w, false, 0)));
  }

  #event(w: PodWorker, slot: ContainerSlot | undefined, type: "Normal" | "Warning", reason: string, message: string): void {
    const involved = { namespace: w.namespace, name: w.name, uid: w.uid, ...(slot === undefined ? {} : { fieldPath: `spec.containers{${slot.spec.name}}` }) };
    this.#o.events.record({ component: "kubelet", host: this.nodeName }, involved, type, reason, message);
  }

  #runtime(w: PodWorker): PodRuntime {
    return { hostIP: this.#o.node.gateway, podIP: w.podIP, startTime: w.startTime, containers: w.slots.map((s) => s.rt), sandbox: w.netns !== undefined, ...(w.failed === undefined ? {} : { failed: w.failed }) };
  }

  /** Writes the pod's status, if it is still this pod. */
  #writeStatus(w: PodWorker): void {
    const cur = this.#o.api.get("Pod", w.namespace, w.name);
    if (cur === undefined || String(cur.metadata["uid"] ?? "") !== w.uid) return;
    const previous = cur["status"] as Parameters<typeof podStatusJson>[3];
    this.#o.api.apply({ ...cur, status: podStatusJson(w.spec, this.#runtime(w), now(), previous) });
  }

  async #startPod(w: PodWorker): Promise<void> {
    this.#writeStatus(w);
    const netns = await this.#o.namespaces.create();
    w.netns = netns;
    // Pods the test stored as plain objects may hold addresses of this range: never hand those out twice.
    const held = new Set(this.#o.api.list("Pod").map((p) => (p["status"] as { podIP?: string } | undefined)?.podIP));
    const ip = this.#o.addresses.take((a) => held.has(a));
    if (ip === undefined) throw new Error(`node ${this.nodeName}: no free address in ${this.#o.node.podCIDR}`);
    w.podIP = ip;
    await wirePod(this.#o.node, netns, ip, this.#veth++, this.#o.topology);
    const conf = resolvConf(w.spec, w.namespace, this.#o.dnsServiceIp);
    if (conf !== undefined) writeResolvConf(netns, conf);
    if (w.stopping) return;
    const deadline = w.spec.activeDeadlineSeconds;
    if (deadline !== undefined) w.deadline = setTimeout(() => void this.#deadlineExceeded(w), deadline * 1000);
    for (const slot of w.slots) this.#startContainer(w, slot);
    this.#writeStatus(w);
  }

  #startContainer(w: PodWorker, slot: ContainerSlot): void {
    const argv = containerArgv(this.#o.images, slot.spec);
    const env = containerEnv(slot.spec);
    if (!argv.ok || !env.ok) {
      const why = !argv.ok ? argv : (env as { ok: false; reason: string; message: string });
      slot.rt = { ...slot.rt, state: { kind: "waiting", reason: why.reason, message: why.message } };
      if (!argv.ok) {
        this.#event(w, slot, "Normal", "Pulling", `Pulling image "${slot.spec.image ?? ""}"`);
        this.#event(w, slot, "Warning", "Failed", why.message);
      }
      this.#event(w, slot, "Warning", "Failed", `Error: ${why.reason}`);
      return;
    }
    this.#event(w, slot, "Normal", "Pulled", `Container image "${slot.spec.image ?? ""}" already present on machine`);
    const [file, ...args] = argv.value;
    const child = spawn("ip", ["netns", "exec", w.netns as string, file as string, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...this.#o.baseEnv, HOSTNAME: w.name, ...env.value },
      cwd: tmpdir(),
      detached: true,
    });
    const pid = child.pid;
    if (pid !== undefined) this.#o.namespaces.pids.add(pid);
    const log = this.#o.logs.start(w.namespace, w.name, slot.spec.name);
    slot.log = log;
    child.stdout?.setEncoding("utf8").on("data", (d: string) => log.write(d));
    child.stderr?.setEncoding("utf8").on("data", (d: string) => log.write(d));
    const startedAt = now();
    const exited = new Promise<void>((resolve) => {
      child.on("error", (e) => log.write(`stand-in kubelet: ${e.message}\n`));
      child.on("close", (code, signal) => {
        if (pid !== undefined) this.#o.namespaces.pids.delete(pid);
        log.end();
        const exitCode = code ?? 128 + signalNumber(signal);
        this.#containerExited(w, slot, exitCode, startedAt, signal);
        resolve();
      });
    });
    slot.running = { child, exited };
    slot.rt = { ...slot.rt, state: { kind: "running", startedAt }, started: true, ready: slot.spec.readinessProbe === undefined };
    this.#event(w, slot, "Normal", "Created", `Created container: ${slot.spec.name}`);
    this.#event(w, slot, "Normal", "Started", `Started container ${slot.spec.name}`);
    if (slot.spec.readinessProbe !== undefined) this.#probeLater(w, slot, slot.spec.readinessProbe, (slot.spec.readinessProbe.initialDelaySeconds ?? 0) * 1000);
  }

  #containerExited(w: PodWorker, slot: ContainerSlot, exitCode: number, startedAt: string, signal: NodeJS.Signals | null): void {
    slot.running = undefined;
    clearTimeout(slot.probeTimer);
    const terminated = {
      kind: "terminated" as const,
      exitCode,
      ...(signal === null ? {} : { signal: signalNumber(signal) }),
      reason: exitReason(exitCode),
      startedAt,
      finishedAt: now(),
    };
    slot.rt = { ...slot.rt, state: terminated, ready: false };
    if (!w.stopping && w.failed === undefined && restarts(w.spec.restartPolicy, exitCode)) {
      slot.rt = { ...slot.rt, state: { kind: "waiting", reason: "CrashLoopBackOff", message: `back-off restarting failed container ${slot.spec.name} in pod ${w.name}` }, lastTerminated: terminated };
      this.#event(w, slot, "Warning", "BackOff", `Back-off restarting failed container ${slot.spec.name} in pod ${w.name}_${w.namespace}(${w.uid})`);
      slot.restartTimer = setTimeout(() => {
        if (w.stopping || w.failed !== undefined) return;
        slot.rt = { ...slot.rt, restartCount: slot.rt.restartCount + 1 };
        this.#startContainer(w, slot);
        this.#writeStatus(w);
      }, restartDelayMs(slot.rt.restartCount));
    }
    if (!w.stopping) this.#writeStatus(w);
  }

  #probeLater(w: PodWorker, slot: ContainerSlot, probe: Probe, ms: number): void {
    slot.probeTimer = setTimeout(() => {
      void this.#probeOnce(w, slot, probe).then((ok) => {
        if (w.stopping || slot.running === undefined) return;
        if (!ok) this.#event(w, slot, "Warning", "Unhealthy", "Readiness probe failed");
        slot.probeFailures = ok ? 0 : slot.probeFailures + 1;
        const ready = ok ? true : slot.rt.ready && slot.probeFailures < (probe.failureThreshold ?? 3);
        if (ready !== slot.rt.ready) {
          slot.rt = { ...slot.rt, ready };
          this.#writeStatus(w);
        }
        this.#probeLater(w, slot, probe, (probe.periodSeconds ?? 10) * 1000);
      });
    }, ms);
  }

  /** One readiness check inside the pod's namespace: exec (exit 0), tcpSocket (connects), httpGet (2xx/3xx). */
  async #probeOnce(w: PodWorker, slot: ContainerSlot, probe: Probe): Promise<boolean> {
    const netns = w.netns as string;
    const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
    const inPod = (argv: readonly string[]): Promise<{ code: number; stdout: string }> => run(["ip", "netns", "exec", netns, ...argv], { timeoutMs, pids: this.#o.namespaces.pids });
    if (probe.exec?.command !== undefined) {
      const [file, ...args] = execArgv(this.#o.images, slot.spec, probe.exec.command);
      if (file === undefined) return false;
      const env = containerEnv(slot.spec);
      const vars = { ...this.#o.baseEnv, HOSTNAME: w.name, ...(env.ok ? env.value : {}) };
      return (await inPod(["env", "-i", ...Object.entries(vars).map(([k, v]) => `${k}=${v}`), file, ...args])).code === 0;
    }
    const containers = w.spec.containers ?? [];
    if (probe.tcpSocket !== undefined) {
      const port = resolvePort(containers, probe.tcpSocket.port);
      if (port === undefined) return false;
      return (await inPod(["bash", "-c", `exec 3<>/dev/tcp/${probe.tcpSocket.host ?? w.podIP ?? ""}/${port}`])).code === 0;
    }
    if (probe.httpGet !== undefined) {
      const port = resolvePort(containers, probe.httpGet.port);
      if (port === undefined) return false;
      const url = `${(probe.httpGet.scheme ?? "HTTP").toLowerCase()}://${probe.httpGet.host ?? w.podIP ?? ""}:${port}${probe.httpGet.path ?? "/"}`;
      const r = await inPod(["curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", String(timeoutMs / 1000), url]);
      const code = Number(r.stdout.trim());
      return code >= 200 && code < 400;
    }
    return false;
  }

  /** activeDeadlineSeconds: the containers killed, the pod Failed with DeadlineExceeded. */
  async #deadlineExceeded(w: PodWorker): Promise<void> {
    if (w.stopping || w.failed !== undefined) return;
    w.failed = { reason: "DeadlineExceeded", message: "Pod was active on the node longer than the specified deadline" };
    this.#event(w, undefined, "Warning", "DeadlineExceeded", w.failed.message);
    await this.#killContainers(w, w.spec.terminationGracePeriodSeconds ?? 30);
    this.#writeStatus(w);
  }

  /** SIGTERM to each container's process group, SIGKILL after the grace period (at most 2 s). */
  async #killContainers(w: PodWorker, graceSeconds: number): Promise<void> {
    const waits = w.slots.map(async (slot) => {
      clearTimeout(slot.probeTimer);
      clearTimeout(slot.restartTimer);
      const r = slot.running;
      if (r === undefined) return;
      this.#event(w, slot, "Normal", "Killing", `Stopping container ${slot.spec.name}`);
      signalGroup(r.child, "SIGTERM");
      const ended = await Promise.race([r.exited.then(() => true), sleep(Math.min(graceSeconds * 1000, MAX_GRACE_MS)).then(() => false)]);
      if (!ended) {
        signalGroup(r.child, "SIGKILL");
        await r.exited;
      }
    });
    await Promise.all(waits);
  }

  /** Stops a pod: processes, then its namespace and address; `finish` removes the object (a graceful delete done). */
  #stopPod(w: PodWorker, finish: boolean, graceSeconds = 0): Promise<void> {
    if (w.stopping && !finish) return w.chain;
    w.stopping = true;
    clearTimeout(w.deadline);
    return w.then(async () => {
      await this.#killContainers(w, graceSeconds);
      if (w.netns !== undefined) await this.#o.namespaces.remove(w.netns);
      if (w.podIP !== undefined) this.#o.addresses.release(w.podIP);
      w.netns = undefined;
      w.podIP = undefined;
      this.#o.logs.drop(w.namespace, w.name);
      this.#o.events.forget(w.uid);
      if (this.#pods.get(w.key) === w) this.#pods.delete(w.key);
      if (!finish) return;
      const cur = this.#o.api.get("Pod", w.namespace, w.name);
      if (cur !== undefined && String(cur.metadata["uid"] ?? "") === w.uid) this.#o.api.remove("Pod", w.namespace, w.name);
    }).catch((err: unknown) => void this.errors.push(`${w.key}: stopping: ${String(err)}`));
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === null ? 0 : constants.signals[signal];
}

/** A signal to the container's process group (it was started detached: its children too). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // gone
    }
  }
}

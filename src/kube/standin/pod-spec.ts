/**
 * The stand-in kubelet's decisions, as functions of the pod and what it observed (no processes, no
 * namespaces here): which local argv a container's image and command become, its environment, the
 * addresses of a node's pod CIDR, the restart policy's verdicts, and the status a kubelet writes
 * (phase, containerStatuses, conditions) from each container's state.
 */
import { type Cidr, parseCidr } from "../../net/cidr.js";
import { formatIp } from "../../net/ip.js";

/** Image reference → the argv its entrypoint is on this machine. */
export type Images = Readonly<Record<string, readonly string[]>>;

export interface Container {
  readonly name: string;
  readonly image?: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly { readonly name: string; readonly value?: string; readonly valueFrom?: unknown }[];
  readonly ports?: readonly { readonly name?: string; readonly containerPort?: number; readonly protocol?: string }[];
  readonly readinessProbe?: Probe;
}

export interface Probe {
  readonly exec?: { readonly command?: readonly string[] };
  readonly tcpSocket?: { readonly port?: number | string; readonly host?: string };
  readonly httpGet?: { readonly port?: number | string; readonly path?: string; readonly host?: string; readonly scheme?: string };
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly successThreshold?: number;
  readonly failureThreshold?: number;
}

export interface PodSpec {
  readonly nodeName?: string;
  readonly dnsPolicy?: "ClusterFirst" | "ClusterFirstWithHostNet" | "Default" | "None";
  readonly dnsConfig?: { readonly nameservers?: readonly string[]; readonly searches?: readonly string[]; readonly options?: readonly { readonly name: string; readonly value?: string }[] };
  readonly containers?: readonly Container[];
  readonly restartPolicy?: "Always" | "OnFailure" | "Never";
  readonly activeDeadlineSeconds?: number;
  readonly terminationGracePeriodSeconds?: number;
}

/** A decision that can fail with the reason and message a kubelet writes on the container. */
export type Decided<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string; readonly message: string };

/** `ghcr.io/org/portcullis:0.1.0` → `portcullis:0.1.0`; `node` → `node:latest`; a digest kept. */
function shortRef(ref: string): string {
  const last = ref.slice(ref.lastIndexOf("/") + 1);
  return last.includes(":") || last.includes("@") ? last : `${last}:latest`;
}

/** The name an image's entrypoint goes by in a `command`: `portcullis` for any portcullis image. */
export function entrypointName(ref: string): string {
  return shortRef(ref).split(/[:@]/)[0] ?? "";
}

/** The image's argv: by the exact reference, else by name and tag whatever the registry (`docker.io/library/node:20` is `node:20`). */
export function imageArgv(images: Images, ref: string): readonly string[] | undefined {
  return images[ref] ?? Object.entries(images).find(([key]) => shortRef(key) === shortRef(ref))?.[1];
}

/**
 * A command as a container runs it (Kubernetes' command and args over the image's ENTRYPOINT and
 * CMD): a first word naming the image's entrypoint (`portcullis`) runs the mapped argv; another word
 * is a program of this machine's PATH (`false`, `sh`), as it would be of the image's.
 */
function commandArgv(argv: readonly string[], ref: string, entry: readonly string[]): readonly string[] {
  const [first, ...rest] = argv;
  if (first === undefined) return entry;
  return first === entrypointName(ref) ? [...entry, ...rest] : argv;
}

/**
 * Images whose entrypoint is a docker-entrypoint.sh that runs its arguments as a command when the
 * first names one (the official node image: `args: [node, -e, …]` runs `node -e …`).
 */
const ENTRYPOINT_SCRIPT_IMAGES = new Set(["node"]);

/** What runs for a container: ErrImagePull for an image this machine maps to nothing. */
export function containerArgv(images: Images, c: Container): Decided<readonly string[]> {
  const ref = c.image ?? "";
  const entry = imageArgv(images, ref);
  if (entry === undefined) {
    const known = Object.keys(images).sort().join(", ");
    return { ok: false, reason: "ErrImagePull", message: `Failed to pull image "${ref}": the stand-in kubelet maps no local executable to this image (it runs: ${known})` };
  }
  if (c.command !== undefined && c.command.length > 0) return { ok: true, value: [...commandArgv(c.command, ref, entry), ...(c.args ?? [])] };
  const args = c.args ?? [];
  if (ENTRYPOINT_SCRIPT_IMAGES.has(entrypointName(ref)) && args[0] === entrypointName(ref)) return { ok: true, value: commandArgv(args, ref, entry) };
  return { ok: true, value: [...entry, ...args] };
}

/** An exec probe's argv, with the container's image mapping. */
export function execArgv(images: Images, c: Container, command: readonly string[]): readonly string[] {
  const entry = imageArgv(images, c.image ?? "");
  return entry === undefined ? command : commandArgv(command, c.image ?? "", entry);
}

/** The container's env: values only; a valueFrom is refused as the kubelet refuses a reference it cannot resolve. */
export function containerEnv(c: Container): Decided<Readonly<Record<string, string>>> {
  const env: Record<string, string> = {};
  for (const e of c.env ?? []) {
    if (e.valueFrom !== undefined) {
      return { ok: false, reason: "CreateContainerConfigError", message: `env ${e.name}: valueFrom is not supported by the stand-in kubelet (values only)` };
    }
    env[e.name] = e.value ?? "";
  }
  return { ok: true, value: env };
}

/** A container port by number, or by its name in the container's ports (a probe's or a Service's targetPort). */
export function resolvePort(containers: readonly Container[], port: number | string | undefined): number | undefined {
  if (typeof port === "number") return port;
  if (port === undefined) return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  for (const c of containers) for (const p of c.ports ?? []) if (p.name === port && p.containerPort !== undefined) return p.containerPort;
  return undefined;
}

/**
 * A node's IPv4 pod CIDR: the gateway (its first host address) and the addresses pods get, as the
 * host-local IPAM plugin hands them out: the next free one after the last given, wrapping around
 * (so a deleted pod's address is not reused at once).
 */
export class PodAddresses {
  readonly cidr: Cidr;
  readonly gateway: string;
  readonly #used = new Set<bigint>();
  #last: bigint;

  constructor(podCIDR: string) {
    const p = parseCidr(podCIDR);
    if (!p.ok || p.cidr.family !== 4 || p.cidr.prefix > 30) throw new Error(`stand-in node: podCIDR ${podCIDR} is not an IPv4 block of 4 addresses or more`);
    this.cidr = p.cidr;
    this.gateway = formatIp({ family: 4, value: p.cidr.first + 1n });
    this.#last = p.cidr.first + 1n;
  }

  /**
   * The next free address after the last given (not the network, gateway or broadcast address, nor
   * one `taken` elsewhere: a pod object that holds it); undefined when all are taken.
   */
  take(taken: (ip: string) => boolean = () => false): string | undefined {
    const [low, high] = [this.cidr.first + 2n, this.cidr.last - 1n];
    for (let n = 0n, v = this.#last + 1n; n <= high - low; n++, v++) {
      if (v > high) v = low;
      const ip = formatIp({ family: 4, value: v });
      if (this.#used.has(v) || taken(ip)) continue;
      this.#used.add(v);
      this.#last = v;
      return ip;
    }
    return undefined;
  }

  release(ip: string): void {
    const p = parseCidr(`${ip}/32`);
    if (p.ok) this.#used.delete(p.cidr.first);
  }
}

/** What a container is doing, as the kubelet tracks it. */
export type ContainerState =
  | { readonly kind: "waiting"; readonly reason: string; readonly message?: string }
  | { readonly kind: "running"; readonly startedAt: string }
  | { readonly kind: "terminated"; readonly exitCode: number; readonly signal?: number; readonly reason: string; readonly startedAt: string; readonly finishedAt: string; readonly message?: string };

export interface ContainerRuntime {
  readonly name: string;
  readonly image: string;
  readonly state: ContainerState;
  readonly ready: boolean;
  readonly restartCount: number;
  readonly lastTerminated?: ContainerState & { readonly kind: "terminated" };
  /** Started at least once (has a log). */
  readonly started: boolean;
}

export interface PodRuntime {
  readonly hostIP: string;
  readonly podIP: string | undefined;
  readonly startTime: string;
  readonly containers: readonly ContainerRuntime[];
  /** Set when the kubelet failed the pod itself (activeDeadlineSeconds: DeadlineExceeded). */
  readonly failed?: { readonly reason: string; readonly message: string };
  /** The sandbox (network namespace) is up. */
  readonly sandbox: boolean;
}

/** A terminated container's reason, as the runtime reports it. */
export function exitReason(exitCode: number): string {
  return exitCode === 0 ? "Completed" : "Error";
}

/** Whether the restart policy restarts a container that exited with this code. */
export function restarts(policy: PodSpec["restartPolicy"], exitCode: number): boolean {
  return (policy ?? "Always") === "Always" || (policy === "OnFailure" && exitCode !== 0);
}

/**
 * The delay before restart n (0-based): the kubelet's crash-loop backoff (10 s doubling, 5 min cap)
 * scaled down for tests: 100 ms doubling, 2 s cap.
 */
export function restartDelayMs(restartCount: number): number {
  return Math.min(100 * 2 ** Math.min(restartCount, 10), 2000);
}

/** The kubelet's getPhase: Pending while any container waits to start; Succeeded/Failed when all ended for good; else Running. */
export function podPhase(policy: PodSpec["restartPolicy"], rt: PodRuntime): "Pending" | "Running" | "Succeeded" | "Failed" {
  if (rt.failed !== undefined) return "Failed";
  const cs = rt.containers;
  if (cs.some((c) => c.state.kind === "waiting" && !c.started)) return "Pending";
  if (cs.some((c) => c.state.kind === "running" || c.state.kind === "waiting")) return "Running";
  const exits = cs.map((c) => (c.state.kind === "terminated" ? c.state.exitCode : 0));
  if (exits.some((code) => restarts(policy, code))) return "Running";
  return exits.every((code) => code === 0) ? "Succeeded" : "Failed";
}

const stateJson = (s: ContainerState): Record<string, unknown> => {
  switch (s.kind) {
    case "waiting":
      return { waiting: { reason: s.reason, ...(s.message === undefined ? {} : { message: s.message }) } };
    case "running":
      return { running: { startedAt: s.startedAt } };
    case "terminated":
      return {
        terminated: {
          exitCode: s.exitCode,
          ...(s.signal === undefined ? {} : { signal: s.signal }),
          reason: s.reason,
          ...(s.message === undefined ? {} : { message: s.message }),
          startedAt: s.startedAt,
          finishedAt: s.finishedAt,
        },
      };
  }
};

const condition = (type: string, ok: boolean, at: string, reason?: string, message?: string): Record<string, unknown> => ({
  type,
  status: ok ? "True" : "False",
  lastProbeTime: null,
  lastTransitionTime: at,
  ...(ok || reason === undefined ? {} : { reason }),
  ...(ok || message === undefined ? {} : { message }),
});

/**
 * The pod's status as the kubelet writes it. `previous` (the stored status) keeps each condition's
 * lastTransitionTime while its status does not change.
 */
export function podStatusJson(spec: PodSpec, rt: PodRuntime, now: string, previous?: { conditions?: { type?: string; status?: string; lastTransitionTime?: string }[] }): Record<string, unknown> {
  const phase = podPhase(spec.restartPolicy, rt);
  const done = phase === "Succeeded" || phase === "Failed";
  const unready = rt.containers.filter((c) => !c.ready).map((c) => c.name);
  const containersReady = unready.length === 0 && !done;
  const since = (type: string, ok: boolean): string => {
    const before = previous?.conditions?.find((c) => c.type === type);
    return before !== undefined && before.status === (ok ? "True" : "False") ? (before.lastTransitionTime ?? now) : now;
  };
  const notReady = done ? "PodCompleted" : "ContainersNotReady";
  const notReadyMessage = done ? undefined : `containers with unready status: [${unready.join(" ")}]`;
  return {
    phase,
    ...(rt.failed === undefined ? {} : { reason: rt.failed.reason, message: rt.failed.message }),
    conditions: [
      condition("PodReadyToStartContainers", rt.sandbox && !done, since("PodReadyToStartContainers", rt.sandbox && !done)),
      condition("Initialized", true, since("Initialized", true)),
      condition("Ready", containersReady, since("Ready", containersReady), notReady, notReadyMessage),
      condition("ContainersReady", containersReady, since("ContainersReady", containersReady), notReady, notReadyMessage),
      condition("PodScheduled", true, since("PodScheduled", true)),
    ],
    hostIP: rt.hostIP,
    hostIPs: [{ ip: rt.hostIP }],
    ...(rt.podIP === undefined ? {} : { podIP: rt.podIP, podIPs: [{ ip: rt.podIP }] }),
    startTime: rt.startTime,
    containerStatuses: rt.containers.map((c) => ({
      name: c.name,
      state: stateJson(c.state),
      lastState: c.lastTerminated === undefined ? {} : stateJson(c.lastTerminated),
      ready: c.ready,
      restartCount: c.restartCount,
      image: c.image,
      imageID: "",
      started: c.state.kind === "running",
      ...(c.started ? { containerID: `standin://${c.name}-${c.restartCount}` } : {}),
    })),
    qosClass: "BestEffort",
  };
}

/**
 * The pod's resolv.conf, as the kubelet writes it for its dnsPolicy: ClusterFirst (the default) the
 * cluster DNS with `<ns>.svc.cluster.local svc.cluster.local cluster.local` and ndots:5; None only
 * the pod's dnsConfig; dnsConfig's nameservers, searches and options appended (options by name,
 * the pod's value winning). Undefined for Default: the node's own resolv.conf (here: this machine's).
 */
export function resolvConf(spec: PodSpec, namespace: string, dnsServiceIp: string, clusterDomain = "cluster.local"): string | undefined {
  const policy = spec.dnsPolicy ?? "ClusterFirst";
  if (policy === "Default") return undefined;
  const cluster = policy !== "None";
  const nameservers = [...(cluster ? [dnsServiceIp] : []), ...(spec.dnsConfig?.nameservers ?? [])];
  const searches = [...(cluster ? [`${namespace}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain] : []), ...(spec.dnsConfig?.searches ?? [])];
  const options = new Map<string, string | undefined>(cluster ? [["ndots", "5"]] : []);
  for (const o of spec.dnsConfig?.options ?? []) options.set(o.name, o.value);
  const lines = [
    ...(searches.length > 0 ? [`search ${[...new Set(searches)].join(" ")}`] : []),
    ...[...new Set(nameservers)].map((n) => `nameserver ${n}`),
    ...(options.size > 0 ? [`options ${[...options].map(([k, v]) => (v === undefined ? k : `${k}:${v}`)).join(" ")}`] : []),
  ];
  return `${lines.join("\n")}\n`;
}

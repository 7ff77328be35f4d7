/**
 * The stand-in cluster: the stand-in API server with nodes that run pods (a stand-in kubelet per
 * node: each pod a network namespace wired to the node's router namespace, its containers local
 * processes), pod logs through the API, a mini kube-proxy (ClusterIP DNAT in each router), a cluster
 * DNS pod behind the kube-system/kube-dns Service, hosts beyond the nodes (the internet), a small
 * controller manager (namespaces, ReplicaSet adoption), and optionally the node agent enforcing in
 * each router (`portcullis enforce --kubernetes`, a process with the harness's kubeconfig).
 * Test-only (never shipped); needs root, `ip netns` and nft. What is faithful: docs/stand-in.md.
 *
 *   const cluster = await startStandInCluster({ enforce: true, outside: [{ ip: "203.0.113.9", ports: [{ port: 443, protocol: "TCP" }] }] });
 *   try {
 *     // kubectl --kubeconfig cluster.kubeconfigPath run web --image=node:20-bookworm-slim -- node -e '…'
 *     cluster.api.apply(pod);                       // bound to lab-node-1: Running with a 10.244.1.x address
 *   } finally {
 *     await cluster.stop();                         // no process, no namespace left
 *   }
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { netnsSupport } from "../../enforce/netns.js";
import { AgentHandle } from "../../lab/agent-handle.js";
import { runOk } from "../../lab/run.js";
import { clusterDnsRecords, writeDnsRecords } from "./cluster-dns.js";
import { PodEvents } from "./events.js";
import { Controllers, SERVICE_RANGE, admission } from "./controllers.js";
import { TABLE, kubeProxyTable } from "./kube-proxy.js";
import { Kubelet } from "./kubelet.js";
import { PodLogs, podLogRoute } from "./log.js";
import { type Images, PodAddresses } from "./pod-spec.js";
import { Namespaces, type NodeNet, linkRouters, setUpRouter, sweepStaleResolvDirs, wireOutside } from "./pod-netns.js";
import { type KubeObject, type StandIn, type StoreEvent, startStandIn } from "./standin.js";

export interface StandInClusterOptions {
  /** Run the node agent (`enforce --kubernetes --node N --netns ROUTER`) on each node. */
  readonly enforce: boolean;
  readonly topology?: "routed" | "bridge";
  /** Default: one node "lab-node-1", 10.244.1.0/24. */
  readonly nodes?: readonly { name: string; podCIDR: string }[];
  /** Hosts beyond the node (the internet), answering with their identity. */
  readonly outside?: readonly { ip: string; ports: readonly { port: number; protocol: "TCP" | "UDP" }[] }[];
  /** External names the cluster DNS answers (A/AAAA). */
  readonly dnsRecords?: Readonly<Record<string, readonly string[]>>;
  /** Applied before start: namespaces, pods (run by the kubelet if bound to a node), policies, services. */
  readonly objects?: readonly unknown[];
  /** Image reference → the local argv of its entrypoint, over the defaults (DEFAULT_IMAGES). */
  readonly images?: Images;
}

export interface StandInCluster {
  /** The stand-in API server (apply/remove/get/list, faults, requests log). */
  readonly api: StandIn;
  /** Admin kubeconfig for the CLI (`--kubeconfig`). */
  readonly kubeconfigPath: string;
  /** kube-system/kube-dns ClusterIP, in every pod's resolv.conf. */
  readonly dnsServiceIp: string;
  /** Network namespaces it made (tests assert all gone after stop). */
  netnsNames(): readonly string[];
  /** Kills processes, deletes every netns it made, also after failures. */
  stop(): Promise<void>;
  /** The namespace a running pod's containers run in (undefined: not running here). */
  podNetns(namespace: string, name: string): string | undefined;
  /** The router namespace of a node (the node itself: kube-proxy's and the node agent's tables). */
  routerOf(node: string): string | undefined;
  /** The node agents' log lines (JSON objects), all nodes, in order; empty without `enforce`. */
  enforcerLog(): readonly Record<string, unknown>[];
  /** Errors of background work (pod wiring, kube-proxy applies), for a test to assert none. */
  errors(): readonly string[];
}

const REPO = fileURLToPath(new URL("../../../../", import.meta.url));
const DNS_SERVER = fileURLToPath(new URL("./dns-serve.js", import.meta.url));
const DNS_IMAGE = "registry.k8s.io/coredns/coredns:v1.11.3";

/** The images the stand-in kubelet runs without being told: Portcullis' (the CLI) and Node's. */
export const DEFAULT_IMAGES: Images = {
  "portcullis:0.1.0": [process.execPath, join(REPO, "bin", "portcullis.js")],
  "node:20-bookworm-slim": [process.execPath],
};

const DEFAULT_NODES = [{ name: "lab-node-1", podCIDR: "10.244.1.0/24" }] as const;

/** Root, `ip netns` and nft, as every netns test needs. */
export async function standInClusterSupport(): Promise<{ ok: true } | { ok: false; reason: string }> {
  const s = await netnsSupport();
  return s.ok ? { ok: true } : { ok: false, reason: s.reason };
}

const ns = (name: string): KubeObject => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "kubernetes.io/metadata.name": name } }, spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } });

function nodeObject(n: NodeNet): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: n.name, labels: { "kubernetes.io/hostname": n.name, "kubernetes.io/os": "linux" } },
    spec: { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR] },
    status: {
      addresses: [{ type: "InternalIP", address: n.gateway }, { type: "Hostname", address: n.name }],
      conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "stand-in kubelet is posting ready status" }],
      nodeInfo: { kubeletVersion: "v1.32.0-standin", containerRuntimeVersion: "standin://1", operatingSystem: "linux", architecture: "amd64" },
    },
  };
}

function dnsObjects(node: string, recordsPath: string): KubeObject[] {
  const labels = { "k8s-app": "kube-dns" };
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "kube-dns", namespace: "kube-system", labels: { ...labels, "kubernetes.io/name": "CoreDNS" } },
      spec: { clusterIP: SERVICE_RANGE.dns, selector: labels, ports: [{ name: "dns", port: 53, protocol: "UDP", targetPort: 53 }, { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 }] },
    },
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "coredns-standin", namespace: "kube-system", labels },
      spec: {
        nodeName: node,
        containers: [
          {
            name: "coredns",
            image: DNS_IMAGE,
            args: [recordsPath],
            ports: [{ name: "dns", containerPort: 53, protocol: "UDP" }, { name: "dns-tcp", containerPort: 53, protocol: "TCP" }],
            readinessProbe: { tcpSocket: { port: 53 }, periodSeconds: 1 },
          },
        ],
      },
    },
  ];
}

const kubernetesService: KubeObject = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "kubernetes", namespace: "default", labels: { component: "apiserver", provider: "kubernetes" } },
  spec: { clusterIP: SERVICE_RANGE.kubernetes, ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }] },
};

const isReady = (o: KubeObject | undefined): boolean => ((o?.["status"] as { conditions?: { type?: string; status?: string }[] } | undefined)?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

async function until(what: string, check: () => boolean, ms: number, errors: () => readonly string[]): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`stand-in cluster: ${what} not within ${ms} ms${errors().length > 0 ? `: ${errors().join("; ")}` : ""}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The node agent of one node, as a process; its log lines parsed. */
interface NodeAgent {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
}

function startNodeAgent(node: NodeNet, kubeconfig: string, home: string, log: Record<string, unknown>[], pids: Set<number>): NodeAgent {
  const child = spawn(process.execPath, [join(REPO, "bin", "portcullis.js"), "enforce", "--kubernetes", "--node", node.name, "--netns", node.router, "--kubeconfig", kubeconfig, "--listen", "127.0.0.1:0", "--log-format", "json"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin", HOME: home },
  });
  if (child.pid !== undefined) pids.add(child.pid);
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue;
    createInterface({ input: stream }).on("line", (line) => {
      try {
        log.push({ node: node.name, ...(JSON.parse(line) as Record<string, unknown>) });
      } catch {
        log.push({ node: node.name, msg: line });
      }
    });
  }
  const exited = new Promise<void>((resolve) =>
    child.once("close", () => {
      if (child.pid !== undefined) pids.delete(child.pid);
      resolve();
    }),
  );
  return { child, exited };
}

async function stopNodeAgent(a: NodeAgent): Promise<void> {
  if (a.child.exitCode !== null || a.child.signalCode !== null) return;
  a.child.kill("SIGTERM");
  const ended = await Promise.race([a.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000).unref())]);
  if (!ended) {
    a.child.kill("SIGKILL");
    await a.exited;
  }
}

export async function startStandInCluster(o: StandInClusterOptions): Promise<StandInCluster> {
  const topology = o.topology ?? "routed";
  const namespaces = new Namespaces();
  const dir = mkdtempSync(join(tmpdir(), "standin-cluster-"));
  const logs = new PodLogs();
  const images: Images = { ...DEFAULT_IMAGES, [DNS_IMAGE]: [process.execPath, DNS_SERVER], ...(o.images ?? {}) };
  const errors: string[] = [];
  const kubelets = new Map<string, Kubelet>();
  const nodes: NodeNet[] = [];
  const outsideAgents: AgentHandle[] = [];
  const nodeAgents: NodeAgent[] = [];
  const enforcerLog: Record<string, unknown>[] = [];
  const recordsPath = join(dir, "dns-records.json");
  let api: StandIn | undefined;
  let unsubscribe: () => void = () => undefined;
  let stopped: Promise<void> | undefined;

  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      const failures: string[] = [];
      const attempt = async (what: string, f: () => Promise<void>): Promise<void> => {
        try {
          await f();
        } catch (e) {
          failures.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
        }
      };
      unsubscribe();
      for (const a of nodeAgents) await attempt("node agent", () => stopNodeAgent(a));
      for (const k of kubelets.values()) await attempt(`kubelet ${k.nodeName}`, () => k.stop());
      for (const a of outsideAgents) await attempt("outside host", () => a.stop());
      await attempt("network namespaces", () => namespaces.removeAll());
      if (api !== undefined) await attempt("API server", () => (api as StandIn).close());
      rmSync(dir, { recursive: true, force: true });
      if (failures.length > 0) throw new Error(`stand-in cluster stop: ${failures.join("; ")}`);
    })();
    return stopped;
  };

  try {
    await sweepStaleResolvDirs();
    const running = await startStandIn({
      hooks: {
        admit: admission(() => running),
        deletesGracefully: (obj) => obj.kind === "Namespace" || (obj.kind === "Pod" && kubelets.has(String((obj["spec"] as { nodeName?: string } | undefined)?.nodeName ?? ""))),
        subresources: { "pods/log": podLogRoute(logs) },
      },
    });
    api = running;
    const events = new PodEvents(running);
    const kubeconfigPath = join(dir, "kubeconfig");
    writeFileSync(kubeconfigPath, running.kubeconfig("admin"), { mode: 0o600 });

    // The network: a router per node, routers linked, the outside hosts linked to every router.
    for (const n of o.nodes ?? DEFAULT_NODES) {
      const addresses = new PodAddresses(n.podCIDR);
      const node: NodeNet = { name: n.name, router: await namespaces.create(), gateway: addresses.gateway, podCIDR: n.podCIDR, prefix: addresses.cidr.prefix };
      await setUpRouter(node, topology);
      nodes.push(node);
      kubelets.set(n.name, new Kubelet({
        api: running,
        node,
        addresses,
        topology,
        namespaces,
        images,
        logs,
        events,
        dnsServiceIp: SERVICE_RANGE.dns,
        baseEnv: { PATH: process.env["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin", KUBERNETES_SERVICE_HOST: SERVICE_RANGE.kubernetes, KUBERNETES_SERVICE_PORT: "443" },
      }));
    }
    for (let i = 0; i < nodes.length; i++) for (let j = i + 1; j < nodes.length; j++) await linkRouters(nodes[i] as NodeNet, nodes[j] as NodeNet, i * nodes.length + j);
    for (const [k, host] of (o.outside ?? []).entries()) {
      const netns = await namespaces.create();
      await wireOutside(nodes, netns, host.ip, k);
      const agent = await AgentHandle.start(netns, { role: "internet", identity: `internet ${host.ip}`, ips: [host.ip], ports: host.ports }, namespaces.pids, 10_000);
      outsideAgents.push(agent);
      for (const p of host.ports) if (p.protocol === "UDP") await agent.request({ op: "listen-udp", ip: host.ip, port: p.port }, 5000);
    }

    // The control loops: every change, in order, after the write that made it.
    const controllers = new Controllers(running, nodes.map((n) => n.name), events);
    const queue: StoreEvent[] = [];
    let draining = false;
    let network: Promise<void> = Promise.resolve();
    let networkDirty = false;
    let lastTable = "";
    let lastRecords = "";
    const syncNetwork = async (): Promise<void> => {
      while (networkDirty) {
        networkDirty = false;
        const services = running.list("Service");
        const pods = running.list("Pod");
        const records = JSON.stringify(clusterDnsRecords(services, pods, o.dnsRecords ?? {}));
        if (records !== lastRecords) {
          writeDnsRecords(recordsPath, JSON.parse(records) as Record<string, string[]>);
          lastRecords = records;
        }
        const table = kubeProxyTable(services, pods);
        if (table === lastTable) continue;
        for (const node of nodes) await runOk(["ip", "netns", "exec", node.router, "nft", "-f", "-"], { input: `table ip ${TABLE} {}\ndelete table ip ${TABLE}\n${table}\n` });
        lastTable = table;
      }
    };
    const drain = (): void => {
      draining = false;
      for (let e = queue.shift(); e !== undefined; e = queue.shift()) {
        try {
          controllers.observe(e);
          if (e.object.kind === "Pod") kubelets.get(String((e.object["spec"] as { nodeName?: string } | undefined)?.nodeName ?? ""))?.observe(e);
        } catch (err) {
          errors.push(`${e.type} ${e.object.kind} ${e.object.metadata.name}: ${err instanceof Error ? err.message : String(err)}`);
        }
        if (e.object.kind === "Pod" || e.object.kind === "Service") {
          if (!networkDirty) {
            networkDirty = true;
            network = network.then(syncNetwork).catch((err: unknown) => void errors.push(`network sync: ${String(err)}`));
          }
        }
      }
    };
    unsubscribe = running.subscribe((e) => {
      queue.push(e);
      if (!draining) {
        draining = true;
        setImmediate(drain);
      }
    });

    for (const name of ["default", "kube-system", "kube-public", "kube-node-lease"]) running.apply(ns(name));
    for (const n of nodes) running.apply(nodeObject(n));
    running.apply(kubernetesService);
    for (const obj of dnsObjects((nodes[0] as NodeNet).name, recordsPath)) running.apply(obj);
    for (const obj of o.objects ?? []) running.apply(obj as KubeObject);

    const allErrors = (): readonly string[] => [...errors, ...[...kubelets.values()].flatMap((k) => k.errors)];
    await until("the cluster DNS pod Ready behind its Service", () => isReady(running.get("Pod", "kube-system", "coredns-standin")) && lastTable.includes(`${SERVICE_RANGE.dns} udp dport 53 counter dnat`), 15_000, allErrors);
    if (o.enforce) {
      for (const node of nodes) nodeAgents.push(startNodeAgent(node, kubeconfigPath, dir, enforcerLog, namespaces.pids));
      await until("every node agent's first apply", () => nodes.every((n) => enforcerLog.some((l) => l["node"] === n.name && l["msg"] === "applied")), 20_000, () => [...allErrors(), ...enforcerLog.slice(-5).map((l) => JSON.stringify(l))]);
    }

    return {
      api: running,
      kubeconfigPath,
      dnsServiceIp: SERVICE_RANGE.dns,
      netnsNames: () => namespaces.names(),
      stop,
      podNetns: (namespace, name) => {
        for (const k of kubelets.values()) {
          const netns = k.podNetns(namespace, name);
          if (netns !== undefined) return netns;
        }
        return undefined;
      },
      routerOf: (node) => nodes.find((n) => n.name === node)?.router,
      enforcerLog: () => enforcerLog,
      errors: allErrors,
    };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}

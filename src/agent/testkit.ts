/**
 * Live objects as `kubectl get -o json` shows them (trimmed to what the model reads, plus the
 * metadata the API server always sets), for the agent's tests.
 */
import { type Server, type Socket, connect, createServer } from "node:net";
import type { LiveObject } from "../kube/live.js";

let rv = 1000;
const meta = (name: string, namespace: string | undefined, extra: Record<string, unknown> = {}): LiveObject["metadata"] => ({
  name,
  ...(namespace === undefined ? {} : { namespace }),
  uid: `uid-${namespace ?? ""}-${name}`,
  resourceVersion: String(++rv),
  creationTimestamp: "2026-12-06T06:00:00Z",
  ...extra,
});

export interface PodSpec {
  readonly labels?: Record<string, string>;
  readonly ip?: string;
  readonly node?: string;
  /** The owning ReplicaSet's name. */
  readonly replicaSet?: string;
  readonly phase?: string;
  readonly ports?: readonly { name?: string; containerPort: number; protocol?: string }[];
}

export function livePod(namespace: string, name: string, p: PodSpec = {}): LiveObject {
  const owner = p.replicaSet === undefined ? {} : { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: p.replicaSet, uid: `uid-rs-${p.replicaSet}`, controller: true }] };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: meta(name, namespace, { labels: p.labels ?? {}, ...owner }),
    spec: { ...(p.node === undefined ? {} : { nodeName: p.node }), containers: [{ name: "app", image: "nginx:1.27", ports: p.ports ?? [] }] },
    status: { phase: p.phase ?? (p.ip === undefined ? "Pending" : "Running"), ...(p.ip === undefined ? {} : { podIP: p.ip, podIPs: [{ ip: p.ip }] }) },
  };
}

export function liveNamespace(name: string, labels: Record<string, string> = {}): LiveObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: meta(name, undefined, { labels: { "kubernetes.io/metadata.name": name, ...labels } }), spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } };
}

export function liveNode(name: string, podCidr: string): LiveObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: meta(name, undefined, { labels: { "kubernetes.io/hostname": name } }),
    spec: { podCIDR: podCidr, podCIDRs: [podCidr] },
    status: { addresses: [{ type: "InternalIP", address: "172.18.0.2" }, { type: "Hostname", address: name }] },
  };
}

export function livePolicy(namespace: string, name: string, spec: Record<string, unknown>, annotations: Record<string, string> = {}): LiveObject {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: meta(name, namespace, { generation: 1, annotations }), spec };
}

/** The same object, as the API server sends it again after a change the model does not read. */
export function bumped(o: LiveObject): LiveObject {
  return { ...o, metadata: { ...o.metadata, resourceVersion: String(++rv) } };
}

/** A TCP proxy to the stand-in on a fixed port: `stop` refuses and cuts every connection (the API server down); `start` listens again. */
export class Proxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: number) {}
  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target, "127.0.0.1");
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", () => resolve()));
    const address = server.address();
    this.port = typeof address === "object" && address !== null ? address.port : 0;
    this.server = server;
  }
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (server === null ? resolve() : server.close(() => resolve())));
  }
}

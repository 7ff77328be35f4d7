/**
 * The stand-in cluster's network: one router namespace per node (the node; its pods' gateway, where
 * kube-proxy's DNAT and the node agent's table live), a namespace per pod wired to its node's
 * router as a CNI plugin does (`routed`: a veth per pod, /32 routes, as Calico-style plugins;
 * `bridge`: veths as ports of the node's bridge `cni0` holding the gateway, br_netfilter on, as
 * Flannel and the bridge plugin), routers linked to each other (each routes the other's pod CIDR),
 * and hosts beyond the nodes (the internet), each linked to every router.
 *
 * Namespaces are named as the lab names its own (`pc-<6 hex>-<n>`, the router of the first node
 * `-0` carrying the owner marker), so the lab's exit handlers and `cleanupStale` remove them if the
 * process dies. A pod's `/etc/netns/<name>/resolv.conf` (bind-mounted by `ip netns exec`) is removed
 * with its namespace. Nothing here touches the machine's own namespace.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { track, untrack } from "../../lab/cleanup.js";
import { LAB_NS, addNetns, ipBatch, killNetnsPids, listNetns, newPrefix, ownerMarker, sysctlIn, writeMarker } from "../../lab/netns.js";
import { run, runOk } from "../../lab/run.js";

export type Topology = "routed" | "bridge";

export interface NodeNet {
  readonly name: string;
  readonly router: string;
  /** The node's gateway address for its pods (the first host of its pod CIDR); also its hostIP. */
  readonly gateway: string;
  readonly podCIDR: string;
  readonly prefix: number;
}

const BRIDGE = "cni0";


/** The namespaces of one stand-in cluster: created, tracked for exit handlers, deleted with their /etc/netns dirs. */
export class Namespaces {
  readonly prefix = newPrefix();
  readonly #live = new Set<string>();
  #next = 0;
  /** Pids the lab's exit handler kills (the pods' processes are added by the kubelet). */
  readonly pids: Set<number>;

  constructor() {
    this.pids = track(this.prefix);
  }

  names(): readonly string[] {
    return [...this.#live];
  }

  async create(): Promise<string> {
    const name = `${this.prefix}-${this.#next++}`;
    this.#live.add(name);
    await addNetns([name]);
    if (name.endsWith("-0")) await writeMarker(name, ownerMarker());
    return name;
  }

  /** Kills what still runs in it, deletes it and its /etc/netns dir. */
  async remove(name: string): Promise<void> {
    if (!this.#live.has(name)) return;
    await killNetnsPids(name);
    const r = await run(["ip", "netns", "delete", name]);
    if (r.code !== 0 && !/No such file/.test(r.stderr)) throw new Error(`ip netns delete ${name}: ${r.stderr.trim()}`);
    rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
    this.#live.delete(name);
  }

  /** Removes them all (pods first, the routers last); the exit handlers stand down. */
  async removeAll(): Promise<void> {
    const errors: string[] = [];
    for (const name of [...this.#live].reverse()) await this.remove(name).catch((e: unknown) => errors.push(String(e)));
    if (this.#live.size === 0) untrack(this.prefix);
    if (errors.length > 0) throw new Error(errors.join("; "));
  }
}

/** A node's router: forwarding on; with `bridge`, cni0 holding the gateway and br_netfilter on. */
export async function setUpRouter(node: NodeNet, topology: Topology): Promise<void> {
  await sysctlIn(node.router, ["net.ipv4.ip_forward=1", ...(topology === "bridge" ? ["net.bridge.bridge-nf-call-iptables=1"] : [])]);
  await ipBatch(node.router, [
    "link set lo up",
    `addr add ${node.gateway}/32 dev lo`,
    ...(topology === "bridge" ? [`link add ${BRIDGE} type bridge`, `link set ${BRIDGE} up`, `addr add ${node.gateway}/${node.prefix} dev ${BRIDGE}`] : []),
  ]);
}

/**
 * A pod's namespace wired to its node: `eth0` inside (as in a real pod), its address, a default
 * route via the gateway; the router's end `veth<k>`, a /32 route to the pod (routed) or a port of
 * cni0 (bridge).
 */
export async function wirePod(node: NodeNet, pod: string, ip: string, k: number, topology: Topology): Promise<void> {
  const outer = `veth${k}`;
  await runOk(["ip", "-n", node.router, "link", "add", outer, "type", "veth", "peer", "name", "eth0", "netns", pod]);
  if (topology === "bridge") {
    await ipBatch(node.router, [`link set ${outer} master ${BRIDGE}`, `link set ${outer} up`]);
    await ipBatch(pod, ["link set lo up", "link set eth0 up", `addr add ${ip}/${node.prefix} dev eth0`, `route add default via ${node.gateway} dev eth0 onlink`]);
    return;
  }
  await ipBatch(node.router, [`link set ${outer} up`, `addr add ${node.gateway}/32 dev ${outer}`, `route add ${ip}/32 dev ${outer}`]);
  await ipBatch(pod, ["link set lo up", "link set eth0 up", `addr add ${ip}/32 dev eth0`, `route add ${node.gateway} dev eth0`, `route add default via ${node.gateway} dev eth0`]);
}

/** Two nodes' routers linked: each routes the other's pod CIDR via the other's gateway. */
export async function linkRouters(a: NodeNet, b: NodeNet, k: number): Promise<void> {
  const [ea, eb] = [`node${k}a`, `node${k}b`];
  await runOk(["ip", "-n", a.router, "link", "add", ea, "type", "veth", "peer", "name", eb, "netns", b.router]);
  await ipBatch(a.router, [`link set ${ea} up`, `route add ${b.podCIDR} via ${b.gateway} dev ${ea} onlink`]);
  await ipBatch(b.router, [`link set ${eb} up`, `route add ${a.podCIDR} via ${a.gateway} dev ${eb} onlink`]);
}

/** A host beyond the nodes: its address on lo, a link to every router, routes to each node's pods. */
export async function wireOutside(nodes: readonly NodeNet[], host: string, ip: string, k: number): Promise<void> {
  await ipBatch(host, ["link set lo up", `addr add ${ip}/32 dev lo`]);
  for (const [i, node] of nodes.entries()) {
    const [inner, outer] = [`node${i}`, `out${k}`];
    await runOk(["ip", "-n", node.router, "link", "add", outer, "type", "veth", "peer", "name", inner, "netns", host]);
    await ipBatch(node.router, [`link set ${outer} up`, `route add ${ip}/32 dev ${outer}`]);
    await ipBatch(host, [`link set ${inner} up`, `route add ${node.podCIDR} via ${node.gateway} dev ${inner} onlink`]);
  }
}

/**
 * Removes /etc/netns/<name> dirs of lab-named namespaces that no longer exist: what a killed run
 * leaves (the lab's signal handlers delete the namespaces, not these dirs). A dir is only written
 * after its namespace exists, so a dir without one is never in the making.
 */
export async function sweepStaleResolvDirs(): Promise<void> {
  let dirs: string[];
  try {
    dirs = readdirSync("/etc/netns").filter((d) => LAB_NS.test(d));
  } catch {
    return;
  }
  if (dirs.length === 0) return;
  const live = new Set(await listNetns());
  for (const d of dirs) if (!live.has(d)) rmSync(`/etc/netns/${d}`, { recursive: true, force: true });
}

/** The pod's /etc/resolv.conf (`ip netns exec` bind-mounts /etc/netns/<name>/resolv.conf over it). */
export function writeResolvConf(pod: string, text: string): void {
  mkdirSync(`/etc/netns/${pod}`, { recursive: true });
  writeFileSync(`/etc/netns/${pod}/resolv.conf`, text);
}


/**
 * A node in miniature for the packet tests: a router namespace (the node, where the table is
 * applied) and pod namespaces joined to it by veth pairs, in one of the two datapath shapes CNIs
 * build: `routed` (per address, like Calico-style CNIs) or `bridge` (pod veths as ports of the
 * node's bridge `cni0` holding the gateways, like Flannel and the CNI bridge plugin: same-node pod
 * traffic is bridged). Everything is created inside namespaces made by the caller; nothing touches
 * the machine's own.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { parseIp } from "../net/ip.js";
import { type RunResult, run } from "./process.js";
import { execIn, ipIn } from "./netns.js";

export interface PodNetns {
  readonly netns: string;
  /** Pod (and external) addresses held by this namespace, IPv4 and IPv6. */
  readonly addresses: readonly string[];
  /** Hosts outside the pod network (the internet): routed in both topologies, never on the bridge. */
  readonly outside?: boolean;
}

export type Topology = "routed" | "bridge";

const GATEWAY = { 4: "10.244.1.1", 6: "fd00:1::1" } as const;
/** On the bridge, the gateways with these prefixes: pods' addresses there must lie in 10.244.0.0/16 and fd00:1::/64. */
const BRIDGE_PREFIX = { 4: 16, 6: 64 } as const;
const BRIDGE = "cni0";

async function steps(list: readonly (() => Promise<RunResult<unknown>>)[]): Promise<RunResult<void>> {
  for (const step of list) {
    const r = await step();
    if (!r.ok) return r;
  }
  return { ok: true, value: undefined };
}

const sysctl = (netns: string, settings: readonly string[]) => () => execIn(netns, ["sysctl", "-q", "-w", ...settings]);
const NO_DAD = ["net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0"];

/** The switches of br_netfilter (per network namespace) that hand bridged packets to the IP hooks. */
export const BRIDGE_NF = ["net.bridge.bridge-nf-call-iptables", "net.bridge.bridge-nf-call-ip6tables"] as const;

/** Sets br_netfilter's sysctls in the router: on (1), bridged pod packets cross its forward hook; off (0), they bypass it. */
export function bridgeNetfilter(router: string, on: boolean): Promise<RunResult<string>> {
  return execIn(router, ["sysctl", "-q", "-w", ...BRIDGE_NF.map((k) => `${k}=${on ? 1 : 0}`)]);
}

/**
 * Wires `pods` to `router`, forwarding on in the router. Routed: one veth pair each, /32 and /128
 * routes. Bridge: the pods' veths are ports of `cni0` (holding 10.244.1.1/16 and fd00:1::1/64),
 * their addresses on-link there (same-node traffic bridged), br_netfilter on in the router; hosts
 * marked `outside` are routed as before.
 */
export async function wire(router: string, pods: readonly PodNetns[], topology: Topology = "routed"): Promise<RunResult<void>> {
  const list: (() => Promise<RunResult<unknown>>)[] = [
    sysctl(router, [...NO_DAD, "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"]),
    () => ipIn(router, ["link", "set", "lo", "up"]),
  ];
  if (topology === "bridge") {
    list.push(
      () => bridgeNetfilter(router, true),
      () => ipIn(router, ["link", "add", BRIDGE, "type", "bridge"]),
      () => ipIn(router, ["link", "set", BRIDGE, "up"]),
      () => ipIn(router, ["addr", "add", `${GATEWAY[4]}/${BRIDGE_PREFIX[4]}`, "dev", BRIDGE]),
      () => ipIn(router, ["-6", "addr", "add", `${GATEWAY[6]}/${BRIDGE_PREFIX[6]}`, "dev", BRIDGE, "nodad"]),
    );
  }
  pods.forEach((pod, k) => {
    const [inner, outer] = [`p${k}`, `r${k}`];
    if (topology === "bridge" && pod.outside !== true) {
      list.push(...bridgedPod(router, pod, inner, outer));
      return;
    }
    list.push(
      sysctl(pod.netns, NO_DAD),
      () => ipIn(pod.netns, ["link", "add", inner, "type", "veth", "peer", "name", outer, "netns", router]),
      () => ipIn(pod.netns, ["link", "set", "lo", "up"]),
      () => ipIn(pod.netns, ["link", "set", inner, "up"]),
      () => ipIn(router, ["link", "set", outer, "up"]),
      () => ipIn(router, ["addr", "add", `${GATEWAY[4]}/32`, "dev", outer]),
      () => ipIn(router, ["-6", "addr", "add", `${GATEWAY[6]}/128`, "dev", outer, "nodad"]),
      () => ipIn(pod.netns, ["route", "add", GATEWAY[4], "dev", inner]),
      () => ipIn(pod.netns, ["route", "add", "default", "via", GATEWAY[4], "dev", inner]),
      () => ipIn(pod.netns, ["-6", "route", "add", GATEWAY[6], "dev", inner]),
      () => ipIn(pod.netns, ["-6", "route", "add", "default", "via", GATEWAY[6], "dev", inner]),
    );
    for (const address of pod.addresses) {
      const v6 = parseIp(address)?.family === 6;
      const host = `${address}/${v6 ? 128 : 32}`;
      list.push(
        () => ipIn(pod.netns, ["addr", "add", host, "dev", inner, ...(v6 ? ["nodad"] : [])]),
        () => ipIn(router, [...(v6 ? ["-6"] : []), "route", "add", host, "dev", outer]),
      );
    }
  });
  return steps(list);
}

/** A pod on the bridge: its veth's node end a port of cni0, its addresses with the bridge's prefixes, default routes via the gateways. */
function bridgedPod(router: string, pod: PodNetns, inner: string, outer: string): (() => Promise<RunResult<unknown>>)[] {
  return [
    sysctl(pod.netns, NO_DAD),
    () => ipIn(pod.netns, ["link", "add", inner, "type", "veth", "peer", "name", outer, "netns", router]),
    () => ipIn(router, ["link", "set", outer, "master", BRIDGE]),
    () => ipIn(router, ["link", "set", outer, "up"]),
    () => ipIn(pod.netns, ["link", "set", "lo", "up"]),
    () => ipIn(pod.netns, ["link", "set", inner, "up"]),
    ...pod.addresses.map((address) => {
      const family = parseIp(address)?.family === 6 ? 6 : 4;
      return () => ipIn(pod.netns, [`-${family}`, "addr", "add", `${address}/${BRIDGE_PREFIX[family]}`, "dev", inner, ...(family === 6 ? ["nodad"] : [])]);
    }),
    () => ipIn(pod.netns, ["route", "add", "default", "via", GATEWAY[4], "dev", inner, "onlink"]),
    () => ipIn(pod.netns, ["-6", "route", "add", "default", "via", GATEWAY[6], "dev", inner, "onlink"]),
  ];
}

const SERVER = `
const net = require("node:net");
const ports = JSON.parse(process.argv[1]);
let up = 0;
for (const port of ports) {
  net.createServer((s) => { s.on("error", () => {}); s.end("ok"); }).listen({ port, host: "::", ipv6Only: false }, () => { if (++up === ports.length) console.log("ready"); });
}
setTimeout(() => process.exit(0), 120000);
`;

/** TCP listeners on `ports` (IPv4 and IPv6) inside `netns`, until `stop` (or two minutes). */
export async function listen(netns: string, ports: readonly number[]): Promise<RunResult<{ stop: () => Promise<void> }>> {
  const child = spawn("ip", ["netns", "exec", netns, process.execPath, "-e", SERVER, JSON.stringify(ports)], { stdio: ["ignore", "pipe", "pipe"] });
  const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await closed;
  };
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 10_000);
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line === "ready") {
        clearTimeout(timer);
        resolve(true);
      }
    });
    child.on("close", () => resolve(false));
  });
  if (!ready) {
    await stop();
    return { ok: false, error: { code: "timeout", message: `listeners in ${netns} did not start`, stderr: "", exitCode: null } };
  }
  return { ok: true, value: { stop } };
}

export interface Probe {
  readonly from: string;
  readonly to: string;
  readonly port: number;
}

export type ProbeOutcome = "connected" | "timeout" | "refused" | "error";

const PROBER = `
const net = require("node:net");
const [probes, timeoutMs] = JSON.parse(process.argv[1]);
Promise.all(probes.map((p) => new Promise((resolve) => {
  const s = net.connect({ host: p.to, port: p.port, localAddress: p.from });
  const done = (r) => { s.destroy(); resolve(r); };
  s.setTimeout(timeoutMs, () => done("timeout"));
  s.on("connect", () => done("connected"));
  s.on("error", (e) => done(e.code === "ECONNREFUSED" ? "refused" : "error"));
}))).then((r) => console.log(JSON.stringify(r)));
`;

/** TCP connects from `netns` in parallel, each bounded by `timeoutMs`. */
export async function probe(netns: string, probes: readonly Probe[], timeoutMs = 1000): Promise<RunResult<ProbeOutcome[]>> {
  const r = await run("ip", ["netns", "exec", netns, process.execPath, "-e", PROBER, JSON.stringify([probes, timeoutMs])], { timeoutMs: timeoutMs + 10_000 });
  return r.ok ? { ok: true, value: JSON.parse(r.value) as ProbeOutcome[] } : r;
}

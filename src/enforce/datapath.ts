/**
 * What the enforcer needs from the node's datapath, checked at start (`checkDatapath`).
 *
 * The table hooks the inet `forward` hook. On a routed datapath (Calico, Cilium, kindnet: each pod
 * veth a link of the node) every pod packet is routed, so it crosses that hook. On a bridge
 * (Flannel's and the CNI bridge plugin's `cni0`, pod veths as its ports) same-node pod traffic is
 * bridged, never routed: it crosses the IP hooks only through br_netfilter, and only while
 * `net.bridge.bridge-nf-call-iptables` (IPv4) and `…-ip6tables` (IPv6) are 1 in the node's network
 * namespace (per namespace on Linux ≥ 5.3), or the bridge's own `nf_call_iptables` /
 * `nf_call_ip6tables` is on. Otherwise same-node pod traffic bypasses every rule. (A `bridge` family
 * table is no way around it: our rules track connections, and `ct` in the bridge family needs
 * nf_conntrack_bridge, which kernels often lack; `docs/enforcement.md`.)
 */
import { readFile } from "node:fs/promises";
import { execIn } from "./netns.js";
import { run } from "./process.js";

/** A bridge with pod veths as ports. */
export interface PodBridge {
  readonly name: string;
  /** Its veth ports: the node ends of the pods' veth pairs. */
  readonly ports: readonly string[];
  /** The bridge's own switch (`ip link set BR type bridge nf_call_iptables 1`): on, its IPv4 packets cross the IP hooks whatever the sysctl says. */
  readonly nfCallIptables: boolean;
  readonly nfCallIp6tables: boolean;
}

export type BridgeNfFamily = 4 | 6;

export type DatapathProblem =
  /** The links could not be listed: how pods are wired is unknown. */
  | { readonly kind: "unreadable"; readonly what: string; readonly detail: string }
  /** Pod bridges, and no br_netfilter: nothing bridged crosses the IP hooks. */
  | { readonly kind: "br-netfilter-missing"; readonly bridges: readonly string[] }
  /** br_netfilter is loaded, but its sysctl for the family is 0 (and these bridges do not turn it on themselves). */
  | { readonly kind: "bridge-nf-off"; readonly family: BridgeNfFamily; readonly bridges: readonly string[] };

export type DatapathCheck =
  /** `routed`: no bridge has pod veths; `bridge`: some do, and their traffic crosses the forward hook. */
  | { readonly ok: true; readonly datapath: "routed" | "bridge"; readonly bridges: readonly PodBridge[] }
  | { readonly ok: false; readonly bridges: readonly PodBridge[]; readonly problems: readonly DatapathProblem[] };

export const BRIDGE_NF_SYSCTL: Readonly<Record<BridgeNfFamily, string>> = {
  4: "net.bridge.bridge-nf-call-iptables",
  6: "net.bridge.bridge-nf-call-ip6tables",
};

/** br_netfilter's sysctls as read in the namespace: their values, or `missing` when the module is not loaded (they do not exist). */
export type BridgeNfSysctls = "missing" | Readonly<Record<BridgeNfFamily, boolean>>;

interface IpLink {
  readonly ifname?: unknown;
  readonly master?: unknown;
  readonly linkinfo?: { readonly info_kind?: unknown; readonly info_data?: Record<string, unknown> };
}

/** The bridges with veth ports in `ip -d -j link show` output. */
export function podBridges(links: readonly IpLink[]): PodBridge[] {
  const bridges = links.filter((l) => l.linkinfo?.info_kind === "bridge" && typeof l.ifname === "string");
  return bridges.flatMap((b): PodBridge[] => {
    const ports = links.filter((l) => l.master === b.ifname && l.linkinfo?.info_kind === "veth").map((l) => String(l.ifname));
    if (ports.length === 0) return [];
    const data = b.linkinfo?.info_data ?? {};
    return [{ name: String(b.ifname), ports, nfCallIptables: data["nf_call_iptables"] === 1, nfCallIp6tables: data["nf_call_ip6tables"] === 1 }];
  });
}

/** The check, pure: the pod bridges of `ip -d -j link show` against br_netfilter's state. */
export function judgeDatapath(links: readonly IpLink[], sysctls: BridgeNfSysctls): DatapathCheck {
  const bridges = podBridges(links);
  if (bridges.length === 0) return { ok: true, datapath: "routed", bridges };
  if (sysctls === "missing") return { ok: false, bridges, problems: [{ kind: "br-netfilter-missing", bridges: bridges.map((b) => b.name) }] };
  const problems = ([4, 6] as const).flatMap((family): DatapathProblem[] => {
    if (sysctls[family]) return [];
    const off = bridges.filter((b) => !(family === 4 ? b.nfCallIptables : b.nfCallIp6tables)).map((b) => b.name);
    return off.length === 0 ? [] : [{ kind: "bridge-nf-off", family, bridges: off }];
  });
  return problems.length === 0 ? { ok: true, datapath: "bridge", bridges } : { ok: false, bridges, problems };
}

const named = (bridges: readonly string[]): string => bridges.join(", ");

/** One sentence per problem: what is wrong, what it means for traffic, what to run. */
export function datapathMessage(p: DatapathProblem): string {
  switch (p.kind) {
    case "unreadable":
      return `cannot tell how pods are wired (${p.what}: ${p.detail}): same-node pod traffic may bypass the rules if they are bridged`;
    case "br-netfilter-missing":
      return (
        `pods are bridged on ${named(p.bridges)} but br_netfilter is not loaded: same-node pod traffic bypasses the rules; ` +
        `run modprobe br_netfilter and set ${BRIDGE_NF_SYSCTL[4]}=1 and ${BRIDGE_NF_SYSCTL[6]}=1`
      );
    case "bridge-nf-off":
      return (
        `pods are bridged on ${named(p.bridges)} but ${BRIDGE_NF_SYSCTL[p.family]} is 0: same-node IPv${p.family} pod traffic bypasses the rules; ` +
        `set ${BRIDGE_NF_SYSCTL[p.family]}=1`
      );
  }
}

const SYSCTL_FILE: Readonly<Record<BridgeNfFamily, string>> = {
  4: "/proc/sys/net/bridge/bridge-nf-call-iptables",
  6: "/proc/sys/net/bridge/bridge-nf-call-ip6tables",
};

/** A sysctl file's text in the namespace (this process's own without one); undefined when it does not exist. */
async function readProcSys(file: string, netns: string | undefined): Promise<string | undefined> {
  if (netns === undefined) {
    try {
      return await readFile(file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  }
  // /proc/sys/net shows the network namespace of the process reading it.
  const r = await execIn(netns, ["cat", file]);
  if (r.ok) return r.value;
  if (/No such file/.test(r.error.stderr)) return undefined;
  throw new Error(`${r.error.message}: ${r.error.stderr}`);
}

async function readBridgeNf(netns: string | undefined): Promise<BridgeNfSysctls> {
  const [v4, v6] = await Promise.all([readProcSys(SYSCTL_FILE[4], netns), readProcSys(SYSCTL_FILE[6], netns)]);
  if (v4 === undefined || v6 === undefined) return "missing";
  return { 4: v4.trim() === "1", 6: v6.trim() === "1" };
}

/**
 * Checks, in `netns` (this process's own namespace without one: the node agent's, host network),
 * that every pod bridge's traffic crosses the forward hook. Reads only: links and two sysctls.
 */
export async function checkDatapath(netns?: string): Promise<DatapathCheck> {
  const listed = await run("ip", [...(netns === undefined ? [] : ["-n", netns]), "-d", "-j", "link", "show"], { timeoutMs: 10_000 });
  if (!listed.ok) return { ok: false, bridges: [], problems: [{ kind: "unreadable", what: "ip -d -j link show", detail: `${listed.error.message}${listed.error.stderr === "" ? "" : `: ${listed.error.stderr}`}` }] };
  let links: IpLink[];
  try {
    const parsed: unknown = JSON.parse(listed.value);
    links = Array.isArray(parsed) ? (parsed as IpLink[]) : [];
  } catch (e) {
    return { ok: false, bridges: [], problems: [{ kind: "unreadable", what: "ip -d -j link show", detail: `not JSON: ${e instanceof Error ? e.message : String(e)}` }] };
  }
  if (podBridges(links).length === 0) return judgeDatapath(links, "missing");
  try {
    return judgeDatapath(links, await readBridgeNf(netns));
  } catch (e) {
    return { ok: false, bridges: podBridges(links), problems: [{ kind: "unreadable", what: "br_netfilter's sysctls", detail: `${e instanceof Error ? e.message : String(e)}` }] };
  }
}

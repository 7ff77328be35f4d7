/**
 * The lab: a one-node "cluster" made of network namespaces, used to prove enforcement with real
 * packets. These are the types its callers see; `lab.ts` is the adapter that builds it.
 */
import type { Protocol } from "../model/ports.js";
import type { Cidr } from "../net/cidr.js";
import type { Ip } from "../net/ip.js";

export interface LabPort {
  readonly port: number;
  readonly protocol: Protocol;
}

export interface LabPod {
  /** `namespace/name`; also the identity its servers answer with. */
  readonly id: string;
  /** At least one; /32 and /128 on the pod's eth0. */
  readonly ips: readonly Ip[];
  /** Ports its servers listen on, on every one of its IPs. */
  readonly ports: readonly LabPort[];
  /** A cluster DNS pod: a DNS server on UDP and TCP 53 answering from these records. */
  readonly dns?: LabDns;
}

/**
 * What a lab DNS server answers. Names are matched without case or trailing dot; an answer's first
 * owner name is the question's name as sent (0x20 case kept).
 */
export interface LabDns {
  /** Name → its addresses: A and AAAA records. */
  readonly names: Readonly<Record<string, readonly string[]>>;
  /** Name → the name it is an alias of: a CNAME record (chains and loops as written; a chain is followed up to 16 hops). */
  readonly cnames?: Readonly<Record<string, string>>;
  /** Name → the TTL (seconds) of its records; default 5. */
  readonly ttls?: Readonly<Record<string, number>>;
  /**
   * Names answered over UDP with TC set and no records, so the client retries over TCP, which
   * answers in full. (Any answer past 512 bytes is truncated over UDP anyway: the records that fit, TC set.)
   */
  readonly truncate?: readonly string[];
}

/**
 * How pods are wired to the node, the two datapath shapes CNIs build:
 * - `routed` (Calico, Cilium, kindnet): each pod's veth is a link of the node, which routes every
 *   packet, same-node pod to pod too;
 * - `bridge` (Flannel, the CNI bridge plugin): each pod's veth is a port of the node's bridge
 *   `cni0`, which holds the gateway address of each pod CIDR (its first address after the
 *   network's); same-node pod traffic is bridged, never routed; the rest is routed by the node.
 */
export type LabTopology = { readonly kind: "routed" } | { readonly kind: "bridge"; readonly podCidrs: readonly Cidr[] };

export const ROUTED: LabTopology = { kind: "routed" };

export interface LabSpec {
  readonly pods: readonly LabPod[];
  /** The internet namespace answers for every address; these are the ports it listens on. */
  readonly internet: { readonly ports: readonly LabPort[] };
  /** Absent: routed. */
  readonly topology?: LabTopology;
}

/** The source of a probe: a pod id, or the internet namespace. */
export const INTERNET = "internet";

export interface ProbeTarget {
  readonly ip: Ip;
  readonly port: number;
  readonly protocol: Protocol;
}

/**
 * - `answered`: connected (TCP) or got a datagram back (UDP), and read the identity.
 * - `refused`: TCP RST or ICMP port unreachable (a closed port, or an nftables `reject`).
 * - `timeout`: nothing came back (an nftables `drop`).
 * - `unreachable`: ICMP host/net unreachable or administratively prohibited.
 * - `reset`: the connection was reset after it was established.
 * - `silent`: connected but no identity arrived before the timeout.
 * - `unsupported`: the protocol cannot be probed here (SCTP).
 * - `error`: anything else; `detail` carries the error code.
 */
export type ProbeOutcome = "answered" | "refused" | "timeout" | "unreachable" | "reset" | "silent" | "unsupported" | "error";

export interface ProbeResult {
  readonly target: ProbeTarget;
  /** True exactly when `outcome` is `answered`. */
  readonly reachable: boolean;
  /** What answered, e.g. `production/web-api` or `internet 203.0.113.7`. */
  readonly identity: string | null;
  readonly outcome: ProbeOutcome;
  readonly detail?: string;
  readonly ms: number;
}

export interface ProbeOptions {
  /** TCP connect / UDP reply timeout (and, after a TCP connect, the read timeout). Default 1000. */
  readonly timeoutMs?: number;
  /** Only for probes from the internet: the source address to use (any address; it answers for all). */
  readonly sourceIp?: Ip;
}

export type DnsType = "A" | "AAAA";
export type DnsTransport = "udp" | "tcp";

/** A record of a lookup's answer section: `name` lower case, `value` an address or a CNAME's target. */
export interface DnsAnswer {
  readonly name: string;
  readonly type: "A" | "AAAA" | "CNAME";
  readonly value: string;
  readonly ttl: number;
}

/**
 * `answers`: the addresses (A or AAAA) of the answer section, in order (those a CNAME chain leads
 * to included); `records`: every A/AAAA/CNAME record; `question`: the response's question name as
 * it came back (case kept); `truncated`: TC was set.
 */
export type DnsLookup =
  | {
      readonly ok: true;
      readonly rcode: number;
      readonly answers: readonly string[];
      readonly records: readonly DnsAnswer[];
      readonly truncated: boolean;
      readonly question: string | null;
    }
  | { readonly ok: false; readonly outcome: Exclude<ProbeOutcome, "answered">; readonly detail?: string };

export interface ExecOptions {
  /** Written to the command's stdin (e.g. a ruleset for `nft -f -`). */
  readonly input?: string;
  /** Default 10000; the command is killed after it. */
  readonly timeoutMs?: number;
}

export interface ExecResult {
  /** Exit code; 128 + signal number when killed by a signal; 127 when it could not be started. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export type LabStep = "namespaces" | "sysctls" | "links" | "addresses" | "servers";

export interface LabOptions {
  /** Called after each setup step completes; a throw here aborts setup (tests use it). */
  readonly onStep?: (step: LabStep, info: { readonly prefix: string; readonly elapsedMs: number }) => void | Promise<void>;
  /** Upper bound for the whole setup. Default 20000. */
  readonly setupTimeoutMs?: number;
}

export interface Lab {
  /** `pc-<6 hex>`; every namespace of this lab is named `<prefix>-<n>`. */
  readonly prefix: string;
  /** The router: all pod traffic crosses its forward hook. nftables goes here. */
  readonly nodeNs: string;
  readonly internetNs: string;
  /** All namespaces of the lab, node first. */
  readonly namespaces: readonly string[];
  /** Whether SCTP can be served and probed (kernel module and a userspace that speaks it). */
  readonly sctp: boolean;
  podNs(id: string): string;
  /** Runs argv inside one of this lab's namespaces (`ip netns exec`); refuses any other namespace. */
  exec(ns: string, argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Tries each target from a pod (or from `INTERNET`), in parallel; results in target order. */
  probe(from: string, targets: readonly ProbeTarget[], opts?: ProbeOptions): Promise<ProbeResult[]>;
  dnsLookup(from: string, server: Ip, name: string, over: DnsTransport, type?: DnsType): Promise<DnsLookup>;
  /** The addresses answered (NOERROR), or null: no answer, NXDOMAIN or another error code. */
  dnsQuery(from: string, server: Ip, name: string, over: DnsTransport, type?: DnsType): Promise<string[] | null>;
  /**
   * Stops this process's agents and leaves the lab up (namespaces, links, nftables) without it;
   * `labAttach` probes it again, `labRemove` takes it down. Nothing else works on this object after.
   */
  detach(): Promise<void>;
  /** Stops every process and removes every namespace of the lab. Idempotent. */
  down(): Promise<void>;
}

export type Preflight = { readonly ok: true } | { readonly ok: false; readonly reason: string };

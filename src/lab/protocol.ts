/**
 * What the lab and its agents (one process per namespace, `agent.ts`) say to each other:
 * JSON lines, requests on the agent's stdin, one reply each on its stdout. Addresses as text.
 */
import type { Protocol } from "../model/ports.js";
import type { DnsTransport, DnsType, LabDns, ProbeOutcome } from "./types.js";

export interface AgentConfig {
  /** `pod`: serves on its own addresses. `internet`: serves on every address. */
  readonly role: "pod" | "internet";
  /** A pod's identity (`namespace/name`); the internet answers `internet <address>`. */
  readonly identity: string;
  readonly ips: readonly string[];
  readonly ports: readonly { readonly port: number; readonly protocol: Protocol }[];
  readonly dns?: LabDns;
}

export interface WireTarget {
  readonly ip: string;
  readonly port: number;
  readonly protocol: Protocol;
}

export interface WireProbeResult {
  readonly identity: string | null;
  readonly outcome: ProbeOutcome;
  readonly detail?: string;
  readonly ms: number;
}

export type Request =
  | { readonly id: number; readonly op: "probe"; readonly targets: readonly WireTarget[]; readonly timeoutMs: number; readonly sourceIp?: string }
  | {
      readonly id: number;
      readonly op: "dns";
      readonly server: string;
      readonly name: string;
      readonly type: DnsType;
      readonly over: DnsTransport;
      readonly timeoutMs: number;
    }
  /** Internet only: answer UDP on this exact address and port (a reply must come from it). */
  | { readonly id: number; readonly op: "listen-udp"; readonly ip: string; readonly port: number };

export type Reply = { readonly id: number; readonly ok: true; readonly result: unknown } | { readonly id: number; readonly ok: false; readonly error: string };

/** The agent's first line. */
export type Ready =
  | { readonly ready: true; readonly listening: readonly string[]; readonly skipped: readonly string[] }
  | { readonly ready: false; readonly error: string };

export type ProbeReply = readonly WireProbeResult[];
/** How many probes one agent runs at once. */
export const PROBE_CONCURRENCY = 64;
/**
 * What a probe sends: the UDP datagram, and the first bytes on a TCP connection. Identity servers
 * answer anything; a DNS server answers this with its identity instead of parsing it as DNS.
 */
export const PROBE_PAYLOAD = "portcullis-probe\n";

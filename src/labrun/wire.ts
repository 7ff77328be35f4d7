/**
 * A kept lab's state (`lab up`) as JSON and back, pure: what `lab probe` needs to attach to the lab
 * and probe it again (its spec, the planned probes with their verdicts, what was skipped).
 */
import { type LabDns, type LabPod, type LabSpec, type LabTopology, ROUTED } from "../lab/types.js";
import { type Cidr, formatCidr, parseCidr } from "../net/cidr.js";
import { isProtocol } from "../model/ports.js";
import { formatIp, parseIp } from "../net/ip.js";
import type { PlannedProbe, Skipped } from "./types.js";

export const STATE_VERSION = 1;

export interface LabState {
  readonly version: typeof STATE_VERSION;
  readonly prefix: string;
  readonly createdAt: string;
  readonly spec: LabSpec;
  readonly probes: readonly PlannedProbe[];
  readonly skipped: readonly Skipped[];
}

export function stateToJson(state: LabState): string {
  const pods = state.spec.pods.map((p) => ({ ...p, ips: p.ips.map(formatIp) }));
  const t = state.spec.topology;
  const topology = t === undefined ? {} : { topology: t.kind === "bridge" ? { kind: t.kind, podCidrs: t.podCidrs.map(formatCidr) } : t };
  return `${JSON.stringify({ ...state, spec: { ...state.spec, pods, ...topology } }, null, 2)}\n`;
}

/** A spec's topology as the state file has it (absent: routed); undefined when it is none. */
function topologyOf(v: unknown): LabTopology | undefined {
  if (v === undefined) return ROUTED;
  if (!isRecord(v)) return undefined;
  if (v["kind"] === "routed") return ROUTED;
  if (v["kind"] !== "bridge" || !Array.isArray(v["podCidrs"])) return undefined;
  const cidrs = v["podCidrs"].map((t) => (typeof t === "string" ? parseCidr(t) : undefined));
  return cidrs.every((c) => c?.ok === true) ? { kind: "bridge", podCidrs: cidrs.map((c) => (c as { cidr: Cidr }).cidr) } : undefined;
}

type Parsed = { readonly ok: true; readonly state: LabState } | { readonly ok: false; readonly message: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isPort = (v: unknown): boolean => isRecord(v) && Number.isInteger(v["port"]) && typeof v["protocol"] === "string" && isProtocol(v["protocol"]);

const isLabDns = (v: unknown): v is LabDns =>
  isRecord(v) && isRecord(v["names"]) && (v["cnames"] === undefined || isRecord(v["cnames"])) && (v["ttls"] === undefined || isRecord(v["ttls"])) && (v["truncate"] === undefined || Array.isArray(v["truncate"]));

function podOf(v: unknown): LabPod | undefined {
  if (!isRecord(v) || typeof v["id"] !== "string" || !Array.isArray(v["ips"]) || !Array.isArray(v["ports"])) return undefined;
  const ips = v["ips"].map((t) => (typeof t === "string" ? parseIp(t) : undefined));
  if (ips.some((ip) => ip === undefined) || !v["ports"].every(isPort)) return undefined;
  const dns = v["dns"];
  if (dns !== undefined && !isLabDns(dns)) return undefined;
  const base = { id: v["id"], ips: ips as LabPod["ips"], ports: v["ports"] as LabPod["ports"] };
  return dns === undefined ? base : { ...base, dns };
}

function isProbe(v: unknown): v is PlannedProbe {
  return (
    isRecord(v) &&
    ["from", "to", "ip", "identity"].every((k) => typeof v[k] === "string") &&
    typeof v["expected"] === "boolean" &&
    isPort(v)
  );
}

/** The state file's text back as state; anything unexpected is a message, never an exception. */
export function stateFromJson(text: string): Parsed {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (!isRecord(v) || v["version"] !== STATE_VERSION) return { ok: false, message: `not a version ${STATE_VERSION} lab state` };
  const spec = v["spec"];
  if (!isRecord(spec) || !Array.isArray(spec["pods"]) || !isRecord(spec["internet"]) || !Array.isArray(spec["internet"]["ports"])) {
    return { ok: false, message: "spec: expected {pods, internet}" };
  }
  const pods = spec["pods"].map(podOf);
  if (pods.some((p) => p === undefined)) return { ok: false, message: "spec.pods: expected {id, ips, ports, dns?} each" };
  const internetPorts = spec["internet"]["ports"];
  if (!internetPorts.every(isPort)) return { ok: false, message: "spec.internet.ports: expected {port, protocol} each" };
  const topology = topologyOf(spec["topology"]);
  if (topology === undefined) return { ok: false, message: 'spec.topology: expected {kind: "routed"} or {kind: "bridge", podCidrs: [CIDR, …]}' };
  const probes = v["probes"];
  if (!Array.isArray(probes) || !probes.every(isProbe)) return { ok: false, message: "probes: expected planned probes" };
  const skipped = Array.isArray(v["skipped"]) ? (v["skipped"] as Skipped[]) : [];
  if (typeof v["prefix"] !== "string" || typeof v["createdAt"] !== "string") return { ok: false, message: "prefix, createdAt: expected text" };
  return {
    ok: true,
    state: {
      version: STATE_VERSION,
      prefix: v["prefix"],
      createdAt: v["createdAt"],
      spec: { pods: pods as LabPod[], internet: { ports: internetPorts as LabSpec["internet"]["ports"] }, ...(topology.kind === "bridge" ? { topology } : {}) },
      probes,
      skipped,
    },
  };
}

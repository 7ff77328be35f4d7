/**
 * What the probe agent (`portcullis probe-agent`, the container process of verify's probe pods) is
 * told, and what it prints, as data: the plan comes in the environment (`PORTCULLIS_PROBE`, JSON),
 * the results go out as JSON lines on stdout, which verify reads back through the pod log. Pure:
 * parsing the plan and the lines, and writing both.
 */
import { isProtocol, type Protocol } from "../model/ports.js";
import { isRecord } from "../k8s/values.js";

export const PROBE_ENV = "PORTCULLIS_PROBE";
export const PLAN_VERSION = 1;

export interface ServePort {
  readonly port: number;
  readonly protocol: Protocol;
  readonly name?: string;
}

export type AgentProbe =
  | { readonly id: string; readonly ip: string; readonly port: number; readonly protocol: "TCP" | "UDP" }
  /** Through /etc/resolv.conf (nameserver, search, ndots) unless `server` names one. */
  | { readonly id: string; readonly dns: string; readonly type: "A" | "AAAA"; readonly over: "udp" | "tcp"; readonly server?: string };

export interface ProbePlan {
  readonly version: 1;
  readonly run: string;
  /** What the servers answer with (the pod's `namespace/name`); absent: the host name (a pod's name in Kubernetes). */
  readonly identity?: string;
  readonly serve: readonly ServePort[];
  readonly probes: readonly AgentProbe[];
  readonly timeoutMs: number;
  readonly startDelayMs?: number;
  /** A probe that timed out is tried once more this long after the first pass; its second result is the one printed (`"retried": true`). Absent or 0: no retry. */
  readonly retryAfterMs?: number;
  readonly deadlineSeconds: number;
}

export type PlanParse = { readonly ok: true; readonly plan: ProbePlan } | { readonly ok: false; readonly message: string };

/** The agent's first line. */
export type ReadyLine =
  | { readonly "portcullis-probe": 1; readonly ready: true; readonly listening: readonly string[]; readonly skipped: readonly string[] }
  | { readonly "portcullis-probe": 1; readonly ready: false; readonly error: string };

/** `unreachable`: ICMP host/net unreachable or prohibited, or no route from the pod (`detail`: the code). */
export type ConnectOutcome = "connected" | "refused" | "timeout" | "unreachable" | "error";
export type DnsOutcome = "answered" | "nxdomain" | "timeout" | "error";

export type ResultLine =
  | { readonly id: string; readonly outcome: ConnectOutcome; readonly identity?: string; readonly detail?: string; readonly ms: number; readonly retried?: true }
  | { readonly id: string; readonly outcome: DnsOutcome; readonly addresses: readonly string[]; readonly detail?: string; readonly ms: number; readonly retried?: true };

export interface DoneLine {
  readonly done: true;
  readonly probes: number;
}

const isPort = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 65535;
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;

function servePort(v: unknown, at: string): ServePort | string {
  if (!isRecord(v)) return `${at}: not an object`;
  if (!isPort(v["port"])) return `${at}.port: not 1-65535`;
  const protocol = v["protocol"];
  if (typeof protocol !== "string" || !isProtocol(protocol)) return `${at}.protocol: not TCP, UDP or SCTP`;
  const name = v["name"];
  if (name !== undefined && typeof name !== "string") return `${at}.name: not a string`;
  return { port: v["port"], protocol, ...(name === undefined ? {} : { name }) };
}

function agentProbe(v: unknown, at: string): AgentProbe | string {
  if (!isRecord(v)) return `${at}: not an object`;
  const id = v["id"];
  if (typeof id !== "string" || id === "") return `${at}.id: a non-empty string is required`;
  if (typeof v["dns"] === "string") {
    const type = v["type"] ?? "A";
    const over = v["over"] ?? "udp";
    const server = v["server"];
    if (type !== "A" && type !== "AAAA") return `${at}.type: not A or AAAA`;
    if (over !== "udp" && over !== "tcp") return `${at}.over: not udp or tcp`;
    if (server !== undefined && typeof server !== "string") return `${at}.server: not a string`;
    return { id, dns: v["dns"], type, over, ...(server === undefined ? {} : { server }) };
  }
  if (typeof v["ip"] !== "string") return `${at}: needs "ip" (with port and protocol) or "dns"`;
  if (!isPort(v["port"])) return `${at}.port: not 1-65535`;
  const protocol = v["protocol"];
  if (protocol !== "TCP" && protocol !== "UDP") return `${at}.protocol: not TCP or UDP (SCTP is not probed)`;
  return { id, ip: v["ip"], port: v["port"], protocol };
}

/** Every element through `item`, or the first problem. */
function each<T>(v: unknown, at: string, item: (x: unknown, at: string) => T | string): T[] | string {
  if (!Array.isArray(v)) return `${at}: not a list`;
  const out: T[] = [];
  for (const [i, x] of v.entries()) {
    const r = item(x, `${at}[${i}]`);
    if (typeof r === "string") return r;
    out.push(r);
  }
  return out;
}

/** The plan from the environment variable's text; a message naming the field when it is not one. */
export function parseProbePlan(text: string | undefined): PlanParse {
  if (text === undefined || text === "") return { ok: false, message: `${PROBE_ENV} is not set: the probe agent runs in pods that verify creates` };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: `${PROBE_ENV} is not JSON: ${(e as Error).message}` };
  }
  const bad = (message: string): PlanParse => ({ ok: false, message: `${PROBE_ENV}: ${message}` });
  if (!isRecord(doc)) return bad("not an object");
  if (doc["version"] !== PLAN_VERSION) return bad(`version ${JSON.stringify(doc["version"])} is not ${PLAN_VERSION} (a probe image of another Portcullis version?)`);
  if (typeof doc["run"] !== "string") return bad("run: not a string");
  const identity = doc["identity"];
  if (identity !== undefined && typeof identity !== "string") return bad("identity: not a string");
  const serve = each(doc["serve"] ?? [], "serve", servePort);
  if (typeof serve === "string") return bad(serve);
  const probes = each(doc["probes"] ?? [], "probes", agentProbe);
  if (typeof probes === "string") return bad(probes);
  const ids = new Set<string>();
  for (const p of probes) {
    if (ids.has(p.id)) return bad(`probes: id "${p.id}" appears twice`);
    ids.add(p.id);
  }
  if (!isCount(doc["timeoutMs"]) || doc["timeoutMs"] === 0) return bad("timeoutMs: a positive integer is required");
  const startDelayMs = doc["startDelayMs"];
  if (startDelayMs !== undefined && !isCount(startDelayMs)) return bad("startDelayMs: not a non-negative integer");
  const retryAfterMs = doc["retryAfterMs"];
  if (retryAfterMs !== undefined && !isCount(retryAfterMs)) return bad("retryAfterMs: not a non-negative integer");
  if (!isCount(doc["deadlineSeconds"]) || doc["deadlineSeconds"] === 0) return bad("deadlineSeconds: a positive integer is required");
  return {
    ok: true,
    plan: {
      version: 1,
      run: doc["run"],
      ...(identity === undefined ? {} : { identity }),
      serve,
      probes,
      timeoutMs: doc["timeoutMs"],
      ...(startDelayMs === undefined ? {} : { startDelayMs }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      deadlineSeconds: doc["deadlineSeconds"],
    },
  };
}

/** What a pod log says, read back: the ready line, the result lines by id, whether the done line came; lines that are not the agent's are ignored. */
export interface AgentLog {
  readonly ready: ReadyLine | undefined;
  readonly results: ReadonlyMap<string, ResultLine>;
  readonly done: boolean;
}

export function readAgentLog(text: string): AgentLog {
  let ready: ReadyLine | undefined;
  const results = new Map<string, ResultLine>();
  let done = false;
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isRecord(v)) continue;
    if (v["portcullis-probe"] === 1) ready = v as unknown as ReadyLine;
    else if (v["done"] === true) done = true;
    else if (typeof v["id"] === "string" && typeof v["outcome"] === "string") results.set(v["id"], v as unknown as ResultLine);
  }
  return { ready, results, done };
}

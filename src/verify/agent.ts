/**
 * The probe agent: the process of verify's probe pods. It serves the plan's ports (the lab's
 * identity servers: every connection and datagram is answered with the pod's identity, so a probe
 * knows who answered), then runs the plan's probes (the lab's prober and DNS client), printing one
 * JSON line per result, then serves on until the deadline or SIGTERM. `--not-ready` is the twins'
 * readiness probe: it exits 1 at once, so a twin is never Ready and no Service routes to it.
 */
import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { performance } from "node:perf_hooks";
import { dnsLookup } from "../lab/dns-client.js";
import { mapLimit } from "../lab/limit.js";
import { probeOne } from "../lab/prober.js";
import { PROBE_CONCURRENCY, type WireProbeResult } from "../lab/protocol.js";
import { startServers } from "../lab/servers.js";
import { type AgentProbe, type ConnectOutcome, type DoneLine, type ProbePlan, PROBE_ENV, type ReadyLine, type ResultLine, parseProbePlan } from "./probe-plan.js";
import { candidates, parseResolvConf, type ResolvConf } from "./resolv.js";

export interface AgentIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** One line at a time, newline included. */
  readonly write: (line: string) => void;
  readonly stderr: (text: string) => void;
  /** Where the servers listen. Default every IPv4 address (a pod's own network namespace). */
  readonly listen?: readonly string[];
  /** The resolver configuration's text; default /etc/resolv.conf. */
  readonly resolvConf?: () => Promise<string>;
  /** Ends the serving (SIGTERM); the agent then exits 0. */
  readonly signal?: AbortSignal;
}

/** A probe result as the plan's vocabulary says it: the packet got an answer, a refusal, nothing, or something else. */
export function connectOutcome(r: WireProbeResult): { outcome: ConnectOutcome; detail?: string } {
  switch (r.outcome) {
    case "answered":
      return { outcome: "connected" };
    case "silent":
      return { outcome: "connected", detail: "connected, no identity came back" };
    case "refused":
      return { outcome: "refused" };
    case "timeout":
      return { outcome: "timeout" };
    case "unreachable":
      return r.detail === undefined ? { outcome: "unreachable" } : { outcome: "unreachable", detail: r.detail };
    default:
      return { outcome: "error", detail: r.detail === undefined ? r.outcome : `${r.outcome} ${r.detail}` };
  }
}

async function connectProbe(p: Extract<AgentProbe, { ip: string }>, timeoutMs: number): Promise<ResultLine> {
  const r = await probeOne({ ip: p.ip, port: p.port, protocol: p.protocol }, timeoutMs);
  const { outcome, detail } = connectOutcome(r);
  return { id: p.id, outcome, ...(r.identity === null ? {} : { identity: r.identity }), ...(detail === undefined ? {} : { detail }), ms: r.ms };
}

/** A lookup as the stub resolver does it: each candidate name in turn until one is not NXDOMAIN. */
async function dnsProbe(p: Extract<AgentProbe, { dns: string }>, timeoutMs: number, conf: () => Promise<ResolvConf>): Promise<ResultLine> {
  const start = performance.now();
  const ms = (): number => Math.round(performance.now() - start);
  const resolv = p.server === undefined ? await conf() : { nameservers: [p.server], search: [], ndots: 1 };
  const server = resolv.nameservers[0];
  if (server === undefined) return { id: p.id, outcome: "error", addresses: [], detail: "no nameserver in /etc/resolv.conf", ms: ms() };
  for (const name of p.server === undefined ? candidates(p.dns, resolv) : [p.dns.replace(/\.$/, "")]) {
    const r = await dnsLookup({ server, name, type: p.type, over: p.over, timeoutMs });
    if (!r.ok) return { id: p.id, outcome: r.outcome === "timeout" ? "timeout" : "error", addresses: [], ...(r.outcome === "timeout" ? {} : { detail: `${r.outcome}${r.detail === undefined ? "" : ` ${r.detail}`}` }), ms: ms() };
    if (r.rcode === 0) return { id: p.id, outcome: "answered", addresses: r.answers, detail: name, ms: ms() };
    if (r.rcode !== 3) return { id: p.id, outcome: "error", addresses: [], detail: `rcode ${r.rcode} for ${name}`, ms: ms() };
  }
  return { id: p.id, outcome: "nxdomain", addresses: [], ms: ms() };
}

const line = (v: ReadyLine | ResultLine | DoneLine): string => `${JSON.stringify(v)}\n`;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Runs the plan of the environment; resolves with the exit code: 0 after the deadline or the signal, 1 when the plan or the servers fail. */
export async function runProbeAgent(io: AgentIo): Promise<number> {
  const parsed = parseProbePlan(io.env[PROBE_ENV]);
  if (!parsed.ok) {
    io.write(line({ "portcullis-probe": 1, ready: false, error: parsed.message }));
    io.stderr(`portcullis probe-agent: ${parsed.message}\n`);
    return 1;
  }
  const plan: ProbePlan = parsed.plan;
  const started = performance.now();
  const identity = plan.identity ?? hostname();
  let servers;
  try {
    servers = await startServers({ role: "pod", identity, ips: io.listen ?? ["0.0.0.0"], ports: plan.serve.map((p) => ({ port: p.port, protocol: p.protocol })) });
  } catch (e) {
    const message = `cannot serve the plan's ports: ${(e as Error).message}`;
    io.write(line({ "portcullis-probe": 1, ready: false, error: message }));
    return 1;
  }
  try {
    io.write(line({ "portcullis-probe": 1, ready: true, listening: servers.listening, skipped: servers.skipped }));
    await sleep(plan.startDelayMs ?? 0, io.signal);
    let conf: Promise<ResolvConf> | undefined;
    const resolv = (): Promise<ResolvConf> => (conf ??= (io.resolvConf ?? (() => readFile("/etc/resolv.conf", "utf8")))().then(parseResolvConf, () => ({ nameservers: [], search: [], ndots: 1 })));
    if (io.signal?.aborted !== true) {
      const run = (p: AgentProbe): Promise<ResultLine> => ("dns" in p ? dnsProbe(p, plan.timeoutMs, resolv) : connectProbe(p, plan.timeoutMs));
      const retry = (plan.retryAfterMs ?? 0) > 0;
      const timedOut: AgentProbe[] = [];
      await mapLimit(plan.probes, PROBE_CONCURRENCY, async (p) => {
        const result = await run(p);
        if (retry && result.outcome === "timeout") timedOut.push(p);
        else io.write(line(result));
      });
      // Held back: a timeout may be the plugin not yet having programmed this new pod; the second try is the answer.
      if (timedOut.length > 0) {
        await sleep(plan.retryAfterMs ?? 0, io.signal);
        await mapLimit(timedOut, PROBE_CONCURRENCY, async (p) => io.write(line({ ...(await run(p)), retried: true })));
      }
      io.write(line({ done: true, probes: plan.probes.length }));
    }
    const left = plan.deadlineSeconds * 1000 - (performance.now() - started);
    if (left > 0) await sleep(left, io.signal);
    return 0;
  } finally {
    servers.close();
  }
}

/** `portcullis probe-agent [--not-ready]`: the process's own entry (main.ts hands it argv). */
export async function probeAgentMain(args: readonly string[]): Promise<number> {
  if (args.includes("--not-ready")) return 1;
  const unknown = args.filter((a) => a !== "--not-ready");
  if (unknown.length > 0) {
    process.stderr.write(`portcullis probe-agent: unknown argument ${JSON.stringify(unknown[0])} (the probe agent takes its plan from ${PROBE_ENV}; only --not-ready is a flag)\n`);
    return 3;
  }
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  for (const s of ["SIGTERM", "SIGINT"] as const) process.once(s, onSignal);
  try {
    return await runProbeAgent({ env: process.env, write: (l) => void process.stdout.write(l), stderr: (t) => void process.stderr.write(t), signal: stop.signal });
  } finally {
    for (const s of ["SIGTERM", "SIGINT"] as const) process.removeListener(s, onSignal);
  }
}

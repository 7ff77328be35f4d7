/** A lab that is up: commands, probes and DNS queries in its namespaces, and taking it down. */
import { type Ip, formatIp } from "../net/ip.js";
import type { AgentHandle } from "./agent-handle.js";
import { untrack } from "./cleanup.js";
import { deleteNetns, keptMarker, writeMarker } from "./netns.js";
import type { LabPlan } from "./plan.js";
import { chunks, Queue } from "./limit.js";
import { PROBE_CONCURRENCY, type ProbeReply, type WireProbeResult, type WireTarget } from "./protocol.js";
import { killQuietly, run } from "./run.js";
import {
  type DnsLookup,
  type DnsTransport,
  type DnsType,
  type ExecOptions,
  type ExecResult,
  INTERNET,
  type Lab,
  type ProbeOptions,
  type ProbeResult,
  type ProbeTarget,
} from "./types.js";

const DEFAULT_TIMEOUT_MS = 1000;
/** Slack for an agent's reply on top of the probes' own timeouts. */
const REPLY_SLACK_MS = 5000;

export class RunningLab implements Lab {
  readonly prefix: string;
  readonly nodeNs: string;
  readonly internetNs: string;
  readonly namespaces: readonly string[];
  private readonly nsById: ReadonlyMap<string, string>;
  private readonly agentByNs: ReadonlyMap<string, AgentHandle>;
  private readonly podIps: ReadonlySet<string>;
  private downing: Promise<void> | undefined;
  private detaching: Promise<void> | undefined;
  private readonly probeSlots = new Queue();

  constructor(
    plan: LabPlan,
    agents: readonly AgentHandle[],
    private readonly pids: Set<number>,
    readonly sctp: boolean,
    /** `owned`: this process brought it up, and its exit and signal handlers remove it. */
    private readonly ownership: { readonly owned: boolean },
  ) {
    this.prefix = plan.prefix;
    this.nodeNs = plan.nodeNs;
    this.internetNs = plan.internetNs;
    this.namespaces = plan.namespaces;
    this.nsById = new Map([[INTERNET, plan.internetNs], ...plan.pods.map((p): [string, string] => [p.id, p.ns])]);
    this.agentByNs = new Map(agents.map((a) => [a.ns, a]));
    this.podIps = new Set(plan.pods.flatMap((p) => p.ips));
  }

  podNs(id: string): string {
    const ns = id === INTERNET ? undefined : this.nsById.get(id);
    if (ns === undefined) throw new Error(`no pod ${id} in lab ${this.prefix}`);
    return ns;
  }

  private checkOpen(): void {
    if (this.downing !== undefined) throw new Error(`lab ${this.prefix} is down`);
    if (this.detaching !== undefined) throw new Error(`lab ${this.prefix} is detached`);
  }

  private agent(from: string): AgentHandle {
    this.checkOpen();
    const ns = this.nsById.get(from);
    const agent = ns === undefined ? undefined : this.agentByNs.get(ns);
    if (agent === undefined) throw new Error(`no pod ${from} in lab ${this.prefix}`);
    return agent;
  }

  async exec(ns: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    this.checkOpen();
    if (!this.namespaces.includes(ns)) throw new Error(`${ns} is not a namespace of lab ${this.prefix}`);
    if (argv.length === 0) throw new Error("exec: empty argv");
    return run(["ip", "netns", "exec", ns, ...argv], { ...opts, pids: this.pids });
  }

  async probe(from: string, targets: readonly ProbeTarget[], opts: ProbeOptions = {}): Promise<ProbeResult[]> {
    const agent = this.agent(from);
    if (opts.sourceIp !== undefined && from !== INTERNET) throw new Error("probe: sourceIp is only for probes from the internet");
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const wire = targets.map((t): WireTarget => ({ ip: formatIp(t.ip), port: t.port, protocol: t.protocol }));
    const source = opts.sourceIp === undefined ? {} : { sourceIp: formatIp(opts.sourceIp) };
    const replies: WireProbeResult[] = [];
    // At most PROBE_CONCURRENCY probes in flight in the whole lab; each chunk ends within its timeouts.
    for (const chunk of chunks(wire, PROBE_CONCURRENCY)) {
      const reply = await this.probeSlots.run(async () => {
        await this.internetAnswersUdp(chunk);
        return agent.request<ProbeReply>({ op: "probe", targets: chunk, timeoutMs, ...source }, 2 * timeoutMs + REPLY_SLACK_MS);
      });
      replies.push(...reply);
    }
    return targets.map((target, i) => {
      const r = replies[i] ?? { identity: null, outcome: "error", detail: "no result", ms: 0 };
      return { target, reachable: r.outcome === "answered", ...r };
    });
  }

  /** A UDP reply must come from the address probed, so the internet binds each one it is asked for. */
  private async internetAnswersUdp(targets: readonly WireTarget[]): Promise<void> {
    const internet = this.agent(INTERNET);
    const external = targets.filter((t) => t.protocol === "UDP" && !this.podIps.has(t.ip));
    const keys = new Set(external.map((t) => `${t.ip} ${t.port}`));
    for (const key of keys) {
      const [ip = "", port = ""] = key.split(" ");
      await internet.request({ op: "listen-udp", ip, port: Number(port) }, REPLY_SLACK_MS);
    }
  }

  async dnsLookup(from: string, server: Ip, name: string, over: DnsTransport, type: DnsType = "A"): Promise<DnsLookup> {
    const timeoutMs = DEFAULT_TIMEOUT_MS;
    return this.agent(from).request<DnsLookup>({ op: "dns", server: formatIp(server), name, type, over, timeoutMs }, timeoutMs + REPLY_SLACK_MS);
  }

  async dnsQuery(from: string, server: Ip, name: string, over: DnsTransport, type: DnsType = "A"): Promise<string[] | null> {
    const r = await this.dnsLookup(from, server, name, over, type);
    return r.ok && r.rcode === 0 ? [...r.answers] : null;
  }

  private async stopProcesses(): Promise<void> {
    await Promise.all([...this.agentByNs.values()].map((a) => a.stop()));
    for (const pid of this.pids) killQuietly(pid);
  }

  /**
   * Leaves the lab up without this process: stops its agents (servers and probers; `labAttach`
   * starts them again) and, for a lab this process owns, marks it kept and drops it from the exit
   * and signal handlers. `cleanupStale` leaves a kept lab alone; `labRemove` takes it down.
   */
  detach(): Promise<void> {
    if (this.downing !== undefined) return Promise.reject(new Error(`lab ${this.prefix} is down`));
    this.detaching ??= (async () => {
      await this.stopProcesses();
      if (!this.ownership.owned) return;
      // Marked first: should this fail, the lab stays tracked and this process's exit removes it.
      await writeMarker(this.nodeNs, keptMarker());
      untrack(this.prefix);
    })();
    return this.detaching;
  }

  down(): Promise<void> {
    this.downing ??= (async () => {
      await this.detaching?.catch(() => undefined);
      await this.stopProcesses();
      try {
        await deleteNetns(this.prefix);
      } finally {
        untrack(this.prefix);
      }
    })();
    return this.downing;
  }
}

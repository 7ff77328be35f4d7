/**
 * Test support for the DNS packet tests (src/enforce/dns-proxy-packets.test.ts, dns-differential.test.ts): a
 * child process, in a lab's node namespace, running what the node agent runs with `--dns-proxy
 * 169.254.1.1:5353`: AgentDns (the proxy started once the cluster DNS is known, the learner fed by
 * its hook), the ruleset compiled with the redirect and applied through the learner's replace. It
 * is driven by JSON lines: `{metrics}`, `{stats}`, `{stop}`.
 */
import assert from "node:assert/strict";
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { Lab } from "../lab/index.js";

/** argv: base URL, cluster text, min TTL in seconds, grace in seconds, "learn" or "no-learning" (the learner is given no domain rules: it learns nothing), the netlink helper's path or "" (nft writes), the proxy's address (default 169.254.1.1), the pod network CIDR (default 10.244.0.0/16). */
const CHILD = `
const base = process.argv[1];
const imp = (p) => import(new URL(p, base).href);
const { loadCluster } = await imp("k8s/load.js");
const { compileRuleset } = await imp("nft/compile.js");
const { AgentDns } = await imp("agent/dns.js");
const { startDnsProxy } = await imp("enforce/dns-proxy.js");
const { applyRuleset } = await imp("enforce/nft.js");
const { Registry } = await imp("agent/metrics.js");
const { AddressSet } = await imp("net/address-set.js");
const { parseCidr } = await imp("net/cidr.js");
const { parseIp } = await imp("net/ip.js");
const { createInterface } = await import("node:readline");
const say = (o) => process.stdout.write(JSON.stringify(o) + "\\n");
const cluster = loadCluster([{ file: "lab.yaml", text: process.argv[2] }]).value;
const registry = new Registry();
const logger = { log: (level, msg, fields) => process.stderr.write(level + " " + msg + " " + JSON.stringify(fields ?? {}) + "\\n") };
const timeouts = { minTtl: Number(process.argv[3]), grace: Number(process.argv[4]) };
const dns = new AgentDns({ listen: { address: parseIp(process.argv[7] || "169.254.1.1"), port: 5353 }, upstream: null, timeouts, holdMaxMs: 2000, caps: { perName: 1024, perPod: 16384, total: 262144 }, start: startDnsProxy, ...(process.argv[6] ? { netlinkHelper: process.argv[6] } : {}) }, undefined, registry, logger);
await dns.prepare(cluster);
const compiled = compileRuleset(cluster, { podNetwork: AddressSet.fromCidr(parseCidr(process.argv[8] || "10.244.0.0/16").cidr), ipBlockMatchesPods: true }, {}, { dnsProxy: dns.target() });
const applied = await dns.replace(compiled.ruleset, (text) => applyRuleset(text));
if (!applied.ok) { say({ error: applied.error.stderr }); process.exit(1); }
dns.applied(process.argv[5] === "learn" ? compiled.domainRules : []);
say({ ready: compiled.domainRules.length, redirect: dns.target() !== undefined });
createInterface({ input: process.stdin }).on("line", async (line) => {
  const m = JSON.parse(line);
  if (m.metrics) { dns.refreshMetrics(); say({ metrics: registry.render() }); }
  if (m.stats) say({ stats: dns.learner.stats() });
  if (m.stop) { await dns.close(); say({ stopped: true }); process.exit(0); }
});
`;

export interface AgentChildOptions {
  /** The cluster's manifests (YAML). */
  readonly cluster: string;
  /** Seconds: the learner's min TTL and grace (an element lasts max(TTL, minTtl) + grace). */
  readonly minTtl: number;
  readonly grace: number;
  /** false: the learner is given no domain rules (it learns nothing): a check that a test can fail. */
  readonly learning: boolean;
  /** The netlink helper's path: the learner writes through it; through nft when absent. */
  readonly netlinkHelper?: string;
  /** The proxy's address in the node namespace (`--dns-proxy`'s); 169.254.1.1 (on the node's lo) when absent. */
  readonly listen?: string;
  /** The pod network (one CIDR); 10.244.0.0/16 when absent. */
  readonly podNetwork?: string;
}

export class AgentChild {
  private readonly lines: Record<string, unknown>[] = [];
  private readonly waiters: (() => void)[] = [];

  private constructor(readonly child: ChildProcessByStdio<Writable, Readable, null>) {
    createInterface({ input: child.stdout }).on("line", (l) => {
      this.lines.push(JSON.parse(l) as Record<string, unknown>);
      this.waiters.splice(0).forEach((w) => w());
    });
  }

  /** Starts the child in the lab's node namespace; resolves once its ruleset is applied (`ready`: the number of domain rules). */
  static async start(lab: Lab, o: AgentChildOptions): Promise<{ agent: AgentChild; ready: { readonly ready: number; readonly redirect: boolean } }> {
    const argv = [new URL("../", import.meta.url).href, o.cluster, String(o.minTtl), String(o.grace), o.learning ? "learn" : "no-learning", o.netlinkHelper ?? "", o.listen ?? "", o.podNetwork ?? ""];
    const child = spawn("ip", ["netns", "exec", lab.nodeNs, process.execPath, "--input-type=module", "-e", CHILD, ...argv], { stdio: ["pipe", "pipe", "inherit"] });
    const agent = new AgentChild(child);
    try {
      return { agent, ready: await agent.next<{ ready: number; redirect: boolean }>("ready", 15_000) };
    } catch (e) {
      child.kill("SIGKILL");
      throw e;
    }
  }

  /** The next line holding `key` (an `error` line fails the test), waiting at most `ms`. */
  async next<T>(key: string, ms = 5000): Promise<T> {
    const deadline = performance.now() + ms;
    for (;;) {
      const i = this.lines.findIndex((l) => key in l || "error" in l);
      if (i >= 0) {
        const line = this.lines.splice(i, 1)[0] as Record<string, unknown>;
        if ("error" in line) assert.fail(`the agent child: ${String(line["error"])}`);
        return line as T;
      }
      if (performance.now() > deadline) assert.fail(`no "${key}" line from the agent child in ${ms} ms`);
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), sleep(50)]);
    }
  }

  /** The agent's /metrics text. */
  async metrics(): Promise<string> {
    this.child.stdin.write(`${JSON.stringify({ metrics: true })}\n`);
    return (await this.next<{ metrics: string }>("metrics")).metrics;
  }

  /** The answers the learner has seen. */
  async answers(): Promise<number> {
    this.child.stdin.write(`${JSON.stringify({ stats: true })}\n`);
    return (await this.next<{ stats: { answers: number } }>("stats")).stats.answers;
  }

  async stop(): Promise<void> {
    this.child.stdin.write(`${JSON.stringify({ stop: true })}\n`);
    await this.next("stopped");
  }
}

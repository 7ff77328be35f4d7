/**
 * `portcullis enforce --kubernetes --node NAME`: the node agent as a command. Loaded only by a
 * dynamic import (the client and the HTTP server are not read by any other command).
 */
import type { EngineOptions } from "../engine/types.js";
import { checkDatapath, datapathMessage } from "../enforce/datapath.js";
import { HELPER_NAME, findElementsHelper } from "../enforce/netlink-elements.js";
import { DEFAULT_IDLE_GC, exposedGc } from "../enforce/idle-gc.js";
import { loadClusterConfig } from "../kube/config-load.js";
import type { Cluster } from "../model/cluster.js";
import type { CommandResult } from "../cli/commands/result.js";
import { done } from "../cli/commands/result.js";
import type { AgentDnsFlags, AgentFlags } from "../cli/options.js";
import type { AgentDnsOptions } from "./dns.js";
import { parseDnsProxy } from "./listen.js";
import type { EnforceTarget } from "../cli/options.js";
import { Transport } from "../kube/transport.js";
import { runAgent } from "./agent.js";
import { EventRecorder, kubeEventSink, nodeRegarding } from "./events.js";
import { newLogger } from "./log.js";
import { kubeWatches } from "./watches.js";

export interface NodeAgentCommand {
  readonly agent: AgentFlags;
  readonly target: EnforceTarget;
  readonly audit: boolean;
  readonly allowShrink: boolean;
  readonly maxShrinkPercent: number;
  readonly engineOptions: (cluster: Cluster) => EngineOptions;
}

/** Runs until SIGTERM or SIGINT; the log goes to stderr, one line per record. */
export async function runNodeAgent(c: NodeAgentCommand, io: { readonly stderr: (text: string) => void }): Promise<CommandResult> {
  const flags = c.agent.cluster;
  const config = loadClusterConfig({ ...(flags.kubeconfig === null ? {} : { kubeconfig: flags.kubeconfig }), ...(flags.context === null ? {} : { context: flags.context }) });
  if (!config.ok) return done("kubeconfig", "", `portcullis: ${config.error.message}\n`);
  const logger = newLogger(c.agent.logFormat, io.stderr, undefined, c.agent.logLevel);
  // Pods bridged (cni0) without br_netfilter would bypass every rule: the agent does not start then (docs/enforcement.md, Datapaths).
  // Events go over their own connections: a slow post never queues behind (or in front of) a watch.
  const eventTransport = new Transport(config.value, { requestTimeoutMs: 10_000 });
  const events = kubeEventSink(eventTransport);
  const datapath = await checkDatapath(c.target.kind === "netns" ? c.target.name : undefined);
  if (!datapath.ok) {
    const problems = datapath.problems.map(datapathMessage);
    logger.log("error", "not starting: this node's datapath would let pod traffic bypass the rules", { problems });
    // The pod restarts and fails again: the Event on the Node says why where `kubectl describe node` shows it.
    const recorder = new EventRecorder({ sink: events, node: c.agent.node, logger });
    recorder.record({ type: "Warning", reason: "DatapathUnsafe", action: "Start", note: `not starting: ${problems.join("; ")}`, regarding: nodeRegarding(c.agent.node) });
    recorder.close();
    await recorder.flush();
    eventTransport.close();
    return done("internal", "", problems.map((p) => `portcullis: not starting the node agent: ${p}\n`).join(""));
  }
  const watches = kubeWatches(config.value);
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    logger.log("info", "stopping", { signal, onExit: c.agent.onExit });
    stop.abort();
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, onSignal);
  const collect = c.agent.idleGc === "auto" ? exposedGc() : null;
  if (c.agent.idleGc === "auto" && collect === null) logger.log("warn", "--idle-gc auto: this runtime gives no way to start a garbage collection; V8 collects on its own (set NODE_OPTIONS=--expose-gc)");
  const idleGc = collect === null ? "off" : "auto";
  const dns = await agentDns(c.agent.dns);
  if (typeof dns === "string") {
    eventTransport.close();
    return done("internal", "", `portcullis: not starting the node agent: ${dns}\n`);
  }
  logger.log("info", "node agent starting", { node: c.agent.node, cluster: config.value.cluster.server, origin: config.value.origin, audit: c.audit, onExit: c.agent.onExit, idleGc });
  try {
    await runAgent({
      node: c.agent.node,
      ...(c.target.kind === "netns" ? { netns: c.target.name } : {}),
      audit: c.audit,
      onExit: c.agent.onExit,
      listen: c.agent.listen,
      engineOptions: c.engineOptions,
      watches: watches.sources,
      logger,
      events,
      datapath: () => checkDatapath(c.target.kind === "netns" ? c.target.name : undefined),
      signal: stop.signal,
      allowShrink: c.allowShrink,
      maxShrinkPercent: c.maxShrinkPercent,
      ...(collect === null ? {} : { idleGc: { policy: DEFAULT_IDLE_GC, collect } }),
      ...(dns === undefined ? {} : { dns }),
    });
  } catch (e) {
    // The ops port taken, say: nothing was started that needs undoing (the watches stop with the loop).
    return done("internal", "", `portcullis: the node agent could not run: ${e instanceof Error ? e.message : String(e)}\n`);
  } finally {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.removeListener(signal, onSignal);
    watches.close();
    eventTransport.close();
  }
  return done("ok", "");
}

/** `--dns-proxy` and its flags as the agent's DNS options (the proxy module loaded only then). */
async function agentDns(flags: AgentDnsFlags | undefined): Promise<AgentDnsOptions | undefined | string> {
  if (flags === undefined) return undefined;
  const listen = parseDnsProxy(flags.listen.host, flags.listen.port);
  // Checked when the flags were read.
  if (typeof listen === "string") throw new Error(listen);
  const { startDnsProxy } = await import("../enforce/dns-proxy.js");
  const helper = flags.writer === "nft" ? null : findElementsHelper();
  if (flags.writer === "netlink" && helper === null) return `--dns-writer netlink: the helper ${HELPER_NAME} is not found (native/build/ or native/ of the package, or $PORTCULLIS_NFT_ELEMENTS; npm run build:native builds it)`;
  return { listen, upstream: flags.upstream, timeouts: { minTtl: flags.minTtl, grace: flags.grace }, holdMaxMs: flags.holdMaxMs, caps: flags.caps, start: startDnsProxy, ...(helper === null ? {} : { netlinkHelper: helper }) };
}

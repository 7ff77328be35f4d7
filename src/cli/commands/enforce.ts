/**
 * `enforce`: compile the policies to nftables and apply them (once, or on every change with
 * `--watch` until Ctrl-C), or print the ruleset (`--dry-run`, `-o nft`). Applying needs root and a
 * place: `--netns NAME` or, explicitly, `--host`; the parser refuses a line that names neither.
 */
import type { Diagnostic } from "../../diag/diagnostic.js";
import type { EngineOptions } from "../../engine/types.js";
import { type EnforceEvent, enforceLoop } from "../../enforce/loop.js";
import { type Loaded, loadCluster as loadFiles, newLoadCaches } from "../../enforce/load.js";
import { type Cluster, type Endpoint, endpointsOfOwner } from "../../model/cluster.js";
import { choosePodNetwork } from "../../model/pod-network.js";
import type { Cidr } from "../../net/cidr.js";
import { compileRuleset } from "../../nft/compile.js";
import type { CompileIssue, NodeScope } from "../../nft/types.js";
import { formatDiagnostic, formatLoaded } from "../../render/diagnostics.js";
import { describeIssue, enforceEventJson, enforceEventText, enforceProblemText } from "../../render/enforce.js";
import { counterRows, countersJson, countersText } from "../../render/counters.js";
import { readCounters } from "../../enforce/nft.js";
import { checkDatapath, datapathMessage } from "../../enforce/datapath.js";
import type { Status } from "../exit.js";
import { loadCluster, type LoadIo } from "../load.js";
import type { CommandOptions } from "../options.js";
import { resolveTarget } from "../target.js";
import { type CommandResult, done, usage } from "./result.js";

type EnforceCommand = Extract<CommandOptions, { name: "enforce" }>;

export interface EnforceIo extends LoadIo {
  readonly stdout: (text: string) => void;
}

/** `--pod-cidr`, else the Nodes' `spec.podCIDRs` in the input, else the default: as every command decides it. */
const engineOptions = (o: EnforceCommand, cluster: Cluster): EngineOptions => ({
  podNetwork: choosePodNetwork({ podNetwork: o.common.podNetwork, from: o.common.podNetworkFrom }, cluster).podNetwork,
  ipBlockMatchesPods: o.common.ipBlockMatchesPods,
});

/** The pods `--node-pods` names and the ranges `--node-pod-cidr` gives, or why a name names no pod. */
function nodeScope(names: readonly string[] | null, podCidrs: readonly Cidr[], cluster: Cluster): NodeScope | string {
  const ranges: NodeScope = podCidrs.length === 0 ? {} : { podCidrs };
  if (names === null) return ranges;
  const localPods: Endpoint[] = [];
  // A node lists hundreds of pods: `ns/name` that names one endpoint is looked up in an index; any
  // other form, or a name that is missing or ambiguous, goes through resolveTarget and its messages.
  const byId = new Map<string, Endpoint[]>();
  for (const e of cluster.endpoints) {
    const same = byId.get(e.id);
    if (same === undefined) byId.set(e.id, [e]);
    else same.push(e);
  }
  for (const name of names) {
    const indexed = name.split("/").length === 2 ? byId.get(name) : undefined;
    if (indexed?.length === 1) {
      localPods.push(indexed[0] as Endpoint);
      continue;
    }
    const r = resolveTarget(name, cluster);
    if (!r.ok) return `--node-pods: ${r.message}`;
    if (r.target.kind !== "endpoint") return `--node-pods: "${name}" is not a pod in the manifests`;
    localPods.push(r.target.endpoint);
  }
  // A workload named stands for all its pods: those that are endpoints of their own too (a
  // quarantined replica), or naming the StatefulSet would leave that replica unenforced.
  const withSplit = localPods.flatMap((e) => (e.splitPods === undefined ? [e] : endpointsOfOwner(cluster, e)));
  return { ...ranges, localPods: [...new Set(withSplit)] };
}

/** Every enforce path compiles admin policies into the kernel; what it cannot (domainNames peers of Deny/Pass rules) is an error (exit 2). */
const ENFORCE_ADMIN_POLICIES = { adminPolicies: "enforce" } as const;

const warning = (text: string): string => `portcullis: warning: ${text}\n`;

/** `--dry-run`: the `nft -f` script on stdout, what it cannot enforce as warnings on stderr. */
async function dryRun(options: EnforceCommand, io: EnforceIo): Promise<CommandResult> {
  const cluster = await loadCluster(options.common, io, ENFORCE_ADMIN_POLICIES);
  if (cluster === null) return done("invalid-input", "");
  const node = nodeScope(options.nodePods, options.nodePodCidrs, cluster);
  if (typeof node === "string") return usage(node);
  const compiled = compileRuleset(cluster, engineOptions(options, cluster), node, { audit: options.audit });
  return done("ok", compiled.text, compiled.issues.map((i) => warning(describeIssue(i))).join(""));
}

/**
 * `--counters`: the applied table's counters per rule id, each named by a compile of the files (ids
 * are hashes of what they stand for, so the files that were applied name them). Applies nothing.
 */
async function counters(options: EnforceCommand, io: EnforceIo, netns: string | undefined): Promise<CommandResult> {
  const cluster = await loadCluster(options.common, io, ENFORCE_ADMIN_POLICIES);
  if (cluster === null) return done("invalid-input", "");
  const node = nodeScope(options.nodePods, options.nodePodCidrs, cluster);
  if (typeof node === "string") return usage(node);
  const compiled = compileRuleset(cluster, engineOptions(options, cluster), node, { audit: options.audit });
  const read = await readCounters(netns);
  if (!read.ok) {
    const where = netns === undefined ? "this network namespace" : `network namespace ${netns}`;
    return done("internal", "", `portcullis: cannot read table inet portcullis in ${where} (is it applied?): ${read.error.message}${read.error.stderr === "" ? "" : `: ${read.error.stderr.trim()}`}\n`);
  }
  const rows = counterRows(compiled.ruleIds, read.value);
  const out = options.common.output === "json" ? `${JSON.stringify(countersJson(rows), null, 2)}\n` : countersText(rows);
  return done("ok", out);
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** Prints each event as it comes; problems and warnings (each once) on stderr. Keeps the status of the last cycle. */
class Reporter {
  status: Status = "ok";
  nodeProblem: string | null = null;
  private readonly printed = new Set<string>();

  constructor(
    private readonly options: EnforceCommand,
    private readonly io: EnforceIo,
  ) {}

  once(line: string): void {
    if (this.printed.has(line)) return;
    this.printed.add(line);
    this.io.stderr(line);
  }

  diagnostics(ds: readonly Diagnostic[], all: boolean): void {
    for (const d of ds) if (all || d.severity !== "error") this.once(`${formatDiagnostic(d)}\n`);
  }

  issues(issues: readonly CompileIssue[]): void {
    if (this.options.common.output === "text") for (const i of issues) this.once(warning(describeIssue(i)));
  }

  event(e: EnforceEvent): void {
    if (e.kind === "applied") this.status = "ok";
    if (e.kind === "load-failed") this.status = "invalid-input";
    if (e.kind === "shrink-refused") this.status = "refused";
    if (e.kind === "apply-failed" || e.kind === "error") this.status = this.nodeProblem !== null ? "usage" : "internal";
    if (e.kind === "load-failed") this.diagnostics(e.diagnostics, true);
    if (e.kind === "applied") this.diagnostics(e.diagnostics, false);
    if (e.kind === "applied") this.issues(e.issues);
    // A bad --node-pods in a single run is a usage error, printed with the usage line by the caller.
    if (this.status === "usage" && !this.options.watch) return;
    if (this.options.common.output === "json") return this.io.stdout(`${JSON.stringify(enforceEventJson(e))}\n`);
    const line = enforceEventText(e);
    if (line !== null) this.io.stdout(`${line}\n`);
    const problem = enforceProblemText(e);
    if (problem !== null) this.io.stderr(`portcullis: ${problem}\n`);
  }
}

/**
 * The loader of every cycle: the files (and stdin, read once: --watch refuses it) → Cluster. Files
 * that did not change since the last cycle are not read, parsed or decoded again.
 */
function loader(options: EnforceCommand, io: EnforceIo): () => Promise<Loaded> {
  const caches = newLoadCaches();
  return async () => {
    const loaded = await loadFiles(options.common.files, { caches, stdin: io.stdin });
    if (options.common.verbose) io.stderr(`${formatLoaded(loaded.files, loaded.cluster)}\n`);
    return loaded;
  };
}

export async function runEnforce(options: EnforceCommand, io: EnforceIo): Promise<CommandResult> {
  if (options.target.kind === "dry-run") return dryRun(options, io);
  if (!isRoot()) {
    return done("internal", "", "portcullis: enforce needs root to apply nftables rules (CAP_NET_ADMIN); --dry-run prints the ruleset without applying\n");
  }
  if (options.agent !== null) {
    const agent = options.agent;
    return (await import("../../agent/command.js")).runNodeAgent({ ...options, agent, engineOptions: (cluster) => engineOptions(options, cluster) }, io);
  }
  if (options.counters) return counters(options, io, options.target.kind === "netns" ? options.target.name : undefined);
  // Pods bridged without br_netfilter would bypass every rule: said before anything is applied (a warning here; the node agent refuses to start).
  const datapath = await checkDatapath(options.target.kind === "netns" ? options.target.name : undefined);
  if (!datapath.ok) for (const problem of datapath.problems) io.stderr(warning(datapathMessage(problem)));
  const reporter = new Reporter(options, io);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  if (options.watch) for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, onSignal);
  try {
    await enforceLoop({
      paths: options.common.files,
      watch: options.watch,
      ...(options.target.kind === "netns" ? { netns: options.target.name } : {}),
      audit: options.audit,
      engineOptions: (cluster: Cluster) => engineOptions(options, cluster),
      load: loader(options, io),
      ...(options.nodePods === null && options.nodePodCidrs.length === 0 ? {} : { node: (cluster: Cluster) => resolveNode(options, cluster, reporter) }),
      followDenials: options.log,
      allowShrink: options.allowShrink,
      maxShrinkPercent: options.maxShrinkPercent,
      signal: stop.signal,
      onEvent: (e) => reporter.event(e),
    });
  } finally {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.removeListener(signal, onSignal);
  }
  if (options.watch) return done("ok", "", "portcullis: stopped; the table stays as last applied (nft delete table inet portcullis removes it)\n");
  if (reporter.status === "usage" && reporter.nodeProblem !== null) return usage(reporter.nodeProblem);
  return done(reporter.status, "");
}

/** `--node-pods` against the cluster of this cycle: an unknown name stops the cycle before anything is applied. */
function resolveNode(options: EnforceCommand, cluster: Cluster, reporter: Reporter): NodeScope {
  const node = nodeScope(options.nodePods, options.nodePodCidrs, cluster);
  reporter.nodeProblem = typeof node === "string" ? node : null;
  if (typeof node === "string") throw new Error(`${node}; not applied`);
  return node;
}

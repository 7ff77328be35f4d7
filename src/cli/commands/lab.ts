/**
 * `lab run|up|probe|down|list`: the labrun core, wired. Every action needs root; `run` and `probe`
 * end negative (exit 1) on any mismatch between the packets and the engine.
 */
import { type LabReport, type LabRunError, labDown, labList, labProbe, labUpOnly, labView, orphanMessages, orphanedLabs, renderLabText, runErrorMessage, runLab } from "../../labrun/index.js";
import type { Cluster } from "../../model/cluster.js";
import { renderLabDownText, renderLabListText, renderLabUpText } from "../../render/lab.js";
import { nodePodCidrs } from "../../model/pod-network.js";
import { loadCluster, type LoadIo, withPodNetwork } from "../load.js";
import type { CommandOptions } from "../options.js";
import { render } from "../output.js";
import type { OutputFormat } from "../spec.js";
import { type CommandResult, done, usage } from "./result.js";

type LabCommand = Extract<CommandOptions, { name: "lab" }>;
type BuildCommand = Extract<LabCommand, { action: "run" | "up" }>;

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** A plan the options cannot make, or a lab named wrong, is the command line's; the rest the machine's. */
function failed(error: LabRunError, action: LabCommand["action"]): CommandResult {
  const message = runErrorMessage(error);
  if (error.kind === "plan" || (error.kind === "state" && action !== "up")) return usage(message);
  return done("internal", "", `portcullis: ${message}\n`);
}

function report(r: LabReport, output: OutputFormat): CommandResult {
  // JSON is labView(r), the object the text view prints (entries first).
  const stdout = output === "json" ? render("json", labView(r), {}) : renderLabText(r);
  return done(r.mismatches.length > 0 ? "negative" : "ok", stdout);
}

/** `--pod-cidr`, else the Nodes' pod ranges (withPodNetwork says which with -v), else the default. */
function options(o: BuildCommand, cluster: Cluster, io: LoadIo) {
  const fromNodes = withPodNetwork(o.common, cluster, io).podNetworkFrom === "nodes";
  return {
    podCidrs: fromNodes ? nodePodCidrs(cluster) : o.podCidrs,
    ipBlockMatchesPods: o.common.ipBlockMatchesPods,
    metadata: o.metadata,
    topology: o.topology,
    ...(o.to === null ? {} : { to: o.to }),
  };
}

/** Labs orphaned by killed runs, named on stderr, or removed first with `--clean`. */
async function orphans(clean: boolean): Promise<string> {
  return orphanMessages(await orphanedLabs(clean))
    .map((line) => `portcullis: ${line}\n`)
    .join("");
}

async function build(o: BuildCommand, cluster: Cluster, io: LoadIo): Promise<CommandResult> {
  if (o.action === "run") {
    const said = await orphans(o.clean);
    const r = await runLab(cluster, options(o, cluster, io));
    const result = r.ok ? report(r.value, o.common.output) : failed(r.error, o.action);
    return result.kind === "done" ? { ...result, stderr: said + result.stderr } : result;
  }
  const r = await labUpOnly(cluster, options(o, cluster, io));
  if (!r.ok) return failed(r.error, o.action);
  return done("ok", render(o.common.output, r.value, { text: renderLabUpText }));
}

async function kept(o: Extract<LabCommand, { action: "probe" | "down" | "list" }>): Promise<CommandResult> {
  if (o.action === "list") return done("ok", render(o.output, await labList(), { text: renderLabListText }));
  if (o.action === "probe") {
    const r = await labProbe(o.prefix);
    return r.ok ? report(r.value, o.output) : failed(r.error, o.action);
  }
  const r = await labDown(o.prefix);
  if (!r.ok) return failed(r.error, o.action);
  return done("ok", render(o.output, r.value, { text: renderLabDownText }));
}

export async function runLabCommand(o: LabCommand, io: LoadIo): Promise<CommandResult> {
  if (!isRoot()) return done("internal", "", `portcullis: lab ${o.action} needs root (it makes network namespaces and applies nftables rules)\n`);
  if (!("common" in o)) return kept(o);
  // The lab enforces the admin tiers and compares with the engine's check, which walks them: no warning that they are ignored.
  const cluster = await loadCluster(o.common, io, { adminPolicies: "evaluate" });
  return cluster === null ? done("invalid-input", "") : build(o, cluster, io);
}

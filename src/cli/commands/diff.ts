import { choosePodNetwork } from "../../model/pod-network.js";
import { diffClusters, renderDiffMarkdown, renderDiffText, shouldFail } from "../../diff/index.js";
import { Engine } from "../../engine/engine.js";
import { readGitSources } from "../../io/git-sources.js";
import { readSources } from "../../io/read-sources.js";
import type { Cluster } from "../../model/cluster.js";
import { decodeLive, isIncomplete } from "../../k8s/live.js";
import { adminPolicyHandling, decodeOver, decodeSources, type LiveLoadIo, type LoadIo, readLive, reportLive } from "../load.js";
import type { CommandOptions, LiveNotes } from "../options.js";
import { render } from "../output.js";
import { type CommandResult, done, usage } from "./result.js";

type DiffCommand = Extract<CommandOptions, { name: "diff" }>;

/** One version as loaded: the cluster, null when its manifests have errors, or a result to end with; `live`: what a live read did not see. */
type Side = { readonly label: string; readonly cluster: Cluster | null; readonly live?: LiveNotes };

async function files(label: string, paths: readonly string[], options: DiffCommand, io: LoadIo): Promise<Side> {
  return { label, cluster: decodeSources(await readSources(paths, io.stdin), options.common, io, adminPolicyHandling("diff")) };
}

/** Both versions, old first; a failure of git or of the live read ends the command. */
async function versions(options: DiffCommand, io: LiveLoadIo): Promise<[Side, Side] | CommandResult> {
  const v = options.versions;
  if (v.kind === "against") {
    return [await files("the old version (-f)", options.common.files, options, io), await files("the new version (--against)", v.paths, options, io)];
  }
  if (v.kind === "against-cluster") {
    const live = await readLive({ flags: v.flags, scope: v.scope }, options.common, io);
    if (live.kind === "ended") return live.result;
    const base = decodeLive(live.read, adminPolicyHandling("diff"));
    const old = { label: "the live cluster", cluster: reportLive(base, options.common, io, live.read.source), live: live.notes };
    const applied = decodeOver(live.read, await readSources(options.common.files, io.stdin), options.common, io, adminPolicyHandling("diff"));
    return [old, { label: "the cluster with the -f files applied", cluster: applied }];
  }
  const git = await readGitSources(options.common.files, v.ref);
  if (!git.ok) return git.kind === "usage" ? usage(git.message) : done("internal", "", `portcullis: ${git.message}\n`);
  const old = { label: `the old version (--base ${v.ref})`, cluster: decodeSources(git.read, options.common, io, adminPolicyHandling("diff")) };
  return [old, await files("the new version (-f, the working tree)", options.common.files, options, io)];
}

/** `diff`: the change in allowed connections; negative (exit 1) with `--fail-on widened` when something widened. */
export async function runDiff(options: DiffCommand, io: LiveLoadIo): Promise<CommandResult> {
  const sides = await versions(options, io);
  if (!Array.isArray(sides)) return sides;
  const broken = sides.filter((s) => s.cluster === null).map((s) => `portcullis: ${s.label} has errors: nothing compared\n`);
  const [old, neu] = sides;
  if (old.cluster === null || neu.cluster === null) return done("invalid-input", "", broken.join(""));
  const given = { podNetwork: options.common.podNetwork, from: options.common.podNetworkFrom };
  const engine = (cluster: Cluster): Engine => Engine.compile(cluster, { podNetwork: choosePodNetwork(given, cluster).podNetwork, ipBlockMatchesPods: options.common.ipBlockMatchesPods });
  const report = diffClusters(engine(old.cluster), engine(neu.cluster), { metadata: options.wellKnown.metadata, dns: { ips: options.wellKnown.dns } });
  const live = old.live;
  const stdout = render(live === undefined ? options.common : { ...options.common, live }, report, { text: renderDiffText, md: renderDiffMarkdown });
  // What the live read could not see may be what the files change: never a silent partial answer (exit 6).
  if (live !== undefined && isIncomplete(live.unseen)) return done("incomplete", stdout);
  return done(shouldFail(report, options.failOn) ? "negative" : "ok", stdout);
}

import { choosePodNetwork } from "../../model/pod-network.js";
import { diffClusters, renderDiffMarkdown, renderDiffText, shouldFail } from "../../diff/index.js";
import { Engine } from "../../engine/engine.js";
import { readGitSources } from "../../io/git-sources.js";
import { readSources } from "../../io/read-sources.js";
import type { Cluster } from "../../model/cluster.js";
import { adminPolicyHandling, decodeSources, type LoadIo } from "../load.js";
import type { CommandOptions } from "../options.js";
import { render } from "../output.js";
import { type CommandResult, done, usage } from "./result.js";

type DiffCommand = Extract<CommandOptions, { name: "diff" }>;

/** One version as loaded: the cluster, null when its manifests have errors, or a result to end with. */
type Side = { readonly label: string; readonly cluster: Cluster | null };

async function files(label: string, paths: readonly string[], options: DiffCommand, io: LoadIo): Promise<Side> {
  return { label, cluster: decodeSources(await readSources(paths, io.stdin), options.common, io, adminPolicyHandling("diff")) };
}

/** Both versions, old first; a failure of git ends the command. */
async function versions(options: DiffCommand, io: LoadIo): Promise<[Side, Side] | CommandResult> {
  const v = options.versions;
  if (v.kind === "against") {
    return [await files("the old version (-f)", options.common.files, options, io), await files("the new version (--against)", v.paths, options, io)];
  }
  const git = await readGitSources(options.common.files, v.ref);
  if (!git.ok) return git.kind === "usage" ? usage(git.message) : done("internal", "", `portcullis: ${git.message}\n`);
  const old = { label: `the old version (--base ${v.ref})`, cluster: decodeSources(git.read, options.common, io, adminPolicyHandling("diff")) };
  return [old, await files("the new version (-f, the working tree)", options.common.files, options, io)];
}

/** `diff`: the change in allowed connections; negative (exit 1) with `--fail-on widened` when something widened. */
export async function runDiff(options: DiffCommand, io: LoadIo): Promise<CommandResult> {
  const sides = await versions(options, io);
  if (!Array.isArray(sides)) return sides;
  const broken = sides.filter((s) => s.cluster === null).map((s) => `portcullis: ${s.label} has errors: nothing compared\n`);
  const [old, neu] = sides;
  if (old.cluster === null || neu.cluster === null) return done("invalid-input", "", broken.join(""));
  const given = { podNetwork: options.common.podNetwork, from: options.common.podNetworkFrom };
  const engine = (cluster: Cluster): Engine => Engine.compile(cluster, { podNetwork: choosePodNetwork(given, cluster).podNetwork, ipBlockMatchesPods: options.common.ipBlockMatchesPods });
  const report = diffClusters(engine(old.cluster), engine(neu.cluster), { metadata: options.wellKnown.metadata, dns: { ips: options.wellKnown.dns } });
  const stdout = render(options.common.output, report, { text: renderDiffText, md: renderDiffMarkdown });
  return done(shouldFail(report, options.failOn) ? "negative" : "ok", stdout);
}

/**
 * `feeds diff OLD NEW -f PATH`: what a feed update would change. Per selector of the bound policies,
 * the CIDRs added and removed; then the cluster refreshed with OLD and with NEW (the model-level
 * refresh, feeds/refresh-model.ts) compiled into two engines and compared as `portcullis diff` does.
 * Exit 0 when no workload's egress changes, 1 when some does (docs/feeds/diff.md).
 */
import { diffClusters } from "../../diff/index.js";
import { formatLocation } from "../../diag/location.js";
import { Engine } from "../../engine/engine.js";
import { diffSelections, selectionChangeJson } from "../../feeds/feed-diff.js";
import { type RefreshError, boundPolicies, refreshCluster } from "../../feeds/refresh-model.js";
import { type FeedsDiffView, renderFeedsDiffMarkdown, renderFeedsDiffText } from "../../feeds/render-diff.js";
import type { Feed, FeedProvider } from "../../feeds/types.js";
import { readFeeds } from "../../feeds-io/read-feeds.js";
import { readSources } from "../../io/read-sources.js";
import type { Cluster } from "../../model/cluster.js";
import { formatObjectRef } from "../../model/cluster.js";
import { choosePodNetwork } from "../../model/pod-network.js";
import type { FeedsOptions } from "../feeds-options.js";
import { adminPolicyHandling, decodeSources } from "../load.js";
import { render } from "../output.js";
import { type CommandResult, done, usage } from "./result.js";

type DiffOptions = Extract<FeedsOptions, { action: "diff" }>;

function refreshErrors(errors: readonly RefreshError[]): string {
  return errors.map((e) => `portcullis: ${formatLocation(e.at)}: ${formatObjectRef(e.object)}: ${e.message}\n`).join("");
}

function providers(feeds: ReadonlyMap<FeedProvider, Feed>): string {
  return [...feeds.keys()].sort().join(", ");
}

export async function runFeedsDiff(o: DiffOptions): Promise<CommandResult> {
  const [old, neu] = [await readFeeds(o.old), await readFeeds(o.new)];
  const feedErrors = [...(old.ok ? [] : old.messages), ...(neu.ok ? [] : neu.messages)];
  if (!old.ok || !neu.ok) return done("invalid-input", "", feedErrors.map((m) => `portcullis: ${m}\n`).join(""));
  if (providers(old.feeds) !== providers(neu.feeds)) return usage(`OLD and NEW must be feeds of the same providers: OLD is ${providers(old.feeds)}, NEW is ${providers(neu.feeds)}`);
  let stderr = "";
  const cluster = decodeSources(await readSources(o.common.files), o.common, { stderr: (t) => void (stderr += t) }, adminPolicyHandling("diff"));
  if (cluster === null) return done("invalid-input", "", stderr);
  const bound = boundPolicies(cluster);
  if (!bound.ok) return done("invalid-input", "", stderr + refreshErrors(bound.errors));
  const selections = diffSelections(old.feeds, neu.feeds, bound.bound);
  if (!selections.ok) return usage(selections.message);
  const before = refreshCluster(cluster, old.feeds);
  const after = refreshCluster(cluster, neu.feeds);
  if (!before.ok) return done("invalid-input", "", stderr + refreshErrors(before.errors));
  if (!after.ok) return done("invalid-input", "", stderr + refreshErrors(after.errors));
  const given = { podNetwork: o.common.podNetwork, from: o.common.podNetworkFrom };
  const engine = (c: Cluster): Engine => Engine.compile(c, { podNetwork: choosePodNetwork(given, cluster).podNetwork, ipBlockMatchesPods: o.common.ipBlockMatchesPods });
  const effect = diffClusters(engine(before.cluster), engine(after.cluster), { metadata: o.wellKnown.metadata, dns: { ips: o.wellKnown.dns } });
  const view: FeedsDiffView = { selections: selections.changes.map(selectionChangeJson), effect };
  const stdout = render(o.common.output, view, { text: renderFeedsDiffText, md: renderFeedsDiffMarkdown });
  return done(effect.changes.length > 0 ? "negative" : "ok", stdout, stderr);
}

/**
 * What the page's answers assume, one sentence each: the pod network and where it came from,
 * the namespaces not in the input whose labels were assumed, and whether `domainNames` peers are
 * matched against a resolution snapshot. Each sentence is the one the commands print. Pure.
 */
import { policiesAssumptions } from "../analysis/assumptions.js";
import type { Engine } from "../engine/engine.js";
import type { PodNetworkFrom } from "../model/pod-network.js";
import { assumptionJson } from "../render/assumptions.js";
import { formatPodNetwork } from "../render/diagnostics.js";

export function viewAssumptions(engine: Engine, podNetworkFrom: PodNetworkFrom): string[] {
  const cluster = engine.cluster;
  const namespaces = policiesAssumptions(cluster, cluster.policies).map((a) => assumptionJson(a).message);
  const domains = (cluster.adminPolicies ?? []).some((p) => p.egress.some((r) => r.match.kind === "as-written" && r.match.peers.some((peer) => peer.kind === "domainNames")));
  const dns =
    !domains ? [] : engine.options.dns === undefined ? ["domainNames peers: no resolution snapshot (--dns-records/--resolve), so the graph matches them to no address and check answers depends"] : ["domainNames peers: matched against the resolution snapshot of --dns-records/--resolve"];
  return [formatPodNetwork({ podNetwork: engine.options.podNetwork, from: podNetworkFrom }), ...namespaces, ...dns];
}

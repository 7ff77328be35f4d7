import { formatLiveObject, type Location } from "../../diag/location.js";
import type { Peer, Policy } from "../../model/cluster.js";
import type { Namespace } from "../../model/cluster.js";
import { selectorMatches } from "../../model/selector.js";
import { METADATA_NAME } from "../../engine/classes.js";
import { nearMiss } from "../nearmiss.js";
import type { LintContext } from "../context.js";
import { policyObject, selectorText, sortedIds } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import { selectorHint } from "../selector-hint.js";
import type { Draft, LintRule } from "../types.js";

type PodsPeer = Extract<Peer, { kind: "pods" }>;

export const peerSelectsNothing: LintRule = {
  id: "peer-selects-nothing",
  severity: "warning",
  summary: "A rule's peer selects no pod of the input (label drift).",
  description:
    "A peer whose namespaceSelector matches no namespace, or whose podSelector matches no pod in the namespaces it looks in, allows nothing, usually because labels drifted (a classic: namespaceSelector name: monitoring, where namespaces carry only kubernetes.io/metadata.name). The hint names the closest existing label. The rule is silent when the input holds no workloads, for namespaces that hold none, and for a peer that lets DNS through only if the DNS pods' namespace, not in the input, carries the labels it asks for (dns-egress-blocked names that assumption).",
  docs: "docs/rules/peer-selects-nothing.md",
  check: (ctx) => {
    if (ctx.cluster.endpoints.length === 0) return [];
    const assumed = dnsPeersOnAssumption(ctx);
    const drafts: Draft[] = [];
    for (const policy of ctx.cluster.policies) {
      for (const rule of [...policy.ingress, ...policy.egress]) {
        if (rule.peers === "all") continue;
        for (const peer of rule.peers) {
          if (peer.kind !== "pods" || assumed.has(locationKey(peer.at))) continue;
          const d = checkPeer(ctx, policy, peer);
          if (d !== null) drafts.push(d);
        }
      }
    }
    return drafts;
  },
};

function checkPeer(ctx: LintContext, policy: Policy, peer: PodsPeer): Draft | null {
  const common = { object: policyObject(policy), at: peer.at, endpoints: [], annotations: policy.annotations };
  const namespaces = withBuiltIn(ctx.cluster.namespaces);
  let scope: string[] = [policy.namespace];
  if (peer.namespaces.kind === "selected") {
    const selector = peer.namespaces.selector;
    scope = namespaces.filter((ns) => selectorMatches(selector, ns.labels)).map((ns) => ns.name);
    if (scope.length === 0) {
      // Selecting namespaces by name alone is not drift: that namespace is just not in the input, unless a near miss is.
      const miss = nearMiss(selector, namespaces.map((ns) => ns.labels));
      if (miss !== null && miss.key === METADATA_NAME && miss.suggestion === null) return null;
      return { ...common, message: m.peerNoNamespace(selectorText(selector)), hint: selectorHint(selector, namespaces.map((ns) => ns.labels)) };
    }
  }
  const inScope = ctx.cluster.endpoints.filter((e) => scope.includes(e.namespace));
  const workloads = inScope.filter((e) => !e.hostNetwork);
  if (workloads.some((e) => selectorMatches(peer.pods, e.labels))) return null;
  const hostOnly = sortedIds(inScope.filter((e) => e.hostNetwork && selectorMatches(peer.pods, e.labels)).map((e) => e.id));
  const shown = sortedIds(inScope.map((e) => e.namespace));
  if (hostOnly.length > 0) return { ...common, message: m.peerNoPod(selectorText(peer.pods), shown), hint: m.peerOnlyHostNetwork(hostOnly) };
  if (workloads.length === 0) return null;
  const elsewhere = sortedIds(ctx.cluster.endpoints.filter((e) => !e.hostNetwork && !scope.includes(e.namespace) && selectorMatches(peer.pods, e.labels)).map((e) => e.namespace));
  const hint =
    peer.namespaces.kind === "own" && elsewhere.length > 0 ? m.peerOtherNamespaceHint(selectorText(peer.pods), policy.namespace, elsewhere) : selectorHint(peer.pods, workloads.map((e) => e.labels));
  return { ...common, message: m.peerNoPod(selectorText(peer.pods), shown), hint };
}

/**
 * The peers that let DNS through only if the DNS pods' namespace, not in the input, carries the
 * labels their namespaceSelector asks for: dns-egress-blocked names that assumption, and whether
 * they select any pod is not known.
 */
function dnsPeersOnAssumption(ctx: LintContext): Set<string> {
  const out = new Set<string>();
  for (const subject of ctx.subjects()) {
    if (ctx.engine.policiesSelecting(subject, "egress").length === 0) continue;
    const reach = ctx.dnsReachOf(subject, "UDP");
    if (reach.kind !== "assumed") continue;
    for (const a of reach.assumptions) for (const by of a.decision.egress.allowedBy) out.add(locationKey(by.at));
  }
  return out;
}

const locationKey = (at: Location): string => (at.file !== undefined ? `${at.file}\u0000${at.document}\u0000${at.line}\u0000${at.column}` : `${formatLiveObject(at.object)}\u0000${at.path}`);

/** Namespaces every cluster has, whether or not the input declares them. */
const BUILT_IN = ["default", "kube-node-lease", "kube-public", "kube-system"];

function withBuiltIn(declared: ReadonlyMap<string, Namespace>): Namespace[] {
  const all = [...declared.values()];
  for (const name of BUILT_IN) {
    if (!declared.has(name)) all.push({ name, labels: new Map([[METADATA_NAME, name]]), declared: false });
  }
  return all;
}

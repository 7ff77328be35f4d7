/**
 * The nftables phases: the ruleset `enforce` compiles for one node (compile and render, again with
 * the CompileCache as the enforcer compiles, then one policy changed: cached compile + diff + the
 * diff's text). With admin policies the change is to an admin policy, without them to a NetworkPolicy.
 */
import type { Cluster, Endpoint } from "../src/model/cluster.js";
import type { EngineOptions } from "../src/engine/types.js";
import { decodeCluster } from "../src/k8s/index.js";
import { CompileCache } from "../src/nft/cache.js";
import { compileRuleset } from "../src/nft/compile.js";
import { type RulesetDiff, diffRulesets } from "../src/nft/diff.js";
import type { CompileResult, NodeScope } from "../src/nft/types.js";
import type { Obj } from "./objects.js";
import type { PhaseName, PhaseResult, ShapeSizes } from "./protocol.js";

type Phase = <T>(name: PhaseName, limitS: number, f: () => { value: T; status?: PhaseResult["status"]; note?: string }) => T | undefined;

/** Pods per node (the kubelet's default maximum). */
const NODE_PODS = 110;
const AT = { file: "change.yaml", line: 1, column: 1, document: 0, path: "" };

/** One node's pods: every k-th pod with an address (a scheduler spreads namespaces over nodes). */
function nodeScope(cluster: Cluster): NodeScope {
  const pods = cluster.endpoints.filter((e) => e.ips.length > 0 && !e.hostNetwork);
  const stride = Math.max(1, Math.floor(pods.length / NODE_PODS));
  const localPods: Endpoint[] = [];
  for (let i = 0; i < pods.length && localPods.length < NODE_PODS; i += stride) localPods.push(pods[i] as Endpoint);
  return { localPods };
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;

function describe(d: RulesetDiff): string {
  switch (d.kind) {
    case "elements":
      return `elements +${d.added}/-${d.removed}`;
    case "objects":
      return `sets +${d.sets.added} -${d.sets.removed} ~${d.sets.changed}, chains +${d.chains.added} -${d.chains.removed} ~${d.chains.changed}, elements +${d.added}/-${d.removed}`;
    case "replace":
      return `replace (${d.reason})`;
    case "unchanged":
      return "unchanged";
  }
}

/** The cluster with one policy changed: an admin policy when there are any, else a NetworkPolicy. */
function changed(cluster: Cluster, scope: NodeScope): { cluster: Cluster; what: string } {
  const admin = cluster.adminPolicies ?? [];
  if (admin.length > 0) {
    // bench/admin.ts's first guardrail, with one more metadata address (ECS task metadata).
    const object: Obj = {
      apiVersion: "policy.networking.k8s.io/v1alpha2",
      kind: "ClusterNetworkPolicy",
      metadata: { name: "deny-metadata" },
      spec: { tier: "Admin", priority: 0, subject: { namespaces: {} }, egress: [{ name: "imds", action: "Deny", to: [{ networks: ["169.254.169.254/32", "fd00:ec2::254/128", "169.254.170.2/32"] }] }] },
    };
    const next = decodeOne(object).adminPolicies?.[0];
    if (next === undefined || !admin.some((p) => p.name === next.name)) throw new Error("the changed admin policy did not decode or replace one");
    return { cluster: { ...cluster, adminPolicies: admin.map((p) => (p.name === next.name ? next : p)) }, what: "ClusterNetworkPolicy deny-metadata: one more network" };
  }
  // A policy of a local pod's namespace: the replacement selects its pods, so the node's ruleset changes.
  const namespaces = new Set((scope.localPods ?? []).map((e) => e.namespace));
  const first = cluster.policies.find((p) => namespaces.has(p.namespace) && p.affects.egress) ?? cluster.policies.find((p) => namespaces.has(p.namespace));
  if (first === undefined) throw new Error("no NetworkPolicy in a local pod's namespace to change");
  const object: Obj = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { namespace: first.namespace, name: first.name },
    spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "203.0.113.0/24" } }], ports: [{ protocol: "TCP", port: 443 }] }] },
  };
  const next = decodeOne(object).policies[0];
  if (next === undefined) throw new Error("the changed NetworkPolicy did not decode");
  return { cluster: { ...cluster, policies: cluster.policies.map((p) => (p === first ? next : p)) }, what: `NetworkPolicy ${first.namespace}/${first.name} replaced (egress to an ipBlock)` };
}

function decodeOne(value: Obj): Cluster {
  const decoded = decodeCluster([{ base: [], value, locate: () => AT }]);
  const errors = decoded.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(`change.yaml: ${errors.map((d) => d.message).join("; ")}`);
  return decoded.value;
}

export function runNft(cluster: Cluster, options: EngineOptions, phase: Phase, limitS: number, sizes: (s: Partial<ShapeSizes>) => void): void {
  const scope = nodeScope(cluster);
  const first = phase("nft compile", limitS, () => {
    const r = compileRuleset(cluster, options, scope);
    const t = performance.now();
    const bytes = r.text.length;
    const render = performance.now() - t;
    const s = r.stats;
    sizes({ nftSets: s.sets, nftElements: s.elements, nftRules: s.rules, nftChains: s.chains, nftBytes: bytes });
    return { value: r, note: `${scope.localPods?.length ?? 0} local pods: ${s.sets} sets, ${s.elements} elements, ${s.rules} rules, ${s.chains} chains, ${kib(bytes)} of text (render ${render.toFixed(0)} ms)` };
  });
  if (first === undefined) return;
  const cache = new CompileCache();
  const warm = phase("nft compile, cached", limitS, () => {
    // As the enforcer compiles: with a cache (here filled by this compile, which therefore misses).
    const r = compileRuleset(cluster, options, scope, { cache });
    if (r.text !== first.text) throw new Error("the cached compile differs from the fresh one");
    return { value: r, note: `cache filled: ${cache.misses} rule lookups` };
  });
  if (warm === undefined) return;
  // Made before the phase (not timed); a failure fails the phase.
  const change = ((): { cluster: Cluster; what: string } | Error => {
    try {
      return changed(cluster, scope);
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  })();
  phase("nft policy change", limitS, () => {
    if (change instanceof Error) throw change;
    const hits = cache.hits;
    const misses = cache.misses;
    const t0 = performance.now();
    const next: CompileResult = compileRuleset(change.cluster, options, scope, { cache });
    const t1 = performance.now();
    const d = diffRulesets(warm.ruleset, next.ruleset);
    const text = d.kind === "unchanged" ? "" : d.text;
    const t2 = performance.now();
    const reuse = `cache ${cache.hits - hits} hits, ${cache.misses - misses} misses`;
    return { value: d, note: `${change.what}; cached compile ${(t1 - t0).toFixed(0)} ms (${reuse}), diff + text ${(t2 - t1).toFixed(0)} ms: ${describe(d)}, ${text.length} bytes` };
  });
}

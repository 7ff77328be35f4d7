import { sortedIds } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import type { Draft, LintRule } from "../types.js";

/**
 * The namespaces Kubernetes makes for itself (kube-system: the control plane's add-ons, CoreDNS,
 * kube-proxy; kube-public; kube-node-lease), which policy repositories rarely restrict: left out of
 * egress-not-isolated unless `--system-namespaces` says otherwise (`-n` only filters findings, as
 * for every rule: `lint -n kube-system --system-namespaces ''` shows kube-system's).
 */
export const DEFAULT_SYSTEM_NAMESPACES: readonly string[] = ["kube-system", "kube-public", "kube-node-lease"];

export const egressNotIsolated: LintRule = {
  id: "egress-not-isolated",
  severity: "info",
  summary: "Workloads that no egress policy selects: their egress is not restricted.",
  description:
    "A pod is isolated for egress only when some policy with Egress in its policyTypes selects it; until then it may connect anywhere. One finding per namespace lists the workloads of the input that the engine finds not isolated for egress (host-network pods, to which NetworkPolicy does not apply, are left out), except those whose egress an admin tier closes: an Admin or Baseline rule (ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy) that denies every address on every protocol, with no Pass before it, restricts them to the Accepts before it. The system namespaces (kube-system, kube-public, kube-node-lease; --system-namespaces) are not reported.",
  docs: "docs/rules/egress-not-isolated.md",
  check: (ctx) => {
    const drafts: Draft[] = [];
    const system = new Set(ctx.options.systemNamespaces ?? DEFAULT_SYSTEM_NAMESPACES);
    const namespaces = sortedIds(ctx.cluster.endpoints.map((e) => e.namespace)).filter((name) => !system.has(name));
    for (const name of namespaces) {
      const workloads = ctx.endpointsIn(name).filter((e) => !e.hostNetwork);
      // A pod whose egress an admin tier closes (an Admin or Baseline default-deny, after its Accepts) is restricted.
      const open = workloads.filter((e) => ctx.engine.governance(e, "egress").kind === "not-isolated" && !ctx.adminClosesEgress(e, ["Admin", "Baseline"]));
      const first = open[0];
      if (first === undefined) continue;
      const ns = ctx.cluster.namespaces.get(name);
      drafts.push({
        message: m.egressNotIsolated(name, open.length, workloads.length),
        object: { kind: "Namespace", namespace: "", name },
        // The Namespace object when the input declares it, else the first open workload's object.
        at: ns?.at ?? first.at,
        endpoints: sortedIds(open.map((e) => e.id)),
        hint: m.egressNotIsolatedHint(name),
      });
    }
    return drafts;
  },
};

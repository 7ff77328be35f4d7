import type { Endpoint, Policy } from "../model/cluster.js";
import { type Labels, labelsKey } from "../model/labels.js";
import type { Protocol } from "../model/ports.js";
import { type LabelSelector, selectorKey } from "../model/selector.js";
import type { Decision, Target } from "../engine/types.js";
import { namespaceLabels } from "../engine/classes.js";
import type { LintContext } from "./context.js";
import type { DnsTarget } from "./dns.js";
import { compareLocations } from "./describe.js";
import { labelsSatisfying } from "./witness.js";

/**
 * Labels a namespace that is not in the input would need to carry for a peer to select it: the
 * requirements of the peer's namespaceSelector beyond the `kubernetes.io/metadata.name` the API
 * server sets (the only label Portcullis knows such a namespace has).
 */
export interface NamespaceAssumption {
  readonly namespace: string;
  /** The labels it would need besides those known (never empty). */
  readonly labels: Labels;
}

/**
 * How a pod's DNS queries fare with the engine:
 * - `allowed`: allowed (or depending on addresses) as the input is;
 * - `assumed`: denied as the input is, because the DNS pods' namespace is not in the input and
 *   so carries only `kubernetes.io/metadata.name`; allowed if it carried the labels some peer's
 *   namespaceSelector asks for (each such labelling, in policy order);
 * - `denied`: denied whatever labels that namespace carries.
 */
export type DnsReach =
  | { readonly kind: "allowed"; readonly decision: Decision }
  | { readonly kind: "assumed"; readonly assumptions: readonly { readonly assumption: NamespaceAssumption; readonly decision: Decision }[] }
  | { readonly kind: "denied"; readonly first: { readonly target: DnsTarget; readonly decision: Decision } | undefined };

const ask = (engine: LintContext["engine"], subject: Endpoint, to: Target, protocol: Protocol): Decision =>
  engine.check({ from: { kind: "endpoint", endpoint: subject }, to, port: 53, protocol });

/** Whether `subject` may send DNS queries (port 53 over `protocol`) to the cluster DNS, and on what assumption. */
export function dnsReach(ctx: LintContext, subject: Endpoint, protocol: Protocol): DnsReach {
  const asIs = ctx.dns.targets.map((target) => ({ target, decision: ask(ctx.engine, subject, target.target, protocol) }));
  const open = asIs.find((a) => a.decision.egress.verdict !== "denied");
  if (open !== undefined) return { kind: "allowed", decision: open.decision };
  const assumptions: { assumption: NamespaceAssumption; decision: Decision }[] = [];
  const seen = new Set<string>();
  for (const candidate of candidateAssumptions(ctx, subject)) {
    const key = `${candidate.namespace}\u0000${labelsKey(candidate.labels)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const engine = ctx.engineAssuming(candidate);
    for (const target of ctx.dns.targets) {
      if (target.target.kind !== "endpoint" || target.target.endpoint.namespace !== candidate.namespace) continue;
      const decision = ask(engine, subject, target.target, protocol);
      if (decision.egress.verdict === "denied") continue;
      assumptions.push({ assumption: candidate, decision });
      break;
    }
  }
  if (assumptions.length > 0) return { kind: "assumed", assumptions };
  return { kind: "denied", first: asIs[0] };
}

/**
 * For each namespace of the DNS pods that the input does not declare, and each namespaceSelector
 * of an egress peer of the policies isolating `subject` (in source order): the labels the namespace
 * would need for the selector to match it. Complete: if some labelling of the namespace lets the
 * queries through, some peer's namespaceSelector matches it, and then the labels that selector
 * requires (added to the known ones) let them through too, since nothing else about the peer
 * depends on the namespace's labels.
 */
function candidateAssumptions(ctx: LintContext, subject: Endpoint): NamespaceAssumption[] {
  const unknown = [...new Set(ctx.dns.targets.flatMap((t) => (t.target.kind === "endpoint" ? [t.target.endpoint.namespace] : [])))].filter(
    (ns) => ctx.cluster.namespaces.get(ns)?.declared !== true,
  );
  if (unknown.length === 0) return [];
  const policies = [...ctx.engine.policiesSelecting(subject, "egress")].sort((a, b) => compareLocations(a.at, b.at));
  const selectors = namespaceSelectors(policies);
  const out: NamespaceAssumption[] = [];
  for (const namespace of unknown) {
    const known = namespaceLabels(ctx.universe.cluster.namespaces, namespace);
    for (const selector of selectors) {
      const labels = labelsSatisfying(selector, known);
      if (labels === null) continue;
      const extra = new Map([...labels].filter(([k]) => !known.has(k)));
      if (extra.size > 0) out.push({ namespace, labels: extra });
    }
  }
  return out;
}

function namespaceSelectors(policies: readonly Policy[]): LabelSelector[] {
  const byKey = new Map<string, LabelSelector>();
  for (const policy of policies) {
    for (const rule of policy.egress) {
      if (rule.peers === "all") continue;
      for (const peer of rule.peers) {
        if (peer.kind !== "pods" || peer.namespaces.kind !== "selected") continue;
        const key = selectorKey(peer.namespaces.selector);
        if (!byKey.has(key)) byKey.set(key, peer.namespaces.selector);
      }
    }
  }
  return [...byKey.values()];
}

/** `name=kube-system` or `a=1, b=2`. */
export function assumptionText(a: NamespaceAssumption): string {
  return [...a.labels].map(([k, v]) => `${k}=${v}`).join(", ");
}

export function sameAssumption(a: NamespaceAssumption, b: NamespaceAssumption): boolean {
  return a.namespace === b.namespace && labelsKey(a.labels) === labelsKey(b.labels);
}

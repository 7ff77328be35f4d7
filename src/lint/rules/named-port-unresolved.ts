import type { Direction, Endpoint, Policy, PolicyPort, Rule } from "../../model/cluster.js";
import { endpointAddresses, ipBlockAddresses } from "../../engine/addresses.js";
import { formatCidr } from "../../net/cidr.js";
import { type LintContext, perRule } from "../context.js";
import { policyObject, sortedIds } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import type { Draft, LintRule } from "../types.js";

export const namedPortUnresolved: LintRule = {
  id: "named-port-unresolved",
  severity: "warning",
  summary: "A named port that no pod the rule applies to declares.",
  description:
    "A named port is resolved against the container ports of the destination pod: for egress the pods the rule's peers select, for ingress the pods the policy selects. When none of them declares a container port of that name and protocol, the port matches nothing; towards the addresses of an egress rule's ipBlock outside the pod network (or any ipBlock, when ipBlocks do not match pods) a named port never matches, and that is reported too. The rule is silent when the input holds none of those pods (the synthetic kube-dns endpoint declares dns/UDP and dns-tcp/TCP).",
  docs: "docs/rules/named-port-unresolved.md",
  check: (ctx) => perRule(ctx, checkRule),
};

function checkRule(ctx: LintContext, policy: Policy, direction: Direction, rule: Rule): Draft[] {
  if (rule.ports === "all") return [];
  const named = rule.ports.filter((p): p is PolicyPort & { port: { kind: "named"; name: string } } => p.port.kind === "named");
  if (named.length === 0) return [];
  const destinations = direction === "egress" ? egressDestinations(ctx, policy, rule) : ctx.matchedBy(policy).filter((e) => !e.hostNetwork);
  const outside = direction === "egress" ? blocksOutsidePods(ctx, rule) : [];
  const common = { object: policyObject(policy), annotations: policy.annotations };
  const ids = sortedIds(destinations.map((e) => e.id));
  return named.flatMap((p) => {
    const drafts: Draft[] = [];
    const declared = destinations.some((e) => e.ports.some((c) => c.name === p.port.name && c.protocol === p.protocol));
    if (destinations.length > 0 && !declared) {
      drafts.push({ ...common, message: m.namedPortUnresolved(p.port.name, p.protocol, ids), at: p.at, endpoints: ids, hint: m.namedPortHint(p.port.name) });
    }
    if (outside.length > 0) {
      drafts.push({ ...common, message: m.namedPortNotPods(p.port.name, outside), at: p.at, endpoints: [], hint: m.namedPortHint(p.port.name) });
    }
    return drafts;
  });
}

/**
 * The pods of the input the rule's peers select, as the engine matches them (ipBlocks included,
 * when they match pods), and the synthetic kube-dns endpoint when a pod peer selects it.
 */
function egressDestinations(ctx: LintContext, policy: Policy, rule: Rule): Endpoint[] {
  const synthetic = ctx.dns.synthetic;
  const real = ctx.cluster.endpoints.filter((e) => !e.hostNetwork);
  if (rule.peers === "all") return synthetic === null ? real : [...real, synthetic];
  const peers = rule.peers;
  const selects = (e: Endpoint, kinds: readonly string[]): boolean =>
    peers.some((p) => kinds.includes(p.kind) && !ctx.engine.matchPeer(policy, p, { kind: "endpoint", endpoint: e }, endpointAddresses(e, ctx.options.engine)).allowed.isEmpty());
  const out = real.filter((e) => selects(e, ["pods", "ipBlock"]));
  if (synthetic !== null && selects(synthetic, ["pods"])) out.push(synthetic);
  return out;
}

/** The rule's ipBlocks that reach addresses outside the pods (all of them when ipBlocks do not match pods). */
function blocksOutsidePods(ctx: LintContext, rule: Rule): string[] {
  if (rule.peers === "all") return [];
  const { podNetwork, ipBlockMatchesPods } = ctx.options.engine;
  return rule.peers.flatMap((p) => {
    if (p.kind !== "ipBlock") return [];
    const beyond = ipBlockMatchesPods ? ipBlockAddresses(p).subtract(podNetwork) : ipBlockAddresses(p);
    return beyond.isEmpty() ? [] : [formatCidr(p.cidr)];
  });
}

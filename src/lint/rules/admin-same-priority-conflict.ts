import type { AdminRuleMatch } from "../../engine/admin-tiers.js";
import { targetAddresses } from "../../engine/addresses.js";
import type { Target } from "../../engine/types.js";
import { type AdminPolicy, effectiveAction, formatAdminPolicy } from "../../model/admin-policy.js";
import type { Direction, Endpoint } from "../../model/cluster.js";
import type { Protocol } from "../../model/ports.js";
import { AddressSet } from "../../net/address-set.js";
import { rulesOf, strictlyBefore } from "../admin-cover.js";
import type { LintContext } from "../context.js";
import { adminObject, adminRuleText, atText } from "../describe.js";
import { lintMessages as m } from "../messages.js";
import type { Draft, LintRule } from "../types.js";

const DIRECTIONS: readonly Direction[] = ["ingress", "egress"];

export const adminSamePriorityConflict: LintRule = {
  id: "admin-same-priority-conflict",
  severity: "warning",
  summary: "Two admin policies of one tier and one priority decide a connection differently.",
  description:
    "\"If two (or more) policies in the same tier with the same priority could match a connection, then the implementation can apply any of the matching policies to the connection, and there is no way for the user to reliably determine which one it will choose.\" For each pair of ClusterNetworkPolicies or AdminNetworkPolicies of one tier and one priority, and a pod of the input both select, the engine asks each policy alone about the connections its rules name (the other workloads of the input, the CIDRs and Node addresses of their peers, on the ports their protocols list); when one policy accepts, denies or passes a connection the other decides otherwise, and no policy of higher precedence decides it first, the finding names both rules and one such connection. Portcullis, like the reference, orders such policies by name; a cluster may not.",
  docs: "docs/rules/admin-same-priority-conflict.md",
  check: (ctx) => {
    const policies = ctx.cluster.adminPolicies ?? [];
    const drafts: Draft[] = [];
    for (const [i, a] of policies.entries()) {
      for (const b of policies.slice(i + 1)) {
        if (a.tier !== b.tier || a.priority === null || a.priority !== b.priority) continue;
        for (const direction of DIRECTIONS) {
          const conflict = findConflict(ctx, a, b, direction);
          if (conflict !== null) drafts.push(draft(a, b, direction, conflict));
        }
      }
    }
    return drafts;
  },
};

interface Conflict {
  readonly subject: Endpoint;
  readonly peer: string;
  readonly protocol: Protocol;
  readonly port: number;
  readonly first: AdminRuleMatch;
  readonly second: AdminRuleMatch;
}

/** The pieces of the asked connection each rule of one policy decides (first match), in rule order. */
function decided(rules: readonly AdminRuleMatch[]): { rule: AdminRuleMatch; set: AddressSet }[] {
  let open: AddressSet | null = null;
  const out: { rule: AdminRuleMatch; set: AddressSet }[] = [];
  for (const r of rules) {
    const set: AddressSet = open === null ? r.match : r.match.subtract(open);
    if (!set.isEmpty()) out.push({ rule: r, set });
    open = open === null ? r.match : open.union(r.match);
  }
  return out;
}

function findConflict(ctx: LintContext, a: AdminPolicy, b: AdminPolicy, direction: Direction): Conflict | null {
  const tiers = ctx.adminTiers();
  if (tiers === null || a[direction].length === 0 || b[direction].length === 0) return null;
  // The pods of the input both select ("Note that host-networked pods are not included in subject selection").
  const both = (e: Endpoint): boolean => {
    const selecting = ctx.adminSelecting(e, direction)[a.tier];
    return selecting.includes(a) && selecting.includes(b);
  };
  const subjects = ctx.cluster.endpoints.filter((e) => !e.hostNetwork && both(e));
  if (subjects.length === 0) return null;
  const targets: { target: Target; name: string; known: boolean }[] = ctx.cluster.endpoints.map((e) => ({ target: { kind: "endpoint", endpoint: e }, name: e.id, known: e.ips.length > 0 }));
  const outside = outsideAddresses(ctx, [a, b], direction);
  if (!outside.isEmpty()) targets.push({ target: { kind: "external", addresses: outside }, name: "", known: true });
  for (const { target, name, known } of targets) {
    // "A pod connecting to its own IP is not subject to ClusterNetworkPolicy": another pod stands as the subject.
    const subject = subjects.find((s) => target.kind === "external" || s !== target.endpoint);
    if (subject === undefined) continue;
    const destination = direction === "ingress" ? subject : target.kind === "endpoint" ? target.endpoint : null;
    for (const { protocol, port } of candidatePorts([a, b], direction, destination)) {
      const peerAddresses = targetAddresses(target, ctx.options.engine);
      const asked = { direction, peer: target, peerAddresses, port, protocol, destination };
      // What policies of higher precedence decide never reaches the two: no ambiguity there.
      const before = ctx.adminSelecting(subject, direction)[a.tier].filter((q) => strictlyBefore(q, a));
      const taken = tiers.rules(a.tier, before, asked).reduce((acc, r) => acc.union(r.match), AddressSet.EMPTY);
      const x = decided(tiers.rules(a.tier, [a], asked));
      const y = decided(tiers.rules(b.tier, [b], asked));
      for (const p of x) {
        for (const q of y) {
          if (p.rule.action === q.rule.action) continue;
          const both = p.set.intersect(q.set).subtract(taken);
          if (both.isEmpty()) continue;
          // A pod whose address is not known: only a conflict wherever it is (both rules match all of it, nothing before them does).
          if (!known && !(p.set.contains(peerAddresses) && q.set.contains(peerAddresses) && !taken.overlaps(peerAddresses))) continue;
          const peer = target.kind === "external" ? both.describe() : name;
          return { subject, peer, protocol, port, first: p.rule, second: q.rule };
        }
      }
    }
  }
  return null;
}

/** The addresses outside the pods the two policies' peers name: their `networks`, and the Nodes' addresses for `nodes` peers. */
function outsideAddresses(ctx: LintContext, policies: readonly AdminPolicy[], direction: Direction): AddressSet {
  let out = AddressSet.EMPTY;
  for (const p of policies) {
    for (const rule of rulesOf(p, direction)) {
      if (rule.match.kind !== "as-written") continue;
      for (const peer of rule.match.peers) {
        if (peer.kind === "networks") out = out.union(AddressSet.fromCidrs(peer.networks));
        if (peer.kind === "nodes") out = out.union(AddressSet.fromIps((ctx.cluster.nodes ?? []).flatMap((n) => n.addresses.map((x) => x.ip))));
      }
    }
  }
  return out;
}

/** The ports the policies' protocols name (each number, each range's ends), the destination pod's container ports (first; named ports resolve on them), and TCP 80 for rules of every protocol. */
function candidatePorts(policies: readonly AdminPolicy[], direction: Direction, destination: Endpoint | null): { protocol: Protocol; port: number }[] {
  const out = new Map<string, { protocol: Protocol; port: number }>();
  const add = (protocol: Protocol, port: number): void => {
    out.set(`${protocol}/${port}`, { protocol, port });
  };
  // The destination's own ports first: the connection named reads as one the pods make.
  for (const c of destination?.ports ?? []) add(c.protocol, c.port);
  for (const p of policies) {
    for (const rule of rulesOf(p, direction)) {
      if (rule.match.kind !== "as-written" || rule.match.protocols === "all") {
        add("TCP", 80);
        continue;
      }
      for (const e of rule.match.protocols) {
        if (e.kind === "namedPort") continue;
        if (e.port.kind === "number") add(e.protocol, e.port.port);
        else {
          add(e.protocol, e.port.start);
          add(e.protocol, e.port.end);
        }
      }
    }
  }
  return [...out.values()];
}

function draft(a: AdminPolicy, b: AdminPolicy, direction: Direction, c: Conflict): Draft {
  const rule = (r: AdminRuleMatch): string => `${adminRuleText(r.policy, direction, r.rule)} (${effectiveAction(r.rule)}, ${atText(r.rule.at)})`;
  const connection = direction === "egress" ? `${c.subject.id} → ${c.peer}` : `${c.peer} → ${c.subject.id}`;
  return {
    message: m.adminSamePriorityConflict(formatAdminPolicy(a), formatAdminPolicy(b), a.tier, a.priority ?? 0, rule(c.first), rule(c.second), `${connection}, ${c.protocol} port ${c.port}`),
    object: adminObject(b),
    at: c.second.rule.at,
    endpoints: [c.subject.id],
    hint: m.adminSamePriorityConflictHint(a.priority ?? 0),
  };
}

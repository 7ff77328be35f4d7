/**
 * The admin rules that apply to a workload, per direction, as the explain and egress views show
 * them: the rules of the admin policies whose subject selects it (engine.layersSelecting, in tier
 * and precedence order), each with its tier, policy, priority, index, name, action, peers,
 * protocols and location.
 */
import type { Location } from "../diag/location.js";
import {
  type AdminAction,
  type AdminEgressPeer,
  type AdminPolicyKind,
  type AdminProtocolMatch,
  type AdminRule,
  type AdminTier,
  adminRuleName,
  effectiveAction,
} from "../model/admin-policy.js";
import type { Direction, Endpoint } from "../model/cluster.js";
import { formatSelector } from "../model/selector.js";
import { formatCidr } from "../net/cidr.js";
import type { Engine } from "../engine/engine.js";
import type { Admission } from "../dns/snapshot.js";
import { AddressSet } from "../net/address-set.js";
import { serviceName, serviceWithClusterIp } from "../model/service.js";

export interface AdminRuleView {
  readonly tier: AdminTier;
  readonly policy: { readonly kind: AdminPolicyKind; readonly name: string };
  /** null: the BaselineAdminNetworkPolicy, which has none. */
  readonly priority: number | null;
  readonly direction: Direction;
  /** Index into spec.ingress/spec.egress. */
  readonly rule: number;
  readonly name: string | null;
  /** What the rule does: a rule that fails closed as a Deny of everything says `Deny`. */
  readonly action: AdminAction;
  /** An entry this CRD version does not know: an Accept matches nothing, a Deny or Pass denies everything. */
  readonly failClosed: boolean;
  /** `networks 169.254.169.254/32`, `pods app=web in namespaces {}`, `nodes role=infra`, ...; "all" for a rule that fails closed as a Deny of everything. */
  readonly peers: readonly string[] | "all";
  /** `TCP 53`, `UDP 1000-2000`, `named port dns`; "all" when the rule names none. */
  readonly protocols: readonly string[] | "all";
  readonly at: Location;
  /**
   * With a resolution snapshot, for a rule with domainNames peers: every address its patterns
   * admit, with the name and records that admit it. Absent without a snapshot or domain peers.
   */
  readonly admissions?: readonly AdmissionView[];
}

/** An admission, and the Service whose ClusterIP the address is (`ns/name`): after kube-proxy's DNAT no connection has it as destination. */
export interface AdmissionView extends Admission {
  readonly clusterIpOf?: string;
}

/** The admin rules of the policies whose subject selects `endpoint` for `direction`, in the order the tiers walk them. */
export function adminRulesSelecting(engine: Engine, endpoint: Endpoint, direction: Direction): AdminRuleView[] {
  if (endpoint.hostNetwork) return [];
  const out: AdminRuleView[] = [];
  const resolved = engine.options.dns !== undefined;
  for (const layer of engine.layersSelecting(endpoint, direction)) {
    if (layer.kind !== "admin") continue;
    for (const policy of layer.policies) {
      for (const rule of policy[direction] as readonly AdminRule<AdminEgressPeer>[]) {
        const m = rule.match;
        out.push({
          ...adminRuleName(layer.tier, policy, rule),
          direction,
          action: effectiveAction(rule),
          failClosed: m.kind !== "as-written",
          peers: m.kind === "denies-all" ? "all" : m.kind === "matches-nothing" ? [] : m.peers.map((p) => adminPeerText(p, resolved)),
          protocols: m.kind === "as-written" && m.protocols !== "all" ? m.protocols.map(adminProtocolText) : "all",
          at: rule.at,
          ...admissionsOf(engine, rule),
        });
      }
    }
  }
  return out;
}

/** `{admissions}` of a rule with domain peers when the engine has a resolution snapshot; nothing otherwise. */
function admissionsOf(engine: Engine, rule: AdminRule<AdminEgressPeer>): { readonly admissions?: readonly AdmissionView[] } {
  const admin = engine.adminTiers();
  if (engine.options.dns === undefined || admin === null || rule.match.kind !== "as-written" || !rule.match.peers.some((p) => p.kind === "domainNames")) return {};
  return {
    admissions: admin.admissions(rule, AddressSet.ALL).map((a) => {
      const service = serviceWithClusterIp(engine.cluster.services, a.resolution.address);
      return service === undefined ? a : { ...a, clusterIpOf: serviceName(service) };
    }),
  };
}

/** One admin peer in words; `resolved`: a resolution snapshot says what domain names resolve to. */
export function adminPeerText(peer: AdminEgressPeer, resolved = false): string {
  switch (peer.kind) {
    case "namespaces":
      return `namespaces ${formatSelector(peer.namespaces)}`;
    case "pods":
      return `pods ${formatSelector(peer.pods)} in namespaces ${formatSelector(peer.namespaces)}`;
    case "nodes":
      return `nodes ${formatSelector(peer.nodes)}`;
    case "networks":
      return `networks ${peer.networks.map(formatCidr).join(", ")}`;
    case "domainNames":
      return `domainNames ${peer.domainNames.map((d) => d.text).join(", ")} (${resolved ? "the addresses the DNS snapshot gives them" : "depends on DNS: not evaluated offline"})`;
  }
}

function adminProtocolText(entry: AdminProtocolMatch): string {
  if (entry.kind === "namedPort") return `named port ${entry.name}`;
  return `${entry.protocol} ${entry.port.kind === "number" ? entry.port.port : `${entry.port.start}-${entry.port.end}`}`;
}

import type { Location } from "../diag/location.js";
import type { Direction, Endpoint, Peer, Policy, Rule } from "../model/cluster.js";
import { formatPortMatch } from "../model/ports.js";
import { formatSelector, selectorMatches } from "../model/selector.js";
import { formatCidr } from "../net/cidr.js";
import { endpointAddresses } from "../engine/addresses.js";
import type { Engine } from "../engine/engine.js";
import type { Governance } from "../engine/types.js";
import { type AdminRuleView, adminRulesSelecting } from "./admin-rules.js";
import type { ConnSetJson } from "./connset.js";
import { PairAnalysis, sortedEndpoints } from "./matrix.js";
import { externalConns } from "./reach.js";

export type PeerView =
  | {
      readonly index: number;
      readonly kind: "pods";
      /** `own` (the policy's namespace) or the namespace selector in kubectl syntax. */
      readonly namespaces: string;
      readonly pods: string;
      /** The endpoints this peer selects now. */
      readonly selects: readonly string[];
      readonly at: Location;
    }
  | { readonly index: number; readonly kind: "ipBlock"; readonly cidr: string; readonly except: readonly string[]; readonly at: Location };

export interface RuleView {
  readonly policy: { readonly namespace: string; readonly name: string };
  readonly direction: Direction;
  readonly rule: number;
  readonly peers: readonly PeerView[] | "all";
  /** Ports like `TCP 443`, `UDP 53`, `TCP 8000-9000`, `TCP http`; "all" when the rule names none. */
  readonly ports: readonly string[] | "all";
  readonly at: Location;
}

export interface PolicyView {
  readonly namespace: string;
  readonly name: string;
  readonly at: Location;
  readonly podSelector: string;
  readonly selects: readonly string[];
  readonly affects: readonly Direction[];
  readonly policyTypesDeclared: boolean;
  readonly ingress: readonly RuleView[];
  readonly egress: readonly RuleView[];
}

export interface ReachView {
  readonly peer: string;
  readonly conns: ConnSetJson;
}

export interface DirectionView {
  readonly governance: Governance;
  readonly rules: readonly RuleView[];
  /** The rules of the admin policies (Admin, then Baseline tier) whose subject selects it, in the order the tiers walk them. */
  readonly adminRules: readonly AdminRuleView[];
  /** Modelled endpoints reachable (egress) or that can reach it (ingress), with the connections (every tier walked). */
  readonly endpoints: readonly ReachView[];
  /** The IP space, in regions with the same allowed connections (CIDR lists). */
  readonly external: readonly ReachView[];
}

export interface EndpointView {
  readonly id: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly addresses: string;
  readonly hostNetwork: boolean;
  readonly egress: DirectionView;
  readonly ingress: DirectionView;
}

function peerView(engine: Engine, policy: Policy, peer: Peer, index: number): PeerView {
  if (peer.kind === "ipBlock") return { index, kind: "ipBlock", cidr: formatCidr(peer.cidr), except: peer.except.map(formatCidr), at: peer.at };
  const selects = sortedEndpoints(engine.cluster.endpoints)
    .filter((e) => !engine.matchPeer(policy, peer, { kind: "endpoint", endpoint: e }, endpointAddresses(e, engine.options)).allowed.isEmpty())
    .filter((e) => !e.hostNetwork)
    .map((e) => e.id);
  return {
    index,
    kind: "pods",
    namespaces: peer.namespaces.kind === "own" ? "own" : formatSelector(peer.namespaces.selector),
    pods: formatSelector(peer.pods),
    selects,
    at: peer.at,
  };
}

function ruleView(engine: Engine, policy: Policy, direction: Direction, rule: Rule): RuleView {
  return {
    policy: { namespace: policy.namespace, name: policy.name },
    direction,
    rule: rule.index,
    peers: rule.peers === "all" ? "all" : rule.peers.map((p, i) => peerView(engine, policy, p, i)),
    ports: rule.ports === "all" ? "all" : rule.ports.map((p) => `${p.protocol} ${formatPortMatch(p.port)}`),
    at: rule.at,
  };
}

export function explainPolicy(engine: Engine, policy: Policy): PolicyView {
  const selects = sortedEndpoints(engine.cluster.endpoints)
    .filter((e) => e.namespace === policy.namespace && !e.hostNetwork && selectorMatches(policy.podSelector, e.labels))
    .map((e) => e.id);
  const affects: Direction[] = [];
  if (policy.affects.ingress) affects.push("ingress");
  if (policy.affects.egress) affects.push("egress");
  return {
    namespace: policy.namespace,
    name: policy.name,
    at: policy.at,
    podSelector: formatSelector(policy.podSelector),
    selects,
    affects,
    policyTypesDeclared: policy.policyTypesDeclared,
    ingress: policy.ingress.map((r) => ruleView(engine, policy, "ingress", r)),
    egress: policy.egress.map((r) => ruleView(engine, policy, "egress", r)),
  };
}

function directionView(engine: Engine, pairs: PairAnalysis, endpoint: Endpoint, direction: Direction): DirectionView {
  const policies = endpoint.hostNetwork ? [] : engine.policiesSelecting(endpoint, direction);
  const rules = policies.flatMap((p) => p[direction].map((r) => ruleView(engine, p, direction, r)));
  const endpoints = sortedEndpoints(engine.cluster.endpoints)
    .filter((other) => other !== endpoint)
    .flatMap((other) => {
      const conns = direction === "egress" ? pairs.conns(endpoint, other).full : pairs.conns(other, endpoint).full;
      return conns.isEmpty() ? [] : [{ peer: other.id, conns: conns.toJSON() }];
    });
  const external = externalConns(engine, endpoint, direction).map((r) => ({ peer: r.addresses.toString(), conns: r.conns.toJSON() }));
  return { governance: engine.governance(endpoint, direction), rules, adminRules: adminRulesSelecting(engine, endpoint, direction), endpoints, external };
}

/** Everything an endpoint may send to and receive from, per rule, including the external IP space. */
export function explainEndpoint(engine: Engine, endpoint: Endpoint): EndpointView {
  const pairs = new PairAnalysis(engine);
  return {
    id: endpoint.id,
    kind: endpoint.kind,
    namespace: endpoint.namespace,
    name: endpoint.name,
    labels: Object.fromEntries(endpoint.labels),
    addresses: endpoint.ips.length > 0 ? endpointAddresses(endpoint, engine.options).toString() : "",
    hostNetwork: endpoint.hostNetwork,
    egress: directionView(engine, pairs, endpoint, "egress"),
    ingress: directionView(engine, pairs, endpoint, "ingress"),
  };
}

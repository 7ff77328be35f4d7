/**
 * The written specs an explanation points at (the peer and the rule's ports), looked up in the
 * cluster by the explanation's indexes, so sentences can quote them. Pure.
 */
import type { Cluster, Peer, Policy } from "../model/cluster.js";
import { formatPortMatch } from "../model/ports.js";
import { formatSelector, isMatchAll } from "../model/selector.js";
import { formatCidr } from "../net/cidr.js";
import type { Explanation } from "../engine/types.js";

export interface ExplanationSpecs {
  /** The peer as written: `ipBlock 169.254.0.0/16 except 169.254.169.254/32`, `pods app=db in namespace shop`; null when none. */
  readonly peerSpec: string | null;
  /** The rule's ports, like `["TCP 443", "UDP dns"]`; null when the rule names no ports (all) or there is no rule. */
  readonly ports: readonly string[] | null;
  /** The port at the explanation's port index, like `TCP http`; null when none. */
  readonly portSpec: string | null;
}

export function formatPeer(policy: Policy, peer: Peer): string {
  if (peer.kind === "ipBlock") {
    const except = peer.except.length === 0 ? "" : ` except ${peer.except.map(formatCidr).join(",")}`;
    return `ipBlock ${formatCidr(peer.cidr)}${except}`;
  }
  const pods = isMatchAll(peer.pods) ? "all pods" : `pods ${formatSelector(peer.pods)}`;
  if (peer.namespaces.kind === "own") return `${pods} in namespace ${policy.namespace}`;
  const namespaces = peer.namespaces.selector;
  return isMatchAll(namespaces) ? `${pods} in all namespaces` : `${pods} in namespaces ${formatSelector(namespaces)}`;
}

export function explanationSpecs(cluster: Cluster, e: Explanation): ExplanationSpecs {
  const none: ExplanationSpecs = { peerSpec: null, ports: null, portSpec: null };
  const policy = cluster.policies.find((p) => p.namespace === e.policy.namespace && p.name === e.policy.name);
  const rule = policy === undefined || e.rule === null ? undefined : policy[e.direction][e.rule];
  if (policy === undefined || rule === undefined) return none;
  const peer = e.peer === null || rule.peers === "all" ? undefined : rule.peers[e.peer];
  const ports = rule.ports === "all" ? null : rule.ports.map((p) => `${p.protocol} ${formatPortMatch(p.port)}`);
  const portSpec = e.port === null || ports === null ? null : (ports[e.port] ?? null);
  return { peerSpec: peer === undefined ? null : formatPeer(policy, peer), ports, portSpec };
}

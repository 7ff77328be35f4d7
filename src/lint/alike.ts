import type { Cluster, Endpoint, Peer, Policy } from "../model/cluster.js";
import { selectorMatches } from "../model/selector.js";
import { endpointAddresses } from "../engine/addresses.js";
import type { Engine } from "../engine/engine.js";

/** Whether a peer of `policy` admits the endpoint, as the engine matches it. */
export function peerMatches(engine: Engine, policy: Policy, peer: Peer, t: Endpoint): boolean {
  return !engine.matchPeer(policy, peer, { kind: "endpoint", endpoint: t }, endpointAddresses(t, engine.options)).allowed.isEmpty();
}

/**
 * Endpoints every rule of the cluster treats alike, so that one of each kind is enough:
 * as the other side, those matched by the same peers, with the same ports and addresses; as the
 * subject, those selected by the same policies, with the same ports and addresses.
 */
export class Alike {
  private readonly peers: { policy: Policy; peer: Peer }[];

  constructor(
    private readonly cluster: Cluster,
    private readonly engine: Engine,
  ) {
    this.peers = cluster.policies.flatMap((policy) =>
      [...policy.ingress, ...policy.egress].flatMap((r) => (r.peers === "all" ? [] : r.peers.filter((p) => p.kind === "pods").map((peer) => ({ policy, peer })))),
    );
  }

  targets(endpoints: readonly Endpoint[]): Endpoint[] {
    return distinct(endpoints, (e) => `${e.hostNetwork}|${this.peers.map(({ policy, peer }) => (peerMatches(this.engine, policy, peer, e) ? 1 : 0)).join("")}|${this.adminKey(e)}`);
  }

  subjects(endpoints: readonly Endpoint[]): Endpoint[] {
    return distinct(endpoints, (e) => `${this.cluster.policies.map((p) => (p.namespace === e.namespace && selectorMatches(p.podSelector, e.labels) ? 1 : 0)).join("")}|${this.adminKey(e)}`);
  }

  /**
   * Admin subjects and `pods`/`namespaces` peers select by namespace labels and pod labels: with
   * admin policies in the cluster, only endpoints of one label class are alike (their addresses,
   * which `nodes`/`networks` peers read, are in the key already).
   */
  private adminKey(e: Endpoint): string {
    return this.engine.adminTiers() === null ? "" : String(this.engine.classes.classOf(e).index);
  }
}

function distinct(endpoints: readonly Endpoint[], key: (e: Endpoint) => string): Endpoint[] {
  const seen = new Map<string, Endpoint>();
  for (const e of endpoints) {
    const ports = e.ports.map((p) => `${p.name ?? ""}:${p.port}/${p.protocol}`).sort().join(",");
    const ips = e.ips.map((ip) => `${ip.family}:${ip.value}`).sort().join(",");
    const k = `${key(e)}|${ports}|${ips}`;
    if (!seen.has(k)) seen.set(k, e);
  }
  return [...seen.values()];
}

import type { Endpoint, Peer, Policy, Rule } from "../model/cluster.js";
import { ipBlockAddresses } from "../engine/addresses.js";
import type { Engine } from "../engine/engine.js";
import { AddressSet } from "../net/address-set.js";
import type { Ip } from "../net/ip.js";

/** The peer addresses one rule admits, and which of them are pods (for named ports). */
export interface RulePeers {
  readonly addresses: AddressSet;
  /** Endpoints with known IPs the rule's peers admit, with the addresses admitted (when asked for). */
  readonly endpoints: ReadonlyMap<Endpoint, AddressSet>;
}

type Add = (e: Endpoint, addresses: () => AddressSet) => void;

const target = (endpoint: Endpoint) => ({ kind: "endpoint", endpoint }) as const;

/**
 * The peer side of rules as addresses. Every decision is the engine's `matchPeer`, asked once per
 * label class for selector peers and once per endpoint inside the block for ipBlock peers, so the
 * dataplane follows `ipBlockMatchesPods` and selector semantics exactly as the analyses do.
 * Pods without a known IP cannot be put in a set: they are absent (and reported by the compiler).
 */
export class PeerResolver {
  /** Per label class, its endpoints with known IPs, and all their IPs (classes without any are left out). */
  private readonly known: { readonly first: Endpoint; readonly endpoints: readonly Endpoint[]; readonly ips: readonly Ip[] }[] = [];

  constructor(private readonly engine: Engine) {
    for (const c of engine.classes.all) {
      const endpoints = c.endpoints.filter((e) => e.ips.length > 0);
      const first = endpoints[0];
      if (first !== undefined) this.known.push({ first, endpoints, ips: endpoints.flatMap((e) => e.ips) });
    }
  }

  /** `withEndpoints`: also say which endpoints are admitted (named ports need them). */
  rulePeers(policy: Policy, rule: Rule, withEndpoints: boolean): RulePeers {
    const endpoints = new Map<Endpoint, AddressSet>();
    const add = (e: Endpoint, a: () => AddressSet): void => {
      if (!withEndpoints) return;
      const addresses = a();
      if (!addresses.isEmpty()) endpoints.set(e, (endpoints.get(e) ?? AddressSet.EMPTY).union(addresses));
    };
    // "If this field is empty or missing, this rule matches all destinations/sources."
    if (rule.peers === "all") {
      for (const k of this.known) for (const e of k.endpoints) add(e, () => AddressSet.fromIps(e.ips));
      return { addresses: AddressSet.ALL, endpoints };
    }
    let addresses = AddressSet.EMPTY;
    for (const peer of rule.peers) {
      addresses = addresses.union(peer.kind === "pods" ? this.podsPeer(policy, peer, add) : this.ipBlockPeer(policy, peer, add));
    }
    return { addresses, endpoints };
  }

  private podsPeer(policy: Policy, peer: Extract<Peer, { kind: "pods" }>, add: Add): AddressSet {
    const ips: Ip[] = [];
    for (const k of this.known) {
      // A selector peer's answer is the same for every endpoint of a label class, and depends on
      // labels only (the addresses passed are merely handed back), so one question per class.
      if (this.engine.matchPeer(policy, peer, target(k.first), AddressSet.EMPTY).reason !== "allowed") continue;
      for (const e of k.endpoints) add(e, () => AddressSet.fromIps(e.ips));
      for (const ip of k.ips) ips.push(ip);
    }
    return AddressSet.fromIps(ips);
  }

  private ipBlockPeer(policy: Policy, peer: Extract<Peer, { kind: "ipBlock" }>, add: Add): AddressSet {
    const block = ipBlockAddresses(peer);
    let excluded: Ip[] = [];
    let admitted: Ip[] = [];
    for (const { endpoints } of this.known) {
      for (const e of endpoints) {
        const inside = e.ips.filter((ip) => block.has(ip));
        if (inside.length === 0) continue;
        // Whether the block admits a pod's own IP is the engine's call (`ipBlockMatchesPods`).
        const allowed = this.engine.matchPeer(policy, peer, target(e), AddressSet.fromIps(e.ips)).allowed;
        excluded = excluded.concat(inside.filter((ip) => !allowed.has(ip)));
        admitted = admitted.concat(inside.filter((ip) => allowed.has(ip)));
        add(e, () => allowed);
      }
    }
    // An address two endpoints share stays when either is admitted.
    return block.subtract(AddressSet.fromIps(excluded).subtract(AddressSet.fromIps(admitted)));
  }
}

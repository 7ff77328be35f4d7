import type { Endpoint } from "../model/cluster.js";
import type { AdminEgressPeer, AdminRule } from "../model/admin-policy.js";
import { AddressSet } from "../net/address-set.js";
import { ipBlockAddresses, endpointAddresses } from "../engine/addresses.js";
import type { Engine } from "../engine/engine.js";
import { countAtMost } from "../net/sorted.js";

/**
 * Splits the address space at every ipBlock boundary of the cluster, and at every boundary of the
 * addresses admin policies match (`networks` CIDRs, the addresses of the Nodes `nodes` peers
 * select, the addresses the resolution snapshot gives `domainNames` peers). Two endpoints whose addresses touch the same atoms are treated alike by every ipBlock
 * and every admin peer, so they can share one analysis.
 */
export class AddressAtoms {
  /** ipBlock boundaries: they see pod IPs only with --ipblock-matches-pods (host-network pods always). */
  private readonly ipBlocks: Bounds;
  /** Admin `networks` and `nodes` boundaries: "cluster-internal traffic will be checked against the rule as well", pod IPs too. */
  private readonly admin: Bounds;

  constructor(private readonly engine: Engine) {
    const blocks = new BoundSet();
    for (const policy of engine.cluster.policies) {
      for (const rule of [...policy.ingress, ...policy.egress]) {
        if (rule.peers === "all") continue;
        for (const peer of rule.peers) if (peer.kind === "ipBlock") blocks.add(ipBlockAddresses(peer));
      }
    }
    this.ipBlocks = blocks.sorted();
    const admin = new BoundSet();
    const tiers = engine.adminTiers();
    const dns = engine.options.dns;
    for (const policy of engine.cluster.adminPolicies ?? []) {
      for (const rule of [...policy.ingress, ...policy.egress] as readonly AdminRule<AdminEgressPeer>[]) {
        if (rule.match.kind !== "as-written") continue;
        for (const peer of rule.match.peers) {
          if (peer.kind === "networks") admin.add(AddressSet.fromCidrs(peer.networks));
          if (peer.kind === "nodes" && tiers !== null) admin.add(tiers.nodesAt(peer.nodes));
          // With a resolution snapshot a `domainNames` peer matches the addresses its names resolve to (without one
          // it depends for every address alike): those addresses split endpoints too.
          if (peer.kind === "domainNames" && dns !== undefined) for (const d of peer.domainNames) if (d.pattern !== null) admin.add(AddressSet.fromIps(dns.addresses(d.pattern)));
        }
      }
    }
    this.admin = admin.sorted();
  }

  /** A key that is equal for two endpoints that every ipBlock and every admin peer of addresses treat alike. */
  signature(endpoint: Endpoint): string {
    const blocks = endpoint.hostNetwork || this.engine.options.ipBlockMatchesPods ? this.ipBlocks : NO_BOUNDS;
    if (isEmpty(blocks) && isEmpty(this.admin)) return "";
    const addresses = endpointAddresses(endpoint, this.engine.options);
    const ofBlocks = isEmpty(blocks) ? "" : signatureOf(addresses, blocks);
    return isEmpty(this.admin) ? ofBlocks : `${ofBlocks}/${signatureOf(addresses, this.admin)}`;
  }
}

/** Sorted boundaries per family. */
interface Bounds {
  readonly v4: readonly bigint[];
  readonly v6: readonly bigint[];
}

const NO_BOUNDS: Bounds = { v4: [], v6: [] };

function isEmpty(b: Bounds): boolean {
  return b.v4.length === 0 && b.v6.length === 0;
}

/** Boundaries being collected: where each interval of the sets added starts, and where it ends. */
class BoundSet {
  private readonly v4 = new Set<bigint>();
  private readonly v6 = new Set<bigint>();

  add(set: AddressSet): void {
    for (const i of set.v4.intervals) this.v4.add(i.lo).add(i.hi + 1n);
    for (const i of set.v6.intervals) this.v6.add(i.lo).add(i.hi + 1n);
  }

  sorted(): Bounds {
    const sort = (s: Set<bigint>): bigint[] => [...s].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { v4: sort(this.v4), v6: sort(this.v6) };
  }
}

/** Each interval end as the atom it falls in: how many boundaries are at or below it. */
function signatureOf(addresses: AddressSet, bounds: Bounds): string {
  const part = (at: readonly bigint[], intervals: AddressSet["v4"]["intervals"]): string =>
    intervals.map((i) => `${countAtMost(at, i.lo)}-${countAtMost(at, i.hi)}`).join(",");
  return `${part(bounds.v4, addresses.v4.intervals)}|${part(bounds.v6, addresses.v6.intervals)}`;
}

import type { Endpoint } from "../model/cluster.js";
import type { AddressSet } from "../net/address-set.js";
import { ipBlockAddresses, endpointAddresses } from "../engine/addresses.js";
import type { Engine } from "../engine/engine.js";
import { countAtMost } from "../net/sorted.js";

/**
 * Splits the address space at every ipBlock boundary of the cluster. Two endpoints whose addresses
 * touch the same atoms are treated alike by every ipBlock, so they can share one analysis.
 */
export class AddressAtoms {
  private readonly v4: bigint[];
  private readonly v6: bigint[];

  constructor(private readonly engine: Engine) {
    const v4 = new Set<bigint>();
    const v6 = new Set<bigint>();
    for (const policy of engine.cluster.policies) {
      for (const rule of [...policy.ingress, ...policy.egress]) {
        if (rule.peers === "all") continue;
        for (const peer of rule.peers) {
          if (peer.kind !== "ipBlock") continue;
          const set = ipBlockAddresses(peer);
          for (const i of set.v4.intervals) v4.add(i.lo).add(i.hi + 1n);
          for (const i of set.v6.intervals) v6.add(i.lo).add(i.hi + 1n);
        }
      }
    }
    const sort = (s: Set<bigint>): bigint[] => [...s].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.v4 = sort(v4);
    this.v6 = sort(v6);
  }

  /** A key that is equal for two endpoints that every ipBlock treats alike. */
  signature(endpoint: Endpoint): string {
    if (this.v4.length === 0 && this.v6.length === 0) return "";
    if (!endpoint.hostNetwork && !this.engine.options.ipBlockMatchesPods) return "";
    return signatureOf(endpointAddresses(endpoint, this.engine.options), this.v4, this.v6);
  }
}

/** Each interval end as the atom it falls in: how many boundaries are at or below it. */
function signatureOf(addresses: AddressSet, v4: readonly bigint[], v6: readonly bigint[]): string {
  const part = (bounds: readonly bigint[], intervals: AddressSet["v4"]["intervals"]): string =>
    intervals.map((i) => `${countAtMost(bounds, i.lo)}-${countAtMost(bounds, i.hi)}`).join(",");
  return `${part(v4, addresses.v4.intervals)}|${part(v6, addresses.v6.intervals)}`;
}

import type { Peer, Policy } from "../../model/cluster.js";
import type { AddressSet } from "../../net/address-set.js";
import type { IntervalSet } from "../../net/interval-set.js";
import { ipBlockAddresses } from "../addresses.js";
import { countAtMost } from "../../net/sorted.js";

/**
 * Every boundary an ipBlock draws in the address space (per family, sorted). Two address sets
 * whose intervals start and end in the same atoms between boundaries are treated alike by every
 * ipBlock: each ipBlock is a union of atoms.
 */
export class AddressBounds {
  /** Each boundary as text, for signatures. */
  private readonly text: Readonly<Record<4 | 6, readonly string[]>>;

  private constructor(
    readonly v4: readonly bigint[],
    readonly v6: readonly bigint[],
    /**
     * The boundaries of the address sets that meet every endpoint, pods included: the admin
     * policies' `networks` ("cluster-internal traffic will be checked against the rule as well")
     * and the node addresses of their `nodes` peers. Null when there are none.
     */
    readonly everyEndpoint: AddressBounds | null = null,
  ) {
    this.text = { 4: v4.map((b) => b.toString(16)), 6: v6.map((b) => b.toString(16)) };
  }

  static readonly NONE = new AddressBounds([], []);

  /** `admin`: the address sets of admin peers, which split classes of every endpoint (see `everyEndpoint`). */
  static of(policies: Iterable<Policy>, admin: Iterable<AddressSet> = []): AddressBounds {
    const blocks = AddressBounds.NONE.with(ipBlocksOf(policies));
    const every = AddressBounds.NONE.withSets(admin);
    return every.isEmpty() ? blocks : new AddressBounds(blocks.v4, blocks.v6, every);
  }

  isEmpty(): boolean {
    return this.v4.length === 0 && this.v6.length === 0;
  }

  /** These bounds and those of `blocks`; this very object when they add none. */
  with(blocks: Iterable<Extract<Peer, { kind: "ipBlock" }>>): AddressBounds {
    return this.withSets(mapIterable(blocks, ipBlockAddresses));
  }

  private withSets(sets: Iterable<AddressSet>): AddressBounds {
    const v4 = new Set(this.v4);
    const v6 = new Set(this.v6);
    for (const set of sets) {
      for (const i of set.v4.intervals) v4.add(i.lo).add(i.hi + 1n);
      for (const i of set.v6.intervals) v6.add(i.lo).add(i.hi + 1n);
    }
    if (v4.size === this.v4.length && v6.size === this.v6.length) return this;
    const sort = (s: Set<bigint>): bigint[] => [...s].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return new AddressBounds(sort(v4), sort(v6), this.everyEndpoint);
  }

  /** The boundaries in `next` that are not here, per family. */
  added(next: AddressBounds): { readonly v4: bigint[]; readonly v6: bigint[] } {
    const a4 = new Set(this.v4);
    const a6 = new Set(this.v6);
    return { v4: next.v4.filter((b) => !a4.has(b)), v6: next.v6.filter((b) => !a6.has(b)) };
  }

  /**
   * A key equal for two address sets that every ipBlock treats alike: the atom of each interval end.
   * Adding a boundary changes the key only of sets with an interval end in an atom it splits.
   */
  signature(addresses: AddressSet): string {
    return `${part(this.v4, this.text[4], addresses.v4)}|${part(this.v6, this.text[6], addresses.v6)}`;
  }

  /** The key of an endpoint's addresses: by the ipBlock boundaries when ipBlocks apply to it, by the admin peers' always. */
  classSignature(addresses: AddressSet, ipBlocksApply: boolean): string {
    const blocks = ipBlocksApply ? this.signature(addresses) : "";
    return this.everyEndpoint === null ? blocks : `${blocks}~${this.everyEndpoint.signature(addresses)}`;
  }
}

function* mapIterable<T, U>(items: Iterable<T>, f: (t: T) => U): Generator<U> {
  for (const t of items) yield f(t);
}

function part(bounds: readonly bigint[], text: readonly string[], set: IntervalSet): string {
  let out = "";
  for (const i of set.intervals) out += `${text[floor(bounds, i.lo)] ?? "_"}-${text[floor(bounds, i.hi)] ?? "_"},`;
  return out;
}

/** The index of the greatest boundary at or below `value` (the start of its atom); -1 below all. */
const floor = (bounds: readonly bigint[], value: bigint): number => countAtMost(bounds, value) - 1;

export function* ipBlocksOf(policies: Iterable<Policy>): Generator<Extract<Peer, { kind: "ipBlock" }>> {
  for (const policy of policies) {
    for (const rules of [policy.ingress, policy.egress]) {
      for (const rule of rules) {
        if (rule.peers === "all") continue;
        for (const peer of rule.peers) if (peer.kind === "ipBlock") yield peer;
      }
    }
  }
}

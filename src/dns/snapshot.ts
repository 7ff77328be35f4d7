/**
 * A resolution snapshot: what names resolve to, as given offline (`--dns-records FILE`, `--resolve
 * NAME=IP`) or as the cluster's own DNS serves it. The engine answers a `domainNames` peer from it:
 * "allowed for the addresses the pod resolved" becomes a definite answer for the addresses the
 * snapshot says a name resolves to.
 */
import type { Location } from "../diag/location.js";
import { type Ip, compareIps, formatIp } from "../net/ip.js";
import { type DnsName, type DomainPattern, patternMatches } from "./names.js";

/** An A/AAAA record (the family of `address` says which) or a CNAME; `ttl` in seconds. */
export type DnsRecord =
  | { readonly kind: "address"; readonly name: DnsName; readonly address: Ip; readonly ttl: number; readonly at?: Location }
  | { readonly kind: "cname"; readonly name: DnsName; readonly target: DnsName; readonly ttl: number; readonly at?: Location };

/** `A`, `AAAA` or `CNAME`: the record type as DNS names it. */
export function recordType(record: DnsRecord): "A" | "AAAA" | "CNAME" {
  if (record.kind === "cname") return "CNAME";
  return record.address.family === 4 ? "A" : "AAAA";
}

/**
 * One address a name resolves to. `chain`: the names from the one asked to the one holding the
 * address record (CNAME hops in between); `records`: the CNAME records followed, then the address
 * record; `ttl`: the smallest TTL along them (the answer is good that long).
 */
export interface Resolution {
  readonly address: Ip;
  readonly chain: readonly DnsName[];
  readonly records: readonly DnsRecord[];
  readonly ttl: number;
}

/** Why a pattern admits an address: the name it matched and how that name resolves to the address. */
export interface Admission {
  readonly pattern: DomainPattern;
  readonly name: DnsName;
  readonly resolution: Resolution;
}

/** A CNAME chain longer than this is not followed (resolvers give up around 8-16 hops). */
export const MAX_CNAME_HOPS = 16;

export class DnsSnapshot {
  static readonly EMPTY = new DnsSnapshot([]);

  private readonly byName = new Map<DnsName, DnsRecord[]>();
  private readonly resolved = new Map<DnsName, readonly Resolution[]>();

  constructor(readonly records: readonly DnsRecord[]) {
    for (const r of records) {
      const list = this.byName.get(r.name);
      if (list === undefined) this.byName.set(r.name, [r]);
      else list.push(r);
    }
  }

  /** Every name that has a record, in order of first appearance. */
  names(): DnsName[] {
    return [...this.byName.keys()];
  }

  /**
   * What `name` resolves to: its address records, and those of the names its CNAMEs lead to (a
   * loop or a chain past MAX_CNAME_HOPS ends there). Sorted by address; one entry per address
   * (the shortest chain).
   */
  resolve(name: DnsName): readonly Resolution[] {
    const cached = this.resolved.get(name);
    if (cached !== undefined) return cached;
    const best = new Map<string, Resolution>();
    const walk = (at: DnsName, chain: DnsName[], followed: DnsRecord[], ttl: number): void => {
      for (const r of this.byName.get(at) ?? []) {
        const nextTtl = Math.min(ttl, r.ttl);
        if (r.kind === "address") {
          const key = formatIp(r.address);
          const known = best.get(key);
          if (known === undefined || known.chain.length > chain.length + 1) best.set(key, { address: r.address, chain: [...chain, at], records: [...followed, r], ttl: nextTtl });
        } else if (chain.length < MAX_CNAME_HOPS && !chain.includes(r.target) && r.target !== at) {
          walk(r.target, [...chain, at], [...followed, r], nextTtl);
        }
      }
    };
    walk(name, [], [], Number.POSITIVE_INFINITY);
    const out = [...best.values()].sort((a, b) => compareIps(a.address, b.address));
    this.resolved.set(name, out);
    return out;
  }

  /**
   * The names of the snapshot `pattern` matches, each with its resolutions ("every name of the
   * chain maps to the final addresses": a name matched anywhere along a chain counts, so `name` is
   * the matched one and `resolution.chain` starts there).
   */
  matching(pattern: DomainPattern): { readonly name: DnsName; readonly resolutions: readonly Resolution[] }[] {
    return this.names()
      .filter((n) => patternMatches(pattern, n))
      .map((n) => ({ name: n, resolutions: this.resolve(n) }))
      .filter((m) => m.resolutions.length > 0);
  }

  /** Why `pattern` admits `address`, or null: the first matching name (in snapshot order) that resolves to it. */
  admission(pattern: DomainPattern, address: Ip): Admission | null {
    for (const m of this.matching(pattern)) {
      const resolution = m.resolutions.find((r) => compareIps(r.address, address) === 0);
      if (resolution !== undefined) return { pattern, name: m.name, resolution };
    }
    return null;
  }

  /** Every address `pattern` admits, sorted, once each. */
  addresses(pattern: DomainPattern): Ip[] {
    const out = new Map<string, Ip>();
    for (const m of this.matching(pattern)) for (const r of m.resolutions) out.set(formatIp(r.address), r.address);
    return [...out.values()].sort(compareIps);
  }
}

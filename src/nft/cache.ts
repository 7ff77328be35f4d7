import type { Cluster, Direction, Endpoint, Policy, Rule } from "../model/cluster.js";
import type { AdminPolicy } from "../model/admin-policy.js";
import type { AddressSet } from "../net/address-set.js";
import { formatIp } from "../net/ip.js";
import { Engine } from "../engine/engine.js";
import type { EngineOptions } from "../engine/types.js";
import { PeerResolver, type RulePeers } from "./peers.js";
import { type RuleLookups, type RuleSpec, rulePortsKey } from "./rule-sets.js";
import type { NftChain } from "./types.js";
import type { AdminRuleSpec } from "./admin-rules.js";
import { LastUsed } from "./last-used.js";
import type { ClusterFamilies } from "./families.js";

/**
 * What a caller that compiles again and again (the enforcer, the node agent) keeps from the last
 * compile, so that a change costs what it touches:
 * - the engine and the peer resolver, which follow the next cluster when it differs from the last
 *   by endpoints and policies only (found by object identity: unchanged model objects are the same
 *   objects, see `Engine.following`), instead of being built again;
 * - the sets of every rule: a NetworkPolicy rule (the same object) with the same id hash, the same
 *   resolved peers (the resolver hands back the very same object while they are unchanged) and the
 *   same member pods gets the sets it had; otherwise (and for admin rules) by a text key of
 *   everything its sets read (`ruleLookupsKey`, `adminRuleLookupsKey`), which finds equal inputs
 *   made of new objects (a file read again). So a hit gives what a compile would.
 * Rule entries not used by a compile are dropped after it.
 */
export class CompileCache {
  private readonly byKey = new LastUsed<string, RuleLookups>();
  private readonly rules = new LastUsed<Rule, RuleEntry>();
  private readonly made = new LastUsed<string, { readonly inputs: readonly unknown[]; readonly value: unknown }>();
  private last: { readonly engine: Engine; readonly resolver: PeerResolver } | null = null;
  /** Per direction: the rule specs of the last compile and the policies they were made from. */
  private readonly specs = new Map<Direction, { readonly policies: ReadonlySet<Policy>; readonly admin: ReadonlySet<AdminPolicy>; readonly value: RuleSpecs }>();
  /** The resolver of the compile under way. */
  private resolver: PeerResolver | null = null;
  hits = 0;
  misses = 0;
  /** Compiles that followed the last one's engine (the others built it afresh). */
  followed = 0;
  /** Directions whose rule specs were kept from the last compile (see `ruleSpecs`). */
  specsKept = 0;

  /** The engine and peer resolver for `cluster`: the last ones followed, or new ones. */
  prepare(cluster: Cluster, options: EngineOptions): { readonly engine: Engine; readonly resolver: PeerResolver } {
    const last = this.last;
    const next = last === null ? null : Engine.following(last.engine, cluster, options);
    if (last !== null && next !== null) {
      last.resolver.follow(next.engine, next.removed, next.added);
      this.last = { engine: next.engine, resolver: last.resolver };
      this.resolver = last.resolver;
      this.followed++;
      return this.last;
    }
    // Not kept until the compile ends well: a compile that throws leaves no half-followed state.
    this.last = null;
    const engine = Engine.compile(cluster, options);
    this.resolver = new PeerResolver(engine);
    return { engine, resolver: this.resolver };
  }

  /** Ends a compile of `engine` with `resolver`: what it did not use is forgotten. */
  settle(state?: { readonly engine: Engine; readonly resolver: PeerResolver }): void {
    this.byKey.settle();
    this.rules.settle();
    this.made.settle();
    this.resolver?.settle();
    if (state !== undefined) this.last = state;
  }

  /** The sets of a NetworkPolicy rule: kept while its spec, its resolved peers and its member pods are the same objects. */
  ruleLookups(spec: RuleSpec, peers: RulePeers, members: readonly Endpoint[], families: ClusterFamilies, compute: (same?: RuleLookups) => RuleLookups): RuleLookups {
    const found = this.rules.get(spec.rule);
    // The cluster's families are part of the rule's inputs: a family coming or going makes its sets again.
    const samePeers = found !== undefined && found.hash === spec.hash && found.peersHash === spec.peersHash && found.peers === peers && found.families === families;
    let lookups: RuleLookups;
    if (samePeers && sameItems(found.members, members)) {
      lookups = found.lookups;
      this.hits++;
    } else if (samePeers) {
      // Other member pods: only the sets of ingress named ports are made again.
      lookups = compute(found.lookups);
      this.misses++;
    } else if (found !== undefined && found.resolver === this.resolver) {
      // The same rule with other peers from the same (followed) resolver: its sets change.
      lookups = compute();
      this.misses++;
    } else {
      // Objects made afresh (a file reloaded) may still describe the same sets: then by text.
      lookups = this.lookups(ruleLookupsKey(spec, peers.addresses, peers.endpoints, members, families), compute);
    }
    // The same entry while nothing in it changed: a new one per rule and compile lived until the next compile (promoted garbage, issue 10).
    const same = found !== undefined && samePeers && found.lookups === lookups && found.resolver === this.resolver && sameItems(found.members, members);
    this.rules.set(spec.rule, same ? found : { hash: spec.hash, peersHash: spec.peersHash, peers, members, families, lookups, resolver: this.resolver });
    return lookups;
  }

  /**
   * Group chains made from the same `inputs` (compared one by one, by identity) as last time are
   * handed back as the same objects, which the ruleset diff then skips.
   */
  chains(name: string, inputs: readonly unknown[], compute: () => NftChain[]): NftChain[] {
    return this.kept(`chain ${name}`, inputs, compute);
  }

  /**
   * What `compute` makes from `inputs` (compared one by one, by identity), named `name` (one name
   * per thing made): the last compile's object while the inputs are the same items. Whatever a
   * compile makes and keeps until the next one is promoted by the collector and dropped then
   * (issue 10): what is unchanged is better handed back than made again.
   */
  kept<T>(name: string, inputs: readonly unknown[], compute: () => T): T {
    const found = this.made.get(name);
    // A hit keeps the entry it found (the new inputs list is dropped at once, not kept until the next compile).
    if (found !== undefined && sameItems(found.inputs, inputs)) {
      this.made.set(name, found);
      return found.value as T;
    }
    const value = compute();
    this.made.set(name, { inputs, value });
    return value;
  }

  /** `value`, or the last compile's value of that name when `same` says they are equal (the same thing kept, the new one dropped at once). */
  keptIfSame<T>(name: string, value: T, same: (last: T, value: T) => boolean): T {
    const found = this.made.get(name);
    const out = found !== undefined && same(found.value as T, value) ? (found.value as T) : value;
    this.made.set(name, found !== undefined && out === found.value ? found : { inputs: NO_INPUTS, value: out });
    return out;
  }

  /**
   * The rule specs (ids, hashes) of the policies some group looks up in `direction`: the last ones
   * while those are the same policy objects (a pod event leaves them so; the specs are a function
   * of the policies alone), else `compute`d.
   */
  ruleSpecs(direction: Direction, policies: ReadonlySet<Policy>, admin: ReadonlySet<AdminPolicy>, compute: () => RuleSpecs): RuleSpecs {
    const last = this.specs.get(direction);
    if (last !== undefined && sameMembers(last.policies, policies) && sameMembers(last.admin, admin)) {
      this.specsKept++;
      return last.value;
    }
    const value = compute();
    this.specs.set(direction, { policies, admin, value });
    return value;
  }

  lookups(key: string, compute: () => RuleLookups): RuleLookups {
    let found = this.byKey.get(key);
    if (found === undefined) {
      found = compute();
      this.misses++;
    } else this.hits++;
    this.byKey.set(key, found);
    return found;
  }
}

interface RuleEntry {
  /** The resolver that resolved `peers`. */
  readonly resolver: PeerResolver | null;
  readonly hash: string;
  readonly peersHash: string | null;
  readonly peers: RulePeers;
  readonly members: readonly Endpoint[];
  readonly families: ClusterFamilies;
  readonly lookups: RuleLookups;
}

/** The rule specs of one direction: NetworkPolicy rules and admin rules. */
export interface RuleSpecs {
  readonly specs: readonly RuleSpec[];
  readonly admin: readonly AdminRuleSpec[];
}

const NO_INPUTS: readonly unknown[] = [];

const sameMembers = <T>(a: ReadonlySet<T>, b: ReadonlySet<T>): boolean => a === b || (a.size === b.size && [...a].every((x) => b.has(x)));

const sameItems = <T>(a: readonly T[], b: readonly T[]): boolean => a.length === b.length && a.every((x, k) => x === b[k]);

const endpointKey = (e: Endpoint, addresses?: AddressSet): string =>
  `${addresses === undefined ? e.ips.map(formatIp).join("+") : addresses.key()}=${e.ports.map((p) => `${p.name ?? ""}/${p.protocol}/${p.port}`).join("+")}`;

/** Everything `ruleLookups` reads, as text. */
export function ruleLookupsKey(spec: RuleSpec, addresses: AddressSet, named: ReadonlyMap<Endpoint, AddressSet>, members: readonly Endpoint[], families: ClusterFamilies): string {
  const peerKinds = spec.rule.peers === "all" ? "all" : spec.rule.peers.map((p) => (p.kind === "pods" ? "pods" : `ip${p.cidr.family}`)).join(",");
  return [
    spec.direction,
    families.join(","),
    spec.hash,
    spec.peersHash,
    rulePortsKey(spec.rule),
    peerKinds,
    addresses.key(),
    [...named].map(([e, a]) => endpointKey(e, a)).join(";"),
    members.map((e) => endpointKey(e)).join(";"),
  ].join("|");
}

/**
 * Everything `adminRuleLookups` reads, as text: the id hash, the rule's match (kind, protocols,
 * the kinds of its peers: they choose hash or interval sets), the addresses its peers match, and
 * the pods its named ports resolve on.
 */
export function adminRuleLookupsKey(spec: AdminRuleSpec, peers: AddressSet, endpoints: readonly Endpoint[], members: readonly Endpoint[], families: ClusterFamilies): string {
  const m = spec.rule.match;
  const protocols =
    m.kind !== "as-written" || m.protocols === "all"
      ? "all"
      : m.protocols.map((p) => (p.kind === "namedPort" ? `named:${p.name}` : `${p.protocol}:${p.port.kind === "number" ? p.port.port : `${p.port.start}-${p.port.end}`}`)).join(",");
  return [
    "admin",
    spec.direction,
    families.join(","),
    spec.hash,
    spec.peersHash ?? "",
    m.kind,
    protocols,
    m.kind === "as-written" ? m.peers.map((p) => p.kind).join(",") : "",
    peers.key(),
    endpoints.map((e) => endpointKey(e)).join(";"),
    members.map((e) => endpointKey(e)).join(";"),
  ].join("|");
}

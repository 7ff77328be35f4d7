import type { Cluster, Direction, Endpoint, Policy, Rule } from "../model/cluster.js";
import { Engine } from "../engine/engine.js";
import type { EngineOptions } from "../engine/types.js";
import { AddressSet } from "../net/address-set.js";
import type { Cidr } from "../net/cidr.js";
import { type Family, formatIp } from "../net/ip.js";
import { type CompiledAdminRule, type SpecIndex, baseChain, groupChainsOf, specIndex, specsOf, unknownPodChain } from "./chains.js";
import { adminPeersKey, adminRuleEntry, adminRuleKey, adminRuleLookups, adminRulePeers, adminRulesOf, rulePatterns } from "./admin-rules.js";
import { dnsRedirect } from "./dns-redirect.js";
import { type AdminPolicy, adminRuleNamesPort, formatAdminPolicy } from "../model/admin-policy.js";
import type { AdminTiers } from "../engine/admin-tiers.js";
import { ADDRESS_TYPE, flatText, formatAddresses } from "./elements.js";
import { type Group, type LocalPods, byString, groupLocalPods } from "./groups.js";
import { groupChain, groupId, hashText, ruleId, setName, stableHashes, unknownId } from "./ids.js";
import { PeerResolver, rulePeersKey } from "./peers.js";
import { type RuleLookups, type RuleSpec, needsMembers, ruleLookups, rulePeersOf, sharesPeerSet } from "./rule-sets.js";
import { type CompileCache, type RuleSpecs, adminRuleLookupsKey } from "./cache.js";
import { renderRuleset, rulesetStats } from "./render.js";
import { type ClusterFamilies, clusterFamilies } from "./families.js";
import { type CompileOptions, type CompileResult, type DomainRuleSets, type Mode, type NftChain, type NftSet, type NodeScope, type RuleIdEntry, TABLE } from "./types.js";

const DIRECTIONS: readonly Direction[] = ["egress", "ingress"];
const ADDR = ADDRESS_TYPE;
const byValue = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Compiles the cluster's NetworkPolicies and admin policies into one `inet portcullis` table for a
 * node. Verdicts stay in the kernel: a verdict map per direction and family sends each local pod
 * address that some tier restricts to its group's chain; a group chain walks the tiers (Admin,
 * NetworkPolicy, Baseline) with one set lookup per rule; elements carry addresses, protocols and
 * ports. See docs/enforcement.md for the layout.
 */
export function compileRuleset(cluster: Cluster, engineOptions: EngineOptions, node: NodeScope = {}, opts: CompileOptions = {}): CompileResult {
  const state = opts.cache === undefined ? fresh(cluster, engineOptions) : opts.cache.prepare(cluster, engineOptions);
  const { engine, resolver } = state;
  const local = groupLocalPods(engine, node.localPods ?? cluster.endpoints.filter((e) => e.ips.length > 0), opts.audit === true);
  const entries = new Map<string, RuleIdEntry>();
  const podCidrs = node.podCidrs ?? [];
  // From the cluster alone: a pod event changes the table's sets only when it brings a family's first address or takes its last.
  const families = clusterFamilies(cluster, podCidrs);
  const sets: NftSet[] = [...localSets(local.enforced, podCidrs, families, opts.cache)];
  const ruleSets: NftSet[] = [];
  const chains: NftChain[] = [kept(opts.cache, "base chain", [families], () => baseChain(families))];
  const domains: DomainRule[] = [];
  for (const direction of DIRECTIONS) {
    const d = compileDirection(direction, local, resolver, engine.adminTiers(), cluster.endpoints, families, entries, opts.cache);
    sets.push(...d.maps);
    ruleSets.push(...d.sets);
    chains.push(...d.chains);
    domains.push(...d.domains);
  }
  if (opts.dnsProxy !== undefined) {
    const subjects = [...new Set(domains.flatMap((d) => d.subjects))];
    const redirect = dnsRedirect(cluster, engine, opts.dnsProxy, subjects, families);
    sets.push(...redirect.sets);
    chains.push(...redirect.chains);
  }
  const domainRules = domains.map((d) => ({ ...d.rule, subjects: d.subjects.flatMap((e) => e.ips) }));
  for (const direction of DIRECTIONS) {
    chains.push(kept(opts.cache, `unknown pod chain ${direction}`, [], () => unknownPodChain(direction)));
    const id = unknownId(direction);
    entries.set(id, kept(opts.cache, id, [], () => ({ kind: "unknown-pod", id, direction }) as const));
  }
  const ruleset = { family: "inet", table: TABLE, sets: keptList(opts.cache, "sets", [...sets, ...ruleSets]), chains: keptList(opts.cache, "chains", chains) } as const;
  const ruleIds = keptEntries(opts.cache, entries);
  opts.cache?.settle(state);
  let text: string | undefined;
  let names: Map<string, string> | undefined;
  return {
    // Rendered when asked for: the enforcer sends diffs, and the full text of a large table is megabytes.
    get text(): string {
      text ??= renderRuleset(ruleset);
      return text;
    },
    ruleset,
    stats: rulesetStats(ruleset),
    ruleIds: {
      entries: ruleIds,
      // Built when a denial is described: every address of the cluster, not needed to apply.
      get endpoints(): ReadonlyMap<string, string> {
        names ??= endpointNames(cluster.endpoints);
        return names;
      },
    },
    issues: local.issues,
    domainRules,
  };
}

/** A domain rule and the local endpoints its subject selects (see `DomainRuleSets`). */
interface DomainRule {
  readonly rule: Omit<DomainRuleSets, "subjects">;
  readonly subjects: readonly Endpoint[];
}

/** `compute()`, or with a cache the last compile's value while `inputs` are the same items (see `CompileCache.kept`). */
const kept = <T>(cache: CompileCache | undefined, name: string, inputs: readonly unknown[], compute: () => T): T => (cache === undefined ? compute() : cache.kept(name, inputs, compute));

/** The last compile's list while it has the same items. */
const keptList = <T>(cache: CompileCache | undefined, name: string, list: readonly T[]): readonly T[] =>
  cache === undefined ? list : cache.keptIfSame(name, list, (last, now) => last.length === now.length && last.every((x, k) => x === now[k]));

/** The last compile's rule ids while they are the same entries (a pod event mostly leaves them so). */
function keptEntries(cache: CompileCache | undefined, entries: ReadonlyMap<string, RuleIdEntry>): ReadonlyMap<string, RuleIdEntry> {
  if (cache === undefined) return entries;
  return cache.keptIfSame("rule ids", entries, (last, now) => last.size === now.size && [...now].every(([id, entry]) => last.get(id) === entry));
}

function fresh(cluster: Cluster, engineOptions: EngineOptions): { engine: Engine; resolver: PeerResolver } {
  const engine = Engine.compile(cluster, engineOptions);
  return { engine, resolver: new PeerResolver(engine) };
}

/** One direction: its verdict maps, rule sets and group chains; the rule ids go into `entries`. */
function compileDirection(
  direction: Direction,
  local: LocalPods,
  resolver: PeerResolver,
  adminTiers: AdminTiers | null,
  endpoints: readonly Endpoint[],
  families: ClusterFamilies,
  entries: Map<string, RuleIdEntry>,
  cache: CompileCache | undefined,
): { maps: NftSet[]; sets: NftSet[]; chains: NftChain[]; domains: DomainRule[] } {
  const groups = local[direction];
  const domains: DomainRule[] = [];
  const { specs, admin: adminSpecs } = ruleSpecsOf(direction, groups, cache);
  const lookups = new Map<RuleSpec, RuleLookups>();
  const isolated = specs.some(needsMembers) ? membersByPolicy(groups) : new Map<Policy, Endpoint[]>();
  for (const spec of specs) {
    // Ingress named ports resolve against the local pods the rule's policy isolates.
    const members = needsMembers(spec) ? (isolated.get(spec.policy) ?? []) : [];
    const peers = rulePeersOf(resolver, spec);
    const compute = (same?: RuleLookups): RuleLookups => ruleLookups(spec, peers, members, families, same);
    lookups.set(spec, cache === undefined ? compute() : cache.ruleLookups(spec, peers, members, families, compute));
    entries.set(spec.id, ruleEntry(spec, local.modes.get(spec.policy) ?? "enforce"));
  }
  const admin = new Map<AdminPolicy, CompiledAdminRule[]>();
  const withIps = adminSpecs.some((s) => s.direction === "egress" && adminRuleNamesPort(s.rule)) ? endpoints.filter((e) => e.ips.length > 0) : [];
  for (const spec of adminSpecs) {
    // Present only when a group meets an admin policy, and then the cluster has admin tiers.
    if (adminTiers === null) throw new Error("admin rules in a cluster without admin policies");
    const peers = adminRulePeers(adminTiers, spec.rule);
    const named = adminRuleNamesPort(spec.rule);
    const egressNamed = named && direction === "egress" ? withIps : [];
    // Ingress named ports resolve against the local pods of the groups that meet the policy.
    const members = named && direction === "ingress" ? groups.filter((g) => g.admin.includes(spec.policy) || g.baseline.includes(spec.policy)).flatMap((g) => g.members) : [];
    const compute = (): RuleLookups => adminRuleLookups(spec, peers, egressNamed, members, families);
    const l = cache === undefined ? compute() : cache.lookups(adminRuleLookupsKey(spec, peers, egressNamed, members, families), compute);
    const list = admin.get(spec.policy) ?? [];
    list.push({ spec, lookups: l });
    admin.set(spec.policy, list);
    const learned = l.sets.filter((set) => set.learned === true);
    if (learned.length > 0) {
      const sets = Object.fromEntries(families.map((f) => [f, setName("egress", spec.hash, f, "dns")]));
      const subjects = groups.filter((g) => g.admin.includes(spec.policy) || g.baseline.includes(spec.policy)).flatMap((g) => g.members);
      domains.push({ rule: { id: spec.id, patterns: rulePatterns(spec.rule), sets }, subjects });
    }
    entries.set(spec.id, adminRuleEntry(spec, local.adminMode));
  }
  const bySpec = specIndex(specs);
  const chains = groups.flatMap((g) => {
    const id = groupId(direction, g.hash);
    const policies = () => g.lookup.map((p) => ({ namespace: p.namespace, name: p.name }));
    // Only a NetworkPolicy tier ends in the group's default deny.
    if (g.lookup.length > 0) entries.set(id, kept(cache, id, [g.mode, ...g.lookup], () => ({ kind: "default-deny", id, direction, group: g.hash, mode: g.mode, policies: policies() })));
    const compute = (): NftChain[] => groupChainsOf(g, bySpec, lookups, admin, local.adminMode, families);
    return cache === undefined ? compute() : cache.chains(groupChain(direction, g.hash), [families, ...chainInputs(g, bySpec, lookups, admin, local.adminMode)], compute);
  });
  const adminSets = [...admin.values()].flatMap((rules) => rules.flatMap((r) => r.lookups.sets));
  const maps = kept(cache, `verdict maps ${direction}`, [families, ...groups.flatMap((g) => [g.hash, g.members.length, ...g.members])], () => verdictMaps(direction, groups, families));
  return { maps, sets: distinctSets([...[...lookups.values()].flatMap((l) => l.sets), ...adminSets]), chains, domains };
}

/** Each set once: rules with equal peers share their peer set (equal names, equal elements), the first stays. */
function distinctSets(sets: readonly NftSet[]): NftSet[] {
  const byName = new Map<string, NftSet>();
  for (const s of sets) {
    const first = byName.get(s.name);
    if (first === undefined) byName.set(s.name, s);
    // Equal peers resolve to equal addresses; anything else is a bug that must not drop a rule's set silently.
    else if (first !== s && (first.type !== s.type || first.elements.length !== s.elements.length)) throw new Error(`set ${s.name} made twice with other contents`);
  }
  return [...byName.values()];
}

/** The rule id entry of a NetworkPolicy rule, the same object while its spec (kept by the compile cache) and mode are. */
function ruleEntry(spec: RuleSpec, mode: Mode): RuleIdEntry {
  const known = ruleEntries.get(spec);
  if (known !== undefined && known.mode === mode) return known;
  const entry = { kind: "rule", id: spec.id, direction: spec.direction, policy: { namespace: spec.policy.namespace, name: spec.policy.name }, rule: spec.rule.index, mode } as const;
  ruleEntries.set(spec, entry);
  return entry;
}

const ruleEntries = new WeakMap<RuleSpec, Extract<RuleIdEntry, { kind: "rule" }>>();

/** The members of the groups that look up each policy, in group order (one pass, not one per rule). */
function membersByPolicy(groups: readonly Group[]): Map<Policy, Endpoint[]> {
  const out = new Map<Policy, Endpoint[]>();
  for (const g of groups) {
    for (const p of g.lookup) {
      const list = out.get(p);
      if (list === undefined) out.set(p, [...g.members]);
      else list.push(...g.members);
    }
  }
  return out;
}

/** Everything `groupChainsOf` reads for a group, as a list to compare item by item. */
function chainInputs(g: Group, specs: SpecIndex, lookups: ReadonlyMap<RuleSpec, RuleLookups>, admin: ReadonlyMap<AdminPolicy, readonly CompiledAdminRule[]>, adminMode: string): unknown[] {
  const adminRules = [...g.admin, ...g.baseline].flatMap((p) => (admin.get(p) ?? []).flatMap((r) => [r.spec.id, r.spec.rule, r.lookups]));
  const ruleInputs = specsOf(g.lookup, specs).flatMap((spec) => [spec.id, lookups.get(spec)]);
  return [g.hash, g.mode, adminMode, g.lookup.length, ...g.lookup, g.admin.length, ...g.admin, g.baseline.length, ...g.baseline, "rules", ...ruleInputs, "admin", ...adminRules];
}

/** The rule specs of the policies the groups look up; with a cache, the last ones while those policies are the same objects. */
function ruleSpecsOf(direction: Direction, groups: readonly Group[], cache: CompileCache | undefined): RuleSpecs {
  const policies = new Set(groups.flatMap((g) => g.lookup));
  const adminPolicies = new Set(groups.flatMap((g) => [...g.admin, ...g.baseline]));
  if (cache === undefined) return ruleSpecs(direction, policies, adminPolicies);
  return cache.ruleSpecs(direction, policies, adminPolicies, () => ruleSpecs(direction, policies, adminPolicies));
}

/**
 * Rules of the policies some chain looks up: NetworkPolicies in policy id and rule index order,
 * admin policies in kind/name and rule index order; each id hashes the policy and the index (one
 * hash space for both, so no two rules share an id).
 *
 * While no two keys hash alike (the rule: `stableHashes` then hashes each key once), a policy's
 * specs are a function of the policy alone: they are made once per policy object and direction and
 * handed back, so a policy added costs its own rules, not every rule's key, hash and spec again. A
 * collision anywhere falls back to `stableHashes` over every key. (`hash`: for tests; specs are
 * kept per policy only for the real one.)
 */
export function ruleSpecs(direction: Direction, lookedUp: ReadonlySet<Policy>, adminLookedUp: ReadonlySet<AdminPolicy>, hash: (text: string) => string = hashText): RuleSpecs {
  const policies = [...lookedUp].sort((a, b) => byString(a.id, b.id));
  const adminPolicies = [...adminLookedUp].sort((a, b) => byString(formatAdminPolicy(a), formatAdminPolicy(b)));
  const known = specsByPolicy[direction];
  const keyOf = new Map<string, string>();
  const specs: RuleSpec[] = [];
  let unique = true;
  const claim = (key: string, h: string): void => {
    const holder = keyOf.get(h);
    if (holder === undefined) keyOf.set(h, key);
    else if (holder !== key) unique = false;
  };
  for (const policy of policies) {
    let own = hash === hashText ? known.get(policy) : undefined;
    if (own === undefined) {
      own = policySpecs(direction, policy, hash);
      if (hash === hashText) known.set(policy, own);
    }
    for (const [key, h] of own.hashed) claim(key, h);
    for (const spec of own.specs) specs.push(spec);
  }
  const admin = adminPolicies.flatMap((policy) =>
    adminRulesOf(policy, direction).map((rule) => {
      const h = hash(adminRuleKey(policy, rule));
      claim(adminRuleKey(policy, rule), h);
      const peersKey = adminPeersKey(rule);
      const peersHash = peersKey === null ? null : hash(peersKey);
      if (peersKey !== null && peersHash !== null) claim(peersKey, peersHash);
      return { hash: h, id: ruleId(direction, h), direction, tier: policy.tier, policy, rule, peersHash };
    }),
  );
  if (!unique) return allRuleSpecs(direction, policies, adminPolicies, hash);
  return { specs, admin };
}

/** The specs of one policy's rules in `direction` with each key hashed once, and the keys with their hashes. */
interface PolicySpecs {
  readonly specs: readonly RuleSpec[];
  readonly hashed: readonly (readonly [key: string, hash: string])[];
}

const specsByPolicy: Readonly<Record<Direction, WeakMap<Policy, PolicySpecs>>> = { egress: new WeakMap(), ingress: new WeakMap() };

/** A rule's key in the hash space of ids: its policy and index. */
const ruleKey = (policy: Policy, rule: Rule): string => `${policy.id}\n${rule.index}`;

/** The key of the peer set of rules sharing one, named by their peers, in the same hash space as the rules (a policy id holds a `/`, `peers` none). */
const peersKeyOf = (direction: Direction, policy: Policy, rule: Rule): string | null => (sharesPeerSet(direction, rule) ? `peers\n${rulePeersKey(policy, rule)}` : null);

function policySpecs(direction: Direction, policy: Policy, hash: (text: string) => string): PolicySpecs {
  const hashed: (readonly [string, string])[] = [];
  const specs = policy[direction].map((rule) => {
    const key = ruleKey(policy, rule);
    const h = hash(key);
    hashed.push([key, h]);
    const peersKey = peersKeyOf(direction, policy, rule);
    const peersHash = peersKey === null ? null : hash(peersKey);
    if (peersKey !== null && peersHash !== null) hashed.push([peersKey, peersHash]);
    return { hash: h, id: ruleId(direction, h), direction, policy, rule, peersHash };
  });
  return { specs, hashed };
}

/** Every rule spec through `stableHashes` over every key: what `ruleSpecs` gives when two keys hash alike. */
function allRuleSpecs(direction: Direction, policies: readonly Policy[], adminPolicies: readonly AdminPolicy[], hash: (text: string) => string): RuleSpecs {
  const peerKeys = new Map(policies.flatMap((p) => p[direction].map((rule) => [rule, peersKeyOf(direction, p, rule)] as const)));
  const hashes = stableHashes([
    ...policies.flatMap((p) => p[direction].map((rule) => ruleKey(p, rule))),
    ...adminPolicies.flatMap((p) => adminRulesOf(p, direction).flatMap((rule) => [adminRuleKey(p, rule), adminPeersKey(rule) ?? []].flat())),
    ...[...peerKeys.values()].filter((k) => k !== null),
  ], hash);
  const specs = policies.flatMap((policy) =>
    policy[direction].map((rule) => {
      const h = hashes.get(ruleKey(policy, rule)) as string;
      const peersKey = peerKeys.get(rule) ?? null;
      return { hash: h, id: ruleId(direction, h), direction, policy, rule, peersHash: peersKey === null ? null : (hashes.get(peersKey) as string) };
    }),
  );
  const admin = adminPolicies.flatMap((policy) =>
    adminRulesOf(policy, direction).map((rule) => {
      const h = hashes.get(adminRuleKey(policy, rule)) as string;
      const peersKey = adminPeersKey(rule);
      return { hash: h, id: ruleId(direction, h), direction, tier: policy.tier, policy, rule, peersHash: peersKey === null ? null : (hashes.get(peersKey) as string) };
    }),
  );
  return { specs, admin };
}

/** `addressSets`, the last ones while the local pods and CIDRs are the same (a function apart: a closure in `compileRuleset` would keep its scope alive with the result's getters). */
function localSets(enforced: LocalPods["enforced"], podCidrs: readonly Cidr[], families: ClusterFamilies, cache: CompileCache | undefined): NftSet[] {
  return kept(cache, "address sets", [families, ...enforced, "pod cidrs", ...podCidrs], () => addressSets(enforced, podCidrs, families));
}

/**
 * Known local pod addresses, the node's pod CIDRs (fail closed), and self pairs, for each family
 * the cluster has (a pod CIDR of the node makes its family one of them).
 */
function addressSets(enforced: LocalPods["enforced"], podCidrs: readonly Cidr[], families: ClusterFamilies): NftSet[] {
  const all = AddressSet.fromIps(enforced.flatMap((e) => e.ips));
  const cidrs = AddressSet.fromCidrs(podCidrs);
  const out: NftSet[] = [];
  for (const f of families) {
    out.push({ name: `local_v${f}`, kind: "set", type: ADDR[f], interval: true, elements: formatAddresses(f, all.family(f)).map((key) => ({ key })) });
    out.push({ name: `pod_cidr_v${f}`, kind: "set", type: ADDR[f], interval: true, elements: formatAddresses(f, cidrs.family(f)).map((key) => ({ key })) });
    out.push({ name: `self_v${f}`, kind: "set", type: `${ADDR[f]} . ${ADDR[f]}`, interval: false, elements: selfPairs(enforced, f) });
  }
  return out;
}

/**
 * "A pod can always reach itself": (source, destination) pairs of one pod's addresses, which the
 * NetworkPolicy tier accepts (at the node they are hairpin packets through a Service, which the
 * admin tiers decide first). A workload's addresses belong to distinct replicas, so there only an
 * address and itself pair up.
 */
function selfPairs(enforced: LocalPods["enforced"], f: Family): NftSet["elements"] {
  const pairs = new Map<string, [bigint, bigint]>();
  for (const e of enforced) {
    const values = e.ips.filter((ip) => ip.family === f).map((ip) => ip.value);
    for (const a of values) for (const b of values) if (a === b || e.kind === "Pod") pairs.set(`${a},${b}`, [a, b]);
  }
  const text = (value: bigint): string => formatIp({ family: f, value });
  return [...pairs.values()].sort(([a1, b1], [a2, b2]) => byValue(a1, a2) || byValue(b1, b2)).map(([a, b]) => ({ key: flatText([text(a), " . ", text(b)]) }));
}

/** `pod address : jump <group chain>` for every isolated local pod, one map per family the cluster has. */
function verdictMaps(direction: Direction, groups: readonly Group[], families: ClusterFamilies): NftSet[] {
  return families.map((f) => {
    const targets = new Map<bigint, string>();
    for (const g of groups) for (const pod of g.members) for (const ip of pod.ips) if (ip.family === f) targets.set(ip.value, groupChain(direction, g.hash));
    const elements = [...targets]
      .sort(([a], [b]) => byValue(a, b))
      .map(([value, chain]) => ({ key: formatIp({ family: f, value }), value: `jump ${chain}` }));
    return { name: `${direction}_v${f}`, kind: "map", type: `${ADDR[f]} : verdict`, interval: false, elements };
  });
}

function endpointNames(endpoints: readonly Endpoint[]): Map<string, string> {
  const out = new Map<string, string>();
  const sorted = [...endpoints].sort((a, b) => Number(a.hostNetwork) - Number(b.hostNetwork) || byString(a.id, b.id));
  for (const e of sorted) for (const ip of e.ips) if (!out.has(formatIp(ip))) out.set(formatIp(ip), e.id);
  return out;
}


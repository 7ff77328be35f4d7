import type { Endpoint, Peer, Policy, Rule } from "../../model/cluster.js";
import type { Labels } from "../../model/labels.js";
import type { Protocol } from "../../model/ports.js";
import type { LabelSelector } from "../../model/selector.js";
import type { AddressSet } from "../../net/address-set.js";
import { ipBlockAddresses } from "../addresses.js";
import type { LabelClass, LabelClasses } from "../classes.js";
import { cachedSelectorKey, classesSelectedBy, selectsNamespaceLabels, selectsPods } from "../selection.js";
import type { EngineOptions } from "../types.js";
import type { AddressBounds } from "./address-bounds.js";
import { AddressIndex } from "./address-index.js";
import { OverlayMap } from "../overlay-map.js";
import { ClassSet } from "./class-set.js";
import { ipBlocksApply, type MatrixClass, matrixClassKey, newMatrixClass, portsKey } from "./classes.js";
import { type WalkState, walkEnd, walkStart, walkTier } from "../tiers.js";
import { type Admission, BASE_ROWS, NO_PARTIAL, type Row, type Term, type TermDef, type WalkTier, admissionSets, admitOne, admitsOne, uniteAdmissions } from "./terms.js";

/**
 * The classes of a matrix and everything computed over them: selector and ipBlock admissions
 * (terms), and unions of terms (rows), each interned by key. Interning is append-only and every
 * entry is a function of its key and the classes, so states that share the classes share one
 * universe. Adding a class (`withClasses`) copies the tables and puts the class in every set that
 * admits it.
 */
export class Universe {
  /** Lists this instance made, which it may extend in place. */
  private readonly owned = new Set<unknown>();
  /** Every class by its addresses (for admin `networks`/`nodes` terms, which meet pods too), made on first use. */
  private everyClass: AddressIndex | undefined;
  /** Walk states after a prefix of tiers, by the tiers' keys (of this instance's classes). */
  private readonly walkStates = new Map<string, WalkState<Admission>>();

  private constructor(
    readonly options: EngineOptions,
    readonly labelClasses: LabelClasses,
    readonly bounds: AddressBounds,
    readonly classes: MatrixClass[],
    private readonly byKey: OverlayMap<string, number>,
    private readonly byLabelClass: OverlayMap<number, number[]>,
    private readonly namespaces: OverlayMap<string, Labels>,
    private readonly namespaceIndex: OverlayMap<string, string[]>,
    /** `name\0protocol\0port` → the classes declaring that container port. */
    private readonly named: OverlayMap<string, ClassSet>,
    /** `name/protocol` → the port numbers some class declares under that name. */
    private readonly namedPorts: OverlayMap<string, number[]>,
    private readonly addresses: AddressIndex,
    private readonly termIds: OverlayMap<string, number>,
    private readonly terms: Term[],
    private readonly ruleTerms: OverlayMap<Rule, { readonly namespace: string; readonly id: number }>,
    private readonly rowIds: OverlayMap<string, number>,
    readonly rows: Row[],
  ) {}

  /** The classes of `endpoints`, with each endpoint's class. */
  static build(options: EngineOptions, labelClasses: LabelClasses, bounds: AddressBounds, endpoints: readonly Endpoint[]): { universe: Universe; ofEndpoint: Int32Array } {
    const u = new Universe(
      options, labelClasses, bounds, [], OverlayMap.of(), OverlayMap.of(), OverlayMap.of(), OverlayMap.of(), OverlayMap.of(), OverlayMap.of(),
      AddressIndex.empty(), OverlayMap.of(), [], OverlayMap.of(), OverlayMap.of([["", 0], ["*", 1]]), [...BASE_ROWS],
    );
    const ofEndpoint = new Int32Array(endpoints.length);
    const fresh: { cls: number; addresses: AddressSet; known: boolean }[] = [];
    const named = new Map<string, number[]>();
    endpoints.forEach((e, i) => {
      const { cls, created } = u.register(e, named);
      ofEndpoint[i] = cls;
      if (created && ipBlocksApply(e, options)) fresh.push({ cls, addresses: (u.classes[cls] as MatrixClass).addresses, known: e.ips.length > 0 });
    });
    for (const [key, classes] of named) u.named.set(key, ClassSet.sorted(Int32Array.from(classes)));
    return { universe: u.withAddresses(AddressIndex.build(fresh)), ofEndpoint };
  }

  get size(): number {
    return this.classes.length;
  }

  classKeyOf(e: Endpoint): string {
    return matrixClassKey(e, this.labelClasses.classOf(e), this.bounds, this.options);
  }

  classOfKey(key: string): number | undefined {
    return this.byKey.get(key);
  }

  classesOfLabelClass(index: number): readonly number[] {
    return this.byLabelClass.get(index) ?? [];
  }

  /** Port numbers declared under `name` for `protocol` by some class. */
  portsNamed(name: string, protocol: Protocol): readonly number[] {
    return this.namedPorts.get(`${name}/${protocol}`) ?? [];
  }

  /**
   * A copy with other label classes and bounds, and a class for each of `endpoints` that has none
   * yet, put into every term and row that admits it. Returns the classes of the endpoints.
   * `retired` classes keep their index (and their place in every set) but no endpoint joins them
   * any more: their members are re-registered after an ipBlock boundary split their atoms.
   */
  withClasses(labelClasses: LabelClasses, bounds: AddressBounds, endpoints: readonly Endpoint[], retired: readonly number[] = []): { universe: Universe; classes: number[] } {
    const u = new Universe(
      this.options, labelClasses, bounds, this.classes.slice(), this.byKey.fork(), this.byLabelClass.fork(), this.namespaces.fork(),
      this.namespaceIndex.fork(), this.named.fork(), this.namedPorts.fork(), this.addresses.clone(), this.termIds.fork(),
      this.terms.slice(), this.ruleTerms.fork(), this.rowIds.fork(), this.rows.slice(),
    );
    for (const cls of retired) u.byKey.delete((u.classes[cls] as MatrixClass).key);
    const created: { cls: number; e: Endpoint }[] = [];
    const classes = endpoints.map((e) => {
      const r = u.register(e);
      if (r.created) created.push({ cls: r.cls, e });
      return r.cls;
    });
    // A walk row is no union of terms: one class at a time cannot tell how it admits a new class.
    if (created.length <= ONE_BY_ONE && !u.rows.some((r) => r.walk !== undefined)) for (const { cls, e } of created) u.admitNewClass(cls, e);
    else u.recompute(created);
    return { universe: u, classes };
  }

  /** Recomputes every term and row from its definition (cheaper than one class at a time for many). */
  private recompute(created: readonly { cls: number; e: Endpoint }[]): void {
    for (const { cls, e } of created) if (ipBlocksApply(e, this.options)) this.addresses.add(cls, (this.classes[cls] as MatrixClass).addresses, e.ips.length > 0);
    for (let id = 0; id < this.terms.length; id++) {
      const def = (this.terms[id] as Term).def;
      this.terms[id] = { def, set: this.admission(def) };
    }
    for (let id = 2; id < this.rows.length; id++) {
      const row = this.rows[id] as Row;
      this.rows[id] = row.walk === undefined ? this.rowOf(row.terms) : this.walkOf(row.walk);
    }
  }

  /**
   * This universe with other ipBlock bounds, sharing every table: the bounds only decide which
   * class an endpoint placed from now on joins (see incremental.ts for the classes they split).
   */
  withBounds(bounds: AddressBounds): Universe {
    if (bounds === this.bounds) return this;
    return new Universe(this.options, this.labelClasses, bounds, this.classes, this.byKey, this.byLabelClass, this.namespaces, this.namespaceIndex, this.named, this.namedPorts, this.addresses, this.termIds, this.terms, this.ruleTerms, this.rowIds, this.rows);
  }

  private withAddresses(addresses: AddressIndex): Universe {
    return new Universe(this.options, this.labelClasses, this.bounds, this.classes, this.byKey, this.byLabelClass, this.namespaces, this.namespaceIndex, this.named, this.namedPorts, addresses, this.termIds, this.terms, this.ruleTerms, this.rowIds, this.rows);
  }

  /**
   * The class of `e`, made when missing (tables only; `admitNewClass` fills the sets). While
   * building, the classes declaring each named port are collected in `bulk` instead.
   */
  private register(e: Endpoint, bulk?: Map<string, number[]>): { cls: number; created: boolean } {
    const labelClass = this.labelClasses.classOf(e);
    const ports = portsKey(e.ports);
    const key = matrixClassKey(e, labelClass, this.bounds, this.options, ports);
    const found = this.byKey.get(key);
    if (found !== undefined) return { cls: found, created: false };
    const cls = this.classes.length;
    const c = newMatrixClass(cls, key, e, labelClass, this.options, ports);
    this.classes.push(c);
    this.byKey.set(key, cls);
    this.push(this.byLabelClass, labelClass.index, cls);
    if (!this.namespaces.has(c.namespace)) this.addNamespace(c.namespace, c.namespaceLabels);
    for (const p of c.ports) {
      if (p.name === undefined) continue;
      const key3 = namedPortKey(p.name, p.protocol, p.port);
      const list = bulk?.get(key3);
      if (bulk === undefined) this.named.set(key3, (this.named.get(key3) ?? ClassSet.EMPTY).with(cls));
      else if (list === undefined) bulk.set(key3, [cls]);
      else if (list[list.length - 1] !== cls) list.push(cls);
      const key2 = `${p.name}/${p.protocol}`;
      const ports = this.namedPorts.get(key2) ?? [];
      if (!ports.includes(p.port)) this.namedPorts.set(key2, [...ports, p.port]);
    }
    return { cls, created: true };
  }

  private addNamespace(name: string, labels: Labels): void {
    this.namespaces.set(name, labels);
    for (const [k, v] of labels) {
      const kv = `${k}\u0000${v}`;
      this.push(this.namespaceIndex, kv, name);
    }
  }

  /** Appends to a list of `map`, copying it first when it is shared with the universe this one was copied from. */
  private push<K, V>(map: OverlayMap<K, V[]>, key: K, value: V): void {
    const list = map.get(key);
    if (list !== undefined && this.owned.has(list)) {
      list.push(value);
      return;
    }
    const next = list === undefined ? [value] : [...list, value];
    this.owned.add(next);
    map.set(key, next);
  }

  private admitNewClass(cls: number, e: Endpoint): void {
    const c = this.classes[cls] as MatrixClass;
    if (ipBlocksApply(e, this.options)) this.addresses.add(cls, c.addresses, e.ips.length > 0);
    // Terms that admit the class; a rule, named term or row can only admit it through one of them.
    const admitting = new Uint8Array(this.terms.length);
    for (let id = 0; id < this.terms.length; id++) {
      const term = this.terms[id] as Term;
      const def = term.def;
      if (def.kind === "rule" && !def.all && !def.parts.some((p) => admitting[p] === 1)) continue;
      if (def.kind === "named" && admitting[def.base] !== 1) continue;
      const how = this.admitsNew(def, c);
      if (how === null) continue;
      admitting[id] = 1;
      const set = admitOne(term.set, cls, how);
      if (set !== term.set) this.terms[id] = { def, set };
    }
    for (let id = 2; id < this.rows.length; id++) {
      const row = this.rows[id] as Row;
      if (!row.terms.some((t) => admitting[t] === 1)) continue;
      const how = admitsOne(
        row.terms.map((t) => (this.terms[t] as Term).set),
        cls,
        c.addresses,
      );
      if (how === "full") this.rows[id] = { ...row, full: row.full.with(cls) };
      else if (how !== null) this.rows[id] = { ...row, partial: row.partial.with(cls) };
    }
  }

  /** How a term admits a class that is new (its parts, having lower ids, already know it). */
  private admitsNew(def: TermDef, c: MatrixClass): "full" | AddressSet | null {
    switch (def.kind) {
      case "pods":
        if (def.own !== null && def.own !== c.namespace) return null;
        return this.podsAdmit(def, c.labelClass) ? "full" : null;
      case "block":
        return ipBlocksApply(c, this.options) ? blockAdmits(def.block, c.addresses) : null;
      case "addresses":
        return blockAdmits(def.block, c.addresses);
      case "rule":
        return def.all ? "full" : admitsOne(def.parts.map((p) => this.set(p)), c.index, c.addresses);
      case "named": {
        if (!(this.named.get(def.named) ?? ClassSet.EMPTY).has(c.index)) return null;
        const base = this.set(def.base);
        return base.full.has(c.index) ? "full" : (base.partial.get(c.index) ?? null);
      }
    }
  }

  private podsAdmit(def: Extract<TermDef, { kind: "pods" }>, lc: LabelClass): boolean {
    // Host-network pods are the node: selectors do not select them.
    if (lc.hostNetwork) return false;
    const nsOk = def.own !== null ? lc.namespace === def.own : selectsNamespaceLabels(def.namespaces as LabelSelector, lc.namespaceLabels);
    return nsOk && selectsPods(def.pods, lc);
  }

  set(term: number): Admission {
    return (this.terms[term] as Term).set;
  }

  /** The term for the peers of `rule` of `policy`. */
  ruleTerm(policy: Policy, rule: Rule): number {
    // Keyed by the rule object, checked against the namespace: a rule's own-namespace peers mean
    // the namespace of the policy holding it (two policies may share rule objects).
    const hit = this.ruleTerms.get(rule);
    if (hit !== undefined && hit.namespace === policy.namespace) return hit.id;
    const parts = rule.peers === "all" ? [] : [...new Set(rule.peers.map((p) => this.peerTerm(policy, p)))].sort((a, b) => a - b);
    // A rule of one peer admits what that peer admits: its term serves as the rule's.
    const single = parts.length === 1 ? parts[0] : undefined;
    const id = single ?? this.intern(rule.peers === "all" ? "r|*" : `r|${parts.join(",")}`, () => ({ kind: "rule", all: rule.peers === "all", parts }));
    this.ruleTerms.set(rule, { namespace: policy.namespace, id });
    return id;
  }

  /** The term for `base` narrowed to the classes declaring `name`/`protocol` as `port`. */
  namedTerm(base: number, name: string, protocol: Protocol, port: number): number {
    const named = namedPortKey(name, protocol, port);
    return this.intern(`n|${base}|${named}`, () => ({ kind: "named", base, named }));
  }

  /**
   * The term for an admin `namespaces` (every pod of the namespaces `namespaces` selects) or `pods`
   * selection: the same classes as a NetworkPolicy peer with both selectors (never host-network).
   */
  adminPodsTerm(namespaces: LabelSelector, pods: LabelSelector): number {
    return this.intern(`p|s:${cachedSelectorKey(namespaces)}|${cachedSelectorKey(pods)}`, () => ({ kind: "pods", own: null, namespaces, pods }));
  }

  /** The term for an admin peer matching the addresses `block`, of every class (pods too). */
  addressesTerm(block: AddressSet): number {
    return this.intern(`a|${block.key()}`, () => ({ kind: "addresses", block }));
  }

  /** The term for the union of `parts`; every class when `parts` is "all". */
  unionTerm(parts: readonly number[] | "all"): number {
    if (parts === "all") return this.intern("r|*", () => ({ kind: "rule", all: true, parts: [] }));
    const sorted = [...new Set(parts)].sort((a, b) => a - b);
    const single = sorted.length === 1 ? sorted[0] : undefined;
    return single ?? this.intern(`r|${sorted.join(",")}`, () => ({ kind: "rule", all: false, parts: sorted }));
  }

  private peerTerm(policy: Policy, p: Peer): number {
    if (p.kind === "ipBlock") {
      const block = ipBlockAddresses(p);
      return this.intern(`b|${block.key()}`, () => ({ kind: "block", block }));
    }
    const own = p.namespaces.kind === "own" ? policy.namespace : null;
    const namespaces = p.namespaces.kind === "own" ? null : p.namespaces.selector;
    const nsKey = own !== null ? `o:${own}` : `s:${cachedSelectorKey(namespaces as LabelSelector)}`;
    return this.intern(`p|${nsKey}|${cachedSelectorKey(p.pods)}`, () => ({ kind: "pods", own, namespaces, pods: p.pods }));
  }

  private intern(key: string, def: () => TermDef): number {
    const hit = this.termIds.get(key);
    if (hit !== undefined) return hit;
    const d = def();
    const id = this.terms.length;
    this.terms.push({ def: d, set: this.admission(d) });
    this.termIds.set(key, id);
    return id;
  }

  private admission(def: TermDef): Admission {
    const n = this.classes.length;
    switch (def.kind) {
      case "pods":
        return { full: this.podsSet(def), partial: NO_PARTIAL };
      case "block":
        return this.blockSet(def.block);
      case "addresses":
        return this.blockSet(def.block, this.everyClassIndex());
      case "rule":
        return def.all ? { full: ClassSet.ALL, partial: NO_PARTIAL } : uniteAdmissions(def.parts.map((p) => this.set(p)), n, (cls) => this.addressesOf(cls));
      case "named": {
        const only = this.named.get(def.named) ?? ClassSet.EMPTY;
        const base = this.set(def.base);
        const partial = new Map([...base.partial].filter(([cls]) => only.has(cls)));
        return { full: base.full.intersect(only), partial: partial.size === 0 ? NO_PARTIAL : partial };
      }
    }
  }

  private podsSet(def: Extract<TermDef, { kind: "pods" }>): ClassSet {
    const out: number[] = [];
    for (const ns of this.namespacesSelected(def)) {
      for (const lc of classesSelectedBy(this.labelClasses, ns, def.pods)) {
        if (!lc.hostNetwork) for (const c of this.classesOfLabelClass(lc.index)) out.push(c);
      }
    }
    return ClassSet.of(out);
  }

  private namespacesSelected(def: Extract<TermDef, { kind: "pods" }>): string[] {
    if (def.own !== null) return this.namespaces.has(def.own) ? [def.own] : [];
    const selector = def.namespaces as LabelSelector;
    const narrowing = selector.requirements.find((r) => r.operator === "In");
    const candidates =
      narrowing !== undefined && "values" in narrowing
        ? [...new Set(narrowing.values)].flatMap((v) => this.namespaceIndex.get(`${narrowing.key}\u0000${v}`) ?? [])
        : [...this.namespaces.keys()];
    return candidates.filter((ns) => selectsNamespaceLabels(selector, this.namespaces.get(ns) as Labels));
  }

  private blockSet(block: AddressSet, index = this.addresses): Admission {
    const full: number[] = [];
    const partial = new Map<number, AddressSet>();
    for (const cls of index.candidates(block)) {
      const how = blockAdmits(block, this.addressesOf(cls));
      if (how === "full") full.push(cls);
      else if (how !== null) partial.set(cls, how);
    }
    return { full: ClassSet.of(full), partial: partial.size === 0 ? NO_PARTIAL : partial };
  }

  private everyClassIndex(): AddressIndex {
    if (this.everyClass === undefined) {
      this.everyClass = AddressIndex.build(this.classes.map((c) => ({ cls: c.index, addresses: c.addresses, known: c.knownIps })));
    }
    return this.everyClass;
  }

  addressesOf(cls: number): AddressSet {
    return (this.classes[cls] as MatrixClass).addresses;
  }

  /** The row for the union of `terms` (sorted, unique), interned. */
  row(terms: readonly number[]): number {
    const key = terms.join(",");
    const hit = this.rowIds.get(key);
    if (hit !== undefined) return hit;
    const id = this.rows.length;
    this.rows.push(this.rowOf(terms));
    this.rowIds.set(key, id);
    return id;
  }

  /** The row for the walk of `tiers` over every class (see engine/tiers.ts), interned. */
  walkRow(tiers: readonly WalkTier[]): number {
    const key = `w|${tiers.map((t) => t.key).join("/")}`;
    const hit = this.rowIds.get(key);
    if (hit !== undefined) return hit;
    const id = this.rows.length;
    this.rows.push(this.walkOf(tiers));
    this.rowIds.set(key, id);
    return id;
  }

  /**
   * The walk of `tiers`. The state after each prefix of tiers is kept: groups that share their
   * first tiers (the Admin tier of a cluster's guardrails, say) walk those once.
   */
  private walkOf(tiers: readonly WalkTier[]): Row {
    const sets = admissionSets(this.classes.length, (cls) => this.addressesOf(cls));
    const whole: Admission = { full: ClassSet.ALL, partial: NO_PARTIAL };
    let state = walkStart(sets, whole);
    let prefix = "";
    for (const t of tiers) {
      if (sets.isEmpty(state.open)) break;
      prefix += `/${t.key}`;
      const hit = this.walkStates.get(prefix);
      if (hit !== undefined) {
        state = hit;
        continue;
      }
      state = walkTier(sets, whole, state, { end: t.end, rules: t.rules.map((r) => ({ action: r.action, match: this.set(r.term) })) });
      this.walkStates.set(prefix, state);
    }
    const walked = walkEnd(sets, state);
    return { full: walked.full, partial: ClassSet.of(walked.partial.keys()), terms: [], walk: tiers };
  }

  private rowOf(terms: readonly number[]): Row {
    const set = uniteAdmissions(
      terms.map((t) => this.set(t)),
      this.classes.length,
      (cls) => this.addressesOf(cls),
    );
    return { full: set.full, partial: ClassSet.of(set.partial.keys()), terms };
  }
}

/** Up to this many new classes are put into the sets one by one; more, and the sets are recomputed. */
const ONE_BY_ONE = 32;

export function namedPortKey(name: string, protocol: Protocol, port: number): string {
  return `${name}\u0000${protocol}\u0000${port}`;
}

function blockAdmits(block: AddressSet, addresses: AddressSet): "full" | AddressSet | null {
  // The common cases without a new set: all of the class's addresses inside, or none.
  if (block.contains(addresses)) return "full";
  if (!block.overlaps(addresses)) return null;
  const inside = addresses.intersect(block);
  if (inside.isEmpty()) return null;
  return inside.contains(addresses) ? "full" : inside;
}

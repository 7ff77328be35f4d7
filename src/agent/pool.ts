/**
 * Equal immutable model values held once by the node agent. 10k NetworkPolicies decode into ~1.2M
 * objects, and the garbage collector's marking time grows with the number of live objects (issue
 * 10): their selectors, namespace scopes, port matches and CIDRs repeat from policy to policy, and
 * their field paths (`spec.egress[0].to[1]`) are the same few strings in every policy.
 */
import type { NamespaceScope, Peer, Policy, PolicyPort, Rule } from "../model/cluster.js";
import type { Labels } from "../model/labels.js";
import type { PortMatch } from "../model/ports.js";
import type { LabelSelector } from "../model/selector.js";
import type { Cidr } from "../net/cidr.js";

/** Values by a key that names their content, held weakly: a value no object holds any more is let go, and its entry with it. */
export class WeakPool<T extends object> {
  private readonly pool = new Map<string, WeakRef<T>>();
  private readonly gone = new FinalizationRegistry<string>((key) => {
    if (this.pool.get(key)?.deref() === undefined) this.pool.delete(key);
  });

  /** The value held for `key`, or `value` itself (then held). */
  intern(key: string, value: T): T {
    const held = this.pool.get(key)?.deref();
    if (held !== undefined) return held;
    this.pool.set(key, new WeakRef(value));
    this.gone.register(value, key);
    return value;
  }

  /** Values held now (tests). */
  get size(): number {
    return this.pool.size;
  }
}

/**
 * Strings held once, up to `limit` of them (strings cannot be held weakly; past the limit a string
 * is handed back as it is). For field paths: a NetworkPolicy's are bounded by how many rules, peers
 * and ports it has, and the same in every policy.
 */
export class StringPool {
  private readonly pool = new Map<string, string>();

  constructor(private readonly limit: number) {}

  intern(text: string): string {
    const held = this.pool.get(text);
    if (held !== undefined) return held;
    if (this.pool.size < this.limit) this.pool.set(text, text);
    return text;
  }

  get size(): number {
    return this.pool.size;
  }
}

const NO_CIDRS: readonly Cidr[] = Object.freeze([]);
const NO_RULES: readonly Rule[] = Object.freeze([]);
const OWN_NAMESPACE: NamespaceScope = Object.freeze({ kind: "own" });

/** `affects` of every policy: one of four. */
const AFFECTS: readonly Policy["affects"][] = [false, true].flatMap((ingress) => [false, true].map((egress) => Object.freeze({ ingress, egress })));
const affectsOf = (a: Policy["affects"]): Policy["affects"] => AFFECTS.find((x) => x.ingress === a.ingress && x.egress === a.egress) ?? a;

const selectorText = (s: LabelSelector): string => JSON.stringify(s.requirements);

/**
 * A NetworkPolicy's selectors, namespace scopes, port matches and CIDRs as the values the pool
 * holds for them (equal content, in the same order: the same value). What carries a location
 * (the policy, its rules, peers and ports) stays the policy's own.
 */
export class PolicyPool {
  readonly selectors = new WeakPool<LabelSelector>();
  private readonly scopes = new WeakPool<NamespaceScope>();
  private readonly portMatches = new WeakPool<PortMatch>();
  private readonly cidrs = new WeakPool<Cidr>();

  /** `annotations`: the Map to hold for the policy's annotations (LabelsPool). */
  intern(p: Policy, annotations: (a: Labels) => Labels): Policy {
    return { ...p, podSelector: this.selector(p.podSelector), affects: affectsOf(p.affects), annotations: annotations(p.annotations), ingress: this.rules(p.ingress), egress: this.rules(p.egress) };
  }

  private rules(rules: readonly Rule[]): readonly Rule[] {
    return rules.length === 0 ? NO_RULES : rules.map((r) => this.rule(r));
  }

  private rule(r: Rule): Rule {
    return { ...r, peers: r.peers === "all" ? "all" : r.peers.map((x) => this.peer(x)), ports: r.ports === "all" ? "all" : r.ports.map((x) => this.port(x)) };
  }

  private peer(p: Peer): Peer {
    switch (p.kind) {
      case "pods":
        return { ...p, namespaces: this.scope(p.namespaces), pods: this.selector(p.pods) };
      case "ipBlock":
        return { ...p, cidr: this.cidr(p.cidr), except: p.except.length === 0 ? NO_CIDRS : p.except.map((c) => this.cidr(c)) };
    }
  }

  private port(p: PolicyPort): PolicyPort {
    const m = p.port;
    const key = m.kind === "any" ? "any" : m.kind === "named" ? `named ${m.name}` : `range ${m.from} ${m.to}`;
    return { ...p, port: this.portMatches.intern(key, m) };
  }

  private selector(s: LabelSelector): LabelSelector {
    return this.selectors.intern(selectorText(s), s);
  }

  private scope(n: NamespaceScope): NamespaceScope {
    if (n.kind === "own") return OWN_NAMESPACE;
    const selector = this.selector(n.selector);
    return this.scopes.intern(selectorText(selector), selector === n.selector ? n : { kind: "selected", selector });
  }

  private cidr(c: Cidr): Cidr {
    return this.cidrs.intern(`${c.family} ${c.first} ${c.last} ${c.prefix}`, c);
  }
}

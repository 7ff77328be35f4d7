import type { Endpoint, Peer, Policy, Rule } from "../model/cluster.js";
import { ipBlockAddresses } from "../engine/addresses.js";
import type { Engine } from "../engine/engine.js";
import { AddressSet } from "../net/address-set.js";
import type { Family, Ip } from "../net/ip.js";
import type { Labels } from "../model/labels.js";
import type { LabelSelector } from "../model/selector.js";
import type { LabelClass } from "../engine/classes.js";
import { cachedSelectorKey, classesSelectedBy, selectsNamespaceLabels } from "../engine/selection.js";
import { countBelow } from "../net/sorted.js";

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
 * dataplane follows `ipBlockMatchesPods` and selector semantics exactly as the analyses do. Indexes
 * (namespaces and labels for selectors, sorted addresses for ipBlocks) only narrow the question.
 * Pods without a known IP cannot be put in a set: they are absent (and reported by the compiler).
 */
export class PeerResolver {
  /** Per label class with known IPs: its endpoints with known IPs, and all their IPs. */
  private readonly known = new Map<LabelClass, Known>();
  /** Namespaces that have classes, with their labels. */
  private readonly namespaces = new Map<string, Labels>();
  /** Every known endpoint IP per family, sorted by value, with its endpoint: ipBlocks look up the pods inside. */
  private byAddressIndex: Record<Family, { readonly values: bigint[]; readonly owners: Endpoint[] }> | null = null;
  /** Namespaces by `key=value` label, for selectors with an `In` requirement (built on first use). */
  private namespaceIndex: Map<string, string[]> | null = null;
  /** Selector peers already resolved, by namespace scope and pod selector: rules share peers. */
  private readonly podsPeers = new Map<string, { readonly classes: readonly Known[]; readonly addresses: AddressSet }>();

  constructor(private readonly engine: Engine) {
    for (const c of engine.classes.all) {
      const endpoints = c.endpoints.filter((e) => e.ips.length > 0);
      const first = endpoints[0];
      if (first === undefined) continue;
      const ips = endpoints.flatMap((e) => e.ips);
      this.known.set(c, { first, endpoints, ips });
      this.namespaces.set(c.namespace, c.namespaceLabels);
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
      if (withEndpoints) for (const k of this.known.values()) for (const e of k.endpoints) add(e, () => AddressSet.fromIps(e.ips));
      return { addresses: AddressSet.ALL, endpoints };
    }
    let addresses = AddressSet.EMPTY;
    for (const peer of rule.peers) {
      addresses = addresses.union(peer.kind === "pods" ? this.podsPeer(policy, peer, withEndpoints ? add : null) : this.ipBlockPeer(policy, peer, add));
    }
    return { addresses, endpoints };
  }

  private podsPeer(policy: Policy, peer: Extract<Peer, { kind: "pods" }>, add: Add | null): AddressSet {
    const key = `${peer.namespaces.kind === "own" ? `own:${policy.namespace}` : `ns:${cachedSelectorKey(peer.namespaces.selector)}`}|${cachedSelectorKey(peer.pods)}`;
    let resolved = this.podsPeers.get(key);
    if (resolved === undefined) {
      const classes = this.candidates(policy, peer).filter(
        // A selector peer's answer is the same for every endpoint of a label class, and depends on
        // labels only (the addresses passed are merely handed back), so one question per class.
        (k) => this.engine.matchPeer(policy, peer, target(k.first), AddressSet.EMPTY).reason === "allowed",
      );
      resolved = { classes, addresses: AddressSet.fromIps(classes.flatMap((k) => k.ips)) };
      this.podsPeers.set(key, resolved);
    }
    if (add !== null) for (const k of resolved.classes) for (const e of k.endpoints) add(e, () => AddressSet.fromIps(e.ips));
    return resolved.addresses;
  }

  /**
   * The classes with known IPs that the peer may select: those of the namespaces in scope whose
   * labels the pod selector matches. A superset is harmless (the engine decides each), so this is
   * only an index; it never decides.
   */
  private candidates(policy: Policy, peer: Extract<Peer, { kind: "pods" }>): Known[] {
    const scope = peer.namespaces;
    const namespaces =
      scope.kind === "own"
        ? [policy.namespace]
        : this.namespaceCandidates(scope.selector).filter((name) => selectsNamespaceLabels(scope.selector, this.namespaces.get(name) as Labels));
    const out: Known[] = [];
    for (const ns of namespaces) {
      for (const c of classesSelectedBy(this.engine.classes, ns, peer.pods)) {
        const k = this.known.get(c);
        if (k !== undefined) out.push(k);
      }
    }
    return out;
  }

  private ipBlockPeer(policy: Policy, peer: Extract<Peer, { kind: "ipBlock" }>, add: Add): AddressSet {
    const block = ipBlockAddresses(peer);
    let excluded: Ip[] = [];
    let admitted: Ip[] = [];
    for (const e of this.endpointsWithin(block)) {
      const inside = e.ips.filter((ip) => block.has(ip));
      // Whether the block admits a pod's own IP is the engine's call (`ipBlockMatchesPods`).
      const allowed = this.engine.matchPeer(policy, peer, target(e), AddressSet.fromIps(e.ips)).allowed;
      excluded = excluded.concat(inside.filter((ip) => !allowed.has(ip)));
      admitted = admitted.concat(inside.filter((ip) => allowed.has(ip)));
      add(e, () => allowed);
    }
    // An address two endpoints share stays when either is admitted.
    return block.subtract(AddressSet.fromIps(excluded).subtract(AddressSet.fromIps(admitted)));
  }

  /** Namespaces a selector may select: with an `In` requirement, those carrying one of its values (an index built once). */
  private namespaceCandidates(selector: LabelSelector): readonly string[] {
    const narrowing = selector.requirements.find((r) => r.operator === "In");
    if (narrowing === undefined || !("values" in narrowing)) return [...this.namespaces.keys()];
    if (this.namespaceIndex === null) {
      this.namespaceIndex = new Map();
      for (const [name, labels] of this.namespaces) {
        for (const [key, value] of labels) {
          const k = `${key}=${value}`;
          const names = this.namespaceIndex.get(k);
          if (names === undefined) this.namespaceIndex.set(k, [name]);
          else names.push(name);
        }
      }
    }
    return [...new Set(narrowing.values.flatMap((v) => this.namespaceIndex?.get(`${narrowing.key}=${v}`) ?? []))];
  }

  /** Every known endpoint address per family, sorted, with its endpoint (built when an ipBlock first asks). */
  private byAddress(): Record<Family, { readonly values: bigint[]; readonly owners: Endpoint[] }> {
    if (this.byAddressIndex !== null) return this.byAddressIndex;
    const owned: { value: bigint; family: Family; owner: Endpoint }[] = [];
    for (const k of this.known.values()) for (const e of k.endpoints) for (const ip of e.ips) owned.push({ value: ip.value, family: ip.family, owner: e });
    owned.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    const index: Record<Family, { values: bigint[]; owners: Endpoint[] }> = { 4: { values: [], owners: [] }, 6: { values: [], owners: [] } };
    for (const o of owned) {
      index[o.family].values.push(o.value);
      index[o.family].owners.push(o.owner);
    }
    this.byAddressIndex = index;
    return index;
  }

  /** Known endpoints with an address in `block`, each once: binary search per interval. */
  private endpointsWithin(block: AddressSet): Endpoint[] {
    const found = new Set<Endpoint>();
    for (const f of [4, 6] as const) {
      const { values, owners } = this.byAddress()[f];
      for (const { lo, hi } of block.family(f).intervals) {
        const a = countBelow(values, lo);
        for (let k = a; k < values.length && (values[k] as bigint) <= hi; k++) found.add(owners[k] as Endpoint);
      }
    }
    return [...found];
  }
}

interface Known {
  readonly first: Endpoint;
  readonly endpoints: readonly Endpoint[];
  readonly ips: readonly Ip[];
}

import type { Cluster, Endpoint, Namespace } from "../model/cluster.js";
import { type Labels, labelsKey } from "../model/labels.js";
import { OverlayMap } from "./overlay-map.js";

/**
 * Endpoints with the same namespace, labels and host-network flag are indistinguishable to every
 * selector, so selectors are evaluated once per class, not once per pod.
 */
export interface LabelClass {
  readonly index: number;
  readonly namespace: string;
  readonly namespaceLabels: Labels;
  readonly labels: Labels;
  readonly hostNetwork: boolean;
  readonly endpoints: Endpoint[];
  /** Selector answers for this class's labels, by selector key; shared by every copy of the class. */
  readonly selectorMemo: Map<string, boolean>;
}

export const METADATA_NAME = "kubernetes.io/metadata.name";

/** "The API server sets kubernetes.io/metadata.name on every namespace"; implicit namespaces get it too. */
export function namespaceLabels(namespaces: ReadonlyMap<string, Namespace>, name: string): Labels {
  return namespaces.get(name)?.labels ?? new Map([[METADATA_NAME, name]]);
}

function classKey(endpoint: Endpoint): string {
  return `${endpoint.namespace}\u0000${endpoint.hostNetwork ? "h" : "p"}\u0000${labelsKey(endpoint.labels)}`;
}

/**
 * The label classes of a cluster. Class indices are stable: a class that loses its last endpoint
 * stays (empty), so a derived set of classes (`withEndpoints`) keeps every index of its parent and
 * shares every class it did not change.
 */
export class LabelClasses {
  readonly all: LabelClass[];
  readonly byNamespace: OverlayMap<string, LabelClass[]>;
  private readonly byKey: OverlayMap<string, number>;
  private readonly ofEndpoint: OverlayMap<Endpoint, number>;
  /** Per namespace, the classes carrying each `key=value` label (built on first use). */
  private readonly indexes: OverlayMap<string, Map<string, LabelClass[]>>;
  /** Classes (and namespace lists) made by this instance, which it may still change in place. */
  private readonly owned = new Set<object>();

  constructor(
    private readonly cluster: Cluster,
    from?: LabelClasses,
  ) {
    this.all = from === undefined ? [] : from.all.slice();
    this.byNamespace = from === undefined ? OverlayMap.of() : from.byNamespace.fork();
    this.byKey = from === undefined ? OverlayMap.of() : from.byKey.fork();
    this.ofEndpoint = from === undefined ? OverlayMap.of() : from.ofEndpoint.fork();
    this.indexes = from === undefined ? OverlayMap.of() : from.indexes.fork();
    if (from === undefined) for (const endpoint of cluster.endpoints) this.add(endpoint);
  }

  /** The classes of `cluster`, which is this one's cluster with `removed` taken out and `added` put in. */
  withEndpoints(cluster: Cluster, removed: readonly Endpoint[], added: readonly Endpoint[]): LabelClasses {
    // From here on both instances share classes: neither may change one in place.
    this.owned.clear();
    const next = new LabelClasses(cluster, this);
    for (const e of removed) next.remove(e);
    for (const e of added) next.add(e);
    return next;
  }

  classOf(endpoint: Endpoint): LabelClass {
    const index = this.ofEndpoint.get(endpoint);
    return index === undefined ? this.add(endpoint) : (this.all[index] as LabelClass);
  }

  /** The classes of `namespace` with the label `key=value`. */
  withLabel(namespace: string, key: string, value: string): readonly LabelClass[] {
    let index = this.indexes.get(namespace);
    if (index === undefined) {
      index = new Map();
      for (const c of this.byNamespace.get(namespace) ?? []) {
        for (const [k, v] of c.labels) {
          const kv = `${k}\u0000${v}`;
          const list = index.get(kv);
          if (list === undefined) index.set(kv, [c]);
          else list.push(c);
        }
      }
      this.indexes.set(namespace, index);
    }
    return index.get(`${key}\u0000${value}`) ?? [];
  }

  private add(endpoint: Endpoint): LabelClass {
    const key = classKey(endpoint);
    const found = this.byKey.get(key);
    const c = found === undefined ? this.create(endpoint, key) : this.writable(this.all[found] as LabelClass);
    if (found !== undefined) c.endpoints.push(endpoint);
    this.ofEndpoint.set(endpoint, c.index);
    return c;
  }

  private create(endpoint: Endpoint, key: string): LabelClass {
    const c: LabelClass = {
      index: this.all.length,
      namespace: endpoint.namespace,
      namespaceLabels: namespaceLabels(this.cluster.namespaces, endpoint.namespace),
      labels: endpoint.labels,
      hostNetwork: endpoint.hostNetwork,
      endpoints: [endpoint],
      selectorMemo: new Map(),
    };
    this.all.push(c);
    this.byKey.set(key, c.index);
    this.owned.add(c);
    this.namespaceList(c.namespace).push(c);
    return c;
  }

  private remove(endpoint: Endpoint): void {
    const index = this.ofEndpoint.get(endpoint);
    if (index === undefined) return;
    this.ofEndpoint.delete(endpoint);
    const c = this.writable(this.all[index] as LabelClass);
    c.endpoints.splice(c.endpoints.indexOf(endpoint), 1);
  }

  /** `c`, or a copy of it that this instance owns when `c` is shared with the instance it came from. */
  private writable(c: LabelClass): LabelClass {
    if (this.owned.has(c)) return c;
    const next: LabelClass = { ...c, endpoints: [...c.endpoints] };
    this.owned.add(next);
    this.all[c.index] = next;
    const list = this.namespaceList(c.namespace);
    list[list.indexOf(c)] = next;
    return next;
  }

  private namespaceList(namespace: string): LabelClass[] {
    this.indexes.delete(namespace);
    let list = this.byNamespace.get(namespace);
    if (list === undefined || !this.owned.has(list)) {
      list = list === undefined ? [] : [...list];
      this.owned.add(list);
      this.byNamespace.set(namespace, list);
    }
    return list;
  }
}

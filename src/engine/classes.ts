import type { Cluster, Endpoint, Namespace } from "../model/cluster.js";
import { type Labels, labelsKey } from "../model/labels.js";

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
}

export const METADATA_NAME = "kubernetes.io/metadata.name";

/** "The API server sets kubernetes.io/metadata.name on every namespace"; implicit namespaces get it too. */
export function namespaceLabels(namespaces: ReadonlyMap<string, Namespace>, name: string): Labels {
  return namespaces.get(name)?.labels ?? new Map([[METADATA_NAME, name]]);
}

export class LabelClasses {
  readonly all: LabelClass[] = [];
  readonly byNamespace = new Map<string, LabelClass[]>();
  private readonly byKey = new Map<string, LabelClass>();
  private readonly ofEndpoint = new Map<Endpoint, LabelClass>();

  constructor(private readonly cluster: Cluster) {
    for (const endpoint of cluster.endpoints) this.add(endpoint);
  }

  classOf(endpoint: Endpoint): LabelClass {
    return this.ofEndpoint.get(endpoint) ?? this.add(endpoint);
  }

  private add(endpoint: Endpoint): LabelClass {
    const key = `${endpoint.namespace}\u0000${endpoint.hostNetwork ? "h" : "p"}\u0000${labelsKey(endpoint.labels)}`;
    let c = this.byKey.get(key);
    if (c === undefined) {
      c = {
        index: this.all.length,
        namespace: endpoint.namespace,
        namespaceLabels: namespaceLabels(this.cluster.namespaces, endpoint.namespace),
        labels: endpoint.labels,
        hostNetwork: endpoint.hostNetwork,
        endpoints: [],
      };
      this.all.push(c);
      this.byKey.set(key, c);
      const list = this.byNamespace.get(c.namespace) ?? [];
      list.push(c);
      this.byNamespace.set(c.namespace, list);
    }
    c.endpoints.push(endpoint);
    this.ofEndpoint.set(endpoint, c);
    return c;
  }
}

import type { Cluster, Endpoint, Namespace, Peer, Policy } from "../model/cluster.js";
import { type Labels, labelsKey } from "../model/labels.js";
import { selectorMatches } from "../model/selector.js";
import { METADATA_NAME, namespaceLabels } from "../engine/classes.js";
import type { DnsResolution } from "./dns.js";
import { labelsSatisfying, witnessEndpoint, witnessName } from "./witness.js";

/**
 * The input plus witnesses: pods that are not in the input but that its policies mean, so that
 * the engine can be asked about repositories holding policies and few or no workloads.
 *
 * - the synthetic kube-dns endpoint, when the input holds no DNS pods;
 * - for each policy, a pod its podSelector selects and no other label (a *policy witness*), unless a
 *   workload of the input looks just like it; the endpoint-centric rules report on the policy
 *   witnesses of namespaces without workloads only (`policyWitnesses`), the others stand for pods
 *   that may come later (a default-deny policy is not redundant just because today's pods are
 *   also selected by another policy);
 * - for a peer that selects no pod of the input, a pod it selects (a *peer witness*), in a
 *   namespace of the input its namespaceSelector matches, or else in a namespace made for it.
 */
export interface Universe {
  readonly cluster: Cluster;
  /** The policy witnesses of namespaces without workloads: they stand for the pods of those namespaces. */
  readonly policyWitnesses: readonly Endpoint[];
  readonly witnesses: ReadonlySet<Endpoint>;
}

export function buildUniverse(cluster: Cluster, dns: DnsResolution): Universe {
  const namespaces = new Map<string, Namespace>(cluster.namespaces);
  const endpoints: Endpoint[] = [...cluster.endpoints];
  const witnesses = new Set<Endpoint>();
  const ids = new Set(endpoints.map((e) => e.id));
  const add = (e: Endpoint): void => {
    if (ids.has(e.id)) return;
    ids.add(e.id);
    endpoints.push(e);
    witnesses.add(e);
    if (!namespaces.has(e.namespace)) namespaces.set(e.namespace, { name: e.namespace, labels: new Map([[METADATA_NAME, e.namespace]]), declared: false });
  };
  if (dns.synthetic !== null) add(dns.synthetic);
  const populated = new Set(cluster.endpoints.map((e) => e.namespace));
  const policyWitnesses: Endpoint[] = [];
  for (const policy of cluster.policies) {
    const labels = labelsSatisfying(policy.podSelector);
    if (labels === null) continue;
    // A workload of the input that looks exactly like the witness makes it superfluous.
    if (cluster.endpoints.some((e) => e.namespace === policy.namespace && !e.hostNetwork && labelsKey(e.labels) === labelsKey(labels))) continue;
    const before = witnesses.size;
    const witness = witnessEndpoint(policy.namespace, witnessName(policy.podSelector), labels, policy.at);
    add(witness);
    if (witnesses.size > before && !populated.has(policy.namespace)) policyWitnesses.push(witness);
  }
  for (const policy of cluster.policies) {
    for (const rule of [...policy.ingress, ...policy.egress]) {
      if (rule.peers === "all") continue;
      for (const peer of rule.peers) {
        if (peer.kind !== "pods" || endpoints.some((e) => peerSelects(namespaces, policy, peer, e))) continue;
        const witness = peerWitness(namespaces, policy, peer);
        if (witness !== null) add(witness);
      }
    }
  }
  // The Nodes and admin policies stay: the engine walks the admin tiers over the universe too.
  const universe: Cluster = { ...cluster, namespaces, endpoints };
  return { cluster: universe, policyWitnesses, witnesses };
}

function peerSelects(namespaces: ReadonlyMap<string, Namespace>, policy: Policy, peer: Extract<Peer, { kind: "pods" }>, e: Endpoint): boolean {
  if (e.hostNetwork) return false;
  const inScope = peer.namespaces.kind === "own" ? e.namespace === policy.namespace : selectorMatches(peer.namespaces.selector, namespaceLabels(namespaces, e.namespace));
  return inScope && selectorMatches(peer.pods, e.labels);
}

function peerWitness(namespaces: Map<string, Namespace>, policy: Policy, peer: Extract<Peer, { kind: "pods" }>): Endpoint | null {
  const labels = labelsSatisfying(peer.pods);
  if (labels === null) return null;
  let namespace = policy.namespace;
  if (peer.namespaces.kind === "selected") {
    const selector = peer.namespaces.selector;
    const known = [...namespaces.values()].find((ns) => selectorMatches(selector, ns.labels));
    if (known !== undefined) namespace = known.name;
    else {
      const made = namespaceWitness(selector);
      if (made === null) return null;
      namespaces.set(made.name, made);
      namespace = made.name;
    }
  }
  return witnessEndpoint(namespace, witnessName(peer.pods), labels, peer.at);
}

/** A namespace a selector matches: named by its `kubernetes.io/metadata.name` requirement, if any. */
function namespaceWitness(selector: Extract<Peer, { kind: "pods" }>["pods"]): Namespace | null {
  const byName = selector.requirements.find((r) => r.key === METADATA_NAME && r.operator === "In");
  const name = byName !== undefined && "values" in byName && byName.values[0] !== undefined ? byName.values[0] : witnessName(selector);
  const labels: Labels | null = labelsSatisfying(selector, new Map([[METADATA_NAME, name]]));
  return labels === null ? null : { name, labels, declared: false };
}

/**
 * A mini kube-proxy: Services' endpoints as the EndpointSlice controller computes them (pods of the
 * Service's namespace matched by its selector, with an IP, Ready, not terminating; a named
 * targetPort resolved in each pod), and the nftables table `ip standin-kube-proxy` a node's router
 * gets: prerouting DNAT of ClusterIP:port to an endpoint (picked at random among them, as kube-proxy's
 * nftables mode), a reject for a port with no endpoint (kube-proxy's "has no endpoints" rule).
 * So policies in the forward hook see the pod's address after DNAT, as in a real cluster.
 * NodePort, LoadBalancer, session affinity and traffic policies are not done.
 */
import { labelsOf } from "../../model/labels.js";
import { type LabelSelector, type Requirement, selectorMatches } from "../../model/selector.js";
import { type Container, resolvePort } from "./pod-spec.js";
import type { KubeObject } from "./store.js";

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly protocol?: "TCP" | "UDP" | "SCTP";
  readonly targetPort?: number | string;
}

interface ServiceSpec {
  readonly clusterIP?: string;
  readonly clusterIPs?: readonly string[];
  readonly selector?: Readonly<Record<string, string>>;
  readonly ports?: readonly ServicePort[];
  readonly publishNotReadyAddresses?: boolean;
}

interface PodLike {
  readonly spec?: { readonly containers?: readonly Container[] };
  readonly status?: { readonly podIP?: string; readonly conditions?: readonly { readonly type?: string; readonly status?: string }[] };
}

/** metav1.LabelSelector (matchLabels, matchExpressions) as the model's selector. */
export function labelSelectorOf(s: { matchLabels?: Readonly<Record<string, string>>; matchExpressions?: readonly { key: string; operator: string; values?: readonly string[] }[] } | undefined): LabelSelector {
  const requirements: Requirement[] = Object.entries(s?.matchLabels ?? {}).map(([key, v]) => ({ key, operator: "In", values: [v] }));
  for (const e of s?.matchExpressions ?? []) {
    if (e.operator === "In" || e.operator === "NotIn") requirements.push({ key: e.key, operator: e.operator, values: e.values ?? [] });
    else if (e.operator === "Exists" || e.operator === "DoesNotExist") requirements.push({ key: e.key, operator: e.operator });
  }
  return { requirements };
}

export const selects = (selector: LabelSelector, o: KubeObject): boolean => selectorMatches(selector, labelsOf(o.metadata.labels ?? {}));

const isReady = (p: PodLike): boolean => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;

/** One endpoint of a Service: the pod and its address. */
export interface Endpoint {
  readonly pod: KubeObject;
  readonly ip: string;
}

/**
 * The Service's endpoints: pods of its namespace its selector matches, with an IP, Ready (or any,
 * with publishNotReadyAddresses), not being deleted. A Service without selector has none here.
 */
export function serviceEndpoints(svc: KubeObject, pods: readonly KubeObject[]): Endpoint[] {
  const spec = (svc["spec"] ?? {}) as ServiceSpec;
  if (spec.selector === undefined || Object.keys(spec.selector).length === 0) return [];
  const selector = labelSelectorOf({ matchLabels: spec.selector });
  const out: Endpoint[] = [];
  for (const pod of pods) {
    const p = pod as unknown as PodLike;
    const ip = p.status?.podIP;
    if (pod.metadata.namespace !== svc.metadata.namespace || ip === undefined || pod.metadata["deletionTimestamp"] !== undefined) continue;
    if (!selects(selector, pod) || !(spec.publishNotReadyAddresses === true || isReady(p))) continue;
    out.push({ pod, ip });
  }
  return out.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
}

/** The Service's ClusterIP, or undefined (headless, none yet). */
export function clusterIpOf(svc: KubeObject): string | undefined {
  const ip = ((svc["spec"] ?? {}) as ServiceSpec).clusterIP;
  return ip === undefined || ip === "" || ip === "None" ? undefined : ip;
}

export const TABLE = "standin-kube-proxy";

/** The rules of one Service port: DNAT to its endpoints (IP:targetPort each), or reject. */
function portRules(ip: string, sp: ServicePort, endpoints: readonly Endpoint[]): string[] {
  const proto = (sp.protocol ?? "TCP").toLowerCase();
  if (proto === "sctp") return [];
  const match = `ip daddr ${ip} ${proto} dport ${sp.port}`;
  const targets = endpoints.flatMap((e) => {
    const containers = ((e.pod["spec"] ?? {}) as { containers?: readonly Container[] }).containers ?? [];
    const port = resolvePort(containers, sp.targetPort ?? sp.port);
    return port === undefined ? [] : [`${e.ip} . ${port}`];
  });
  if (targets.length === 0) return [`${match} counter reject comment "has no endpoints"`];
  if (targets.length === 1) {
    const [addr, port] = (targets[0] as string).split(" . ");
    return [`${match} counter dnat ip to ${addr as string}:${port as string}`];
  }
  const map = targets.map((t, k) => `${k} : ${t}`).join(", ");
  return [`${match} counter dnat ip to numgen random mod ${targets.length} map { ${map} }`];
}

/** The whole table for the current Services and pods (applied with a delete first: one transaction). */
export function kubeProxyTable(services: readonly KubeObject[], pods: readonly KubeObject[]): string {
  const rules: string[] = [];
  for (const svc of services) {
    const ip = clusterIpOf(svc);
    const spec = (svc["spec"] ?? {}) as ServiceSpec;
    if (ip === undefined || spec.selector === undefined) continue;
    const endpoints = serviceEndpoints(svc, pods);
    for (const sp of spec.ports ?? []) rules.push(...portRules(ip, sp, endpoints));
  }
  return [
    `table ip ${TABLE} {`,
    "\tchain prerouting {",
    "\t\ttype nat hook prerouting priority dstnat; policy accept;",
    ...rules.map((r) => `\t\t${r}`),
    "\t}",
    "}",
  ].join("\n");
}

import type { Cluster, Endpoint, Service, WorkloadKind } from "../model/cluster.js";
import { serviceBackends, serviceWithClusterIp } from "../model/service.js";
import type { Target } from "../engine/types.js";
import { AddressSet } from "../net/address-set.js";
import { formatCidr, parseCidr } from "../net/cidr.js";
import { compareIps, type Ip, parseIp } from "../net/ip.js";
import { suggestions } from "./suggest.js";

export type Resolved = { readonly ok: true; readonly target: Target } | { readonly ok: false; readonly message: string };

/**
 * What a destination may be: one target, or a Service (named, or by one of its ClusterIPs), which
 * kube-proxy turns into its backends.
 */
export type Destination =
  | { readonly kind: "target"; readonly target: Target }
  | { readonly kind: "service"; readonly service: Service; readonly clusterIp: Ip | null };

export type ResolvedDestination = { readonly ok: true; readonly destination: Destination } | { readonly ok: false; readonly message: string };

type NamedKind = WorkloadKind | "Service";

/** What is written as a CIDR (validated by parseCidr): always addresses, never a pod. */
const CIDR = /^[0-9a-fA-F.:]+\/[0-9]+$/;

const KINDS: Readonly<Record<string, NamedKind>> = {
  pod: "Pod",
  po: "Pod",
  pods: "Pod",
  deployment: "Deployment",
  deploy: "Deployment",
  deployments: "Deployment",
  statefulset: "StatefulSet",
  sts: "StatefulSet",
  daemonset: "DaemonSet",
  ds: "DaemonSet",
  replicaset: "ReplicaSet",
  rs: "ReplicaSet",
  replicationcontroller: "ReplicationController",
  rc: "ReplicationController",
  job: "Job",
  cronjob: "CronJob",
  cj: "CronJob",
  service: "Service",
  services: "Service",
  svc: "Service",
};

/**
 * Resolves what the user wrote for --from/--to/TARGET: `ns/name`, `Kind/ns/name`, `ns/name[Kind]`
 * (the form the tool prints), an IP (a known pod IP names that pod), or a CIDR (always addresses,
 * never a pod). With `namespace` (-n), a bare `name`, `Kind/name` or `name[Kind]` is looked up there.
 */
export function resolveTarget(text: string, cluster: Cluster, namespace: string | null = null): Resolved {
  const ip = parseIp(text);
  if (ip !== undefined) {
    const owners = cluster.endpoints.filter((e) => e.ips.some((x) => compareIps(x, ip) === 0));
    if (owners.length > 1) return { ok: false, message: `${text} is the IP of several endpoints: ${owners.map(qualified).join(", ")}; name one instead` };
    const owner = owners[0];
    // The pod named by one of its addresses is asked about at that address (not its other family's).
    return { ok: true, target: owner === undefined ? { kind: "external", addresses: AddressSet.fromIp(ip) } : { kind: "endpoint", endpoint: owner, address: ip } };
  }
  if (CIDR.test(text)) {
    const cidr = parseCidr(text);
    if (!cidr.ok) return { ok: false, message: `invalid CIDR "${text}": ${cidr.reason}` };
    if (cidr.hostBitsSet) return { ok: false, message: `invalid CIDR "${text}": host bits are set (did you mean ${formatCidr(cidr.cidr)}?)` };
    return { ok: true, target: { kind: "external", addresses: AddressSet.fromCidr(cidr.cidr) } };
  }
  const query = parseName(text, namespace);
  if (typeof query === "string") return { ok: false, message: query };
  if (query.kind === "Service") return { ok: false, message: `"${text}" names a Service: a Service is a destination (kube-proxy sends its traffic to the pods it selects); name a pod or workload as the source` };
  return resolveName(text, { ...query, kind: query.kind }, cluster.endpoints);
}

/**
 * Resolves a destination (--to, explain's TARGET): what `resolveTarget` takes, and Services:
 * `svc/ns/name`, `service/ns/name`, `ns/name[Service]`, `ns/name` when no workload has that name
 * (with -n also the bare forms), and any of a Service's ClusterIPs.
 */
export function resolveDestination(text: string, cluster: Cluster, namespace: string | null = null): ResolvedDestination {
  const ip = parseIp(text);
  const byIp = ip === undefined ? undefined : serviceWithClusterIp(cluster.services, ip);
  const owner = ip === undefined ? undefined : cluster.endpoints.find((e) => e.ips.some((x) => compareIps(x, ip) === 0));
  if (ip !== undefined && byIp !== undefined && owner === undefined) return { ok: true, destination: { kind: "service", service: byIp, clusterIp: ip } };
  const query = ip === undefined && !CIDR.test(text) ? parseName(text, namespace) : null;
  if (query === null || typeof query === "string" || (query.kind !== null && query.kind !== "Service")) return asTarget(resolveTarget(text, cluster, namespace));
  const service = query.namespace === null ? undefined : cluster.services.find((s) => s.name === query.name && s.namespace === query.namespace);
  const endpoints = query.kind === "Service" ? [] : cluster.endpoints.filter((e) => e.name === query.name && e.namespace === query.namespace);
  if (service === undefined) {
    if (query.kind === null) return asTarget(resolveTarget(text, cluster, namespace));
    const known = uniqueSorted(cluster.services.map((s) => `Service/${s.namespace}/${s.name}`));
    const close = suggestions(`Service/${query.namespace ?? ""}/${query.name}`, known);
    return { ok: false, message: `no Service "${text}" in the manifests${close.length === 0 ? "" : ` (did you mean ${close.join(", ")}?)`}` };
  }
  if (endpoints.length === 0 || sameAnswer(cluster, service, endpoints)) {
    const only = endpoints[0];
    if (only !== undefined) return { ok: true, destination: { kind: "target", target: { kind: "endpoint", endpoint: only } } };
    return { ok: true, destination: { kind: "service", service, clusterIp: null } };
  }
  return { ok: false, message: ambiguousWithService(text, query, endpoints, service) };
}

function asTarget(r: Resolved): ResolvedDestination {
  return r.ok ? { ok: true, destination: { kind: "target", target: r.target } } : r;
}

/**
 * A headless Service whose only backend is the workload of the same name (a StatefulSet's
 * governing Service): its name resolves to that workload's pods, with no port translation, so
 * both readings give the same answer.
 */
function sameAnswer(cluster: Cluster, service: Service, endpoints: readonly Endpoint[]): boolean {
  const backends = serviceBackends(cluster, service);
  return service.headless && endpoints.length === 1 && backends.length === 1 && backends[0] === endpoints[0];
}

function ambiguousWithService(text: string, query: NameQuery, endpoints: readonly Endpoint[], service: Service): string {
  const names = [...endpoints.map(qualified).sort(), `Service/${service.namespace}/${service.name}`];
  const where = query.scoped ? ` in namespace ${query.namespace ?? ""}` : "";
  const first = endpoints[0];
  const example = first === undefined ? "" : ` (${qualified(first)} or ${plain(first)}[${first.kind}] for the workload, svc/${service.namespace}/${service.name} or ${service.namespace}/${service.name}[Service] for the Service)`;
  return `"${text}" is ambiguous${where}: it names ${names.join(" and ")}; write Kind/namespace/name or namespace/name[Kind]${example}`;
}

/** A workload name as written: the kind when given, the namespace when known. */
interface NameQuery {
  readonly kind: NamedKind | null;
  readonly namespace: string | null;
  readonly name: string;
  /** Whether the namespace came from -n rather than the text. */
  readonly scoped: boolean;
}

const KIND_SUFFIX = /^(.*)\[([^\]]*)\]$/;

/** The kind a word names (`deploy`, `StatefulSet`, `svc`, ...); own keys only, so `constructor` is none. */
function kindNamed(word: string): NamedKind | undefined {
  const key = word.toLowerCase();
  return Object.hasOwn(KINDS, key) ? KINDS[key] : undefined;
}

function unknownKind(word: string, text: string): string {
  return `unknown kind "${word}" in "${text}": expected one of Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, Service`;
}

/** `Kind/ns/name`, `ns/name[Kind]`, `ns/name`; with -n also `Kind/name`, `name[Kind]`, `name`. */
function parseName(text: string, namespace: string | null): NameQuery | string {
  const suffix = KIND_SUFFIX.exec(text);
  const body = suffix?.[1] ?? text;
  const parts = body.split("/");
  let kindWord = suffix?.[2] ?? null;
  if (parts.length === 3 && kindWord === null) kindWord = parts.shift() ?? null;
  else if (parts.length === 2 && kindWord === null && namespace !== null && kindNamed(parts[0] ?? "") !== undefined) kindWord = parts.shift() ?? null;
  const kind = kindWord === null ? null : kindNamed(kindWord);
  if (kind === undefined) return unknownKind(kindWord ?? "", text);
  if (parts.length === 2) return { kind, namespace: parts[0] ?? "", name: parts[1] ?? "", scoped: false };
  if (parts.length === 1) return { kind, namespace, name: parts[0] ?? "", scoped: namespace !== null };
  return notFound(text, []);
}

function resolveName(text: string, query: NameQuery & { readonly kind: WorkloadKind | null }, endpoints: readonly Endpoint[]): Resolved {
  const named = endpoints.filter((e) => e.name === query.name && (query.namespace === null || e.namespace === query.namespace));
  const found = named.filter((e) => query.kind === null || e.kind === query.kind);
  const only = found[0];
  if (query.namespace !== null && found.length === 1 && only !== undefined) return { ok: true, target: { kind: "endpoint", endpoint: only } };
  if (query.namespace !== null && found.length > 1) return { ok: false, message: ambiguous(text, query, found) };
  // `StatefulSet/ns/name` for a Deployment: the name is right, the kind is not.
  if (named.length > 0) return { ok: false, message: notFound(text, uniqueSorted(named.map(query.namespace === null ? plain : qualified))) };
  const known = endpoints.map(query.kind === null ? plain : qualified);
  return { ok: false, message: notFound(text, suggestions(query.kind === null ? text : `${query.kind}/${query.namespace ?? ""}/${query.name}`, uniqueSorted(known))) };
}

function ambiguous(text: string, query: NameQuery, found: readonly Endpoint[]): string {
  const sorted = [...found].sort((a, b) => qualified(a).localeCompare(qualified(b)));
  const names = sorted.map(qualified);
  const first = sorted[0];
  const example = first === undefined ? "" : `, e.g. ${qualified(first)} or ${plain(first)}[${first.kind}]`;
  const where = query.scoped ? ` in namespace ${query.namespace ?? ""}` : "";
  return `"${text}" is ambiguous${where}: it names ${names.join(", ")}; write Kind/namespace/name or namespace/name[Kind]${example}`;
}

function notFound(text: string, close: readonly string[]): string {
  const shape = text.includes("/") ? "" : `; write namespace/name, Kind/namespace/name, namespace/name[Kind], an IP or a CIDR (or give -n NAMESPACE)`;
  const hint = close.length === 0 ? "" : ` (did you mean ${close.join(", ")}?)`;
  return `no endpoint "${text}" in the manifests${hint}${shape}`;
}

function uniqueSorted(names: readonly string[]): string[] {
  return [...new Set(names)].sort();
}

function plain(e: Endpoint): string {
  return `${e.namespace}/${e.name}`;
}

/** `Kind/namespace/name`: the form that names one endpoint whatever else shares its name. */
export function qualified(e: Endpoint): string {
  return `${e.kind}/${e.namespace}/${e.name}`;
}

import type { Cluster, Endpoint, WorkloadKind } from "../model/cluster.js";
import type { Target } from "../engine/types.js";
import { AddressSet } from "../net/address-set.js";
import { formatCidr, parseCidr } from "../net/cidr.js";
import { parseIp } from "../net/ip.js";
import { suggestions } from "./suggest.js";

export type Resolved = { readonly ok: true; readonly target: Target } | { readonly ok: false; readonly message: string };

const KINDS: Readonly<Record<string, WorkloadKind>> = {
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
};

/**
 * Resolves what the user wrote for --from/--to/TARGET: `ns/name`, `Kind/ns/name`, `ns/name[Kind]`
 * (the form the tool prints), an IP (a known pod IP names that pod), or a CIDR (always addresses,
 * never a pod). With `namespace` (-n), a bare `name`, `Kind/name` or `name[Kind]` is looked up there.
 */
export function resolveTarget(text: string, cluster: Cluster, namespace: string | null = null): Resolved {
  const ip = parseIp(text);
  if (ip !== undefined) {
    const owners = cluster.endpoints.filter((e) => e.ips.some((x) => x.family === ip.family && x.value === ip.value));
    if (owners.length > 1) return { ok: false, message: `${text} is the IP of several endpoints: ${owners.map(qualified).join(", ")}; name one instead` };
    const owner = owners[0];
    return { ok: true, target: owner === undefined ? { kind: "external", addresses: AddressSet.fromIp(ip) } : { kind: "endpoint", endpoint: owner } };
  }
  if (/^[0-9a-fA-F.:]+\/[0-9]+$/.test(text)) {
    const cidr = parseCidr(text);
    if (!cidr.ok) return { ok: false, message: `invalid CIDR "${text}": ${cidr.reason}` };
    if (cidr.hostBitsSet) return { ok: false, message: `invalid CIDR "${text}": host bits are set (did you mean ${formatCidr(cidr.cidr)}?)` };
    return { ok: true, target: { kind: "external", addresses: AddressSet.fromCidr(cidr.cidr) } };
  }
  const query = parseName(text, namespace);
  return typeof query === "string" ? { ok: false, message: query } : resolveName(text, query, cluster.endpoints);
}

/** A workload name as written: the kind when given, the namespace when known. */
interface NameQuery {
  readonly kind: WorkloadKind | null;
  readonly namespace: string | null;
  readonly name: string;
  /** Whether the namespace came from -n rather than the text. */
  readonly scoped: boolean;
}

const KIND_SUFFIX = /^(.*)\[([^\]]*)\]$/;

/** The kind a word names (`deploy`, `StatefulSet`, ...); own keys only, so `constructor` is none. */
function kindNamed(word: string): WorkloadKind | undefined {
  const key = word.toLowerCase();
  return Object.hasOwn(KINDS, key) ? KINDS[key] : undefined;
}

function unknownKind(word: string, text: string): string {
  return `unknown kind "${word}" in "${text}": expected one of Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob`;
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

function resolveName(text: string, query: NameQuery, endpoints: readonly Endpoint[]): Resolved {
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

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
 * Resolves what the user wrote for --from/--to/TARGET: `ns/name`, `Kind/ns/name`, an IP (a known
 * pod IP names that pod), or a CIDR (always addresses, never a pod).
 */
export function resolveTarget(text: string, cluster: Cluster): Resolved {
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
  return resolveName(text, cluster.endpoints);
}

function resolveName(text: string, endpoints: readonly Endpoint[]): Resolved {
  const parts = text.split("/");
  const kindText = parts.length === 3 ? (parts[0] ?? "") : null;
  const kind = kindText === null ? null : KINDS[kindText.toLowerCase()];
  if (kind === undefined) return { ok: false, message: `unknown kind "${kindText ?? ""}" in "${text}": expected one of Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob` };
  const id = parts.slice(parts.length === 3 ? 1 : 0).join("/");
  const found = endpoints.filter((e) => e.id === id && (kind === null || e.kind === kind));
  const only = found[0];
  if (found.length === 1 && only !== undefined) return { ok: true, target: { kind: "endpoint", endpoint: only } };
  if (found.length > 1) return { ok: false, message: `"${text}" names several endpoints: ${found.map(qualified).join(", ")}; write Kind/namespace/name` };
  // `StatefulSet/ns/name` for a Deployment: the name is right, the kind is not.
  const otherKinds = endpoints.filter((e) => e.id === id).map(qualified);
  const close = otherKinds.length > 0 ? otherKinds : suggestions(text, kind === null ? endpoints.map((e) => e.id) : endpoints.map(qualified));
  return { ok: false, message: notFound(text, close) };
}

function notFound(text: string, close: readonly string[]): string {
  const shape = text.includes("/") ? "" : `; write namespace/name, Kind/namespace/name, an IP or a CIDR`;
  const hint = close.length === 0 ? "" : ` (did you mean ${close.join(", ")}?)`;
  return `no endpoint "${text}" in the manifests${hint}${shape}`;
}

function qualified(e: Endpoint): string {
  return `${e.kind}/${e.id}`;
}

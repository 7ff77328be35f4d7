/**
 * A destination that is a Service, turned into the cases kube-proxy makes of it: a connection to
 * a ClusterIP (or the Service's name) and a Service port goes to one backend at its target port.
 */
import type { Cluster, Endpoint, Service, ServicePort } from "../model/cluster.js";
import type { Protocol } from "../model/ports.js";
import { formatServicePort, pickServicePort, serviceBackends, serviceName, targetPortOn } from "../model/service.js";
import { formatIp, type Ip } from "../net/ip.js";
import { atFamily } from "../engine/addresses.js";
import type { Target } from "../engine/types.js";
import type { Case, Cases } from "./cases.js";

/** Where one case connects: the backend and the port on it. */
export interface Destination {
  readonly target: Target;
  readonly port: number;
  readonly protocol: Protocol;
}

/** The Service as the user named it, and the port asked about (null: not given). */
export interface ServiceQuestion {
  readonly service: Service;
  /** The ClusterIP written, when the Service was named by one. */
  readonly clusterIp: Ip | null;
  readonly port: number | string | null;
  readonly protocol: Protocol | null;
}

/**
 * The backends of the Service at the port asked about, each a case; a string when the question has
 * no answer in the input (no selector, ExternalName, no backend, no such port).
 */
export function serviceCases(cluster: Cluster, q: ServiceQuestion): Cases<Destination> | string {
  const unanswerable = whyNoBackends(cluster, q.service);
  if (unanswerable !== null) return unanswerable;
  const backends = serviceBackends(cluster, q.service);
  if (q.service.headless) return headlessCases(q, backends);
  const port = pickServicePort(q.service, q.port, q.protocol);
  if (typeof port === "string") return port;
  const family = addressFamily(q);
  const cases: Case<Destination>[] = backends.map((b) => {
    const label = `${b.kind}/${b.id}`;
    const at = targetPortOn(port, b);
    return at.ok ? { label, subject: { target: backendTarget(b, family), port: at.port, protocol: at.protocol } } : { label, skipped: at.reason };
  });
  const answered = cases.flatMap((c) => ("subject" in c ? [c.subject] : []));
  if (answered.length === 0) {
    return `no backend of Service ${serviceName(q.service)} declares the target port ${String(port.targetPort)} (${port.protocol}): kube-proxy has no endpoint for port ${formatServicePort(port)}`;
  }
  const head = q.clusterIp === null ? `Service ${serviceName(q.service)}` : `${hostPort(q.clusterIp, port.port)}/${port.protocol} is Service ${serviceName(q.service)}`;
  return { translation: `${head} → ${count(answered.length, "backend")}, ${portTranslation(port, answered)}`, cases };
}

/**
 * The IP family the connection uses: the ClusterIP's, or the Service's when all its ClusterIPs are
 * of one family; null when it could be either (a dual-stack Service named by its name).
 */
function addressFamily(q: ServiceQuestion): Ip["family"] | null {
  if (q.clusterIp !== null) return q.clusterIp.family;
  const families = new Set(q.service.clusterIps.map((ip) => ip.family));
  const only = families.size === 1 ? q.service.clusterIps[0] : undefined;
  return only === undefined ? null : only.family;
}

/** A backend as kube-proxy reaches it: a ClusterIP of one family is translated to the backend's address of that family. */
function backendTarget(b: Endpoint, family: Ip["family"] | null): Target {
  return atFamily({ kind: "endpoint", endpoint: b }, family);
}

/** `port 53 → dns (53/UDP)`, `port 80 → 8080/TCP`. */
function portTranslation(port: ServicePort, answered: readonly Destination[]): string {
  const landed = [...new Set(answered.map((d) => `${d.port}/${d.protocol}`))].join(", ");
  return typeof port.targetPort === "number" ? `port ${port.port} → ${landed}` : `port ${port.port} → ${port.targetPort} (${landed})`;
}

/**
 * "headless Services ... a cluster IP is not allocated, kube-proxy does not handle these
 * Services": the name resolves to the pods' own addresses, and the port is the pod's.
 */
function headlessCases(q: ServiceQuestion, backends: readonly Endpoint[]): Cases<Destination> | string {
  const asked = q.port;
  if (asked === null) return `Service ${serviceName(q.service)} is headless: its name resolves to the pods, and the port is theirs: give --port`;
  const cases: Case<Destination>[] = backends.map((b) => {
    const label = `${b.kind}/${b.id}`;
    if (typeof asked === "number") return { label, subject: { target: { kind: "endpoint", endpoint: b }, port: asked, protocol: q.protocol ?? "TCP" } };
    const declared = b.ports.find((p) => p.name === asked && (q.protocol === null || p.protocol === q.protocol));
    if (declared === undefined) return { label, skipped: `declares no container port named "${asked}"` };
    return { label, subject: { target: { kind: "endpoint", endpoint: b }, port: declared.port, protocol: declared.protocol } };
  });
  const answered = cases.filter((c) => "subject" in c).length;
  if (answered === 0) return `no pod of headless Service ${serviceName(q.service)} declares a container port named "${String(asked)}"`;
  return {
    translation: `Service ${serviceName(q.service)} is headless (clusterIP: None): its name resolves to the pods themselves, no port translation → ${count(answered, "pod")}`,
    cases,
  };
}

/**
 * The backends of a Service, whatever the port: what `explain` shows for a Service. A string when
 * the input cannot say (no selector, ExternalName, no backend).
 */
export function serviceBackendCases(cluster: Cluster, service: Service, clusterIp: Ip | null): Cases<Target> | string {
  const unanswerable = whyNoBackends(cluster, service);
  if (unanswerable !== null) return unanswerable;
  const backends = serviceBackends(cluster, service);
  const family = clusterIp?.family ?? null;
  const cases = backends.map((b) => ({ label: `${b.kind}/${b.id}`, subject: backendTarget(b, family) }));
  if (service.headless) return { translation: `Service ${serviceName(service)} is headless (clusterIP: None): its name resolves to the pods themselves → ${count(backends.length, "pod")}`, cases };
  const ips = service.clusterIps.length === 0 ? "ClusterIP not in the input" : `ClusterIP ${service.clusterIps.map(formatIp).join(", ")}`;
  const ports = service.ports.map((p) => `${formatServicePort(p)} → ${String(p.targetPort)}`).join(", ");
  return { translation: `Service ${serviceName(service)} (${ips}) → ${count(backends.length, "backend")}; ports ${ports === "" ? "none" : ports}`, cases };
}

/** Why the input cannot say where the Service's traffic goes; null when it can. */
function whyNoBackends(cluster: Cluster, service: Service): string | null {
  const name = serviceName(service);
  if (service.type === "ExternalName") {
    return `Service ${name} is of type ExternalName (${service.externalName ?? ""}): the client resolves that name by DNS, so Portcullis cannot know the address; check --to the IP it resolves to`;
  }
  if (service.selector === null) {
    return `Service ${name} has no selector: its endpoints are managed outside it (EndpointSlices are not read), so its backends are not in the input; check --to a backend's IP or name`;
  }
  if (serviceBackends(cluster, service).length === 0) {
    const selector = [...service.selector].map(([k, v]) => `${k}=${v}`).join(",");
    return `Service ${name} selects no pod in the manifests (selector ${selector} in namespace ${service.namespace}): it has no backend to check`;
  }
  return null;
}

/** `10.96.0.10:53`, `[fd00:10:96::a]:53`. */
function hostPort(ip: Ip, port: number): string {
  return ip.family === 6 ? `[${formatIp(ip)}]:${port}` : `${formatIp(ip)}:${port}`;
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

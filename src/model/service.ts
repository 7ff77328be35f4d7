/**
 * How a Service routes, as kube-proxy does: a connection to a ClusterIP and Service port goes to
 * one of the backends (the pods the selector selects in the Service's namespace) at the target port.
 */
import type { Cluster, Endpoint, Service, ServicePort } from "./cluster.js";
import type { Protocol } from "./ports.js";
import { type Ip, compareIps } from "../net/ip.js";

/**
 * The endpoints behind a Service: "Route service traffic to pods with label keys and values
 * matching this selector." (ServiceSpec.selector, in the Service's namespace). None without a selector.
 */
export function serviceBackends(cluster: Cluster, service: Service): Endpoint[] {
  const selector = service.selector;
  if (selector === null) return [];
  return cluster.endpoints.filter((e) => e.namespace === service.namespace && [...selector].every(([k, v]) => e.labels.get(k) === v));
}

/** `ns/name` of a Service. */
/** The Service whose ClusterIPs include `ip`, if any. */
export function serviceWithClusterIp(services: readonly Service[], ip: Ip): Service | undefined {
  return services.find((s) => s.clusterIps.some((x) => compareIps(x, ip) === 0));
}

export function serviceName(service: Service): string {
  return `${service.namespace}/${service.name}`;
}

/** `dns 53/UDP` or `53/TCP`: a Service port as listed in messages. */
export function formatServicePort(p: ServicePort): string {
  return `${p.name === undefined ? "" : `${p.name} `}${p.port}/${p.protocol}`;
}

/**
 * The Service port a connection names: by number (and protocol when given) or by port name; a
 * Service with one port needs none. A string says why none fits (the ports listed).
 */
export function pickServicePort(service: Service, port: number | string | null, protocol: Protocol | null): ServicePort | string {
  const ports = service.ports.filter((p) => protocol === null || p.protocol === protocol);
  const listed = service.ports.length === 0 ? "it declares no ports" : `its ports: ${service.ports.map(formatServicePort).join(", ")}`;
  if (port === null) {
    const only = ports.length === 1 ? ports[0] : undefined;
    if (only !== undefined) return only;
    return `Service ${serviceName(service)} has ${ports.length === 0 ? "no such port" : "several ports"}: give --port (${listed})`;
  }
  const found = ports.filter((p) => (typeof port === "number" ? p.port === port : p.name === port));
  // "port: The port that will be exposed by this service"; one port number may serve TCP and UDP.
  const tcp = found.find((p) => p.protocol === "TCP");
  const first = found.length > 1 && protocol === null ? (tcp ?? found[0]) : found[0];
  if (first !== undefined) return first;
  const proto = protocol === null ? "" : `${protocol} `;
  return `Service ${serviceName(service)} has no ${proto}port ${typeof port === "number" ? port : `named "${port}"`} (${listed})`;
}

/** Where a Service port lands on one backend: a number and protocol, or why the backend has no such port. */
export type TargetPort = { readonly ok: true; readonly port: number; readonly protocol: Protocol } | { readonly ok: false; readonly reason: string };

/**
 * "targetPort: Number or name of the port to access on the pods targeted by the service ... If
 * this is a string, it will be looked up as a named port in the target Pod's container ports."
 * A backend that declares no container port of that name (and protocol) is not an endpoint of the
 * port: kube-proxy sends it nothing.
 */
export function targetPortOn(p: ServicePort, backend: Endpoint): TargetPort {
  if (typeof p.targetPort === "number") return { ok: true, port: p.targetPort, protocol: p.protocol };
  const name = p.targetPort;
  const declared = backend.ports.find((c) => c.name === name && c.protocol === p.protocol);
  if (declared !== undefined) return { ok: true, port: declared.port, protocol: p.protocol };
  return { ok: false, reason: `declares no ${p.protocol} container port named "${name}": not a backend of this port` };
}

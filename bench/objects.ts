/** Kubernetes objects as plain data (what a YAML document holds), for the synthetic clusters. */

export type Obj = Record<string, unknown>;

export interface PortSpec {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol?: "TCP" | "UDP" | "SCTP";
}

export function namespace(name: string, labels: Record<string, string>): Obj {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } };
}

export interface PodSpec {
  readonly ns: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly ports: readonly PortSpec[];
  readonly ips: readonly string[];
  readonly hostNetwork?: boolean;
}

export function pod(p: PodSpec): Obj {
  const first = p.ips[0];
  const status: Obj = first === undefined ? {} : { podIP: first, podIPs: p.ips.map((ip) => ({ ip })) };
  const spec: Obj = { containers: [{ name: "main", image: "registry.example/app:1", ports: p.ports }] };
  if (p.hostNetwork === true) spec["hostNetwork"] = true;
  return { apiVersion: "v1", kind: "Pod", metadata: { namespace: p.ns, name: p.name, labels: p.labels }, spec, status };
}

export function policy(ns: string, name: string, spec: Obj): Obj {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { namespace: ns, name }, spec };
}

/** IPv4 address number `n` inside 10.0.0.0/8. */
export function podIpv4(n: number): string {
  return `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function podIpv6(n: number): string {
  return `fd00:10::${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
}

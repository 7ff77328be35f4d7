/** Small builders for Kubernetes manifests used by the conformance cases (plain objects, as in YAML). */

type Obj = Record<string, unknown>;

export function namespace(name: string, labels: Record<string, string> = {}): Obj {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } };
}

export interface PodOptions {
  readonly ip?: string;
  readonly ips?: readonly string[];
  readonly ports?: readonly { name?: string; containerPort: number; protocol?: string }[];
  readonly hostNetwork?: boolean;
}

export function pod(ns: string, name: string, labels: Record<string, string>, o: PodOptions = {}): Obj {
  const status: Obj = {};
  if (o.ip !== undefined) status["podIP"] = o.ip;
  if (o.ips !== undefined) status["podIPs"] = o.ips.map((ip) => ({ ip }));
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { namespace: ns, name, labels },
    spec: { hostNetwork: o.hostNetwork ?? false, containers: [{ name: "c", image: "x", ports: o.ports ?? [] }] },
    status,
  };
}

export function deployment(ns: string, name: string, labels: Record<string, string>, ports: PodOptions["ports"] = []): Obj {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { namespace: ns, name },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: "c", image: "x", ports }] } },
    },
  };
}

export function policy(ns: string, name: string, spec: Obj): Obj {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { namespace: ns, name }, spec };
}

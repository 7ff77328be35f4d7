/**
 * A seeded synthetic cluster for the enforcement benchmark, built directly as model objects
 * (no YAML). Pods are spread over nodes round-robin; node k owns 10.244.k.0/24, so a node's pods
 * sit in many namespaces (as the scheduler spreads them) and its pod CIDR enables fail-closed.
 *
 * Policies per namespace, from templates (a realistic mix):
 * - default-deny (ingress and egress) and allow-dns (egress to kube-dns in kube-system, UDP/TCP 53);
 * - app egress to the next tier in its own namespace on a named port;
 * - app egress to an app in the namespaces of another team (namespaceSelector + podSelector);
 * - egress to the internet: ipBlock 0.0.0.0/0 except the private ranges, TCP 443;
 * - egress to a partner range: ipBlock /24 except a /28, TCP 5432-5439;
 * - ingress from the same app tier of prod namespaces on a named port; ingress from monitoring.
 */
import type { Cluster, Endpoint, Namespace, Policy, Rule } from "../../src/model/cluster.js";
import type { ContainerPort } from "../../src/model/ports.js";
import { MATCH_ALL } from "../../src/model/selector.js";
import { ipBlock, namespace, pod, podsPeer, policy, port, rule, sel } from "../../src/nft/fixture.js";
import { Prng } from "../prng.js";

export { Prng };

export const APPS = ["web", "api", "auth", "cart", "search", "orders", "payments", "queue", "cache", "db"] as const;
const TEAMS = 20;
const ENVS = ["prod", "staging", "dev"] as const;

const PORTS: Readonly<Record<string, readonly ContainerPort[]>> = {
  web: [{ name: "http", port: 8080, protocol: "TCP" }, { name: "metrics", port: 9090, protocol: "TCP" }],
  api: [{ name: "http", port: 8080, protocol: "TCP" }, { name: "grpc", port: 9000, protocol: "TCP" }, { name: "metrics", port: 9090, protocol: "TCP" }],
  db: [{ name: "pg", port: 5432, protocol: "TCP" }, { name: "metrics", port: 9187, protocol: "TCP" }],
  cache: [{ name: "redis", port: 6379, protocol: "TCP" }],
  queue: [{ name: "amqp", port: 5672, protocol: "TCP" }, { name: "metrics", port: 15692, protocol: "TCP" }],
};
const portsOf = (app: string): readonly ContainerPort[] => PORTS[app] ?? [{ name: "http", port: 8080, protocol: "TCP" }, { name: "metrics", port: 9090, protocol: "TCP" }];
const servicePort = (app: string): string => portsOf(app)[0]?.name ?? "http";

export interface SyntheticCluster {
  readonly cluster: Cluster;
  readonly nodes: number;
  /** A slot free on every node (10.244.k.<freeSlot+1>). */
  readonly freeSlot: number;
  /** Pods of node 0 (10.244.0.0/24), in order. */
  readonly node0: readonly Endpoint[];
  readonly podsPerNode: number;
}

export const podIp = (node: number, slot: number): string => `10.244.${node}.${slot + 1}`;
export const nsName = (i: number): string => `ns-${String(i).padStart(4, "0")}`;

export function appPolicy(ns: string, k: number, r: Prng): Policy {
  const app = APPS[k % APPS.length] as string;
  const next = APPS[(k + 1) % APPS.length] as string;
  const other = APPS[r.int(APPS.length)] as string;
  const egress: Rule[] = [rule(0, [podsPeer(sel({ app: next }))], [port("TCP", servicePort(next))])];
  egress.push(rule(1, [podsPeer(sel({ app: other }), sel({ team: `team-${r.int(TEAMS)}` }))], [port("TCP", servicePort(other))]));
  if (r.chance(0.3)) egress.push(rule(2, [ipBlock("0.0.0.0/0", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"])], [port("TCP", 443)]));
  if (r.chance(0.2)) {
    const a = 1 + r.int(200);
    const b = r.int(256);
    egress.push(rule(3, [ipBlock(`198.${a}.${b}.0/24`, [`198.${a}.${b}.${16 * r.int(16)}/28`])], [port("TCP", { kind: "range", from: 5432, to: 5439 })]));
  }
  const ingress: Rule[] = [
    rule(0, [podsPeer(sel({ app: APPS[(k + APPS.length - 1) % APPS.length] as string }), sel({ env: ENVS[r.int(3)] as string }))], [port("TCP", servicePort(app))]),
    rule(1, [podsPeer(sel({ app: "prometheus" }), sel({ "kubernetes.io/metadata.name": "monitoring" }))], [port("TCP", "metrics")]),
  ];
  return policy(ns, `${app}-${k}`, sel({ app, ...(r.chance(0.3) ? { version: r.chance(0.5) ? "v1" : "v2" } : {}) }), { egress, ingress });
}

export function baseline(ns: string): Policy[] {
  return [
    policy(ns, "default-deny", MATCH_ALL, { egress: [], ingress: [] }),
    policy(ns, "allow-dns", MATCH_ALL, {
      egress: [rule(0, [podsPeer(sel({ "k8s-app": "kube-dns" }), sel({ "kubernetes.io/metadata.name": "kube-system" }))], [port("UDP", 53), port("TCP", 53)])],
    }),
  ];
}

/** `pods` pods over pods/100 namespaces, `policies` policies, `podsPerNode` pods per node. */
export function synthetic(seed: number, pods: number, policies: number, podsPerNode: number): SyntheticCluster {
  const r = new Prng(seed);
  const nn = Math.max(1, Math.round(pods / 100));
  const nodes = Math.ceil(pods / podsPerNode);
  if (nodes > 250 || podsPerNode > 250) throw new Error("too many nodes or pods per node for 10.244.0.0/16");
  const namespaces: Namespace[] = [namespace("kube-system"), namespace("monitoring", { team: "platform" })];
  const endpoints: Endpoint[] = [
    pod("kube-system", "coredns-0", { "k8s-app": "kube-dns" }, ["10.96.0.10"], [{ name: "dns", port: 53, protocol: "UDP" }, { name: "dns-tcp", port: 53, protocol: "TCP" }]),
    pod("monitoring", "prometheus-0", { app: "prometheus" }, ["10.96.1.10"], [{ name: "http", port: 9090, protocol: "TCP" }]),
  ];
  const out: Policy[] = [];
  const node0: Endpoint[] = [];
  let index = 0;
  for (let i = 0; i < nn; i++) {
    const ns = nsName(i);
    namespaces.push(namespace(ns, { team: `team-${i % TEAMS}`, env: ENVS[i % ENVS.length] as string }));
    const here = Math.floor(pods / nn) + (i < pods % nn ? 1 : 0);
    for (let k = 0; k < here; k++) {
      const app = APPS[k % APPS.length] as string;
      const n = index++;
      // Round-robin over the nodes, shifted by one each round so a node gets every app.
      const round = Math.floor(n / nodes);
      const node = ((n % nodes) + round) % nodes;
      const e = pod(ns, `${app}-${k}`, { app, version: r.chance(0.7) ? "v1" : "v2" }, [podIp(node, round)], portsOf(app));
      endpoints.push(e);
      if (node === 0) node0.push(e);
    }
    const policiesHere = Math.floor(policies / nn) + (i < policies % nn ? 1 : 0);
    const base = baseline(ns).slice(0, policiesHere);
    out.push(...base);
    for (let k = base.length; k < policiesHere; k++) out.push(appPolicy(ns, k - base.length, r));
  }
  return { cluster: { namespaces: new Map(namespaces.map((n) => [n.name, n])), endpoints, services: [], policies: out }, nodes, node0, podsPerNode, freeSlot: Math.ceil(pods / nodes) };
}

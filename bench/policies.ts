/**
 * Realistic NetworkPolicy specs: both peer forms (selectors and ipBlocks with excepts), named
 * ports, port ranges (endPort), IPv6 blocks, all three protocols.
 */
import type { Obj } from "./objects.js";
import type { Prng } from "./prng.js";

export const APPS = ["web", "api", "db", "cache", "worker", "queue", "auth", "search", "billing", "frontend"] as const;
export const TEAMS = 20;
export const ENVS = ["prod", "staging", "dev"] as const;

const match = (labels: Record<string, string>): Obj => ({ matchLabels: labels });

export const DEFAULT_DENY: Obj = { podSelector: {}, policyTypes: ["Ingress", "Egress"] };

export const ALLOW_DNS: Obj = {
  podSelector: {},
  policyTypes: ["Egress"],
  egress: [
    {
      to: [{ namespaceSelector: match({ "kubernetes.io/metadata.name": "kube-system" }), podSelector: match({ "k8s-app": "kube-dns" }) }],
      ports: [
        { protocol: "UDP", port: 53 },
        { protocol: "TCP", port: 53 },
      ],
    },
  ],
};

const PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

type Template = (r: Prng) => Obj;

/** Policy specs, each a common pattern with random parameters. */
export const TEMPLATES: readonly Template[] = [
  // Same-namespace ingress on a named port.
  (r) => ({ podSelector: match({ app: r.pick(APPS) }), ingress: [{ from: [{ podSelector: match({ app: r.pick(APPS) }) }], ports: [{ port: "http" }] }] }),
  // Ingress from the frontends of one team's namespaces, on a port range.
  (r) => ({
    podSelector: match({ app: r.pick(APPS) }),
    ingress: [{ from: [{ namespaceSelector: match({ team: `team-${r.int(TEAMS)}` }), podSelector: match({ tier: "frontend" }) }], ports: [{ port: 8443, endPort: 8500 }] }],
  }),
  // Egress to the internet on 443, IPv4 and IPv6, private ranges excepted.
  (r) => ({
    podSelector: match({ app: r.pick(APPS) }),
    policyTypes: ["Egress"],
    egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: PRIVATE } }, { ipBlock: { cidr: "::/0", except: ["fd00::/8"] } }], ports: [{ port: 443 }] }],
  }),
  // Egress to databases here and in prod namespaces (matchExpressions).
  (r) => ({
    podSelector: { matchExpressions: [{ key: "app", operator: "In", values: [r.pick(APPS), r.pick(APPS)] }] },
    policyTypes: ["Egress"],
    egress: [
      { to: [{ podSelector: match({ app: "db" }) }], ports: [{ port: 5432 }] },
      { to: [{ namespaceSelector: match({ env: "prod" }), podSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["api", "auth"] }] } }], ports: [{ port: "grpc" }] },
    ],
  }),
  // Monitoring scrapes every pod's metrics port.
  () => ({ podSelector: {}, ingress: [{ from: [{ namespaceSelector: match({ "kubernetes.io/metadata.name": "monitoring" }) }], ports: [{ port: "metrics" }] }] }),
  // Ingress from an office range with a hole, to web on 80 and 443.
  () => ({
    podSelector: match({ app: "web" }),
    ingress: [{ from: [{ ipBlock: { cidr: "192.168.0.0/16", except: ["192.168.100.0/24"] } }], ports: [{ port: 80 }, { port: 443 }] }],
  }),
  // UDP to a node-port range on a partner network.
  (r) => ({ podSelector: match({ tier: r.pick(["backend", "data"]) }), policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "172.16.0.0/12" } }], ports: [{ protocol: "UDP", port: 30000, endPort: 32767 }] }] }),
  // SCTP (Diameter) between two apps.
  (r) => ({ podSelector: match({ app: r.pick(APPS) }), ingress: [{ from: [{ podSelector: match({ app: r.pick(APPS) }) }], ports: [{ protocol: "SCTP", port: 3868 }] }] }),
  // Whole-namespace ingress from another team's namespaces, any port.
  (r) => ({ podSelector: match({ tier: "backend" }), ingress: [{ from: [{ namespaceSelector: match({ team: `team-${r.int(TEAMS)}`, env: r.pick(ENVS) }) }] }] }),
  // Egress to caches anywhere, version-restricted (NotIn), two ports.
  (r) => ({
    podSelector: { matchExpressions: [{ key: "version", operator: "NotIn", values: ["v0"] }, { key: "app", operator: "In", values: [r.pick(APPS)] }] },
    policyTypes: ["Egress"],
    egress: [{ to: [{ namespaceSelector: {}, podSelector: match({ app: "cache" }) }], ports: [{ port: 6379 }, { port: "metrics" }] }],
  }),
  // IPv6 ingress from a documentation prefix with an except.
  () => ({ podSelector: match({ app: "api" }), ingress: [{ from: [{ ipBlock: { cidr: "2001:db8::/32", except: ["2001:db8:1::/48"] } }], ports: [{ port: 8080 }] }] }),
];

/** The spec of policy number `k` of a namespace: the first two are default-deny and DNS. */
export function realisticPolicy(k: number, r: Prng): Obj {
  if (k === 0) return DEFAULT_DENY;
  if (k === 1) return ALLOW_DNS;
  return r.pick(TEMPLATES)(r);
}

/** Ports an app's containers declare (named ports resolve against them). */
export function appPorts(app: string): { name?: string; containerPort: number; protocol?: "TCP" | "UDP" | "SCTP" }[] {
  const base = [{ name: "metrics", containerPort: 9090 }];
  switch (app) {
    case "db":
      return [{ name: "postgres", containerPort: 5432 }, ...base];
    case "cache":
      return [{ name: "redis", containerPort: 6379 }, ...base];
    case "api":
    case "auth":
      return [{ name: "http", containerPort: 8080 }, { name: "grpc", containerPort: 50051 }, ...base];
    case "queue":
      return [{ name: "amqp", containerPort: 5672 }, { name: "diameter", containerPort: 3868, protocol: "SCTP" }, ...base];
    default:
      return [{ name: "http", containerPort: app === "web" ? 8080 : 8000 }, ...base];
  }
}

export function tierOf(app: string): string {
  if (app === "web" || app === "frontend") return "frontend";
  if (app === "db" || app === "cache" || app === "queue") return "data";
  return "backend";
}

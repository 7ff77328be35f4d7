/**
 * Random clusters as YAML, for differential tests: a seed always gives the same text. Pods have
 * IPs in 10.244.0.0/24; policies select and admit among a few labels, namespaces, ports and
 * external CIDRs (some overlapping the pods, some with excepts). Admin policies too
 * (ClusterNetworkPolicy of both tiers, AdminNetworkPolicy; every action, priorities that tie,
 * pods/namespaces/networks/nodes peers, numbered, ranged and named ports) and a Node. Pure.
 */

/** mulberry32: small, fast, good enough to spread test cases. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const some = <T>(r: Rand, xs: readonly T[], max: number): T[] => {
  const n = Math.floor(r() * (max + 1));
  return [...new Set(Array.from({ length: n }, () => pick(r, xs)))];
};

const NAMESPACES = ["alpha", "beta", "gamma"];
const TEAMS = ["red", "blue"];
const APPS = ["web", "api", "db"];
const TIERS = ["front", "back"];
const CONTAINER_PORTS = [
  { name: "http", port: 80, protocol: "TCP" },
  { name: "https", port: 443, protocol: "TCP" },
  { name: "dns", port: 53, protocol: "UDP" },
  { name: "http", port: 8080, protocol: "TCP" },
  { name: "pg", port: 5432, protocol: "TCP" },
  { name: "stats", port: 8125, protocol: "UDP" },
];
const POLICY_PORTS = [
  "{protocol: TCP, port: 80}",
  "{protocol: TCP, port: 443}",
  "{protocol: UDP, port: 53}",
  "{protocol: TCP, port: http}",
  "{protocol: UDP, port: stats}",
  "{protocol: TCP, port: 8000, endPort: 8100}",
  "{protocol: TCP}",
  "{protocol: UDP, port: 8125}",
  "{protocol: TCP, port: 5432}",
];
const IP_BLOCKS = [
  "{cidr: 203.0.113.0/24}",
  "{cidr: 198.51.100.0/24, except: [198.51.100.128/25]}",
  "{cidr: 10.244.0.0/24, except: [10.244.0.14/31]}",
  "{cidr: 0.0.0.0/0, except: [169.254.169.254/32, 10.0.0.0/8]}",
  "{cidr: 192.0.2.0/28}",
];

function selector(r: Rand): string {
  return pick(r, [
    "{}",
    `{matchLabels: {app: ${pick(r, APPS)}}}`,
    `{matchLabels: {tier: ${pick(r, TIERS)}}}`,
    `{matchExpressions: [{key: app, operator: In, values: [${some(r, APPS, 2).join(", ") || "web"}]}]}`,
    `{matchExpressions: [{key: tier, operator: NotIn, values: [${pick(r, TIERS)}]}]}`,
  ]);
}

function peer(r: Rand): string {
  // ipBlocks half the time: they are where pods and addresses meet.
  switch (Math.floor(r() * 6)) {
    case 0:
      return `{podSelector: ${selector(r)}}`;
    case 1:
      return `{namespaceSelector: {matchLabels: {team: ${pick(r, TEAMS)}}}}`;
    case 2:
      return `{namespaceSelector: ${pick(r, ["{}", `{matchLabels: {team: ${pick(r, TEAMS)}}}`])}, podSelector: ${selector(r)}}`;
    case 3:
      return `{ipBlock: ${pick(r, ["{cidr: 10.244.0.0/24, except: [10.244.0.14/31]}", "{cidr: 10.244.0.8/29}"])}}`;
    default:
      return `{ipBlock: ${pick(r, IP_BLOCKS)}}`;
  }
}

function rule(r: Rand, side: "to" | "from"): string {
  const peers = Array.from({ length: r() < 0.15 ? 0 : 1 + Math.floor(r() * 2) }, () => peer(r));
  const ports = some(r, POLICY_PORTS, 2);
  const lines = [`    - ${side}: [${peers.join(", ")}]`];
  if (ports.length > 0) lines.push(`      ports: [${ports.join(", ")}]`);
  return lines.join("\n");
}

function policy(r: Rand, i: number): string {
  const types = pick(r, [["Egress"], ["Ingress"], ["Ingress", "Egress"], []]);
  const egress = some(r, [0, 1], 2).map(() => rule(r, "to"));
  const ingress = some(r, [0, 1], 2).map(() => rule(r, "from"));
  const lines = [
    "apiVersion: networking.k8s.io/v1",
    "kind: NetworkPolicy",
    `metadata: {name: p${i}, namespace: ${pick(r, NAMESPACES)}}`,
    "spec:",
    `  podSelector: ${selector(r)}`,
  ];
  if (types.length > 0) lines.push(`  policyTypes: [${types.join(", ")}]`);
  if (egress.length > 0 || r() < 0.3) lines.push(`  egress:${egress.length === 0 ? " []" : `\n${egress.join("\n")}`}`);
  if (ingress.length > 0 || r() < 0.3) lines.push(`  ingress:${ingress.length === 0 ? " []" : `\n${ingress.join("\n")}`}`);
  return lines.join("\n");
}

function pod(r: Rand, i: number): string {
  const ports = some(r, CONTAINER_PORTS, 2).filter((p, j, all) => all.findIndex((q) => q.name === p.name) === j);
  const portYaml = ports.map((p) => `{name: ${p.name}, containerPort: ${p.port}, protocol: ${p.protocol}}`).join(", ");
  const ip = `10.244.0.${10 + i}`;
  return [
    "apiVersion: v1",
    "kind: Pod",
    `metadata: {name: pod${i}, namespace: ${pick(r, NAMESPACES)}, labels: {app: ${pick(r, APPS)}, tier: ${pick(r, TIERS)}}}`,
    `spec: {containers: [{name: c, image: x, ports: [${portYaml}]}]}`,
    `status: {podIP: ${ip}, podIPs: [{ip: ${ip}}]}`,
  ].join("\n");
}

// ---- Admin policies ----

const NETWORKS = ["203.0.113.0/24", "198.51.100.0/25", "10.244.0.0/28", "10.244.0.8/29", "0.0.0.0/0", "169.254.169.254/32", "192.0.2.0/28"];
const NODE_IP = "192.0.2.20";

/** A namespaces selector of an admin subject or peer. */
function namespaces(r: Rand): string {
  return pick(r, ["{}", `{matchLabels: {team: ${pick(r, TEAMS)}}}`, `{matchLabels: {kubernetes.io/metadata.name: ${pick(r, NAMESPACES)}}}`]);
}

/** A subject, or a `namespaces`/`pods` peer: the same shape in v1alpha2 and v1alpha1. */
function selection(r: Rand): string {
  return r() < 0.5 ? `{namespaces: ${namespaces(r)}}` : `{pods: {namespaceSelector: ${namespaces(r)}, podSelector: ${selector(r)}}}`;
}

/** Egress peers: selections, networks and nodes (named ports only go with selections, as the CRD requires). */
function adminPeers(r: Rand, side: "to" | "from"): { yaml: string; selectionsOnly: boolean } {
  const peers = Array.from({ length: 1 + Math.floor(r() * 2) }, () => {
    const k = side === "from" ? 0 : Math.floor(r() * 4);
    if (k === 2) return `{networks: [${some(r, NETWORKS, 2).join(", ") || "203.0.113.0/24"}]}`;
    if (k === 3) return `{nodes: {matchLabels: {role: ${pick(r, ["worker", "infra"])}}}}`;
    return selection(r);
  });
  return { yaml: `[${peers.join(", ")}]`, selectionsOnly: peers.every((p) => p.startsWith("{namespaces") || p.startsWith("{pods")) };
}

const V2_PROTOCOLS = [
  "{tcp: {destinationPort: {number: 80}}}",
  "{tcp: {destinationPort: {number: 443}}}",
  "{udp: {destinationPort: {number: 53}}}",
  "{tcp: {destinationPort: {range: {start: 8000, end: 8100}}}}",
  "{udp: {destinationPort: {number: 8125}}}",
  "{tcp: {destinationPort: {number: 5432}}}",
];
const V1_PORTS = [
  "{portNumber: {protocol: TCP, port: 80}}",
  "{portNumber: {port: 443}}",
  "{portNumber: {protocol: UDP, port: 53}}",
  "{portRange: {protocol: TCP, start: 8000, end: 8100}}",
  "{portNumber: {protocol: TCP, port: 5432}}",
];
const NAMED = ["http", "stats", "pg"];

function adminRule(r: Rand, v1: boolean, side: "to" | "from", index: number): string {
  const action = pick(r, v1 ? ["Allow", "Deny", "Pass"] : ["Accept", "Deny", "Pass"]);
  const peers = adminPeers(r, side);
  const lines = [`  - name: r${index}`, `    action: ${action}`, `    ${side}: ${peers.yaml}`];
  if (r() < 0.6) {
    const numbered = some(r, v1 ? V1_PORTS : V2_PROTOCOLS, 2);
    const named = peers.selectionsOnly && r() < 0.4 ? [pick(r, NAMED)].map((n) => (v1 ? `{namedPort: ${n}}` : `{destinationNamedPort: ${n}}`)) : [];
    const entries = [...numbered, ...named];
    if (entries.length > 0) lines.push(`    ${v1 ? "ports" : "protocols"}: [${entries.join(", ")}]`);
  }
  return lines.join("\n");
}

function adminPolicy(r: Rand, i: number): string {
  const v1 = r() < 0.25;
  const tier = v1 ? "Admin" : pick(r, ["Admin", "Baseline"]);
  const egress = Array.from({ length: Math.floor(r() * 3) }, (_, k) => adminRule(r, v1, "to", k));
  const ingress = Array.from({ length: Math.floor(r() * 3) }, (_, k) => adminRule(r, v1, "from", k));
  const lines = v1
    ? ["apiVersion: policy.networking.k8s.io/v1alpha1", "kind: AdminNetworkPolicy", `metadata: {name: anp${i}}`, "spec:"]
    : ["apiVersion: policy.networking.k8s.io/v1alpha2", "kind: ClusterNetworkPolicy", `metadata: {name: cnp${i}}`, "spec:", `  tier: ${tier}`];
  lines.push(`  priority: ${Math.floor(r() * 3)}`, `  subject: ${selection(r)}`);
  if (egress.length > 0) lines.push("  egress:", ...egress);
  if (ingress.length > 0) lines.push("  ingress:", ...ingress);
  return lines.join("\n");
}

const NODE = `apiVersion: v1\nkind: Node\nmetadata: {name: node-a, labels: {role: worker}}\nstatus: {addresses: [{type: InternalIP, address: ${NODE_IP}}]}`;

export interface RandomCluster {
  readonly seed: number;
  readonly yaml: string;
  readonly ipBlockMatchesPods: boolean;
}

/** `maxAdmin`: at most this many admin policies (0: NetworkPolicies only, as the seeds always gave). */
export function randomCluster(seed: number, maxPods: number, maxPolicies: number, maxAdmin = 0): RandomCluster {
  const r = rng(seed);
  const namespaces = NAMESPACES.map((n) => `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${n}, labels: {team: ${pick(r, TEAMS)}}}`);
  const pods = Array.from({ length: 2 + Math.floor(r() * (maxPods - 1)) }, (_, i) => pod(r, i));
  const policies = Array.from({ length: 1 + Math.floor(r() * maxPolicies) }, (_, i) => policy(r, i));
  const ipBlockMatchesPods = r() < 0.5;
  // Drawn after everything else, so the NetworkPolicy-only part of a seed stays what it was.
  const admin = maxAdmin === 0 ? [] : [NODE, ...Array.from({ length: 1 + Math.floor(r() * maxAdmin) }, (_, i) => adminPolicy(r, i))];
  return { seed, yaml: `${[...namespaces, ...pods, ...policies, ...admin].join("\n---\n")}\n`, ipBlockMatchesPods };
}

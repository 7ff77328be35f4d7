/** The synthetic cluster shapes, generated from a seed as plain Kubernetes objects. */
import { type Obj, namespace, pod, podIpv4, podIpv6, policy } from "./objects.js";
import { ALLOW_DNS, APPS, DEFAULT_DENY, ENVS, TEAMS, appPorts, realisticPolicy, tierOf } from "./policies.js";
import type { Prng } from "./prng.js";
import { adminObjects } from "./admin.js";

export interface Shape {
  readonly name: string;
  readonly summary: string;
  /** Time limit per phase, seconds. */
  readonly budget: number;
  readonly generate: (r: Prng, quick: boolean) => Obj[];
  /** The NetworkPolicy-only shape this one adds admin policies to (figures are compared with it). */
  readonly base?: string;
}

/** kube-system with DNS, and monitoring (whose scrapers other policies admit). */
function systemObjects(): Obj[] {
  const dnsPorts = [
    { name: "dns", containerPort: 53, protocol: "UDP" as const },
    { name: "dns-tcp", containerPort: 53, protocol: "TCP" as const },
    { name: "metrics", containerPort: 9153 },
  ];
  return [
    namespace("kube-system", {}),
    namespace("monitoring", { team: "platform" }),
    pod({ ns: "kube-system", name: "coredns-0", labels: { "k8s-app": "kube-dns" }, ports: dnsPorts, ips: ["10.255.0.10"] }),
    pod({ ns: "kube-system", name: "coredns-1", labels: { "k8s-app": "kube-dns" }, ports: dnsPorts, ips: ["10.255.0.11"] }),
    pod({ ns: "kube-system", name: "node-exporter-0", labels: { app: "node-exporter" }, ports: [{ name: "metrics", containerPort: 9100 }], ips: ["192.168.7.10"], hostNetwork: true }),
    pod({ ns: "monitoring", name: "prometheus-0", labels: { app: "prometheus" }, ports: [{ name: "http", containerPort: 9090 }], ips: ["10.255.1.10"] }),
  ];
}

function nsName(i: number): string {
  return `ns-${String(i).padStart(5, "0")}`;
}

/** Namespaces of teams and environments, pods of ten apps (two versions), policies from templates. */
function realistic(pods: number, namespaces: number, policies: number): Shape["generate"] {
  return (r, quick) => {
    const scale = quick ? 10 : 1;
    const [np, nn, npol] = [Math.ceil(pods / scale), Math.max(1, Math.ceil(namespaces / scale)), Math.ceil(policies / scale)];
    const out = systemObjects();
    let ip = 0;
    for (let i = 0; i < nn; i++) {
      const ns = nsName(i);
      out.push(namespace(ns, { team: `team-${i % TEAMS}`, env: ENVS[i % ENVS.length] as string }));
      const podsHere = Math.floor(np / nn) + (i < np % nn ? 1 : 0);
      for (let k = 0; k < podsHere; k++) {
        const app = APPS[k % APPS.length] as string;
        const n = ip++;
        const ips = r.chance(0.1) ? [podIpv4(n), podIpv6(n)] : [podIpv4(n)];
        out.push(pod({ ns, name: `${app}-${k}`, labels: { app, tier: tierOf(app), version: r.chance(0.7) ? "v1" : "v2" }, ports: appPorts(app), ips }));
      }
      const policiesHere = Math.floor(npol / nn) + (i < npol % nn ? 1 : 0);
      for (let k = 0; k < policiesHere; k++) out.push(policy(ns, `p-${k}`, realisticPolicy(k, r)));
    }
    return out;
  };
}

/** Per namespace: two frontends, two backends; default-deny, DNS, and one policy with two allows. */
function xl(namespaces: number): Shape["generate"] {
  return (_r, quick) => {
    const nn = quick ? Math.ceil(namespaces / 10) : namespaces;
    const out = systemObjects();
    const allowApp = {
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: "frontend" } } }], ports: [{ port: 8080 }] }],
      egress: [{ to: [{ podSelector: { matchLabels: { app: "backend" } } }], ports: [{ port: "http" }] }],
    };
    for (let i = 0; i < nn; i++) {
      const ns = nsName(i);
      out.push(namespace(ns, { team: `team-${i % TEAMS}` }));
      for (let k = 0; k < 4; k++) {
        const app = k < 2 ? "frontend" : "backend";
        const n = i * 4 + k;
        out.push(pod({ ns, name: `${app}-${k}`, labels: { app }, ports: [{ name: "http", containerPort: 8080 }], ips: [podIpv4(n)] }));
      }
      out.push(policy(ns, "default-deny", DEFAULT_DENY), policy(ns, "allow-dns", ALLOW_DNS), policy(ns, "allow-app", allowApp));
    }
    return out;
  };
}

/** One namespace; every policy selects every pod (`podSelector: {}`). */
function allSelect(pods: number, policies: number): Shape["generate"] {
  return (r, quick) => {
    const [np, npol] = quick ? [pods / 10, policies / 10] : [pods, policies];
    const out = systemObjects();
    out.push(namespace("shared", { team: "team-0", env: "prod" }));
    for (let k = 0; k < np; k++) {
      const app = r.pick(APPS);
      out.push(pod({ ns: "shared", name: `${app}-${k}`, labels: { app, tier: tierOf(app), version: `v${r.int(3)}` }, ports: appPorts(app), ips: [podIpv4(k)] }));
    }
    for (let k = 0; k < npol; k++) {
      const spec = realisticPolicy(k, r);
      out.push(policy("shared", `p-${k}`, { ...spec, podSelector: {} }));
    }
    return out;
  };
}

const KEYS = ["zone", "rack", "owner", "cost-center", "release", "canary", "shard", "flavour"];
/** Ports adversarial pods declare and policies name: a realistic variety (the labels are the adversary). */
const PORT_NUMBERS = [80, 443, 3000, 5000, 5432, 6379, 8000, 8080, 8443, 9000, 9092, 27017];

/** A unique label set per pod; selectors with NotIn, Exists and DoesNotExist that no index narrows. */
function adversarial(pods: number, namespaces: number, policies: number): Shape["generate"] {
  return (r, quick) => {
    const scale = quick ? 10 : 1;
    const [np, nn, npol] = [Math.ceil(pods / scale), Math.ceil(namespaces / scale), Math.ceil(policies / scale)];
    const out = systemObjects();
    const selector = (): Obj => {
      const key = r.pick(KEYS);
      const op = r.pick(["NotIn", "Exists", "DoesNotExist", "In"]);
      const values = [`v${r.int(5)}`, `v${r.int(5)}`];
      return { matchExpressions: [op === "Exists" || op === "DoesNotExist" ? { key, operator: op } : { key, operator: op, values }] };
    };
    for (let i = 0; i < nn; i++) {
      const ns = nsName(i);
      out.push(namespace(ns, { [r.pick(KEYS)]: `v${r.int(5)}`, team: `team-${i % TEAMS}` }));
      for (let k = 0; k < Math.ceil(np / nn); k++) {
        const labels: Record<string, string> = { "pod-uid": `${i}-${k}` };
        for (const key of KEYS) if (r.chance(0.5)) labels[key] = `v${r.int(5)}`;
        const ports = [{ name: `p${r.int(10)}`, containerPort: PORT_NUMBERS[r.int(PORT_NUMBERS.length)] as number }, { name: "metrics", containerPort: 9090 }];
        out.push(pod({ ns, name: `pod-${k}`, labels, ports, ips: [podIpv4(i * 1000 + k)] }));
      }
      for (let k = 0; k < Math.ceil(npol / nn); k++) {
        const from = PORT_NUMBERS[r.int(PORT_NUMBERS.length)] as number;
        const port = r.chance(0.5) ? { port: `p${r.int(10)}` } : { port: from, endPort: from + 10 * r.int(10) };
        const peer = r.chance(0.5) ? { podSelector: selector() } : { namespaceSelector: selector(), podSelector: selector() };
        out.push(policy(ns, `p-${k}`, { podSelector: selector(), ingress: [{ from: [peer], ports: [port] }], egress: [{ to: [peer], ports: [port] }] }));
      }
    }
    return out;
  };
}

/** A shape's cluster with 100 Admin and 20 Baseline ClusterNetworkPolicies and 20 Nodes beside it (bench/admin.ts). */
function withAdmin(generate: Shape["generate"]): Shape["generate"] {
  return (r, quick) => [...generate(r, quick), ...adminObjects(r.fork(11))];
}

export const SHAPES: readonly Shape[] = [
  { name: "S", summary: "1k pods, 50 namespaces, 1k policies", budget: 60, generate: realistic(1000, 50, 1000) },
  { name: "M", summary: "10k pods, 500 namespaces, 10k policies", budget: 90, generate: realistic(10_000, 500, 10_000) },
  { name: "L", summary: "50k pods, 2.5k namespaces, 10k policies", budget: 90, generate: realistic(50_000, 2500, 10_000) },
  { name: "XL", summary: "100k pods, 25k namespaces, 75k policies", budget: 90, generate: xl(25_000) },
  { name: "all-select", summary: "10k policies all selecting all 10k pods", budget: 90, generate: allSelect(10_000, 10_000) },
  { name: "adversarial", summary: "10k pods with unique label sets, 100 namespaces, 5k policies", budget: 90, generate: adversarial(10_000, 100, 5000) },
  { name: "M+admin", summary: "M with 100 Admin and 20 Baseline ClusterNetworkPolicies", budget: 90, generate: withAdmin(realistic(10_000, 500, 10_000)), base: "M" },
  { name: "XL+admin", summary: "XL with 100 Admin and 20 Baseline ClusterNetworkPolicies", budget: 90, generate: withAdmin(xl(25_000)), base: "XL" },
];

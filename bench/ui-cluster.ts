/**
 * A synthetic cluster for the page's benchmark and its scale test: N workloads (pods) in about N/20
 * namespaces, each namespace with default-deny, DNS to kube-system and a few egress allows (web →
 * api, api → db, a cross-namespace call, one external CIDR on 443 for some; ingress within the
 * namespace and to api from auth anywhere), from a seed.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Obj, namespace, pod, podIpv4, policy } from "./objects.js";
import { ALLOW_DNS, APPS, DEFAULT_DENY, appPorts, tierOf } from "./policies.js";
import { Prng } from "./prng.js";
import { toYaml } from "./yaml.js";

export const WORKLOADS_PER_NAMESPACE = 20;

const match = (labels: Record<string, string>): Obj => ({ matchLabels: labels });
const nsName = (i: number): string => `team-${String(i).padStart(3, "0")}`;
/** Documentation and partner ranges the allows reach (never routed anywhere: the cluster is only analysed). */
const EXTERNAL = ["203.0.113.0/24", "198.51.100.0/24", "192.0.2.0/28", "100.64.10.0/24"];

function egress(ns: string, name: string, from: string, to: Obj[], ports: Obj[]): Obj {
  return policy(ns, name, { podSelector: match({ app: from }), policyTypes: ["Egress"], egress: [{ to, ports }] });
}

/** The policies of namespace `i` of `count`. */
function policies(i: number, count: number, r: Prng): Obj[] {
  const ns = nsName(i);
  const out = [policy(ns, "default-deny", DEFAULT_DENY), policy(ns, "allow-dns", ALLOW_DNS)];
  out.push(policy(ns, "ingress-in-namespace", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: {} }] }] }));
  out.push(policy(ns, "api-from-auth", { podSelector: match({ app: "api" }), policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: {}, podSelector: match({ app: "auth" }) }], ports: [{ port: 8080 }] }] }));
  out.push(egress(ns, "web-to-api", "web", [{ podSelector: match({ app: "api" }) }], [{ port: 8080 }]));
  out.push(egress(ns, "api-to-db", "api", [{ podSelector: match({ app: "db" }) }], [{ port: 5432 }]));
  if (count > 1) {
    const other = nsName((i + 1 + r.int(count - 1)) % count);
    out.push(egress(ns, "auth-to-peer", "auth", [{ namespaceSelector: match({ "kubernetes.io/metadata.name": other }), podSelector: match({ app: "api" }) }], [{ port: 8080 }]));
  }
  if (r.chance(0.3)) out.push(egress(ns, "billing-to-partner", "billing", [{ ipBlock: { cidr: r.pick(EXTERNAL) } }], [{ port: 443 }]));
  return out;
}

export function uiCluster(workloads: number, seed: number): Obj[] {
  const r = new Prng(seed);
  const count = Math.max(1, Math.round(workloads / WORKLOADS_PER_NAMESPACE));
  const dns = [
    { name: "dns", containerPort: 53, protocol: "UDP" as const },
    { name: "dns-tcp", containerPort: 53, protocol: "TCP" as const },
  ];
  const objects: Obj[] = [namespace("kube-system", {}), pod({ ns: "kube-system", name: "coredns-0", labels: { "k8s-app": "kube-dns" }, ports: dns, ips: ["10.255.0.10"] })];
  for (let i = 0; i < count; i++) objects.push(namespace(nsName(i), { team: `team-${i % 20}` }), ...policies(i, count, r.fork(i)));
  for (let w = 0; w < workloads; w++) {
    const app = APPS[Math.floor(w / count) % APPS.length] as string;
    const ns = nsName(w % count);
    objects.push(pod({ ns, name: `${app}-${w}`, labels: { app, tier: tierOf(app) }, ports: appPorts(app), ips: [podIpv4(w + 256)] }));
  }
  return objects;
}

/** Writes the cluster as one manifest file in a new temporary directory; returns the directory. */
export async function writeUiCluster(workloads: number, seed: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `pc-ui-${workloads}-`));
  await writeFile(join(dir, "cluster.yaml"), toYaml(uiCluster(workloads, seed)));
  return dir;
}

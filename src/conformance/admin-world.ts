/**
 * The cluster the upstream admin policy conformance suite runs against
 * (kubernetes-sigs/network-policy-api conformance/base/manifests.yaml and the tests' `_base.yaml`),
 * written as our own manifests with concrete addresses: the four Hogwarts houses
 * (network-policy-conformance-gryffindor ... -ravenclaw, labelled `conformance-house`), each with
 * two pods `<name>-0`/`<name>-1` serving TCP 80 (named `web`) and 8080, UDP 53 and 5353, SCTP 9003
 * and 9005; the staff namespace with professor-dumbledore-0 and professor-quirrell-0; two Linux
 * Nodes with `status.addresses`, and the host-network pods centaur-0/1 of forbidden-forrest on
 * them. Also the builders of the admin policies the cases write (v1alpha1 AdminNetworkPolicy and
 * BaselineAdminNetworkPolicy), and their mapping onto v1alpha2 ClusterNetworkPolicy.
 */
import type { Protocol } from "../model/ports.js";
import { namespace, pod } from "./manifests.js";

type Obj = Record<string, unknown>;

export type House = "gryffindor" | "slytherin" | "hufflepuff" | "ravenclaw";

const PREFIX = "network-policy-conformance-";
export const ns = (name: House | "hogwarts-staff" | "forbidden-forrest"): string => `${PREFIX}${name}`;

const HOUSES: readonly { readonly house: House; readonly student: string; readonly subnet: number }[] = [
  { house: "gryffindor", student: "harry-potter", subnet: 1 },
  { house: "slytherin", student: "draco-malfoy", subnet: 2 },
  { house: "hufflepuff", student: "cedric-diggory", subnet: 3 },
  { house: "ravenclaw", student: "luna-lovegood", subnet: 4 },
];

/** The server ports every student pod declares (manifests.yaml's containers); TCP 80 is named `web`. */
const STUDENT_PORTS = [
  { name: "web", containerPort: 80 },
  { name: "web-8080", containerPort: 8080 },
  { name: "dns-5353", containerPort: 5353, protocol: "UDP" },
  { name: "dns", containerPort: 53, protocol: "UDP" },
  { name: "sctp-9003", containerPort: 9003, protocol: "SCTP" },
  { name: "sctp-9005", containerPort: 9005, protocol: "SCTP" },
];

/** `network-policy-conformance-gryffindor/harry-potter-0`: a student pod by house and ordinal. */
export function student(house: House, i: 0 | 1): string {
  const h = HOUSES.find((x) => x.house === house) as (typeof HOUSES)[number];
  return `${ns(house)}/${h.student}-${i}`;
}

/** A student's pod IP: 10.244.<house>.<10 + ordinal>. */
export function studentIp(house: House, i: 0 | 1): string {
  const h = HOUSES.find((x) => x.house === house) as (typeof HOUSES)[number];
  return `10.244.${h.subnet}.${10 + i}`;
}

export const DUMBLEDORE = `${ns("hogwarts-staff")}/professor-dumbledore-0`;
export const QUIRRELL = `${ns("hogwarts-staff")}/professor-quirrell-0`;
/** The host-network pod on node-2 (upstream's node peer server); its pod IP is node-2's InternalIP. */
export const CENTAUR = `${ns("forbidden-forrest")}/centaur-1`;
export const NODE_1_IP = "172.18.0.2";
export const NODE_2_IP = "172.18.0.3";
/** node-2's ExternalIP: a node peer matches every address in status.addresses. */
export const NODE_2_EXTERNAL_IP = "198.51.100.3";

const statefulSetPod = (namespaceName: string, name: string, labels: Record<string, string>, ip: string, ports = STUDENT_PORTS): Obj =>
  pod(namespaceName, name, { ...labels, "statefulset.kubernetes.io/pod-name": name }, { ip, ports });

function node(name: string, internal: string, external: string | null): Obj {
  const addresses = [{ type: "InternalIP", address: internal }, ...(external === null ? [] : [{ type: "ExternalIP", address: external }]), { type: "Hostname", address: name }];
  return { apiVersion: "v1", kind: "Node", metadata: { name, labels: { "kubernetes.io/os": "linux", "kubernetes.io/hostname": name } }, status: { addresses } };
}

/** Every object of the conformance cluster (no policies). */
export const WORLD: readonly Obj[] = [
  ...HOUSES.map((h) => namespace(ns(h.house), { "conformance-house": h.house })),
  namespace(ns("hogwarts-staff")),
  namespace(ns("forbidden-forrest")),
  ...HOUSES.flatMap((h) => ([0, 1] as const).map((i) => statefulSetPod(ns(h.house), `${h.student}-${i}`, { "conformance-house": h.house }, studentIp(h.house, i)))),
  statefulSetPod(ns("hogwarts-staff"), "professor-dumbledore-0", { role: "staff" }, "10.244.5.10"),
  statefulSetPod(ns("hogwarts-staff"), "professor-quirrell-0", { role: "staff" }, "10.244.5.11"),
  node("node-1", NODE_1_IP, null),
  node("node-2", NODE_2_IP, NODE_2_EXTERNAL_IP),
  ...(["centaur-0", "centaur-1"] as const).map((name, i) => {
    const p = pod(ns("forbidden-forrest"), name, { "conformance-house": "forbidden-forrest" }, { ip: i === 0 ? NODE_1_IP : NODE_2_IP, hostNetwork: true, ports: [{ containerPort: 36363 }] });
    return p;
  }),
];

/** hairpin-rules.yaml's Service of the gryffindor pods (TCP 80), at a concrete ClusterIP. */
export const HAIRPIN_SERVICE_IP = "10.96.0.80";
export const HAIRPIN_SERVICE: Obj = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "harry-potter-hairpin-service", namespace: ns("gryffindor") },
  spec: { clusterIP: HAIRPIN_SERVICE_IP, selector: { "conformance-house": "gryffindor" }, ports: [{ name: "web", port: 80, targetPort: 80, protocol: "TCP" }] },
};

// --- Admin policies, as the v1alpha1 kinds spell them ------------------------------------------

export type Selector = Obj;

/** `kubernetes.io/metadata.name: network-policy-conformance-<house>` */
export const nsName = (name: House | "hogwarts-staff"): Selector => ({ matchLabels: { "kubernetes.io/metadata.name": ns(name) } });
/** `conformance-house: <house>` */
export const houseLabel = (house: House): Selector => ({ matchLabels: { "conformance-house": house } });
export const podName = (name: string): Selector => ({ matchLabels: { "statefulset.kubernetes.io/pod-name": name } });

/** A peer or subject: the pods of namespaces, or some pods of some namespaces. */
export const namespaces = (selector: Selector): Obj => ({ namespaces: selector });
export const pods = (namespaceSelector: Selector | null, podSelector: Selector): Obj => ({
  pods: namespaceSelector === null ? { podSelector } : { namespaceSelector, podSelector },
});
export const nodes = (selector: Selector): Obj => ({ nodes: selector });
export const networks = (...cidrs: string[]): Obj => ({ networks: cidrs });
export const LINUX_NODES: Selector = { matchLabels: { "kubernetes.io/os": "linux" } };
/** The staff pod of that name: `pods` peer of namespace hogwarts-staff and the StatefulSet pod-name label. */
export const staff = (name: "professor-dumbledore-0" | "professor-quirrell-0"): Obj => pods(nsName("hogwarts-staff"), podName(name));

/** A v1alpha1 `ports` entry. */
export type Port =
  | { readonly kind: "number"; readonly protocol: Protocol; readonly port: number }
  | { readonly kind: "range"; readonly protocol: Protocol; readonly start: number; readonly end: number }
  | { readonly kind: "named"; readonly name: string };

export const port = (protocol: Protocol, n: number): Port => ({ kind: "number", protocol, port: n });
export const portRange = (protocol: Protocol, start: number, end: number): Port => ({ kind: "range", protocol, start, end });
export const namedPort = (name: string): Port => ({ kind: "named", name });

/** One rule, written once for every kind: the v1alpha1 action (`Allow`), peers and ports. */
export interface Rule {
  readonly name: string;
  readonly action: "Allow" | "Deny" | "Pass";
  readonly peers: readonly Obj[];
  readonly ports?: readonly Port[];
}

export const rule = (name: string, action: Rule["action"], peers: readonly Obj[], ports?: readonly Port[]): Rule => (ports === undefined ? { name, action, peers } : { name, action, peers, ports });

/** One admin policy, whatever kind it is written as. */
export interface AdminSpec {
  readonly name: string;
  /** Admin tier (AdminNetworkPolicy, or a ClusterNetworkPolicy `tier: Admin`) with its priority; or the Baseline tier. */
  readonly tier: { readonly kind: "Admin"; readonly priority: number } | { readonly kind: "Baseline" };
  readonly subject: Obj;
  readonly ingress?: readonly Rule[];
  readonly egress?: readonly Rule[];
}

function v1alpha1Ports(ports: readonly Port[]): Obj[] {
  return ports.map((p) =>
    p.kind === "number" ? { portNumber: { protocol: p.protocol, port: p.port } } : p.kind === "range" ? { portRange: { protocol: p.protocol, start: p.start, end: p.end } } : { namedPort: p.name },
  );
}

function v1alpha2Protocols(ports: readonly Port[]): Obj[] {
  return ports.map((p) =>
    p.kind === "named"
      ? { destinationNamedPort: p.name }
      : { [p.protocol.toLowerCase()]: { destinationPort: p.kind === "number" ? { number: p.port } : { range: { start: p.start, end: p.end } } } },
  );
}

function rules(list: readonly Rule[] | undefined, key: "from" | "to", api: "v1alpha1" | "v1alpha2"): Obj[] | undefined {
  if (list === undefined) return undefined;
  return list.map((r) => {
    const out: Obj = { name: r.name, action: api === "v1alpha2" && r.action === "Allow" ? "Accept" : r.action, [key]: r.peers };
    if (r.ports !== undefined) {
      if (api === "v1alpha1") out["ports"] = v1alpha1Ports(r.ports);
      else out["protocols"] = v1alpha2Protocols(r.ports);
    }
    return out;
  });
}

function withRules(spec: Obj, p: AdminSpec, api: "v1alpha1" | "v1alpha2"): Obj {
  const ingress = rules(p.ingress, "from", api);
  const egress = rules(p.egress, "to", api);
  if (ingress !== undefined) spec["ingress"] = ingress;
  if (egress !== undefined) spec["egress"] = egress;
  return spec;
}

/** As upstream writes it: an AdminNetworkPolicy, or the BaselineAdminNetworkPolicy `default` (v1alpha1). */
export function v1alpha1(p: AdminSpec): Obj {
  const admin = p.tier.kind === "Admin";
  const spec: Obj = admin ? { priority: (p.tier as { priority: number }).priority, subject: p.subject } : { subject: p.subject };
  return {
    apiVersion: "policy.networking.k8s.io/v1alpha1",
    kind: admin ? "AdminNetworkPolicy" : "BaselineAdminNetworkPolicy",
    metadata: { name: admin ? p.name : "default" },
    spec: withRules(spec, p, "v1alpha1"),
  };
}

/**
 * The v1alpha2 ClusterNetworkPolicy equivalent: `tier: Admin` with the same priority, or `tier:
 * Baseline` (priority 1000: alone in its tier in every case, as the BANP singleton is); `Allow` is
 * `Accept`; `ports` become `protocols`.
 */
export function v1alpha2(p: AdminSpec): Obj {
  const tier = p.tier.kind;
  const priority = p.tier.kind === "Admin" ? p.tier.priority : 1000;
  return {
    apiVersion: "policy.networking.k8s.io/v1alpha2",
    kind: "ClusterNetworkPolicy",
    metadata: { name: p.name },
    spec: withRules({ tier, priority, subject: p.subject }, p, "v1alpha2"),
  };
}

/** A rule list with the rules at `a` and `b` swapped (upstream's "swap rules at index0 and index1"). */
export function swap(list: readonly Rule[], a: number, b: number): Rule[] {
  const out = [...list];
  [out[a], out[b]] = [list[b] as Rule, list[a] as Rule];
  return out;
}

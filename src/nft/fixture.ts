/**
 * A small hand-built cluster for the nft tests (golden, apply, packets): one node with pods in
 * `production` and `staging`, a remote DNS pod, a host-network pod and a pod without an IP.
 */
import type { Location } from "../diag/location.js";
import type { Cluster, Direction, Endpoint, Namespace, Peer, Policy, PolicyPort, Rule } from "../model/cluster.js";
import { labelsOf } from "../model/labels.js";
import type { ContainerPort, PortMatch, Protocol } from "../model/ports.js";
import { type LabelSelector, MATCH_ALL } from "../model/selector.js";
import type { EngineOptions } from "../engine/types.js";
import { AddressSet } from "../net/address-set.js";
import { type Cidr, parseCidr } from "../net/cidr.js";
import { type Ip, parseIp } from "../net/ip.js";
import { type SetPart, groupChain, setName } from "./ids.js";
import type { RuleIdMap, Ruleset } from "./types.js";

export const AT: Location = { file: "t.yaml", line: 1, column: 1, document: 0, path: "" };

export function ip(text: string): Ip {
  const parsed = parseIp(text);
  if (parsed === undefined) throw new Error(`bad ip ${text}`);
  return parsed;
}

export function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`bad cidr ${text}`);
  return parsed.cidr;
}

export function sel(labels: Readonly<Record<string, string>>): LabelSelector {
  return { requirements: Object.entries(labels).map(([key, v]) => ({ key, operator: "In", values: [v] })) };
}

export function namespace(name: string, labels: Readonly<Record<string, string>> = {}): Namespace {
  return { name, labels: labelsOf({ ...labels, "kubernetes.io/metadata.name": name }), declared: true, at: AT };
}

export function pod(
  ns: string,
  name: string,
  labels: Readonly<Record<string, string>>,
  ips: readonly string[],
  ports: readonly ContainerPort[] = [],
  hostNetwork = false,
): Endpoint {
  return { id: `${ns}/${name}`, namespace: ns, name, kind: "Pod", labels: labelsOf(labels), ips: ips.map(ip), hostNetwork, ports, pods: [name], at: AT };
}

export const podsPeer = (pods: LabelSelector, namespaces?: LabelSelector): Peer => ({
  kind: "pods",
  namespaces: namespaces === undefined ? { kind: "own" } : { kind: "selected", selector: namespaces },
  pods,
  at: AT,
});

export const ipBlock = (c: string, except: readonly string[] = []): Peer => ({ kind: "ipBlock", cidr: cidr(c), except: except.map(cidr), at: AT });

export const port = (protocol: Protocol, m: PortMatch | number | string): PolicyPort => ({
  protocol,
  port: typeof m === "number" ? { kind: "range", from: m, to: m } : typeof m === "string" ? { kind: "named", name: m } : m,
  at: AT,
});

export const rule = (index: number, peers: readonly Peer[] | "all", ports: readonly PolicyPort[] | "all"): Rule => ({ index, peers, ports, at: AT });

export function policy(
  ns: string,
  name: string,
  podSelector: LabelSelector,
  spec: { egress?: readonly Rule[]; ingress?: readonly Rule[]; annotations?: Readonly<Record<string, string>> },
): Policy {
  return {
    id: `${ns}/${name}`,
    namespace: ns,
    name,
    podSelector,
    podSelectorAt: AT,
    affects: { ingress: spec.ingress !== undefined, egress: spec.egress !== undefined },
    policyTypesDeclared: true, egressWritten: true,
    ingress: spec.ingress ?? [],
    egress: spec.egress ?? [],
    annotations: labelsOf(spec.annotations ?? {}),
    at: AT,
  };
}

export const ENGINE_OPTIONS: EngineOptions = { podNetwork: AddressSet.fromCidr(cidr("10.244.0.0/16")), ipBlockMatchesPods: false };

export const webApi = pod("production", "web-api", { app: "web-api" }, ["10.244.1.10", "fd00:1::10"], [{ name: "http", port: 8080, protocol: "TCP" }]);
export const db = pod("production", "db", { app: "db" }, ["10.244.1.20"], [{ name: "pg", port: 5432, protocol: "TCP" }]);
export const worker = pod("production", "worker", { app: "worker" }, ["10.244.1.30"]);
export const tester = pod("staging", "tester", { app: "tester" }, ["10.244.1.40"]);
export const coredns = pod("kube-system", "coredns", { "k8s-app": "kube-dns" }, ["10.244.2.53"], [
  { name: "dns", port: 53, protocol: "UDP" },
  { name: "dns-tcp", port: 53, protocol: "TCP" },
]);
export const nodeExporter = pod("production", "node-exporter", { app: "node-exporter" }, ["192.168.0.10"], [], true);
export const pending = pod("production", "pending", { app: "worker" }, []);

export const POLICIES: readonly Policy[] = [
  policy("production", "default-deny-egress", MATCH_ALL, { egress: [] }),
  policy("production", "web-api-egress", sel({ app: "web-api" }), {
    egress: [
      rule(0, [podsPeer(sel({ app: "db" }))], [port("TCP", "pg")]),
      rule(1, [podsPeer(sel({ "k8s-app": "kube-dns" }), sel({ "kubernetes.io/metadata.name": "kube-system" }))], [port("UDP", 53), port("TCP", 53)]),
      rule(2, [ipBlock("0.0.0.0/0", ["10.0.0.0/8"]), ipBlock("::/0", ["fd00::/8"])], [port("TCP", 443), port("TCP", { kind: "range", from: 8000, to: 8100 })]),
    ],
  }),
  policy("production", "db-ingress", sel({ app: "db" }), { ingress: [rule(0, [podsPeer(sel({ app: "web-api" }))], [port("TCP", "pg")])] }),
  policy("production", "web-api-ingress", sel({ app: "web-api" }), { ingress: [rule(0, "all", [port("TCP", "http")])] }),
  policy("staging", "audit-egress", MATCH_ALL, {
    egress: [rule(0, [ipBlock("10.244.0.0/16")], [port("TCP", 80)])],
    annotations: { "portcullis.dev/mode": "audit" },
  }),
];

export function testCluster(policies: readonly Policy[] = POLICIES, endpoints: readonly Endpoint[] = [webApi, db, worker, tester, coredns, nodeExporter, pending]): Cluster {
  const namespaces = [namespace("production", { env: "prod" }), namespace("staging"), namespace("kube-system")];
  return { namespaces: new Map(namespaces.map((n) => [n.name, n])), endpoints, services: [], policies };
}

/** The node of the test cluster: every pod but the remote DNS pod. */
export const LOCAL_PODS: readonly Endpoint[] = [webApi, db, worker, tester, nodeExporter, pending];
export const POD_CIDRS: readonly Cidr[] = [cidr("10.244.1.0/24"), cidr("fd00:1::/64")];

/**
 * The peer address set a rule looks up (rules with equal peers share it, so it is named by the
 * peers, not the rule): found in the chain rule carrying the rule's id.
 */
export function peerSetOf(r: { readonly ruleset: Ruleset }, ruleId: string, family: 4 | 6 = 4): string {
  const line = r.ruleset.chains.flatMap((c) => c.rules).find((l) => l.endsWith(`comment "${ruleId}"`) && l.includes(`_peers_v${family} `));
  const name = line?.match(new RegExp(`@(\\w+_peers_v${family}) `))?.[1];
  if (name === undefined) throw new Error(`no peer set of ${ruleId} (v${family})`);
  return name;
}

/**
 * Names in a compiled ruleset, found through its RuleIdMap: ids, sets and chains are named by
 * hashes, tests name policies (`ns/name`) instead.
 */
export function namesOf(ruleIds: RuleIdMap) {
  const entries = [...ruleIds.entries.values()];
  const key = (p: { namespace: string; name: string }): string => `${p.namespace}/${p.name}`;
  const hashOf = (id: string): string => id.slice(id.lastIndexOf(":") + 1).replace(/^g/, "");
  const rule = (direction: Direction, policy: string, index = 0): string => {
    const found = entries.find((e) => e.kind === "rule" && e.direction === direction && key(e.policy) === policy && e.rule === index);
    if (found === undefined) throw new Error(`no ${direction} rule ${index} of ${policy}`);
    return found.id;
  };
  const group = (direction: Direction, ...policies: string[]): string => {
    const found = entries.find((e) => e.kind === "default-deny" && e.direction === direction && e.policies.map(key).join(",") === policies.join(","));
    if (found === undefined) throw new Error(`no ${direction} group of ${policies.join(", ")}`);
    return found.id;
  };
  return {
    rule,
    group,
    set: (direction: Direction, policy: string, index = 0, family: 4 | 6 = 4, part: SetPart = "main"): string => setName(direction, hashOf(rule(direction, policy, index)), family, part),
    chain: (direction: Direction, ...policies: string[]): string => groupChain(direction, hashOf(group(direction, ...policies))),
  };
}

/**
 * Planning `lab run`, pure: the lab (one pod per endpoint), the lab cluster (the same cluster with
 * the lab's addresses), and every probe with the engine's verdict on that very cluster (`probes.ts`).
 * External addresses come from `--to`, else from the policies' ipBlocks (`addresses.ts`); they are
 * probed from every pod and, from the internet, probe every pod.
 *
 * - A workload stands for one pod: a lab pod per endpoint, with one address: its first known IPv4
 *   (else first IP), else the next free address of the first pod CIDR. In the lab cluster it is a
 *   `Pod` with that address, so "a pod can always reach itself" holds for it, as it does in the lab.
 * - Host-network endpoints are the node, which the lab does not model: left out (reported).
 * - The lab enforces every policy: `portcullis.dev/mode` annotations are dropped from the lab cluster.
 */
import { Engine } from "../engine/engine.js";
import type { EngineOptions } from "../engine/types.js";
import { MAX_PODS } from "../lab/plan.js";
import { type LabPod, type LabPort, type LabTopology, ROUTED } from "../lab/types.js";
import type { Cluster, Endpoint, Policy } from "../model/cluster.js";
import { MODE_ANNOTATION } from "../nft/types.js";
import { AddressSet } from "../net/address-set.js";
import { type Ip, formatIp } from "../net/ip.js";
import { allocate, derivedExternal, externalProblem } from "./addresses.js";
import { type External, inboundProbes, outboundProbes, podProbes } from "./probes.js";
import { type LabPodAddress, dnsNames, dnsPods } from "./dns.js";
import type { LabRunOptions, PlanError, PlanResult, Skipped } from "./types.js";

export const DEFAULT_MAX_PROBES = 4096;
/** Where an external address without a port is probed, besides every port the policies name. */
export const DEFAULT_EXTERNAL_PORTS: readonly LabPort[] = [
  { port: 80, protocol: "TCP" },
  { port: 443, protocol: "TCP" },
  { port: 53, protocol: "UDP" },
];

const byId = (a: LabPodAddress, b: LabPodAddress): number => (a.endpoint.id < b.endpoint.id ? -1 : a.endpoint.id > b.endpoint.id ? 1 : 0);
const portKey = (p: LabPort): string => `${p.port}/${p.protocol}`;
const byPort = (a: LabPort, b: LabPort): number => a.port - b.port || a.protocol.localeCompare(b.protocol);

export function uniquePorts(ports: readonly LabPort[]): LabPort[] {
  const seen = new Map<string, LabPort>();
  for (const p of ports) if (!seen.has(portKey(p))) seen.set(portKey(p), { port: p.port, protocol: p.protocol });
  return [...seen.values()].sort(byPort);
}

function enforced(p: Policy): Policy {
  if (!p.annotations.has(MODE_ANNOTATION)) return p;
  return { ...p, annotations: new Map([...p.annotations].filter(([k]) => k !== MODE_ANNOTATION)) };
}

/** The cluster as the lab has it. */
function labClusterOf(cluster: Cluster, pods: readonly { endpoint: Endpoint; ip: Ip }[]): Cluster {
  const endpoints = pods.map(({ endpoint: e, ip }): Endpoint => ({ ...e, kind: "Pod", ips: [ip], pods: [e.name] }));
  return { ...cluster, endpoints, policies: cluster.policies.map(enforced) };
}

/** Every port the policies (NetworkPolicies and admin policies) name as a number (both ends of a range), with its protocol. */
export function policyPorts(cluster: Cluster): LabPort[] {
  const out: LabPort[] = [];
  for (const p of cluster.policies) {
    for (const rule of [...p.egress, ...p.ingress]) {
      if (rule.ports === "all") continue;
      for (const { port, protocol } of rule.ports) {
        if (port.kind === "range") out.push({ port: port.from, protocol }, { port: port.to, protocol });
      }
    }
  }
  for (const p of cluster.adminPolicies ?? []) {
    for (const rule of [...p.egress, ...p.ingress]) {
      if (rule.match.kind !== "as-written" || rule.match.protocols === "all") continue;
      for (const entry of rule.match.protocols) {
        if (entry.kind !== "protocol") continue;
        const { protocol, port } = entry;
        if (port.kind === "number") out.push({ port: port.port, protocol });
        else out.push({ port: port.start, protocol }, { port: port.end, protocol });
      }
    }
  }
  return uniquePorts(out);
}

function externals(cluster: Cluster, labCluster: Cluster, options: LabRunOptions, podIps: readonly Ip[]): External[] {
  const defaults = uniquePorts([...policyPorts(cluster), ...DEFAULT_EXTERNAL_PORTS]);
  if (options.to !== undefined) return options.to.map((t) => ({ ip: t.ip, ports: t.port === undefined ? defaults : [t.port] }));
  return derivedExternal(labCluster, AddressSet.fromCidrs(options.podCidrs), podIps, options.metadata).map((ip) => ({ ip, ports: defaults }));
}

/** The lab's topology for the options: the bridge holds the gateways of the pod CIDRs. */
export function labTopology(options: LabRunOptions): LabTopology {
  return options.topology === "bridge" ? { kind: "bridge", podCidrs: options.podCidrs } : ROUTED;
}

export function planLabRun(cluster: Cluster, options: LabRunOptions): PlanResult {
  const topology = labTopology(options);
  const alloc = allocate(cluster, options.podCidrs, topology);
  const errors: PlanError[] = [...alloc.errors];
  if (alloc.pods.length > MAX_PODS) errors.push({ kind: "too-many-pods", count: alloc.pods.length, max: MAX_PODS });
  if (errors.length > 0) return { ok: false, errors };
  const labCluster = labClusterOf(cluster, alloc.pods);
  const engineOptions: EngineOptions = { podNetwork: AddressSet.fromCidrs(options.podCidrs), ipBlockMatchesPods: options.ipBlockMatchesPods };
  const engine = Engine.compile(labCluster, engineOptions);
  const pods = labCluster.endpoints.map((endpoint, i) => ({ endpoint, ip: alloc.pods[i]?.ip as Ip })).sort(byId);
  const skipped: Skipped[] = [...alloc.skipped];
  const podIps = new Set(pods.map((p) => formatIp(p.ip)));
  const targets = externals(cluster, labCluster, options, pods.map((p) => p.ip)).filter(({ ip }) => {
    const problem = externalProblem(ip, engineOptions.podNetwork, podIps);
    if (problem !== undefined) skipped.push({ reason: problem, to: formatIp(ip) });
    return problem === undefined;
  });
  const declared = (p: LabPodAddress): LabPort[] => uniquePorts(p.endpoint.ports);
  const probes = [
    ...podProbes(engine, pods, declared, skipped),
    ...outboundProbes(engine, pods, targets, skipped),
    ...inboundProbes(engine, pods, targets.map((t) => t.ip), declared, skipped),
  ];
  const max = options.maxProbes ?? DEFAULT_MAX_PROBES;
  if (probes.length > max) return { ok: false, errors: [{ kind: "too-many-probes", count: probes.length, max }] };
  const dns = dnsPods(labCluster, pods);
  const names = dns.size === 0 ? {} : dnsNames(labCluster, pods);
  const internetPorts = uniquePorts(probes.filter((p) => p.identity.startsWith("internet ")).map((p) => ({ port: p.port, protocol: p.protocol })));
  const specPods = pods.map(({ endpoint, ip }): LabPod => ({
    id: endpoint.id,
    ips: [ip],
    ports: uniquePorts(endpoint.ports),
    ...(dns.has(endpoint) ? { dns: { names } } : {}),
  }));
  return {
    ok: true,
    plan: { spec: { pods: specPods, internet: { ports: internetPorts }, ...(topology.kind === "bridge" ? { topology } : {}) }, cluster: labCluster, engineOptions, podCidrs: options.podCidrs, probes, skipped },
  };
}

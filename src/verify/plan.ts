/**
 * Planning `verify`, pure. Two steps, since the probes need the twins' addresses:
 * 1. `chooseTwins`: the workloads to copy (sources and destinations, as the model groups pods into
 *    workloads) and a twin for each: destinations serve their declared ports, sources probe. A
 *    workload both source and destination gets two twins (the destination twin must be Running, its
 *    address known, before the source twin is created with its plan).
 * 2. `planProbes`: once the destination twins have addresses, every probe of every source twin and
 *    the engine's verdict for it, on the live cluster with the twins added (they share the
 *    workloads' labels, so the same policies select them), with the policy blamed for each denial.
 */
import { Engine } from "../engine/engine.js";
import type { Decision, DirectionResult, EngineOptions, Target } from "../engine/types.js";
import type { Cluster, Endpoint } from "../model/cluster.js";
import type { ContainerPort, Protocol } from "../model/ports.js";
import { AddressSet } from "../net/address-set.js";
import { type Ip, formatIp, parseIp } from "../net/ip.js";
import { derivedExternal } from "../labrun/addresses.js";
import { DEFAULT_EXTERNAL_PORTS, policyPorts, uniquePorts } from "../labrun/plan.js";
import type { ExternalTarget } from "../labrun/types.js";
import { RUN_LABEL, runLabels } from "./twin.js";

/** The name every source twin looks up through the cluster DNS (it exists in every cluster). */
export const DNS_PROBE_NAME = "kubernetes.default";

export interface Twin {
  /** Pod name: `pcv-<run>-d<n>` (destination) or `pcv-<run>-s<n>` (source). */
  readonly name: string;
  readonly namespace: string;
  readonly role: "source" | "destination";
  readonly endpoint: Endpoint;
  /** The declared ports it serves (destinations; TCP and UDP: SCTP is listed as skipped). */
  readonly ports: readonly ContainerPort[];
}

export type VerifySkipReason = "verify-pod" | "host-network" | "no-ports" | "sctp" | "depends" | "no-address" | "no-address-family";

export interface VerifySkip {
  readonly reason: VerifySkipReason;
  readonly from?: string;
  readonly to: string;
  readonly port?: number;
  readonly protocol?: Protocol;
}

export interface TwinChoice {
  readonly twins: readonly Twin[];
  /** Every namespace holding a twin (each gets the run's owner ConfigMap). */
  readonly namespaces: readonly string[];
  readonly skipped: readonly VerifySkip[];
}

export interface ChooseOptions {
  readonly run: string;
  /** The namespaces verified (-n, or the context's); null: every one (-A). */
  readonly namespace: string | null;
  /** `--from`: only these sources; null: every workload in scope. */
  readonly sources: readonly Endpoint[] | null;
  /** `--no-twins`: no destination twins; sources probe the real pods. */
  readonly noTwins: boolean;
}

const inScope = (e: Endpoint, namespace: string | null): boolean => namespace === null || e.namespace === namespace;

/** The TCP and UDP ports a workload declares, once each (SCTP: skipped, the agent cannot probe it). */
function servable(e: Endpoint, skipped: VerifySkip[]): ContainerPort[] {
  const ports: ContainerPort[] = [];
  const seen = new Set<string>();
  for (const p of e.ports) {
    const key = `${p.port}/${p.protocol}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (p.protocol === "SCTP") skipped.push({ reason: "sctp", to: e.id, port: p.port, protocol: p.protocol });
    else ports.push(p);
  }
  return ports;
}

export function chooseTwins(cluster: Cluster, o: ChooseOptions): TwinChoice {
  const skipped: VerifySkip[] = [];
  const candidates = cluster.endpoints.filter((e) => {
    // Another run's probe pods (running at once, or left by a killed run) are no workloads.
    if (e.labels.has(RUN_LABEL)) {
      if (inScope(e, o.namespace)) skipped.push({ reason: "verify-pod", to: e.id });
      return false;
    }
    if (e.hostNetwork && inScope(e, o.namespace)) skipped.push({ reason: "host-network", to: e.id });
    return !e.hostNetwork;
  });
  const sources = (o.sources ?? candidates.filter((e) => inScope(e, o.namespace))).filter((e) => !e.hostNetwork && !e.labels.has(RUN_LABEL));
  const twins: Twin[] = [];
  if (!o.noTwins) {
    let d = 0;
    for (const e of candidates.filter((x) => inScope(x, o.namespace))) {
      const ports = servable(e, skipped);
      if (ports.length === 0) skipped.push({ reason: "no-ports", to: e.id });
      else twins.push({ name: `pcv-${o.run}-d${d++}`, namespace: e.namespace, role: "destination", endpoint: e, ports });
    }
  }
  sources.forEach((e, s) => twins.push({ name: `pcv-${o.run}-s${s}`, namespace: e.namespace, role: "source", endpoint: e, ports: [] }));
  return { twins, namespaces: [...new Set(twins.map((t) => t.namespace))].sort(), skipped };
}

/** The twin as the engine sees it: a Pod of the workload's namespace, with its labels (as created) and its address. */
export function twinEndpoint(t: Twin, run: string, ip: Ip): Endpoint {
  const { owner: _owner, splitPods: _split, ...rest } = t.endpoint;
  return {
    ...rest,
    id: `${t.namespace}/${t.name}`,
    name: t.name,
    kind: "Pod",
    labels: new Map(Object.entries(runLabels(run, Object.fromEntries(t.endpoint.labels)))),
    ips: [ip],
    ports: t.ports,
    pods: [t.name],
  };
}

export type ProbeKind = "twin" | "pod" | "external" | "dns";

/** Which side's policy the engine blames for a denial: egress of the source, ingress of the destination; the policies (or admin rules) that decide it. */
export interface Blame {
  readonly side: "source" | "destination";
  readonly direction: "egress" | "ingress";
  readonly policies: readonly string[];
}

export interface VerifyProbe {
  readonly id: string;
  readonly kind: ProbeKind;
  /** The source twin that runs it. */
  readonly twin: string;
  readonly namespace: string;
  /** The workloads, as the model names them; an external address or `dns NAME` as the destination. */
  readonly from: string;
  readonly to: string;
  readonly ip?: string;
  readonly dns?: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly expected: boolean;
  readonly blamed: readonly Blame[];
  /** Who answers when it gets through (a twin's identity `namespace/name`), when known. */
  readonly identity?: string;
}

export interface ProbeOptions {
  readonly run: string;
  readonly engine: EngineOptions;
  /** `--to`; null: the addresses the policies' ipBlocks suggest, and cloud metadata (as `lab run`). */
  readonly to: readonly ExternalTarget[] | null;
  readonly metadata: readonly Ip[];
  /** `--no-twins`: the real destination workloads the sources probe, TCP only; null: twins. */
  readonly realDestinations: readonly Endpoint[] | null;
}

/** Where a probe goes, before the engine's verdict (which needs the source twin's address, known once it runs). */
export type Destination =
  | { readonly kind: "twin"; readonly twin: Twin }
  | { readonly kind: "pod"; readonly endpoint: Endpoint; readonly ip: Ip }
  | { readonly kind: "external"; readonly ip: Ip }
  | { readonly kind: "dns"; readonly endpoint: Endpoint };

export interface ProbeTarget extends Omit<VerifyProbe, "expected" | "blamed"> {
  readonly destination: Destination;
}

export interface ProbePlanResult {
  readonly probes: readonly VerifyProbe[];
  readonly skipped: readonly VerifySkip[];
  /** The cluster the verdicts are from: the live one with the twins. */
  readonly cluster: Cluster;
}

function blameOf(direction: DirectionResult, side: Blame["side"]): Blame[] {
  if (direction.verdict !== "denied") return [];
  const g = direction.governance;
  const fromTiers = direction.tiers.flatMap((t) => (t.kind === "rule" && t.action === "Deny" ? [`${t.policy.kind}/${t.policy.name}`] : []));
  const policies = fromTiers.length > 0 ? fromTiers : g.kind === "isolated" ? g.policies.map((p) => `${p.namespace}/${p.name}`) : [];
  return [{ side, direction: direction.direction === "egress" ? "egress" : "ingress", policies }];
}

/** Each denying direction with its policies: egress blames the source, ingress the destination. */
export function blame(d: Decision): Blame[] {
  return [...blameOf(d.egress, "source"), ...blameOf(d.ingress, "destination")];
}

const key = (t: Pick<Twin, "namespace" | "name">): string => `${t.namespace}/${t.name}`;

/**
 * Every probe of every source twin, from the destination twins' addresses (`namespace/name` →
 * address): each declared port of each destination twin (or, `--no-twins`, each declared TCP port
 * of each real destination at its first known address), each external address on its ports, and
 * the cluster DNS when the cluster has it. Numbered across the run (`p0`, `p1`...).
 */
export function probeTargets(live: Cluster, twins: readonly Twin[], addresses: ReadonlyMap<string, Ip>, o: ProbeOptions): ProbeTarget[] {
  const out: ProbeTarget[] = [];
  let n = 0;
  const destinations = twins.filter((t) => t.role === "destination" && addresses.has(key(t)));
  const podIps = [...live.endpoints.flatMap((e) => e.ips), ...addresses.values()];
  const outside = externals(live, o, podIps);
  const dns = clusterDns(live);
  for (const src of twins.filter((t) => t.role === "source")) {
    const add = (destination: Destination, fields: Pick<VerifyProbe, "kind" | "to" | "port" | "protocol"> & Partial<Pick<VerifyProbe, "ip" | "dns" | "identity">>): void =>
      void out.push({ id: `p${n++}`, twin: src.name, namespace: src.namespace, from: src.endpoint.id, destination, ...fields });
    for (const dst of destinations) {
      const ip = addresses.get(key(dst)) as Ip;
      for (const port of dst.ports) add({ kind: "twin", twin: dst }, { kind: "twin", to: dst.endpoint.id, ip: formatIp(ip), port: port.port, protocol: port.protocol, identity: key(dst) });
    }
    for (const real of o.realDestinations ?? []) {
      const ip = real.ips.find((x) => x.family === 4) ?? real.ips[0];
      if (ip === undefined) continue;
      for (const port of uniquePorts(real.ports).filter((p) => p.protocol === "TCP")) add({ kind: "pod", endpoint: real, ip }, { kind: "pod", to: real.id, ip: formatIp(ip), port: port.port, protocol: "TCP" });
    }
    for (const ext of outside) {
      for (const port of ext.ports.filter((p) => p.protocol !== "SCTP")) add({ kind: "external", ip: ext.ip }, { kind: "external", to: formatIp(ext.ip), ip: formatIp(ext.ip), port: port.port, protocol: port.protocol });
    }
    if (dns !== undefined) add({ kind: "dns", endpoint: dns }, { kind: "dns", to: `dns ${DNS_PROBE_NAME}`, dns: DNS_PROBE_NAME, port: 53, protocol: "UDP" });
  }
  return out;
}

/** Real destinations of `--no-twins` without a known address: not probed. */
export function unaddressed(real: readonly Endpoint[]): VerifySkip[] {
  return real.filter((e) => e.ips.length === 0).map((e) => ({ reason: "no-address", to: e.id }));
}

/**
 * The engine's verdict for each probe, once every twin has its address: on the live cluster with
 * the twins added. A probe between families the source has no address of, or whose verdict depends
 * on an address, is skipped (its result, if any, is not judged).
 */
export function expectations(live: Cluster, twins: readonly Twin[], addresses: ReadonlyMap<string, Ip>, targets: readonly ProbeTarget[], o: ProbeOptions): ProbePlanResult {
  const skipped: VerifySkip[] = [];
  const placed = new Map<string, { ip: Ip; endpoint: Endpoint }>();
  for (const t of twins) {
    const ip = addresses.get(key(t));
    if (ip !== undefined) placed.set(key(t), { ip, endpoint: twinEndpoint(t, o.run, ip) });
  }
  const cluster: Cluster = { ...live, endpoints: [...live.endpoints, ...[...placed.values()].map((p) => p.endpoint)] };
  const engine = Engine.compile(cluster, o.engine);
  const probes: VerifyProbe[] = [];
  for (const t of targets) {
    const { destination, ...probe } = t;
    const src = placed.get(`${t.namespace}/${t.twin}`);
    const where = { from: t.from, to: t.to, port: t.port, protocol: t.protocol };
    const to = targetOf(destination, placed);
    const toIp = t.ip === undefined ? undefined : parseIp(t.ip);
    if (src === undefined || to === undefined) continue;
    if (toIp !== undefined && toIp.family !== src.ip.family) {
      skipped.push({ reason: "no-address-family", ...where });
      continue;
    }
    const d = engine.check({ from: { kind: "endpoint", endpoint: src.endpoint, address: src.ip }, to, port: t.port, protocol: t.protocol });
    if (d.verdict === "depends") skipped.push({ reason: "depends", ...where });
    else probes.push({ ...probe, expected: d.verdict === "allowed", blamed: d.verdict === "denied" ? blame(d) : [] });
  }
  return { probes, skipped, cluster };
}

function targetOf(d: Destination, placed: ReadonlyMap<string, { ip: Ip; endpoint: Endpoint }>): Target | undefined {
  switch (d.kind) {
    case "twin": {
      const p = placed.get(key(d.twin));
      return p === undefined ? undefined : { kind: "endpoint", endpoint: p.endpoint, address: p.ip };
    }
    case "pod":
      return { kind: "endpoint", endpoint: d.endpoint, address: d.ip };
    case "external":
      return { kind: "external", addresses: AddressSet.fromIp(d.ip) };
    case "dns":
      return { kind: "endpoint", endpoint: d.endpoint };
  }
}

/** External targets: `--to`, else derived from the policies as `lab run` does (ports: the policies' and 80, 443/TCP, 53/UDP). */
function externals(cluster: Cluster, o: ProbeOptions, podIps: readonly Ip[]): { ip: Ip; ports: readonly { port: number; protocol: Protocol }[] }[] {
  const defaults = uniquePorts([...policyPorts(cluster), ...DEFAULT_EXTERNAL_PORTS]);
  if (o.to !== null) return o.to.map((t) => ({ ip: t.ip, ports: t.port === undefined ? defaults : [t.port] }));
  return derivedExternal(cluster, o.engine.podNetwork, podIps, o.metadata).map((ip) => ({ ip, ports: defaults }));
}

/** The cluster DNS pods, as kubeadm, kind and the managed clusters label them (`k8s-app: kube-dns` in kube-system). */
export function clusterDns(cluster: Cluster): Endpoint | undefined {
  return cluster.endpoints.find((e) => e.namespace === "kube-system" && e.labels.get("k8s-app") === "kube-dns" && !e.hostNetwork);
}

/** A `status.podIP` as an address. */
export function podAddress(text: unknown): Ip | undefined {
  return typeof text === "string" ? parseIp(text) : undefined;
}

/**
 * Services that would route to a twin although it is never Ready: `publishNotReadyAddresses: true`
 * "indicates that any agent which deals with endpoints for this Service should disregard any
 * indications of ready/not-ready". Each as `namespace/name`, with the twin's workload.
 */
export function notReadyServices(services: readonly { readonly namespace: string; readonly name: string; readonly selector: Readonly<Record<string, string>> | null; readonly publishNotReadyAddresses: boolean }[], twins: readonly Twin[]): string[] {
  const out: string[] = [];
  for (const s of services) {
    if (!s.publishNotReadyAddresses || s.selector === null || Object.keys(s.selector).length === 0) continue;
    const selector = s.selector;
    const hit = twins.find((t) => t.namespace === s.namespace && Object.entries(selector).every(([k, v]) => t.endpoint.labels.get(k) === v));
    if (hit !== undefined) out.push(`Service ${s.namespace}/${s.name} has publishNotReadyAddresses: it selects the twin of ${hit.endpoint.id}, which never turns Ready, and routes to it anyway`);
  }
  return out;
}

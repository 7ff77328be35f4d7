/**
 * The default view: per namespace with policies, what each workload may reach, and the three
 * destinations that matter most to egress control: the internet, cloud metadata, cluster DNS.
 * Built from the analyses (pair and external reachability); text, JSON and YAML print this object.
 */
import type { PodNetworkFrom } from "../model/pod-network.js";
import { ConnSet, type ConnSetJson } from "../analysis/connset.js";
import { PairAnalysis, sortedEndpoints } from "../analysis/matrix.js";
import { directionConns, externalConns } from "../analysis/reach.js";
import type { Cluster, Direction, Endpoint } from "../model/cluster.js";
import type { Protocol } from "../model/ports.js";
import { serviceBackends, serviceName, targetPortOn } from "../model/service.js";
import { AddressSet } from "../net/address-set.js";
import type { Engine } from "../engine/engine.js";
import { type WellKnownOptions, internetAddresses, metadataAddresses, podFamilies } from "../model/well-known.js";
import { type Ip, formatIp } from "../net/ip.js";
import { type DnsServer, dnsAccess, dnsServer, internet, metadata } from "./egress-probes.js";
import { type AdminRuleView, adminRulesSelecting } from "../analysis/admin-rules.js";
import { type AdminRuleJson, adminRuleJson } from "./admin-rules.js";
import { type GovernanceJson, governanceJson } from "./check.js";
import { type LocationJson, addressesJson, locationJson } from "./json.js";
import type { DnsSnapshot } from "../dns/snapshot.js";
import type { AdminAction, AdminRuleName } from "../model/admin-policy.js";
import { domainDestinations, resolvedAddresses } from "./egress-domains.js";

export type Access = "allowed" | "limited" | "blocked";

export interface PeerConnsJson {
  readonly to: string;
  readonly conns: ConnSetJson;
}

export interface AddressConnsJson {
  readonly to: readonly string[];
  readonly conns: ConnSetJson;
}

/** A Service whose backends the workload can reach through some of its ports (kube-proxy's translation applied). */
export interface ServiceReachJson {
  /** `namespace/name` */
  readonly service: string;
  readonly clusterIps: readonly string[];
  readonly ports: readonly {
    readonly port: number;
    readonly protocol: Protocol;
    readonly name: string | null;
    /** Backends that serve this port (those with the target port), and how many of them the workload may reach. */
    readonly backends: number;
    readonly allowed: number;
  }[];
}

export interface WorkloadEgressJson {
  readonly id: string;
  readonly kind: Endpoint["kind"];
  readonly name: string;
  readonly ips: readonly string[];
  readonly hostNetwork: boolean;
  /** A pod that is an endpoint of its own because it differs from the other pods of this controller: `{kind, namespace, name}`. */
  readonly owner?: { readonly kind: string; readonly namespace: string; readonly name: string };
  readonly governance: GovernanceJson;
  /**
   * The guardrails that decide its egress: the egress rules of the admin policies whose subject
   * selects it, in the order the tiers walk them (the Admin tier's; the Baseline tier's unless
   * NetworkPolicy isolates it, whose verdict is then final).
   */
  readonly guardrails: readonly AdminRuleJson[];
  /** Endpoints it can connect to (its egress and their ingress both allow it, whatever the addresses). */
  readonly endpoints: readonly PeerConnsJson[];
  /** Connections only some of the endpoints' possible addresses get. */
  readonly endpointsDependingOnAddress: readonly PeerConnsJson[];
  /** Connections its egress allows but the destination's ingress refuses. */
  readonly refusedByIngress: readonly PeerConnsJson[];
  /** The IP space its egress allows, in regions with the same connections. */
  readonly addresses: readonly AddressConnsJson[];
  /** Services (with a ClusterIP) whose backends it may reach through some port; only for a workload whose egress NetworkPolicy isolates or guardrails restrict. */
  readonly services: readonly ServiceReachJson[];
  readonly internet: { readonly access: Access; readonly allowed: readonly AddressConnsJson[] };
  /** The most open of the metadata addresses (`address`, `conns`), and each of them. */
  readonly cloudMetadata: {
    readonly access: Access;
    readonly address: string;
    readonly conns: ConnSetJson | null;
    readonly addresses: readonly { readonly address: string; readonly access: Access; readonly conns: ConnSetJson | null }[];
  };
  readonly dns: { readonly access: Access; readonly conns: ConnSetJson | null };
  /** Domain destinations: the `domainNames` entries of its guardrails, in the order the tiers walk them. */
  readonly domains: readonly DomainDestinationJson[];
}

/** One `domainNames` entry of a rule that decides the workload's egress (issue 12). */
export interface DomainDestinationJson {
  /** As compared: lower case, no trailing dot (`*.example.com`); as written when it is no pattern. */
  readonly pattern: string;
  readonly action: AdminAction;
  /** The rule: `tier`, `policy` (`kind`, `name`), `priority`, `rule` (index in spec.egress), `name`. */
  readonly rule: AdminRuleName;
  /** The connections the rule names (its protocols and ports). */
  readonly conns: ConnSetJson;
  readonly at: LocationJson;
  /**
   * With a resolution snapshot: every address the pattern admits, with the name of the snapshot
   * that resolves to it, the CNAME chain and the chain's smallest TTL, and `clusterIpOf` (the
   * Service) when the address is a ClusterIP, which no connection has after Service translation. Null without one: the rule
   * admits the addresses the pod resolves, which are not known offline.
   */
  readonly addresses: readonly { readonly name: string; readonly address: string; readonly chain: readonly string[]; readonly ttl: number; readonly clusterIpOf?: string }[] | null;
}

export interface NamespaceEgressJson {
  readonly namespace: string;
  readonly policies: readonly { readonly name: string; readonly affects: readonly Direction[]; readonly at: LocationJson }[];
  readonly workloads: readonly WorkloadEgressJson[];
}

export interface EgressJson {
  readonly namespaces: readonly NamespaceEgressJson[];
  /** Namespaces with endpoints and no policy at all: every pod there may reach everything. */
  readonly unrestricted: readonly { readonly namespace: string; readonly endpoints: readonly string[] }[];
  /** The options the answers depend on. */
  readonly assumptions: {
    readonly podNetwork: readonly string[];
    /** `flag` (--pod-cidr), `nodes` (the Nodes' spec.podCIDRs) or `default`. */
    readonly podNetworkFrom: PodNetworkFrom;
    readonly ipBlockMatchesPods: boolean;
    /** What "internet" means here: the public address space. */
    readonly internet: readonly string[];
    /** The cloud metadata addresses (the defaults and --metadata). */
    readonly metadata: readonly string[];
    /** The DNS server probed (a DNS pod, or the --dns addresses); `assumed` when the manifests have no DNS pods. */
    readonly dns: { readonly server: string; readonly assumed: boolean };
    /** Whether a resolution snapshot was given: `domains[].addresses` are then what it resolves, else null. */
    readonly resolution: boolean;
  };
}

/** The facts the view is about, resolved once. */
interface Facts {
  readonly internet: AddressSet;
  readonly metadata: readonly Ip[];
  readonly dns: DnsServer;
  readonly resolution: DnsSnapshot | null;
}

export function egressOverview(engine: Engine, podNetworkFrom: PodNetworkFrom, options: WellKnownOptions = {}): EgressJson {
  const cluster = engine.cluster;
  const endpoints = sortedEndpoints(cluster.endpoints);
  // Namespaces with policies, and those with a workload whose egress some admin policy's subject selects.
  const withPolicies = new Set([...cluster.policies.map((p) => p.namespace), ...endpoints.filter((e) => adminRulesSelecting(engine, e, "egress").length > 0).map((e) => e.namespace)]);
  const facts: Facts = {
    internet: internetAddresses(podFamilies(engine.options.podNetwork, cluster.endpoints)),
    metadata: metadataAddresses(options.metadata),
    dns: dnsServer(engine, options.dns),
    // The resolution snapshot the engine answers with (`--dns-records`, `--resolve`).
    resolution: engine.options.dns ?? null,
  };
  const pairs = new EgressPairs(engine);
  const namespaces = [...withPolicies].sort().map((namespace) => ({
    namespace,
    policies: cluster.policies
      .filter((p) => p.namespace === namespace)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((p) => ({ name: p.name, affects: (["ingress", "egress"] as const).filter((d) => p.affects[d]), at: locationJson(p.at) })),
    workloads: endpoints.filter((e) => e.namespace === namespace).map((e) => workload(engine, pairs, facts, endpoints, e)),
  }));
  const unrestricted = [...new Set(endpoints.map((e) => e.namespace))]
    .filter((ns) => !withPolicies.has(ns))
    .sort()
    .map((namespace) => ({ namespace, endpoints: endpoints.filter((e) => e.namespace === namespace).map((e) => e.name) }));
  const assumptions = {
    podNetwork: addressesJson(engine.options.podNetwork),
    podNetworkFrom,
    ipBlockMatchesPods: engine.options.ipBlockMatchesPods,
    internet: addressesJson(facts.internet),
    metadata: facts.metadata.map(formatIp),
    dns: { server: facts.dns.name, assumed: facts.dns.assumed },
    resolution: facts.resolution !== null,
  };
  return { namespaces, unrestricted, assumptions };
}

/**
 * The admin rules that decide a workload's egress: the Admin tier's, and the Baseline tier's unless
 * NetworkPolicy isolates it (then NetworkPolicy's verdict is final and the Baseline is not reached).
 */
function guardrails(engine: Engine, e: Endpoint): AdminRuleView[] {
  const isolated = !e.hostNetwork && engine.policiesSelecting(e, "egress").length > 0;
  return adminRulesSelecting(engine, e, "egress").filter((r) => r.tier === "Admin" || !isolated);
}

/** Pair analyses, plus what the source's egress alone allows, both memoised by endpoint class. */
class EgressPairs extends PairAnalysis {
  private readonly egressCache = new Map<string, ConnSet>();

  egressOnly(from: Endpoint, to: Endpoint): ConnSet {
    const key = `${this.classKey(from)}>${this.classKey(to)}`;
    let hit = this.egressCache.get(key);
    if (hit === undefined) {
      hit = directionConns(this.engine, "egress", { kind: "endpoint", endpoint: from }, { kind: "endpoint", endpoint: to }).full;
      this.egressCache.set(key, hit);
    }
    return hit;
  }
}

/**
 * The Services with a ClusterIP whose backends `e` may reach, per Service port: kube-proxy sends a
 * connection to the ClusterIP and port to one backend at its target port, so the port counts as
 * reached for each backend that both its egress and the backend's ingress allow there.
 */
function servicesReached(cluster: Cluster, pairs: PairAnalysis, e: Endpoint): ServiceReachJson[] {
  const out: ServiceReachJson[] = [];
  for (const service of [...cluster.services].sort((a, b) => serviceName(a).localeCompare(serviceName(b)))) {
    if (service.headless || service.type === "ExternalName") continue;
    const backends = serviceBackends(cluster, service).filter((b) => b !== e);
    const ports = service.ports.map((p) => {
      const landed = backends.flatMap((b) => {
        const at = targetPortOn(p, b);
        return at.ok ? [pairs.conns(e, b).full.has(at.protocol, at.port)] : [];
      });
      return { port: p.port, protocol: p.protocol, name: p.name ?? null, backends: landed.length, allowed: landed.filter((ok) => ok).length };
    });
    if (ports.some((p) => p.allowed > 0)) out.push({ service: serviceName(service), clusterIps: service.clusterIps.map(formatIp), ports: ports.filter((p) => p.allowed > 0) });
  }
  return out;
}

function workload(engine: Engine, pairs: EgressPairs, facts: Facts, all: readonly Endpoint[], e: Endpoint): WorkloadEgressJson {
  // Restricted by some tier: NetworkPolicy isolation, or an admin policy whose subject selects it.
  const restricted = !e.hostNetwork && engine.layersSelecting(e, "egress").length > 0;
  const reach: PeerConnsJson[] = [];
  const depending: PeerConnsJson[] = [];
  const refused: PeerConnsJson[] = [];
  for (const other of all) {
    if (other === e) continue;
    const both = pairs.conns(e, other);
    // Only a restricted workload's egress can be refused by ingress in a way worth reporting.
    const egressOnly = restricted ? pairs.egressOnly(e, other) : ConnSet.EMPTY;
    if (!both.full.isEmpty()) reach.push({ to: other.id, conns: both.full.toJSON() });
    if (!both.partial.isEmpty()) depending.push({ to: other.id, conns: both.partial.toJSON() });
    const lost = egressOnly.subtract(both.full).subtract(both.partial);
    if (!lost.isEmpty()) refused.push({ to: other.id, conns: lost.toJSON() });
  }
  const regions = externalConns(engine, e, "egress");
  return {
    id: e.id,
    kind: e.kind,
    name: e.name,
    ips: addressesJson(AddressSet.fromIps(e.ips)),
    hostNetwork: e.hostNetwork,
    ...(e.owner === undefined ? {} : { owner: { kind: e.owner.kind, namespace: e.owner.namespace, name: e.owner.name } }),
    governance: governanceJson(engine.governance(e, "egress")),
    guardrails: guardrails(engine, e).map(adminRuleJson),
    endpoints: reach,
    endpointsDependingOnAddress: depending,
    refusedByIngress: refused,
    addresses: regions.map((r) => ({ to: addressesJson(r.addresses), conns: r.conns.toJSON() })),
    services: restricted ? servicesReached(engine.cluster, pairs, e) : [],
    internet: internet(regions, facts.internet),
    cloudMetadata: metadata(regions, facts.metadata),
    dns: dnsAccess(facts.dns, e),
    domains: domains(engine, facts.resolution, e),
  };
}

function domains(engine: Engine, resolution: DnsSnapshot | null, e: Endpoint): DomainDestinationJson[] {
  return domainDestinations(engine, e).map((d) => ({
    pattern: d.pattern,
    action: d.action,
    rule: d.rule,
    conns: d.conns.toJSON(),
    at: locationJson(d.at),
    addresses:
      resolution === null
        ? null
        : resolvedAddresses(d, resolution, engine.cluster.services).map((r) => ({ name: r.name, address: formatIp(r.address), chain: r.chain, ttl: r.ttl, ...(r.clusterIpOf === undefined ? {} : { clusterIpOf: r.clusterIpOf }) })),
  }));
}

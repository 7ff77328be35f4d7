/**
 * The node agent's DNS part (`--dns-proxy ADDR:PORT`): the proxy that the pods some `domainNames`
 * rule selects are redirected to, the learner that writes what each answer admits before the answer
 * is released, and their metrics. See docs/dns-names/enforcement.md.
 */
import type { Caps, Timeouts } from "../dns/learn.js";
import type { DnsRecord } from "../dns/snapshot.js";
import { DnsLearner, type DnsLearnerOptions } from "../enforce/dns-learner.js";
import type { Cluster } from "../model/cluster.js";
import { clusterDnsAddresses } from "../model/well-known.js";
import { type Ip, formatIp } from "../net/ip.js";
import type { DnsProxyTarget, DomainRuleSets, Ruleset } from "../nft/types.js";
import type { NftResult } from "../enforce/nft.js";
import type { Logger } from "./log.js";
import { type Registry } from "./metrics.js";

/** What the proxy reports (src/enforce/dns-proxy.ts `DnsProxyStats`). */
export interface ProxyStats {
  readonly queries: number;
  readonly answers: number;
  readonly lateReleases: number;
  readonly refused: number;
  readonly upstreamErrors: number;
}

interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** The proxy's start (src/enforce/dns-proxy.ts `startDnsProxy`): the hook is called with every answer before it is released. */
export type StartDnsProxy = (
  options: { readonly listen: HostPort; readonly upstream: HostPort; readonly holdMaxMs?: number },
  beforeRelease: (client: Ip, question: unknown, response: { readonly answers: readonly DnsRecord[] }) => Promise<void>,
) => Promise<{ stats(): ProxyStats; close(): Promise<void> }>;

export interface AgentDnsOptions {
  /** `--dns-proxy`: where the proxy listens, an address of this node (the DNAT target) and a port. */
  readonly listen: { readonly address: Ip; readonly port: number };
  /** `--dns-upstream`: where the proxy sends queries; null: the cluster DNS (the kube-dns Service's ClusterIP, port 53). */
  readonly upstream: HostPort | null;
  readonly timeouts: Timeouts;
  /** `--dns-hold-max`: the longest an answer waits for its elements, ms; then released anyway (a late release). */
  readonly holdMaxMs: number;
  readonly caps: Caps;
  readonly start: StartDnsProxy;
  /** The netlink helper's path (`--dns-writer netlink|auto` and found): the learner writes through it; through nft when absent. */
  readonly netlinkHelper?: string;
}

/** Seconds, from 100 µs to 1 s: an answer's hold (its elements committed to the kernel). */
const HOLD_BUCKETS: readonly number[] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

function dnsMetrics(registry: Registry) {
  return {
    answers: registry.counter("portcullis_dns_answers_total", "DNS answers the proxy relayed to pods that some domainNames rule selects."),
    learning: registry.counter("portcullis_dns_learning_answers_total", "Of those, answers with an address some rule of the pod admits (held until the kernel holds it)."),
    elements: registry.gauge("portcullis_dns_learned_elements", "Learned (pod address . destination address) elements held now, in every learned set."),
    added: registry.counter("portcullis_dns_elements_added_total", "Learned elements added (new pairs)."),
    refreshed: registry.counter("portcullis_dns_elements_refreshed_total", "Learned elements whose timeout a later answer moved later."),
    expired: registry.counter("portcullis_dns_elements_expired_total", "Learned elements whose timeout (max(TTL, --dns-min-ttl) + --dns-grace) ran out."),
    evicted: registry.counter("portcullis_dns_elements_evicted_total", "Learned elements removed to stay within a cap, by cap (per-name, per-pod, total)."),
    hold: registry.histogram("portcullis_dns_hold_seconds", "From a DNS answer reaching the agent to the kernel holding the elements it admits (the answer is released then).", HOLD_BUCKETS),
    late: registry.counter("portcullis_dns_late_releases_total", "Answers released after --dns-hold-max without their elements committed (a connection right after may be dropped)."),
    commitFailures: registry.counter("portcullis_dns_commit_failures_total", "Transactions of learned elements nft refused (their answers were released; the pairs are learned again at the next answer)."),
    writer: registry.gauge("portcullis_dns_writer", "What writes the learned elements now: 1 for the writer in use (netlink: the helper portcullis-nft-elements; nft), 0 for the other."),
    writerFallbacks: registry.counter("portcullis_dns_writer_fallbacks_total", "Batches of learned elements the netlink helper failed to write (crashed, timed out, could not start) that nft wrote instead."),
    queries: registry.counter("portcullis_dns_queries_total", "DNS queries the proxy received."),
    refused: registry.counter("portcullis_dns_refused_total", "Queries answered SERVFAIL by the proxy (too many in flight)."),
    upstreamErrors: registry.counter("portcullis_dns_upstream_errors_total", "Queries the upstream DNS did not answer (timeout, error)."),
  };
}

/** The DNS part of a running agent. */
export class AgentDns {
  readonly learner: DnsLearner;
  private proxy: { stats(): ProxyStats; close(): Promise<void> } | null = null;
  private starting: Promise<void> | null = null;
  private servers: readonly Ip[] = [];
  /** Where the running proxy sends queries. */
  private upstream: HostPort | null = null;
  private readonly m: ReturnType<typeof dnsMetrics>;

  constructor(
    private readonly opts: AgentDnsOptions,
    netns: string | undefined,
    registry: Registry,
    private readonly log: Logger,
  ) {
    this.m = dnsMetrics(registry);
    const learnerOptions: DnsLearnerOptions = { timeouts: opts.timeouts, caps: opts.caps, onHold: (s) => this.m.hold.observe(s), ...(netns === undefined ? {} : { netns }), ...(opts.netlinkHelper === undefined ? {} : { netlinkHelper: opts.netlinkHelper }) };
    this.learner = new DnsLearner(learnerOptions);
    this.log.log("info", opts.netlinkHelper === undefined ? "learned DNS elements are written through nft" : "learned DNS elements are written through netlink (nft the fallback)", { writer: this.learner.writer, ...(opts.netlinkHelper === undefined ? {} : { helper: opts.netlinkHelper }) });
  }

  /**
   * Before each compile: the cluster DNS addresses, and the proxy started once they are known (its
   * upstream is the first of them unless `--dns-upstream`). Until it runs there is no redirect.
   */
  async prepare(cluster: Cluster): Promise<void> {
    this.servers = clusterDnsAddresses(cluster);
    if (this.servers.length === 0) return;
    const upstream = this.opts.upstream ?? { host: formatIp(this.servers[0] as Ip), port: 53 };
    if (this.proxy !== null && this.upstream !== null && (this.upstream.host !== upstream.host || this.upstream.port !== upstream.port)) {
      // The kube-dns Service was replaced (a ClusterIP never changes in place): a proxy still asking the old address would answer nothing.
      this.log.log("info", "the cluster DNS moved: the DNS proxy restarts with the new upstream", { from: `${this.upstream.host}:${this.upstream.port}`, to: `${upstream.host}:${upstream.port}` });
      const old = this.proxy;
      this.proxy = null;
      await old.close();
    }
    if (this.proxy !== null) return;
    this.starting ??= this.opts
      .start({ listen: { host: formatIp(this.opts.listen.address), port: this.opts.listen.port }, upstream, holdMaxMs: this.opts.holdMaxMs }, (client, _question, response) => this.learner.learn(client, response.answers))
      .then((proxy) => {
        this.proxy = proxy;
        this.upstream = upstream;
        this.log.log("info", "DNS proxy listening: queries of pods some domainNames rule selects are redirected to it", { listen: `${formatIp(this.opts.listen.address)}:${this.opts.listen.port}`, upstream: `${upstream.host}:${upstream.port}` });
      })
      .catch((e: unknown) => {
        this.log.log("error", "the DNS proxy could not start: no redirect, domainNames rules accept nothing (fail closed)", { error: e instanceof Error ? e.message : String(e) });
      })
      .finally(() => (this.starting = null));
    await this.starting;
  }

  /** The redirect's target for the compile: none until the proxy runs, or without cluster DNS addresses. */
  target(): DnsProxyTarget | undefined {
    if (this.proxy === null || this.servers.length === 0) return undefined;
    return { address: this.opts.listen.address, port: this.opts.listen.port, servers: this.servers };
  }

  applied(domainRules: readonly DomainRuleSets[]): void {
    this.learner.setRules(domainRules);
  }

  replace(next: Ruleset, write: (text: string) => Promise<NftResult<void>>): Promise<NftResult<void>> {
    return this.learner.replace(next, write);
  }

  /** Copies the learner's and the proxy's counts into the metrics (at each scrape). */
  refreshMetrics(): void {
    const s = this.learner.stats();
    this.m.answers.set({}, s.answers);
    this.m.learning.set({}, s.learning);
    this.m.elements.set({}, s.elements);
    this.m.added.set({}, s.added);
    this.m.refreshed.set({}, s.refreshed);
    this.m.expired.set({}, s.expired);
    this.m.evicted.set({ cap: "per-name" }, s.evicted.perName);
    this.m.evicted.set({ cap: "per-pod" }, s.evicted.perPod);
    this.m.evicted.set({ cap: "total" }, s.evicted.total);
    this.m.commitFailures.set({}, s.commitFailures);
    this.m.writer.set({ writer: "netlink" }, s.writer === "netlink" ? 1 : 0);
    this.m.writer.set({ writer: "nft" }, s.writer === "nft" ? 1 : 0);
    this.m.writerFallbacks.set({}, s.writerFallbacks);
    const p = this.proxy?.stats();
    if (p === undefined) return;
    this.m.late.set({}, p.lateReleases);
    this.m.queries.set({}, p.queries);
    this.m.refused.set({}, p.refused);
    this.m.upstreamErrors.set({}, p.upstreamErrors);
  }

  async close(): Promise<void> {
    await this.starting;
    await this.proxy?.close();
    await this.learner.close();
  }
}

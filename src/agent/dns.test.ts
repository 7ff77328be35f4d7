/**
 * The node agent with `--dns-proxy` (runAgent, in a test namespace; the proxy itself replaced by a
 * recording stand-in, the packet tests run the real one: src/enforce/dns-proxy-packets.test.ts):
 * the proxy started with the cluster DNS as upstream once the watches synced, the redirect in the
 * applied table, an Accept domainNames rule taken without the fail-closed warning, the hook's
 * answers learned into the rule's set, and the DNS metrics on /metrics.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runNft } from "../enforce/nft.js";
import { canUseNetns, withNetns } from "../enforce/test-support.js";
import type { LiveObject } from "../kube/live.js";
import { type DnsName, dnsName } from "../dns/names.js";
import type { DnsRecord } from "../dns/snapshot.js";
import { type Ip, parseIp } from "../net/ip.js";
import { ENGINE_OPTIONS } from "../nft/fixture.js";
import { TABLE } from "../nft/types.js";
import { type WatchEvent, type WatchSource, runAgent } from "./agent.js";
import type { ProxyStats, StartDnsProxy } from "./dns.js";
import { newLogger } from "./log.js";
import type { OpsServer } from "./ops.js";
import { liveNamespace, liveNode, livePod } from "./testkit.js";

class FeedWatch implements WatchSource {
  private listener: ((e: WatchEvent) => void) | null = null;
  constructor(
    readonly kind: string,
    readonly resource: string,
  ) {}
  start(onEvent: (e: WatchEvent) => void): () => void {
    this.listener = onEvent;
    return () => (this.listener = null);
  }
  restarts(): Record<string, number> {
    return {};
  }
  list(objects: readonly LiveObject[]): void {
    for (const object of objects) this.listener?.({ type: "added", object });
    this.listener?.({ type: "synced", objects: objects.length });
  }
  send(type: "added" | "deleted", object: LiveObject): void {
    this.listener?.({ type, object });
  }
}

const ip = (text: string): Ip => parseIp(text) as Ip;
const meta = (name: string, namespace?: string) => ({ name, ...(namespace === undefined ? {} : { namespace }), uid: `uid-${name}`, resourceVersion: "7", creationTimestamp: "2026-12-06T06:00:00Z" });
const kubeDns: LiveObject = {
  apiVersion: "v1",
  kind: "Service",
  metadata: meta("kube-dns", "kube-system"),
  spec: { clusterIP: "10.96.0.10", clusterIPs: ["10.96.0.10"], selector: { "k8s-app": "kube-dns" }, ports: [{ name: "dns", port: 53, protocol: "UDP" }] },
};
const allowStripe: LiveObject = {
  apiVersion: "policy.networking.k8s.io/v1alpha2",
  kind: "ClusterNetworkPolicy",
  metadata: meta("allow-stripe"),
  spec: {
    tier: "Admin",
    priority: 10,
    subject: { namespaces: {} },
    egress: [
      { name: "stripe", action: "Accept", to: [{ domainNames: ["api.stripe.com"] }], protocols: [{ tcp: { destinationPort: { number: 443 } } }] },
      { name: "rest", action: "Deny", to: [{ networks: ["0.0.0.0/0"] }] },
    ],
  },
};

test("agent --dns-proxy: the proxy starts with the kube-dns ClusterIP as upstream, the table redirects subjects' DNS to it, answers the hook gets are learned per pod, /metrics counts them", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([first]) => {
    const ns = first as string;
    const feeds = {
      ns: new FeedWatch("Namespace", "namespaces"),
      nodes: new FeedWatch("Node", "nodes"),
      pods: new FeedWatch("Pod", "pods"),
      services: new FeedWatch("Service", "services"),
      cnps: new FeedWatch("ClusterNetworkPolicy", "clusternetworkpolicies"),
    };
    let started: Parameters<StartDnsProxy>[0] | null = null;
    let hook: Parameters<StartDnsProxy>[1] | null = null;
    const stats: ProxyStats = { queries: 3, answers: 2, lateReleases: 1, refused: 0, upstreamErrors: 0 };
    const upstreams: string[] = [];
    let closed = 0;
    const start: StartDnsProxy = (options, beforeRelease) => {
      started = options;
      hook = beforeRelease;
      upstreams.push(options.upstream.host);
      return Promise.resolve({ stats: () => stats, close: () => Promise.resolve(void closed++) });
    };
    const lines: Record<string, unknown>[] = [];
    const abort = new AbortController();
    let server: OpsServer | null = null;
    let listening: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (listening = resolve));
    const running = runAgent({
      node: "worker-1",
      netns: ns,
      audit: false,
      onExit: "keep",
      listen: { host: "127.0.0.1", port: 0 },
      engineOptions: () => ENGINE_OPTIONS,
      watches: Object.values(feeds),
      logger: newLogger("json", (line) => lines.push(JSON.parse(line) as Record<string, unknown>)),
      signal: abort.signal,
      onListening: (s) => {
        server = s;
        listening();
      },
      dns: { listen: { address: ip("169.254.53.53"), port: 5353 }, upstream: null, timeouts: { minTtl: 5, grace: 5 }, holdMaxMs: 1000, caps: { perName: 10, perPod: 100, total: 1000 }, start },
    });
    try {
      await ready;
      // The watches start right after the ops server listens.
      await new Promise((r) => setImmediate(r));
      feeds.ns.list([liveNamespace("shop"), liveNamespace("kube-system")]);
      feeds.nodes.list([liveNode("worker-1", "10.244.1.0/24")]);
      feeds.pods.list([livePod("shop", "web", { labels: { app: "web" }, ip: "10.244.1.5", node: "worker-1" })]);
      feeds.services.list([kubeDns]);
      feeds.cnps.list([allowStripe]);
      for (let k = 0; k < 250 && !lines.some((l) => l["msg"] === "applied"); k++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(lines.some((l) => l["msg"] === "applied"), JSON.stringify(lines));
      assert.deepEqual(started, { listen: { host: "169.254.53.53", port: 5353 }, upstream: { host: "10.96.0.10", port: 53 }, holdMaxMs: 1000 });
      assert.ok(!lines.some((l) => l["msg"] === "object taken with warnings"), "an Accept domainNames rule is enforced: no fail-closed warning");
      assert.ok(lines.some((l) => l["msg"] === "learned DNS elements are written through nft" && l["writer"] === "nft"), "no helper given: the agent says nft writes");
      const chain = await runNft(["list", "chain", "inet", TABLE, "dns_redirect"], ns);
      assert.match(chain.ok ? chain.value : "", /ip daddr @dns_servers_v4 ip saddr \. meta l4proto @dns_clients_v4 counter packets 0 bytes 0 dnat ip to 169\.254\.53\.53:5353/);
      assert.ok(hook !== null);
      const answer: DnsRecord[] = [{ kind: "address", name: dnsName("api.stripe.com") as DnsName, address: ip("54.187.174.169"), ttl: 60 }];
      await (hook as Parameters<StartDnsProxy>[1])(ip("10.244.1.5"), null, { answers: answer });
      const sets = await runNft(["list", "sets", "inet"], ns);
      const name = /set (e_[0-9a-f]{12}_dns_v4)/.exec(sets.ok ? sets.value : "")?.[1] ?? assert.fail("no learned set");
      const set = await runNft(["list", "set", "inet", TABLE, name], ns);
      assert.match(set.ok ? set.value : "", /10\.244\.1\.5 \. 54\.187\.174\.169 timeout 1m5s expires/);
      const metrics = await (await fetch(`http://127.0.0.1:${(server as OpsServer | null)?.port ?? 0}/metrics`)).text();
      for (const line of ["portcullis_dns_answers_total 1", "portcullis_dns_elements_added_total 1", "portcullis_dns_learned_elements 1", "portcullis_dns_late_releases_total 1", "portcullis_dns_queries_total 3", "portcullis_dns_hold_seconds_count 1", 'portcullis_dns_writer{writer="nft"} 1', 'portcullis_dns_writer{writer="netlink"} 0', "portcullis_dns_writer_fallbacks_total 0"]) {
        assert.ok(metrics.split("\n").includes(line), `${line} in\n${metrics}`);
      }
      // The kube-dns Service replaced by one with another ClusterIP: the proxy restarts asking the new one.
      feeds.services.send("deleted", kubeDns);
      const moved = { ...kubeDns, metadata: { ...meta("kube-dns", "kube-system"), uid: "uid-kube-dns-2" }, spec: { ...(kubeDns["spec"] as object), clusterIP: "10.96.0.11", clusterIPs: ["10.96.0.11"] } } as LiveObject;
      feeds.services.send("added", moved);
      for (let k = 0; k < 250 && upstreams.length < 2; k++) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(upstreams, ["10.96.0.10", "10.96.0.11"]);
      assert.equal(closed, 1, "the old proxy closed");
      assert.ok(lines.some((l) => l["msg"] === "the cluster DNS moved: the DNS proxy restarts with the new upstream"), JSON.stringify(lines));
    } finally {
      abort.abort();
      await running;
    }
  });
});

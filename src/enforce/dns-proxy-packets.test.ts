/**
 * Issue 12, "Proof with real packets (lab)", end to end through the node agent's DNS part: a lab
 * (src/lab: routed veths without addresses on the node side, 169.254.1.1 on the node's lo, a
 * CoreDNS pod answering with TTLs, CNAMEs and truncation, the internet listening on 443), and in the
 * node namespace a child running what the agent runs with `--dns-proxy 169.254.1.1:5353`: AgentDns
 * (the proxy started once the cluster DNS is known, the learner fed by its hook), the ruleset
 * compiled with the redirect and applied through the learner's replace. Pods resolve through their
 * ordinary DNS address (the kube-dns Service), are redirected to the proxy, and connect.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Lab, labUp } from "../lab/index.js";
import { AgentChild } from "../testing/dns-agent-child.js";
import { labSkip } from "../lab/testing.js";
import { findElementsHelper } from "./netlink-elements.js";
import type { LabSpec } from "../lab/types.js";
import { type Ip, parseIp } from "../net/ip.js";

const skip = await labSkip();
/** The learner's writers, each running the whole suite; the helper's is skipped where it is not built (failed in CI). */
const helper = findElementsHelper();
if (helper === null && skip === false && process.env["CI"] === "true") throw new Error("the netlink writer's packet tests must run in CI, but the helper is not built (npm run build:native)");
const WRITERS = [
  { writer: "nft", skip, options: {} },
  { writer: "netlink", skip: skip !== false ? skip : helper === null ? "the netlink helper is not built (npm run build:native)" : false, options: helper === null ? {} : { netlinkHelper: helper } },
] as const;
const ip = (text: string): Ip => parseIp(text) as Ip;

const WEB = "shop/web";
const OTHER = "shop/other";
const BATCH = "shop/batch";
const DNS = "10.244.0.53";
const STRIPE = ["203.0.113.20", "203.0.113.21"];
const DEEP = "203.0.113.30"; // a.b.stripe.network
const APEX = "203.0.113.31"; // stripe.network
const EDGE = "203.0.113.32"; // edge.stripe.network, the target of www.shop.example
const TC = "203.0.113.40"; // tc.stripe.com, truncated over UDP
const MIXED = "203.0.113.41"; // mixed.stripe.network
const KEPT = "203.0.113.42"; // kept.stripe.network, learned before a restart

const SPEC: LabSpec = {
  pods: [
    { id: WEB, ips: [ip("10.244.0.10")], ports: [] },
    { id: OTHER, ips: [ip("10.244.0.11")], ports: [] },
    { id: BATCH, ips: [ip("10.244.0.12")], ports: [] },
    {
      id: "kube-system/coredns",
      ips: [ip(DNS)],
      ports: [
        { port: 53, protocol: "UDP" },
        { port: 53, protocol: "TCP" },
      ],
      dns: {
        names: {
          "api.stripe.com": STRIPE,
          "a.b.stripe.network": [DEEP],
          "stripe.network": [APEX],
          "edge.stripe.network": [EDGE],
          "tc.stripe.com": [TC],
          "mixed.stripe.network": [MIXED],
          "kept.stripe.network": [KEPT],
        },
        cnames: { "www.shop.example": "edge.stripe.network" },
        ttls: { "api.stripe.com": 60, "www.shop.example": 60, "edge.stripe.network": 60, "kept.stripe.network": 300 },
        truncate: ["tc.stripe.com"],
      },
    },
  ],
  internet: { ports: [{ port: 443, protocol: "TCP" }] },
};

/**
 * The cluster as the agent's view holds it. The kube-dns Service's ClusterIP is the DNS pod's own
 * address here (the lab has no kube-proxy): the pods' resolver address, the redirect's match and the
 * proxy's upstream.
 */
const CLUSTER = `
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 10.244.0.10}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: shop, labels: {app: other}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 10.244.0.11}
---
apiVersion: v1
kind: Pod
metadata: {name: batch, namespace: shop, labels: {app: batch}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 10.244.0.12}
---
apiVersion: v1
kind: Pod
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 53, protocol: UDP, name: dns}, {containerPort: 53, protocol: TCP, name: dns-tcp}]}]}
status: {podIP: ${DNS}}
---
apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system}
spec: {clusterIP: ${DNS}, selector: {k8s-app: kube-dns}, ports: [{name: dns, port: 53, protocol: UDP}, {name: dns-tcp, port: 53, protocol: TCP}]}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: allow-dns}
spec:
  tier: Admin
  priority: 5
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
  egress:
  - name: dns
    action: Accept
    to: [{pods: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}}]
    protocols: [{udp: {destinationPort: {number: 53}}}, {tcp: {destinationPort: {number: 53}}}]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: allow-stripe}
spec:
  tier: Admin
  priority: 10
  subject: {pods: {namespaceSelector: {}, podSelector: {matchExpressions: [{key: app, operator: In, values: [web, other]}]}}}
  egress:
  - name: stripe
    action: Accept
    to: [{domainNames: [api.stripe.com, tc.stripe.com, "*.stripe.network"]}]
    protocols: [{tcp: {destinationPort: {number: 443}}}]
  - name: rest
    action: Deny
    to: [{networks: [0.0.0.0/0]}]
`;

/** The agent's DNS part in the node namespace, with 1 s min TTL and grace (the expiry test waits them out). */
async function startAgent(lab: Lab, options: { readonly netlinkHelper?: string }): Promise<AgentChild> {
  const { agent, ready } = await AgentChild.start(lab, { cluster: CLUSTER, minTtl: 1, grace: 1, learning: true, ...options });
  assert.equal(ready.ready, 1, "one domain rule");
  return agent;
}

const metric = (text: string, name: string): number => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text)?.[1] ?? NaN);

for (const { writer, skip: writerSkip, options } of WRITERS) {
  describe(`domainNames through the node agent's DNS proxy, ${writer} writer, with real packets (lab: routed veths, the proxy on the node's lo address)`, { skip: writerSkip }, () => {
    let lab: Lab;
    let agent: AgentChild;
    const connect = async (from: string, to: string): Promise<boolean> => (await lab.probe(from, [{ ip: ip(to), port: 443, protocol: "TCP" }], { timeoutMs: 700 }))[0]?.reachable === true;
    const resolve = async (from: string, name: string, over: "udp" | "tcp" = "udp") => lab.dnsLookup(from, ip(DNS), name, over);

    before(async () => {
      lab = await labUp(SPEC);
      agent = await startAgent(lab, options);
    });
    after(async () => {
      agent?.child.kill("SIGKILL");
      await lab?.down();
    });

    test("connect right after the answer (no drop): the answer is released once the kernel holds its addresses; only the pod that resolved gets through", async () => {
      assert.equal(await connect(WEB, STRIPE[0] as string), false, "nothing resolved yet: the Deny of the rest");
      const r = await resolve(WEB, "api.stripe.com");
      assert.deepEqual(r.ok && r.answers, STRIPE, "answered through the proxy, unchanged");
      assert.deepEqual(await Promise.all(STRIPE.map((a) => connect(WEB, a))), [true, true]);
      assert.equal(await connect(OTHER, STRIPE[0] as string), false, "another subject that did not resolve it");
      const m = await agent.metrics();
      assert.ok(metric(m, "portcullis_dns_elements_added_total") >= 2, m);
      assert.ok(metric(m, "portcullis_dns_hold_seconds_count") >= 1, m);
      assert.equal(metric(m, "portcullis_dns_late_releases_total"), 0);
      assert.match(m, new RegExp(`^portcullis_dns_writer\\{writer="${writer}"\\} 1$`, "m"), "written by the writer under test");
    });

    test('"*." depth and apex: a.b.stripe.network opens, stripe.network does not (resolving it works, the rule does not match it)', async () => {
      assert.deepEqual((await resolve(OTHER, "a.b.stripe.network")).ok, true);
      assert.equal(await connect(OTHER, DEEP), true);
      const apex = await resolve(OTHER, "stripe.network");
      assert.deepEqual(apex.ok && apex.answers, [APEX]);
      assert.equal(await connect(OTHER, APEX), false);
    });

    test("a CNAME chain in one response: www.shop.example → edge.stripe.network opens edge's address through *.stripe.network", async () => {
      const r = await resolve(WEB, "www.shop.example");
      assert.deepEqual(r.ok && r.answers, [EDGE]);
      assert.equal(await connect(WEB, EDGE), true);
    });

    test("TCP fallback: the truncated UDP answer holds no address (nothing opens); the TCP retry, also redirected, opens it", async () => {
      const udp = await resolve(WEB, "tc.stripe.com");
      assert.deepEqual(udp.ok && [udp.truncated, udp.answers], [true, []]);
      assert.equal(await connect(WEB, TC), false);
      const tcp = await resolve(WEB, "tc.stripe.com", "tcp");
      assert.deepEqual(tcp.ok && tcp.answers, [TC]);
      assert.equal(await connect(WEB, TC), true);
    });

    test("0x20: a mixed-case question (answered in the same case) matches *.stripe.network", async () => {
      const r = await resolve(WEB, "MiXeD.StRiPe.NeTwOrK");
      assert.deepEqual(r.ok && [r.question, r.answers], ["MiXeD.StRiPe.NeTwOrK", [MIXED]]);
      assert.equal(await connect(WEB, MIXED), true);
    });

    test("other pods' DNS is untouched: a pod no domain rule selects is not redirected (the proxy sees no query)", async () => {
      const before = metric(await agent.metrics(), "portcullis_dns_queries_total");
      const r = await resolve(BATCH, "api.stripe.com");
      assert.deepEqual(r.ok && r.answers, STRIPE);
      assert.equal(metric(await agent.metrics(), "portcullis_dns_queries_total"), before);
    });

    test("an agent restart keeps learned elements: the new agent's first apply re-reads them from the kernel and carries them into the new table", async () => {
      await resolve(WEB, "kept.stripe.network");
      assert.equal(await connect(WEB, KEPT), true);
      await agent.stop();
      agent = await startAgent(lab, options);
      assert.equal(await connect(WEB, KEPT), true, "no new lookup: carried over");
      assert.equal(await connect(OTHER, KEPT), false);
    });
  });
}

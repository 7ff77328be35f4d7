/**
 * Issue 12's redirect over IPv6, with real packets: "The DNS queries of the pods they select are
 * redirected (DNAT) to a proxy at this address of the node" — here an IPv6 address (a DNAT keeps the
 * family: src/nft/dns-redirect.ts serves the proxy address's family). A lab whose pods, CoreDNS and
 * kube-dns ClusterIP are IPv6 only; the agent's DNS part (src/testing/dns-agent-child.ts) with
 * `--dns-proxy [fd00:ffff::53]:5353`, that address on the lab node's lo (a namespace the test made).
 * A pod asks the cluster DNS for AAAA over IPv6, is redirected to the proxy, and connects to what it
 * learned; before, the Deny of the rest drops it. Run with the netlink writer when the helper is
 * built (as `--dns-writer auto` would), else nft.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Lab, labUp } from "../lab/index.js";
import { labSkip } from "../lab/testing.js";
import type { LabSpec } from "../lab/types.js";
import { type Ip, parseIp } from "../net/ip.js";
import { AgentChild } from "../testing/dns-agent-child.js";
import { findElementsHelper } from "./netlink-elements.js";
import { run } from "./process.js";

const skip = await labSkip();
const ip = (text: string): Ip => parseIp(text) as Ip;

const WEB = "shop/web";
const BATCH = "shop/batch";
const DNS = "fd00:244::53";
const PROXY = "fd00:ffff::53";
const STRIPE = "2001:db8:20::20";
const OTHER = "2001:db8:20::21";

const SPEC: LabSpec = {
  pods: [
    { id: WEB, ips: [ip("fd00:244::10")], ports: [] },
    { id: BATCH, ips: [ip("fd00:244::12")], ports: [] },
    {
      id: "kube-system/coredns",
      ips: [ip(DNS)],
      ports: [
        { port: 53, protocol: "UDP" },
        { port: 53, protocol: "TCP" },
      ],
      dns: { names: { "api.stripe.com": [STRIPE], "other.example": [OTHER] }, ttls: { "api.stripe.com": 60 } },
    },
  ],
  internet: { ports: [{ port: 443, protocol: "TCP" }] },
};

const CLUSTER = `
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: "fd00:244::10", podIPs: [{ip: "fd00:244::10"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: batch, namespace: shop, labels: {app: batch}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: "fd00:244::12", podIPs: [{ip: "fd00:244::12"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 53, protocol: UDP, name: dns}, {containerPort: 53, protocol: TCP, name: dns-tcp}]}]}
status: {podIP: "${DNS}", podIPs: [{ip: "${DNS}"}]}
---
apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system}
spec: {clusterIP: "${DNS}", clusterIPs: ["${DNS}"], ipFamilies: [IPv6], selector: {k8s-app: kube-dns}, ports: [{name: dns, port: 53, protocol: UDP}, {name: dns-tcp, port: 53, protocol: TCP}]}
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
  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: web}}}}
  egress:
  - name: stripe
    action: Accept
    to: [{domainNames: [api.stripe.com]}]
    protocols: [{tcp: {destinationPort: {number: 443}}}]
  - name: rest
    action: Deny
    to: [{networks: ["::/0"]}]
`;

const metric = (text: string, name: string): number => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text)?.[1] ?? NaN);

describe("domainNames over IPv6: a pod's AAAA query to the IPv6 cluster DNS is redirected to the proxy on the node's IPv6 address, and what it learned opens", { skip }, () => {
  let lab: Lab;
  let agent: AgentChild;
  const helper = findElementsHelper();
  const connect = async (from: string, to: string): Promise<boolean> => (await lab.probe(from, [{ ip: ip(to), port: 443, protocol: "TCP" }], { timeoutMs: 700 }))[0]?.reachable === true;

  before(async () => {
    lab = await labUp(SPEC);
    // The proxy's address: on the lab node's lo, as 169.254.1.1 is for IPv4.
    const added = await run("ip", ["netns", "exec", lab.nodeNs, "ip", "-6", "addr", "add", `${PROXY}/128`, "dev", "lo"]);
    assert.ok(added.ok, added.ok ? "" : added.error.stderr);
    const started = await AgentChild.start(lab, { cluster: CLUSTER, minTtl: 5, grace: 5, learning: true, listen: PROXY, podNetwork: "fd00:244::/64", ...(helper === null ? {} : { netlinkHelper: helper }) });
    agent = started.agent;
    assert.deepEqual(started.ready, { ready: 1, redirect: true });
  });
  after(async () => {
    agent?.child.kill("SIGKILL");
    await lab?.down();
  });

  test("connect right after the AAAA answer: redirected to the proxy (it counts the query), learned as fd00:244::10 . 2001:db8:20::20, connected; the Deny of the rest before", async () => {
    assert.equal(await connect(WEB, STRIPE), false, "nothing resolved yet");
    const queries = metric(await agent.metrics(), "portcullis_dns_queries_total");
    const r = await lab.dnsLookup(WEB, ip(DNS), "api.stripe.com", "udp", "AAAA");
    assert.deepEqual(r.ok && r.answers, [STRIPE], "answered through the proxy, unchanged");
    assert.equal(await connect(WEB, STRIPE), true);
    const m = await agent.metrics();
    assert.equal(metric(m, "portcullis_dns_queries_total"), queries + 1, "the query reached the proxy (redirected), not CoreDNS directly");
    assert.equal(metric(m, "portcullis_dns_elements_added_total"), 1);
    assert.match(m, new RegExp(`^portcullis_dns_writer\\{writer="${helper === null ? "nft" : "netlink"}"\\} 1$`, "m"));
  });

  test("a name no rule matches: resolved through the proxy over TCP too, nothing learned, the connection dropped", async () => {
    const queries = metric(await agent.metrics(), "portcullis_dns_queries_total");
    const r = await lab.dnsLookup(WEB, ip(DNS), "other.example", "tcp", "AAAA");
    assert.deepEqual(r.ok && r.answers, [OTHER]);
    assert.equal(metric(await agent.metrics(), "portcullis_dns_queries_total"), queries + 1, "redirected over TCP as well");
    assert.equal(await connect(WEB, OTHER), false);
  });

  test("a pod no domain rule selects is not redirected: its IPv6 query goes to CoreDNS (the proxy sees none)", async () => {
    const before = metric(await agent.metrics(), "portcullis_dns_queries_total");
    const r = await lab.dnsLookup(BATCH, ip(DNS), "api.stripe.com", "udp", "AAAA");
    assert.deepEqual(r.ok && r.answers, [STRIPE]);
    assert.equal(metric(await agent.metrics(), "portcullis_dns_queries_total"), before);
  });
});

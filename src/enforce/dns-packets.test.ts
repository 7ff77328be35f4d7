/**
 * Issue 12, "Proof with real packets": the learned sets and the DNS redirect in a miniature node
 * (src/enforce/mini-lab.ts, routed veths), root only, in test namespaces. The learner is given the
 * answers directly here (the kernel side); dns-proxy-packets.test.ts runs the same through the proxy.
 *
 * Cluster: shop/web and shop/locked are subjects of `allow-stripe` (Accept api.stripe.com and
 * *.stripe.network on TCP 443, then Deny 0.0.0.0/0); web also of `allow-dns` (Accept UDP/TCP 53 to
 * the cluster DNS 10.96.0.10), so locked's DNS is denied; shop/batch is selected by nothing.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { loadCluster } from "../k8s/load.js";
import { AddressSet } from "../net/address-set.js";
import { type Ip, parseIp } from "../net/ip.js";
import { compileRuleset } from "../nft/compile.js";
import { cidr } from "../nft/fixture.js";
import type { CompileResult } from "../nft/types.js";
import { type DnsName, dnsName } from "../dns/names.js";
import type { DnsRecord } from "../dns/snapshot.js";
import { DnsLearner } from "./dns-learner.js";
import { type ProbeOutcome, probe, wire } from "./mini-lab.js";
import { applyRuleset } from "./nft.js";
import { createNetns, deleteNetns, execIn, ipIn, netnsSupport } from "./netns.js";
import { run } from "./process.js";

const support = await netnsSupport();
const skip = support.ok ? false : support.reason;

const WEB = "10.244.1.5";
const BATCH = "10.244.1.6";
const LOCKED = "10.244.1.7";
const STRIPE = ["54.187.174.169", "54.187.216.72"];
const NETWORK = "198.51.100.7"; // m.stripe.network
const CLUSTER_DNS = "10.96.0.10";
/** The proxy's address: on the node's loopback device, an address no pod veth holds (REDIRECT would need one). */
const PROXY = { address: "169.254.53.53", port: 5353 };

const CLUSTER_YAML = `
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: ${WEB}}
---
apiVersion: v1
kind: Pod
metadata: {name: batch, namespace: shop, labels: {app: batch}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: ${BATCH}}
---
apiVersion: v1
kind: Pod
metadata: {name: locked, namespace: shop, labels: {app: locked}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: ${LOCKED}}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: allow-dns}
spec:
  tier: Admin
  priority: 5
  subject: {pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: web}}}}
  egress:
  - name: dns
    action: Accept
    to: [{networks: [${CLUSTER_DNS}/32]}]
    protocols: [{udp: {destinationPort: {number: 53}}}, {tcp: {destinationPort: {number: 53}}}]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: allow-stripe}
spec:
  tier: Admin
  priority: 10
  subject: {pods: {namespaceSelector: {}, podSelector: {matchExpressions: [{key: app, operator: In, values: [web, locked]}]}}}
  egress:
  - name: stripe
    action: Accept
    to: [{domainNames: [api.stripe.com, "*.stripe.network"]}]
    protocols: [{tcp: {destinationPort: {number: 443}}}]
  - name: rest
    action: Deny
    to: [{networks: [0.0.0.0/0]}]
`;

const ip = (text: string): Ip => parseIp(text) as Ip;
const a = (name: string, address: string, ttl: number): DnsRecord => ({ kind: "address", name: dnsName(name) as DnsName, address: ip(address), ttl });
const cname = (name: string, target: string, ttl: number): DnsRecord => ({ kind: "cname", name: dnsName(name) as DnsName, target: dnsName(target) as DnsName, ttl });

function compileLab(): CompileResult {
  const loaded = loadCluster([{ file: "dns-lab.yaml", text: CLUSTER_YAML }]);
  assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === "error"), []);
  return compileRuleset(loaded.value, { podNetwork: AddressSet.fromCidr(cidr("10.244.0.0/16")), ipBlockMatchesPods: true }, {}, { dnsProxy: { address: ip(PROXY.address), port: PROXY.port, servers: [ip(CLUSTER_DNS)] } });
}

/** Echo servers (TCP, and UDP when asked) on `port` in `netns`, answering `tag` then echoing; until killed. */
const SERVE = `
const net = require("node:net"); const dgram = require("node:dgram");
const [host, port, tag, udp] = JSON.parse(process.argv[1]);
let up = 0; const want = udp ? 2 : 1; const ready = () => { if (++up === want) console.log("ready"); };
net.createServer((s) => { s.on("error", () => {}); s.write(tag); s.on("data", (d) => s.write(d)); }).listen({ port, host }, ready);
if (udp) { const u = dgram.createSocket("udp4"); u.on("message", (m, r) => u.send(tag, r.port, r.address)); u.bind({ port, address: host }, ready); }
`;

async function serve(netns: string, host: string, port: number, tag: string, udp = false): Promise<ChildProcess> {
  const child = spawn("ip", ["netns", "exec", netns, process.execPath, "-e", SERVE, JSON.stringify([host, port, tag, udp])], { stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server ${tag} in ${netns} did not start`)), 10_000);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once("line", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return child;
}

/** A UDP exchange from `from` (in `netns`) to `to:port`: the reply's text, or null on no reply within `ms`. */
const UDP_ASK = `
const dgram = require("node:dgram"); const [from, to, port, ms] = JSON.parse(process.argv[1]);
const s = dgram.createSocket("udp4"); s.bind({ address: from }, () => s.send("q", port, to));
s.on("message", (m) => { console.log(JSON.stringify(m.toString())); process.exit(0); });
setTimeout(() => { console.log("null"); process.exit(0); }, ms);
`;

async function udpAsk(netns: string, from: string, to: string, port: number, ms = 800): Promise<string | null> {
  const r = await run("ip", ["netns", "exec", netns, process.execPath, "-e", UDP_ASK, JSON.stringify([from, to, port, ms])], { timeoutMs: ms + 10_000 });
  assert.ok(r.ok, r.ok ? "" : r.error.message);
  return JSON.parse(r.value) as string | null;
}

/** A TCP exchange: the server's first words, or null (no connection within `ms`). */
const TCP_ASK = `
const net = require("node:net"); const [from, to, port, ms] = JSON.parse(process.argv[1]);
const s = net.connect({ host: to, port, localAddress: from }); s.setTimeout(ms, () => { console.log("null"); process.exit(0); });
s.once("data", (d) => { console.log(JSON.stringify(d.toString())); process.exit(0); }); s.on("error", () => { console.log("null"); process.exit(0); });
`;

async function tcpAsk(netns: string, from: string, to: string, port: number, ms = 800): Promise<string | null> {
  const r = await run("ip", ["netns", "exec", netns, process.execPath, "-e", TCP_ASK, JSON.stringify([from, to, port, ms])], { timeoutMs: ms + 10_000 });
  assert.ok(r.ok, r.ok ? "" : r.error.message);
  return JSON.parse(r.value) as string | null;
}

/** One TCP connection kept open: connects, then after `waitMs` sends a line and reports whether it was echoed; a new connection is tried in between. */
const KEEP = `
const net = require("node:net"); const [from, to, port, waitMs] = JSON.parse(process.argv[1]);
const s = net.connect({ host: to, port, localAddress: from }); let got = "";
s.on("data", (d) => { got += d.toString(); if (got.includes("ping")) { console.log(JSON.stringify({ echoed: true })); process.exit(0); } });
s.on("connect", () => { console.log(JSON.stringify({ connected: true })); setTimeout(() => s.write("ping"), waitMs); });
s.on("error", (e) => { console.log(JSON.stringify({ error: e.code })); process.exit(0); });
setTimeout(() => { console.log(JSON.stringify({ echoed: false })); process.exit(0); }, waitMs + 3000);
`;

interface Lab {
  readonly router: string;
  readonly pods: string;
  readonly outside: string;
  readonly stop: () => Promise<void>;
}

/** The router (node), one namespace holding the three pods' addresses per pod, and the outside (stripe and the cluster DNS). */
async function makeLab(): Promise<Lab & { readonly podNs: Readonly<Record<string, string>> }> {
  const names: string[] = [];
  const children: ChildProcess[] = [];
  const make = async (): Promise<string> => {
    const r = await createNetns("pcdns");
    assert.ok(r.ok);
    names.push(r.value);
    return r.value;
  };
  const stop = async (): Promise<void> => {
    for (const c of children) c.kill("SIGKILL");
    for (const n of names) await deleteNetns(n);
  };
  try {
    const router = await make();
    const podNs = { [WEB]: await make(), [BATCH]: await make(), [LOCKED]: await make() };
    const outside = await make();
    const wired = await wire(router, [
      { netns: podNs[WEB] as string, addresses: [WEB] },
      { netns: podNs[BATCH] as string, addresses: [BATCH] },
      { netns: podNs[LOCKED] as string, addresses: [LOCKED] },
      { netns: outside, addresses: [...STRIPE, NETWORK, CLUSTER_DNS], outside: true },
    ]);
    assert.ok(wired.ok, wired.ok ? "" : wired.error.message);
    const lo = await ipIn(router, ["addr", "add", `${PROXY.address}/32`, "dev", "lo"]);
    assert.ok(lo.ok, lo.ok ? "" : lo.error.message);
    for (const address of [...STRIPE, NETWORK]) children.push(await serve(outside, address, 443, `stripe ${address}`));
    children.push(await serve(outside, CLUSTER_DNS, 53, "upstream", true));
    return { router, pods: "", outside, podNs, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

describe("domainNames in the kernel with real packets (routed veths)", { skip }, () => {
  let lab: Awaited<ReturnType<typeof makeLab>>;
  const compiled = compileLab();
  const T = { minTtl: 1, grace: 1 };
  let learner: DnsLearner;
  const connect = async (from: string, to: string, port = 443): Promise<ProbeOutcome> => {
    const r = await probe(lab.podNs[from] as string, [{ from, to, port }], 700);
    assert.ok(r.ok, r.ok ? "" : r.error.message);
    return r.value[0] as ProbeOutcome;
  };

  before(async () => {
    lab = await makeLab();
    const applied = await applyRuleset(compiled.text, lab.router);
    assert.ok(applied.ok, applied.ok ? "" : applied.error.stderr);
    learner = new DnsLearner({ netns: lab.router, timeouts: T });
    learner.setRules(compiled.domainRules);
  });
  after(async () => {
    await learner?.close();
    await lab?.stop();
  });

  test("connect right after the answer is released (no drop); only the pod that resolved gets through", async () => {
    assert.equal(await connect(WEB, STRIPE[0] as string), "timeout", "nothing learned: the Deny of the rest");
    await learner.learn(ip(WEB), [a("api.stripe.com", STRIPE[0] as string, 60)]);
    assert.equal(await connect(WEB, STRIPE[0] as string), "connected");
    assert.equal(await connect(LOCKED, STRIPE[0] as string), "timeout", "one pod's lookup never opens an address for another pod");
    assert.equal(await connect(WEB, STRIPE[1] as string), "timeout", "an address the pod did not receive");
    assert.equal(await connect(WEB, STRIPE[0] as string, 80), "timeout", "the rule's port only");
  });

  test("`*.` matches one or more labels, never the apex; a CNAME's target name counts", async () => {
    await learner.learn(ip(LOCKED), [a("stripe.network", NETWORK, 60)]);
    assert.equal(await connect(LOCKED, NETWORK), "timeout", "*.stripe.network does not match stripe.network");
    await learner.learn(ip(LOCKED), [cname("checkout.shop.example", "m.stripe.network", 60), a("m.stripe.network", NETWORK, 60)]);
    assert.equal(await connect(LOCKED, NETWORK), "connected");
  });

  test("expiry: a new connection after the timeout is dropped, an established one survives", async () => {
    await learner.learn(ip(WEB), [a("api.stripe.com", STRIPE[1] as string, 0)]); // timeout max(0, 1) + 1 = 2 s
    const keep = run("ip", ["netns", "exec", lab.podNs[WEB] as string, process.execPath, "-e", KEEP, JSON.stringify([WEB, STRIPE[1], 443, 3500])], { timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(await connect(WEB, STRIPE[1] as string), "timeout", "new connection after expiry");
    const kept = await keep;
    assert.ok(kept.ok);
    assert.deepEqual(kept.value.trim().split("\n").map((l) => JSON.parse(l) as unknown), [{ connected: true }, { echoed: true }]);
  });

  test("the DNS redirect: a subject's queries (UDP and TCP 53) to the cluster DNS reach the proxy's address (DNAT to the node's loopback address; the pod veth has none of it); other pods' DNS is untouched; a subject whose egress denies DNS is dropped before the NAT", async () => {
    const proxy = [await serve(lab.router, PROXY.address, PROXY.port, "proxy", true)];
    try {
      assert.equal(await udpAsk(lab.podNs[WEB] as string, WEB, CLUSTER_DNS, 53), "proxy");
      assert.equal(await tcpAsk(lab.podNs[WEB] as string, WEB, CLUSTER_DNS, 53), "proxy");
      assert.equal(await udpAsk(lab.podNs[BATCH] as string, BATCH, CLUSTER_DNS, 53), "upstream", "a pod no domain rule selects");
      assert.equal(await tcpAsk(lab.podNs[BATCH] as string, BATCH, CLUSTER_DNS, 53), "upstream");
      assert.equal(await udpAsk(lab.podNs[LOCKED] as string, LOCKED, CLUSTER_DNS, 53), null, "its egress denies DNS: filtered before redirecting");
      assert.equal(await tcpAsk(lab.podNs[LOCKED] as string, LOCKED, CLUSTER_DNS, 53), null);
      const counters = await execIn(lab.router, ["nft", "list", "chain", "inet", "portcullis", "dns_filter"]);
      assert.match(counters.ok ? counters.value : "", /counter packets [1-9]\d* bytes \d+ drop/);
    } finally {
      for (const c of proxy) c.kill("SIGKILL");
    }
  });
});

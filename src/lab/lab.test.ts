/**
 * Real packets in namespaces this file creates. Skipped locally when labs cannot run here
 * (not root, no `ip`); with CI=true that is a failure instead (see testing.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parseCidr } from "../net/cidr.js";
import { type Ip, parseIp } from "../net/ip.js";
import { labUp } from "./lab.js";
import { listNetns, ofPrefix } from "./netns.js";
import { run } from "./run.js";
import { labSkip } from "./testing.js";
import type { Lab, LabSpec, ProbeTarget } from "./types.js";

const skip = await labSkip();
const bridgeSkip = await labSkip("bridge");

function ip(text: string): Ip {
  const parsed = parseIp(text);
  assert.ok(parsed, text);
  return parsed;
}

const tcp = (addr: string, port: number): ProbeTarget => ({ ip: ip(addr), port, protocol: "TCP" });
const udp = (addr: string, port: number): ProbeTarget => ({ ip: ip(addr), port, protocol: "UDP" });

const WEB = "production/web-api"; // IPv4 only
const DB = "production/postgres"; // dual-stack
const DNS = "kube-system/coredns"; // cluster DNS, dual-stack
const PG_NAME = "postgres.production.svc.cluster.local";
/** More than 100 addresses for one name: does not fit 512 bytes. */
const MANY = Array.from({ length: 120 }, (_, i) => `198.18.0.${i + 1}`);

const SPEC: LabSpec = {
  pods: [
    { id: WEB, ips: [ip("10.244.0.10")], ports: [{ port: 8080, protocol: "TCP" }, { port: 9000, protocol: "UDP" }] },
    {
      id: DB,
      ips: [ip("10.244.0.5"), ip("fd00:10:244::5")],
      ports: [
        { port: 5432, protocol: "TCP" },
        { port: 5432, protocol: "UDP" },
        { port: 7000, protocol: "SCTP" },
      ],
    },
    {
      id: DNS,
      ips: [ip("10.244.0.53"), ip("fd00:10:244::53")],
      ports: [
        { port: 53, protocol: "UDP" },
        { port: 53, protocol: "TCP" },
      ],
      dns: {
        names: {
          [PG_NAME]: ["10.244.0.5", "fd00:10:244::5"],
          "only-v4.production.svc.cluster.local": ["10.244.0.10"],
          "edge.cdn.example.net": ["203.0.113.7"],
          "tc.example.com": ["203.0.113.9"],
          "many.example.com": MANY,
        },
        cnames: { "www.example.com": "web.example.com", "web.example.com": "edge.cdn.example.net" },
        ttls: { "www.example.com": 300, "web.example.com": 60, "edge.cdn.example.net": 20 },
        truncate: ["tc.example.com"],
      },
    },
  ],
  internet: {
    ports: [
      { port: 443, protocol: "TCP" },
      { port: 80, protocol: "TCP" },
      { port: 123, protocol: "UDP" },
    ],
  },
};

async function namespacesOf(prefix: string): Promise<string[]> {
  return ofPrefix(await listNetns(), prefix);
}

describe("a lab of three pods and the internet", { skip }, () => {
  let lab: Lab;
  before(async () => {
    lab = await labUp(SPEC);
  });
  after(async () => {
    await lab?.down();
  });

  test("pod to pod over TCP reaches the server of the pod probed", async () => {
    const [r] = await lab.probe(WEB, [tcp("10.244.0.5", 5432)]);
    assert.equal(r?.outcome, "answered");
    assert.equal(r?.identity, DB);
  });

  test("pod to pod over UDP gets the identity back", async () => {
    const [r] = await lab.probe(DB, [udp("10.244.0.10", 9000)]);
    assert.equal(r?.reachable, true);
    assert.equal(r?.identity, WEB);
  });

  test("a closed port is not reachable: TCP and UDP are refused", async () => {
    const rs = await lab.probe(WEB, [tcp("10.244.0.5", 5433), udp("10.244.0.5", 5433)]);
    assert.deepEqual(
      rs.map((r) => [r.reachable, r.outcome, r.identity]),
      [
        [false, "refused", null],
        [false, "refused", null],
      ],
    );
  });

  test("pod to 203.0.113.7:443 reaches the internet namespace", async () => {
    const [r] = await lab.probe(WEB, [tcp("203.0.113.7", 443)]);
    assert.equal(r?.identity, "internet 203.0.113.7");
  });

  test("pod to the metadata address 169.254.169.254:80 reaches the internet namespace", async () => {
    const [r] = await lab.probe(WEB, [tcp("169.254.169.254", 80)]);
    assert.equal(r?.identity, "internet 169.254.169.254");
  });

  test("the internet answers UDP from the very address probed, IPv4 and IPv6", async () => {
    const rs = await lab.probe(DB, [udp("203.0.113.9", 123), udp("2001:db8::9", 123), udp("203.0.113.9", 124)]);
    assert.deepEqual(
      rs.map((r) => r.identity ?? r.outcome),
      ["internet 203.0.113.9", "internet 2001:db8::9", "refused"],
    );
  });

  test("IPv6 pod to pod and pod to internet", async () => {
    const rs = await lab.probe(DB, [tcp("fd00:10:244::53", 53), tcp("2001:db8::7", 443)]);
    assert.deepEqual(
      rs.map((r) => r.identity),
      [DNS, "internet 2001:db8::7"],
    );
  });

  test("an IPv4-only pod has no IPv6 route", async () => {
    const [r] = await lab.probe(WEB, [tcp("fd00:10:244::5", 5432)]);
    assert.equal(r?.reachable, false);
    assert.equal(r?.outcome, "unreachable");
  });

  test("cluster DNS resolves over UDP and over TCP", async () => {
    const server = ip("10.244.0.53");
    assert.deepEqual(await lab.dnsQuery(WEB, server, PG_NAME, "udp"), ["10.244.0.5"]);
    assert.deepEqual(await lab.dnsQuery(WEB, server, PG_NAME, "tcp"), ["10.244.0.5"]);
    assert.deepEqual(await lab.dnsQuery(DB, ip("fd00:10:244::53"), `${PG_NAME}.`, "tcp", "AAAA"), ["fd00:10:244::5"]);
  });

  test("cluster DNS: NXDOMAIN for an unknown name, NODATA for a missing type", async () => {
    const server = ip("10.244.0.53");
    assert.deepEqual(await lab.dnsLookup(WEB, server, "nope.cluster.local", "udp"), { ok: true, rcode: 3, answers: [], records: [], truncated: false, question: "nope.cluster.local" });
    assert.equal(await lab.dnsQuery(WEB, server, "nope.cluster.local", "tcp"), null);
    assert.deepEqual(await lab.dnsQuery(WEB, server, "only-v4.production.svc.cluster.local", "udp", "AAAA"), []);
  });

  test("dig, a real DNS client, accepts the answers over UDP and TCP", async (t) => {
    const dig = await run(["dig", "-v"]);
    if (dig.code !== 0) {
      if (process.env.CI === "true") assert.fail("dig is not installed");
      return t.skip("dig is not installed");
    }
    const ns = lab.podNs(WEB);
    const udpOut = await lab.exec(ns, ["dig", "+short", "+time=1", "+tries=1", "@10.244.0.53", PG_NAME]);
    const tcpOut = await lab.exec(ns, ["dig", "+tcp", "+short", "+time=1", "+tries=1", "@10.244.0.53", PG_NAME, "AAAA"]);
    assert.deepEqual([udpOut.stdout.trim(), tcpOut.stdout.trim()], ["10.244.0.5", "fd00:10:244::5"]);
  });

  test("lab DNS: a CNAME chain in one answer with per-name TTLs, the question's case (0x20) echoed", async () => {
    const r = await lab.dnsLookup(WEB, ip("10.244.0.53"), "wWw.ExAmPlE.cOm", "udp");
    assert.ok(r.ok);
    assert.deepEqual(r.question, "wWw.ExAmPlE.cOm");
    assert.deepEqual(
      r.records.map((x) => `${x.name} ${x.ttl} ${x.type} ${x.value}`),
      ["www.example.com 300 CNAME web.example.com", "web.example.com 60 CNAME edge.cdn.example.net", "edge.cdn.example.net 20 A 203.0.113.7"],
    );
    assert.deepEqual(r.answers, ["203.0.113.7"]);
  });

  test("lab DNS truncation: a name set to truncate is TC over UDP, full over TCP; 120 addresses are TC over UDP (those that fit), all 120 over TCP", async () => {
    const server = ip("10.244.0.53");
    const tcUdp = await lab.dnsLookup(WEB, server, "tc.example.com", "udp");
    const tcTcp = await lab.dnsLookup(WEB, server, "tc.example.com", "tcp");
    assert.deepEqual([tcUdp.ok && tcUdp.truncated, tcUdp.ok && tcUdp.answers], [true, []]);
    assert.deepEqual([tcTcp.ok && tcTcp.truncated, tcTcp.ok && tcTcp.answers], [false, ["203.0.113.9"]]);
    const manyUdp = await lab.dnsLookup(WEB, server, "many.example.com", "udp");
    const manyTcp = await lab.dnsLookup(WEB, server, "many.example.com", "tcp");
    assert.ok(manyUdp.ok && manyUdp.truncated && manyUdp.answers.length > 0 && manyUdp.answers.length < 120);
    assert.deepEqual(manyTcp.ok && [manyTcp.truncated, [...manyTcp.answers].sort()], [false, [...MANY].sort()]);
  });

  test("dig reads the lab's CNAME chain with its TTLs in the asked case, and retries a truncated answer over TCP", async (t) => {
    const dig = await run(["dig", "-v"]);
    if (dig.code !== 0) {
      if (process.env.CI === "true") assert.fail("dig is not installed");
      return t.skip("dig is not installed");
    }
    const ns = lab.podNs(WEB);
    const chain = await lab.exec(ns, ["dig", "+noall", "+answer", "+time=1", "+tries=1", "@10.244.0.53", "wWw.ExAmPlE.cOm"]);
    assert.deepEqual(
      chain.stdout.trim().split("\n").map((l) => l.split(/\s+/).join(" ")),
      ["wWw.ExAmPlE.cOm. 300 IN CNAME web.example.com.", "web.example.com. 60 IN CNAME edge.cdn.example.net.", "edge.cdn.example.net. 20 IN A 203.0.113.7"],
    );
    const tc = await lab.exec(ns, ["dig", "+time=1", "+tries=1", "@10.244.0.53", "tc.example.com"]);
    assert.match(tc.stdout, /Truncated, retrying in TCP mode/);
    assert.match(tc.stdout, /tc\.example\.com\.\s+5\s+IN\s+A\s+203\.0\.113\.9/);
    const many = await lab.exec(ns, ["dig", "+short", "+time=1", "+tries=1", "@10.244.0.53", "many.example.com"]);
    assert.equal(many.stdout.trim().split("\n").length, 120);
  });

  test("nftables in the node namespace governs pod traffic: drop times out, reject is refused", async () => {
    const ruleset = [
      "table inet labtest {",
      "  chain forward {",
      "    type filter hook forward priority 0; policy accept;",
      "    ip daddr 10.244.0.5 tcp dport 5432 drop",
      "    ip daddr 10.244.0.10 udp dport 9000 reject",
      "  }",
      "}",
    ].join("\n");
    const applied = await lab.exec(lab.nodeNs, ["nft", "-f", "-"], { input: ruleset });
    assert.equal(applied.code, 0, applied.stderr);
    try {
      const rs = await lab.probe(DNS, [tcp("10.244.0.5", 5432), udp("10.244.0.10", 9000), tcp("10.244.0.10", 8080)], { timeoutMs: 300 });
      assert.deepEqual(
        rs.map((r) => r.identity ?? r.outcome),
        ["timeout", "refused", WEB],
      );
    } finally {
      await lab.exec(lab.nodeNs, ["nft", "delete", "table", "inet", "labtest"]);
    }
    const [again] = await lab.probe(DNS, [tcp("10.244.0.5", 5432)]);
    assert.equal(again?.identity, DB);
  });

  test("probes from the internet reach pods, IPv4 and IPv6", async () => {
    const rs = await lab.probe("internet", [udp("10.244.0.10", 9000), tcp("fd00:10:244::5", 5432)]);
    assert.deepEqual(
      rs.map((r) => r.identity),
      [WEB, DB],
    );
  });

  test("probes from the internet leave from the source address asked for", async () => {
    const ruleset = "table inet labsrc {\n chain forward {\n  type filter hook forward priority 0;\n  ip saddr 198.51.100.9 drop\n }\n}\n";
    const applied = await lab.exec(lab.nodeNs, ["nft", "-f", "-"], { input: ruleset });
    assert.equal(applied.code, 0, applied.stderr);
    try {
      const target = [udp("10.244.0.10", 9000)];
      const [chosen] = await lab.probe("internet", target, { sourceIp: ip("198.51.100.9"), timeoutMs: 300 });
      const [other] = await lab.probe("internet", target, { sourceIp: ip("198.51.100.10"), timeoutMs: 300 });
      assert.deepEqual([chosen?.outcome, other?.identity], ["timeout", WEB]);
    } finally {
      await lab.exec(lab.nodeNs, ["nft", "delete", "table", "inet", "labsrc"]);
    }
  });

  test("SCTP is reported unsupported, never as reachable or blocked", async () => {
    const [r] = await lab.probe(WEB, [{ ip: ip("10.244.0.5"), port: 7000, protocol: "SCTP" }]);
    assert.equal(r?.outcome, "unsupported");
    assert.equal(lab.sctp, false);
  });

  test("many probes run in parallel within their timeouts", async () => {
    const targets = Array.from({ length: 100 }, (_, i) => tcp("203.0.113.50", i % 2 === 0 ? 443 : 1000 + i));
    const started = performance.now();
    const rs = await lab.probe(WEB, targets);
    assert.equal(rs.filter((r) => r.reachable).length, 50);
    assert.ok(performance.now() - started < 3000);
  });

  test("exec runs only in the lab's own namespaces", async () => {
    await assert.rejects(lab.exec("not-a-lab-ns", ["true"]), /not a namespace of lab/);
    const r = await lab.exec(lab.podNs(WEB), ["ip", "-4", "-o", "addr", "show", "dev", "eth0"]);
    assert.match(r.stdout, /10\.244\.0\.10\/32/);
  });

  test("down removes every namespace of the lab", async () => {
    assert.equal((await namespacesOf(lab.prefix)).length, SPEC.pods.length + 2);
    await lab.down();
    assert.deepEqual(await namespacesOf(lab.prefix), []);
    await assert.rejects(lab.probe(WEB, [tcp("10.244.0.5", 5432)]), /is down/);
  });
});

function podCidr(text: string) {
  const r = parseCidr(text);
  assert.ok(r.ok, text);
  return r.cidr;
}

describe("the bridge topology: pods on cni0, as Flannel and the CNI bridge plugin wire a node", { skip: bridgeSkip }, () => {
  let lab: Lab;
  before(async () => {
    lab = await labUp({ ...SPEC, topology: { kind: "bridge", podCidrs: [podCidr("10.244.0.0/16"), podCidr("fd00:10:244::/64")] } });
  });
  after(async () => {
    await lab?.down();
  });

  test("pods reach each other, the internet and DNS, IPv4 and IPv6; the internet reaches pods", async () => {
    const rs = await lab.probe(DB, [tcp("10.244.0.10", 8080), udp("10.244.0.10", 9000), tcp("fd00:10:244::53", 53), tcp("203.0.113.7", 443), tcp("2001:db8::7", 443)]);
    assert.deepEqual(rs.map((r) => r.identity ?? r.outcome), [WEB, WEB, DNS, "internet 203.0.113.7", "internet 2001:db8::7"]);
    const back = await lab.probe("internet", [tcp("10.244.0.10", 8080), tcp("fd00:10:244::5", 5432)]);
    assert.deepEqual(back.map((r) => r.identity ?? r.outcome), [WEB, DB]);
    assert.deepEqual(await lab.dnsQuery(WEB, ip("10.244.0.53"), PG_NAME, "udp"), ["10.244.0.5"]);
  });

  test("a pod's address has its pod CIDR's prefix: a same-node peer is on-link (bridged), the rest goes via cni0's gateway", async () => {
    const ns = lab.podNs(WEB);
    assert.match((await lab.exec(ns, ["ip", "-4", "-o", "addr", "show", "dev", "eth0"])).stdout, /10\.244\.0\.10\/16/);
    assert.match((await lab.exec(ns, ["ip", "route", "get", "10.244.0.5"])).stdout, /^10\.244\.0\.5 dev eth0 src 10\.244\.0\.10 /);
    assert.match((await lab.exec(ns, ["ip", "route", "get", "203.0.113.7"])).stdout, /^203\.0\.113\.7 via 10\.244\.0\.1 dev eth0 /);
    assert.match((await lab.exec(lab.nodeNs, ["ip", "-o", "link", "show", "master", "cni0"])).stdout, /pod0@.*pod1@.*pod2@/s);
  });

  test("the node's forward hook sees bridged pod traffic through br_netfilter only: at 0, same-node packets bypass a drop rule, routed ones do not", async () => {
    const ruleset = "table inet labbridge {\n chain forward {\n  type filter hook forward priority 0;\n  ip saddr 10.244.0.53 drop\n }\n}\n";
    const applied = await lab.exec(lab.nodeNs, ["nft", "-f", "-"], { input: ruleset });
    assert.equal(applied.code, 0, applied.stderr);
    const targets = [tcp("10.244.0.5", 5432), tcp("203.0.113.7", 443)];
    const set = (v: 0 | 1) => lab.exec(lab.nodeNs, ["sysctl", "-q", "-w", `net.bridge.bridge-nf-call-iptables=${v}`]);
    try {
      const on = await lab.probe(DNS, targets, { timeoutMs: 300 });
      assert.equal((await set(0)).code, 0);
      const off = await lab.probe(DNS, targets, { timeoutMs: 300 });
      assert.deepEqual([on.map((r) => r.outcome), off.map((r) => r.identity ?? r.outcome)], [["timeout", "timeout"], [DB, "timeout"]]);
    } finally {
      await set(1);
      await lab.exec(lab.nodeNs, ["nft", "delete", "table", "inet", "labbridge"]);
    }
  });
});

describe("setup that fails", { skip }, () => {
  test("a failure midway removes everything created so far", async () => {
    let prefix = "";
    let createdBeforeFailure: string[] = [];
    await assert.rejects(
      labUp(SPEC, {
        onStep: async (step, info) => {
          prefix = info.prefix;
          if (step !== "links") return;
          createdBeforeFailure = await namespacesOf(prefix);
          throw new Error("injected failure");
        },
      }),
      /injected failure/,
    );
    assert.equal(createdBeforeFailure.length, SPEC.pods.length + 2);
    assert.deepEqual(await namespacesOf(prefix), []);
  });

  test("an invalid spec is refused, with every problem listed, before anything is created", async () => {
    const dup: LabSpec = { ...SPEC, pods: [...SPEC.pods, { id: "other/dup", ips: [ip("10.244.0.5"), ip("169.254.1.1")], ports: [] }] };
    await assert.rejects(labUp(dup), /invalid lab spec:\n.*10\.244\.0\.5 is also production\/postgres's\n.*169\.254\.1\.1 is used by the lab/);
  });
});

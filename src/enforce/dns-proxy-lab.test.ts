/**
 * The DNS proxy with real packets between lab namespaces: it runs in the node namespace (a child
 * process, `ip netns exec`), on the node's 169.254.1.1 (every pod's gateway), forwarding to the lab's
 * DNS pod; pods ask it. The child prints each hook call as a JSON line and holds the answer until
 * the test writes `{"release": id}` (or `{"auto": true}`: release every answer at once).
 * Skipped locally when labs cannot run here (not root, no `ip`).
 */
import assert from "node:assert/strict";
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type Lab, labUp } from "../lab/index.js";
import { run } from "../lab/run.js";
import { labSkip } from "../lab/testing.js";
import type { DnsLookup, LabSpec } from "../lab/types.js";
import { type Ip, parseIp } from "../net/ip.js";

const skip = await labSkip();

const ip = (text: string): Ip => parseIp(text) as Ip;
const WEB = "production/web-api";
const BATCH = "production/batch";
const NODE = "169.254.1.1";
const SPEC: LabSpec = {
  pods: [
    { id: WEB, ips: [ip("10.244.0.10")], ports: [] },
    { id: BATCH, ips: [ip("10.244.0.11")], ports: [] },
    {
      id: "kube-system/coredns",
      ips: [ip("10.244.0.53")],
      ports: [
        { port: 53, protocol: "UDP" },
        { port: 53, protocol: "TCP" },
      ],
      dns: {
        names: { "edge.cdn.example.net": ["203.0.113.7"], "api.example.com": ["203.0.113.20", "203.0.113.21"], "tc.example.com": ["203.0.113.9"] },
        cnames: { "www.example.com": "edge.cdn.example.net" },
        ttls: { "www.example.com": 300, "edge.cdn.example.net": 20 },
        truncate: ["tc.example.com"],
      },
    },
  ],
  internet: { ports: [] },
};

const CHILD = `
const { startDnsProxy } = await import(process.argv[1]);
const { formatIp } = await import(process.argv[2]);
const { createInterface } = await import("node:readline");
const waiting = new Map();
let next = 0;
let auto = false;
const say = (o) => process.stdout.write(JSON.stringify(o) + "\\n");
const proxy = await startDnsProxy({ listen: { host: "${NODE}", port: 53 }, upstream: { host: "10.244.0.53", port: 53 }, holdMaxMs: 5000 }, (client, question, response) =>
  new Promise((resolve) => {
    const id = ++next;
    say({ id, client: formatIp(client), question: question && question.name, truncated: response.truncated, answers: response.answers.length });
    if (auto) resolve(); else waiting.set(id, resolve);
  }));
say({ ready: proxy.address });
createInterface({ input: process.stdin }).on("line", (line) => {
  const m = JSON.parse(line);
  if (m.auto) { auto = true; for (const r of waiting.values()) r(); waiting.clear(); }
  if (m.release) { waiting.get(m.release)?.(); waiting.delete(m.release); }
  if (m.stats) say({ stats: proxy.stats() });
});
`;

interface HookLine {
  readonly id: number;
  readonly client: string;
  readonly question: string | null;
  readonly truncated: boolean;
  readonly answers: number;
}

/** The proxy child in the node namespace and its lines. */
class ProxyChild {
  private readonly lines: Record<string, unknown>[] = [];
  private readonly waiters: (() => void)[] = [];
  constructor(readonly child: ChildProcessByStdio<Writable, Readable, null>) {
    createInterface({ input: child.stdout }).on("line", (l) => {
      this.lines.push(JSON.parse(l) as Record<string, unknown>);
      this.waiters.splice(0).forEach((w) => w());
    });
  }

  /** The next line with `key`, or a failure after `ms`. */
  async next<T>(key: string, ms = 3000): Promise<T> {
    const deadline = performance.now() + ms;
    for (;;) {
      const i = this.lines.findIndex((l) => key in l);
      if (i >= 0) return this.lines.splice(i, 1)[0] as T;
      if (performance.now() > deadline) assert.fail(`no "${key}" line from the proxy in ${ms} ms`);
      await Promise.race([new Promise<void>((r) => this.waiters.push(r)), sleep(50)]);
    }
  }

  send(message: object): void {
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
  }
}

describe("the DNS proxy between lab namespaces (pods → node 169.254.1.1:53 → the DNS pod)", { skip }, () => {
  let lab: Lab;
  let proxy: ProxyChild;
  before(async () => {
    lab = await labUp(SPEC);
    const child = spawn("ip", ["netns", "exec", lab.nodeNs, process.execPath, "--input-type=module", "-e", CHILD, new URL("./dns-proxy.js", import.meta.url).href, new URL("../net/ip.js", import.meta.url).href], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    proxy = new ProxyChild(child);
    await proxy.next("ready");
  });
  after(async () => {
    proxy?.child.kill();
    await lab?.down();
  });

  test("a pod's UDP answer is held until the hook resolves; the hook sees the pod's own address and the question's case (0x20); the answer is the CNAME chain", async () => {
    const started = performance.now();
    const lookup = lab.dnsLookup(WEB, ip(NODE), "wWw.ExAmPlE.cOm", "udp");
    const hook = await proxy.next<HookLine>("id");
    assert.deepEqual([hook.client, hook.question, hook.answers], ["10.244.0.10", "wWw.ExAmPlE.cOm", 2]);
    assert.equal(await Promise.race([lookup.then(() => "released"), sleep(300).then(() => "held")]), "held");
    proxy.send({ release: hook.id });
    const r = await lookup;
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual([r.question, r.answers, r.records.map((x) => x.ttl)], ["wWw.ExAmPlE.cOm", ["203.0.113.7"], [300, 20]]);
    assert.ok(performance.now() - started >= 300);
  });

  test("another pod's lookup is hooked with that pod's address (per-pod learning sees who asked)", async () => {
    const lookup = lab.dnsLookup(BATCH, ip(NODE), "api.example.com", "udp");
    const hook = await proxy.next<HookLine>("id");
    assert.deepEqual([hook.client, hook.question], ["10.244.0.11", "api.example.com"]);
    proxy.send({ release: hook.id });
    const r = await lookup;
    assert.deepEqual(r.ok && r.answers, ["203.0.113.20", "203.0.113.21"]);
  });

  test("a truncated UDP answer passes as it is (hooked, TC set); the TCP retry through the proxy gets the full answer (hooked)", async () => {
    const udp = lab.dnsLookup(WEB, ip(NODE), "tc.example.com", "udp");
    const h1 = await proxy.next<HookLine>("id");
    assert.deepEqual([h1.truncated, h1.answers], [true, 0]);
    proxy.send({ release: h1.id });
    const u: DnsLookup = await udp;
    assert.deepEqual(u.ok && [u.truncated, u.answers], [true, []]);
    const tcp = lab.dnsLookup(WEB, ip(NODE), "tc.example.com", "tcp");
    const h2 = await proxy.next<HookLine>("id");
    assert.deepEqual([h2.client, h2.truncated, h2.answers], ["10.244.0.10", false, 1]);
    proxy.send({ release: h2.id });
    const t = await tcp;
    assert.deepEqual(t.ok && [t.truncated, t.answers], [false, ["203.0.113.9"]]);
  });

  test("dig in a pod, through the proxy: the CNAME chain as the DNS pod wrote it, and a TC answer retried over TCP", async (t) => {
    if ((await run(["dig", "-v"])).code !== 0) return t.skip("dig is not installed");
    proxy.send({ auto: true });
    const ns = lab.podNs(WEB);
    const direct = await lab.exec(ns, ["dig", "+noall", "+answer", "+time=2", "+tries=1", "@10.244.0.53", "WWW.example.COM"]);
    const through = await lab.exec(ns, ["dig", "+noall", "+answer", "+time=2", "+tries=1", `@${NODE}`, "WWW.example.COM"]);
    assert.equal(through.stdout, direct.stdout);
    assert.match(through.stdout, /^WWW\.example\.COM\.\s+300\s+IN\s+CNAME\s+edge\.cdn\.example\.net\./);
    const tc = await lab.exec(ns, ["dig", "+time=2", "+tries=1", `@${NODE}`, "tc.example.com"]);
    assert.match(tc.stdout, /Truncated, retrying in TCP mode/);
    assert.match(tc.stdout, /tc\.example\.com\.\s+5\s+IN\s+A\s+203\.0\.113\.9/);
    proxy.send({ stats: true });
    const { stats } = await proxy.next<{ stats: { lateReleases: number; upstreamErrors: number; answers: number } }>("stats");
    assert.deepEqual([stats.lateReleases, stats.upstreamErrors], [0, 0]);
    assert.ok(stats.answers >= 7);
  });
});

import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { type Socket, connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type DnsMessage,
  type DnsQuestion,
  RCODE_SERVFAIL,
  TYPE_A,
  TYPE_AAAA,
  TcpFramer,
  decodeMessage,
  encodeQuery,
  recordValue,
  withLength,
} from "../dns/message.js";
import { dnsZone, respondFromZone } from "../lab/dns-zone.js";
import { type DnsServer, startDnsServer } from "../lab/servers.js";
import { type Ip, formatIp } from "../net/ip.js";
import { type BeforeRelease, type DnsProxy, type DnsProxyOptions, startDnsProxy } from "./dns-proxy.js";

const ZONE = dnsZone({
  names: {
    "api.example.com": ["192.0.2.10", "192.0.2.11"],
    "edge.cdn.example.net": ["198.51.100.7"],
    "tc.example.com": ["192.0.2.99"],
    "many.example.com": Array.from({ length: 120 }, (_, i) => `10.7.0.${i + 1}`),
    "slow.example.com": ["192.0.2.20"],
    "fast.example.com": ["192.0.2.21"],
  },
  cnames: { "www.example.com": "edge.cdn.example.net" },
  ttls: { "www.example.com": 300, "edge.cdn.example.net": 30 },
  truncate: ["tc.example.com"],
});

let upstream: DnsServer;
before(async () => {
  upstream = await startDnsServer(ZONE, "127.0.0.1", 0);
});
after(() => upstream.close());

interface Seen {
  readonly client: string;
  readonly question: DnsQuestion | null;
  readonly response: DnsMessage;
}

async function proxyWith(hook: BeforeRelease, extra: Partial<DnsProxyOptions> = {}): Promise<DnsProxy> {
  return startDnsProxy({ listen: { host: "127.0.0.1", port: 0 }, upstream: { host: "127.0.0.1", port: upstream.port }, ...extra }, hook);
}

function recorder(): { seen: Seen[]; hook: BeforeRelease } {
  const seen: Seen[] = [];
  return { seen, hook: (client: Ip, question, response) => (seen.push({ client: formatIp(client), question, response }), Promise.resolve()) };
}

/** Sends one datagram from a fresh socket; the first datagram back, or null after `ms`. */
function udpAsk(port: number, query: Uint8Array, ms = 2000): Promise<Uint8Array | null> {
  return new Promise((resolve) => {
    const s = createSocket("udp4");
    const done = (r: Uint8Array | null): void => {
      clearTimeout(timer);
      s.close();
      resolve(r);
    };
    const timer = setTimeout(() => done(null), ms);
    s.on("message", (m) => done(Uint8Array.from(m)));
    s.send(query, port, "127.0.0.1");
  });
}

/** A TCP connection: `send` writes, `next` waits for the next whole message (null at close or after `ms`). */
async function tcpSession(port: number): Promise<{ socket: Socket; send(q: Uint8Array): void; next(ms?: number): Promise<Uint8Array | null>; closed: Promise<void> }> {
  const socket = connect(port, "127.0.0.1");
  await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const framer = new TcpFramer();
  const got: Uint8Array[] = [];
  const waiters: ((m: Uint8Array | null) => void)[] = [];
  const closed = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  socket.on("error", () => undefined);
  socket.on("data", (chunk: Buffer) => {
    for (const m of framer.push(Uint8Array.from(chunk))) {
      const w = waiters.shift();
      if (w === undefined) got.push(m);
      else w(m);
    }
  });
  void closed.then(() => waiters.splice(0).forEach((w) => w(null)));
  return {
    socket,
    closed,
    send: (q) => void socket.write(withLength(q)),
    next: (ms = 2000) => {
      const m = got.shift();
      if (m !== undefined) return Promise.resolve(m);
      if (socket.destroyed) return Promise.resolve(null);
      return new Promise((resolve) => {
        const waiter = (x: Uint8Array | null): void => (clearTimeout(t), resolve(x));
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          resolve(null);
        }, ms);
        waiters.push(waiter);
      });
    },
  };
}

function decoded(bytes: Uint8Array | null): DnsMessage {
  assert.ok(bytes !== null, "no answer");
  const m = decodeMessage(bytes);
  if ("error" in m) assert.fail(m.error);
  return m;
}

/** A promise and its resolver. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

describe("DNS proxy on 127.0.0.1, upstream the lab DNS server in-process", () => {
  test("UDP: the answer is the upstream's bytes unchanged (id, 0x20 case 'wWw.ExAmPlE.cOm', CNAME chain, TTLs); the hook sees client, question and response", async () => {
    const { seen, hook } = recorder();
    const proxy = await proxyWith(hook);
    try {
      const query = encodeQuery(0x4242, "wWw.ExAmPlE.cOm", TYPE_A);
      const direct = await udpAsk(upstream.port, query);
      const through = await udpAsk(proxy.address.port, query);
      assert.deepEqual(through, direct);
      const m = decoded(through);
      assert.deepEqual([m.id, m.question?.name], [0x4242, "wWw.ExAmPlE.cOm"]);
      assert.deepEqual(m.answers.map((r) => `${r.name} ${r.ttl} ${recordValue(r)}`), ["www.example.com 300 edge.cdn.example.net", "edge.cdn.example.net 30 198.51.100.7"]);
      assert.equal(seen.length, 1);
      assert.deepEqual([seen[0]?.client, seen[0]?.question?.name, seen[0]?.response.answers.length], ["127.0.0.1", "wWw.ExAmPlE.cOm", 2]);
      assert.deepEqual(proxy.stats().queries, 1);
      assert.deepEqual(proxy.stats().answers, 1);
    } finally {
      await proxy.close();
    }
  });

  test("no race: the answer is not released before the hook resolves (nothing arrives in 300 ms of hold; it arrives after the hook resolved)", async () => {
    const g = gate();
    let hookCalled = 0;
    let resolvedAt = 0;
    const proxy = await proxyWith(async () => {
      hookCalled = performance.now();
      await g.promise;
      resolvedAt = performance.now();
    });
    try {
      const pending = udpAsk(proxy.address.port, encodeQuery(1, "api.example.com", TYPE_A), 3000).then((r) => ({ r, at: performance.now() }));
      while (hookCalled === 0) await sleep(5);
      const early = await Promise.race([pending.then(() => "released"), sleep(300).then(() => "held")]);
      assert.equal(early, "held");
      g.open();
      const { r, at } = await pending;
      assert.deepEqual(decoded(r).answers.map(recordValue), ["192.0.2.10", "192.0.2.11"]);
      assert.ok(at >= resolvedAt && resolvedAt - hookCalled >= 300, `released at ${at}, hook resolved at ${resolvedAt}`);
      assert.equal(proxy.stats().lateReleases, 0);
    } finally {
      await proxy.close();
    }
  });

  test("a hook slower than holdMaxMs: the answer is released at holdMaxMs, counted late, the hold reported late", async () => {
    const holds: [number, boolean][] = [];
    const proxy = await proxyWith(() => new Promise(() => undefined), { holdMaxMs: 80, onHold: (s, late) => holds.push([s, late]) });
    try {
      const started = performance.now();
      const r = await udpAsk(proxy.address.port, encodeQuery(2, "api.example.com", TYPE_A));
      assert.equal(decoded(r).answers.length, 2);
      assert.ok(performance.now() - started >= 75);
      assert.equal(proxy.stats().lateReleases, 1);
      assert.equal(holds.length, 1);
      assert.ok((holds[0]?.[0] ?? 0) >= 0.075 && holds[0]?.[1] === true);
    } finally {
      await proxy.close();
    }
  });

  test("a hook that throws or rejects: the answer is released, counted", async () => {
    const proxy = await proxyWith(() => Promise.reject(new Error("nft said no")));
    try {
      assert.equal(decoded(await udpAsk(proxy.address.port, encodeQuery(3, "api.example.com", TYPE_A))).answers.length, 2);
      assert.equal(proxy.stats().hookErrors, 1);
    } finally {
      await proxy.close();
    }
  });

  test("TC passes through over UDP (the hook sees it truncated), the TCP retry gets the full answer through the proxy, hooked too", async () => {
    const { seen, hook } = recorder();
    const proxy = await proxyWith(hook);
    try {
      const udp = decoded(await udpAsk(proxy.address.port, encodeQuery(5, "tc.example.com", TYPE_A)));
      assert.deepEqual([udp.truncated, udp.answers.length], [true, 0]);
      const tcp = await tcpSession(proxy.address.port);
      tcp.send(encodeQuery(5, "tc.example.com", TYPE_A));
      const full = decoded(await tcp.next());
      assert.deepEqual([full.id, full.truncated, full.answers.map(recordValue)], [5, false, ["192.0.2.99"]]);
      tcp.socket.destroy();
      assert.deepEqual(seen.map((s) => s.response.truncated), [true, false]);
    } finally {
      await proxy.close();
    }
  });

  test("more than 100 addresses (120): over UDP TC with those that fit, over TCP all 120, both through the proxy unchanged", async () => {
    const proxy = await proxyWith(() => Promise.resolve());
    try {
      const query = encodeQuery(6, "many.example.com", TYPE_A);
      const udp = await udpAsk(proxy.address.port, query);
      assert.deepEqual(udp, await udpAsk(upstream.port, query));
      assert.equal(decoded(udp).truncated, true);
      const tcp = await tcpSession(proxy.address.port);
      tcp.send(query);
      assert.deepEqual(decoded(await tcp.next()).answers.length, 120);
      tcp.socket.destroy();
    } finally {
      await proxy.close();
    }
  });

  test("TCP: several queries on one connection are answered in query order, even when the first one's hook finishes last", async () => {
    const slow = gate();
    const proxy = await proxyWith(async (_c, q) => {
      if (q?.name === "slow.example.com") await slow.promise;
    });
    try {
      const tcp = await tcpSession(proxy.address.port);
      tcp.send(encodeQuery(10, "slow.example.com", TYPE_A));
      tcp.send(encodeQuery(11, "fast.example.com", TYPE_A));
      tcp.send(encodeQuery(12, "api.example.com", TYPE_A));
      assert.equal(await tcp.next(300), null, "nothing before the first answer is released");
      slow.open();
      const ids = [decoded(await tcp.next()).id, decoded(await tcp.next()).id, decoded(await tcp.next()).id];
      assert.deepEqual(ids, [10, 11, 12]);
      tcp.socket.destroy();
    } finally {
      await proxy.close();
    }
  });

  test("ids: two clients sending the same id at once each get their own answer (the proxy's upstream ids differ)", async () => {
    const proxy = await proxyWith(() => sleep(20));
    try {
      const names = ["api.example.com", "fast.example.com", "slow.example.com", "edge.cdn.example.net"];
      const answers = await Promise.all(names.map((n) => udpAsk(proxy.address.port, encodeQuery(0x7777, n, TYPE_A))));
      assert.deepEqual(
        answers.map((a) => decoded(a).question?.name),
        names,
      );
      assert.ok(answers.every((a) => decoded(a).id === 0x7777));
    } finally {
      await proxy.close();
    }
  });

  test("an upstream that never answers: SERVFAIL after upstreamTimeoutMs (UDP and TCP), counted, nothing hooked", async () => {
    const silent = createSocket("udp4");
    await new Promise<void>((r) => silent.bind(0, "127.0.0.1", () => r()));
    const { seen, hook } = recorder();
    const proxy = await startDnsProxy({ listen: { host: "127.0.0.1", port: 0 }, upstream: { host: "127.0.0.1", port: silent.address().port }, upstreamTimeoutMs: 100 }, hook);
    try {
      const m = decoded(await udpAsk(proxy.address.port, encodeQuery(9, "api.example.com", TYPE_A)));
      assert.deepEqual([m.id, m.rcode, m.question?.name], [9, RCODE_SERVFAIL, "api.example.com"]);
      const tcp = await tcpSession(proxy.address.port); // nothing listens on TCP there: refused at once
      tcp.send(encodeQuery(10, "api.example.com", TYPE_A));
      assert.deepEqual(decoded(await tcp.next()).rcode, RCODE_SERVFAIL);
      tcp.socket.destroy();
      assert.equal(proxy.stats().upstreamErrors, 2);
      assert.equal(seen.length, 0);
    } finally {
      await proxy.close();
      silent.close();
    }
  });

  test("an upstream answer whose question differs from the query's (even only in case, 0x20) is not taken for its answer; the right one is", async () => {
    const fake = createSocket("udp4");
    fake.on("message", (q, rinfo) => {
      const query = decodeMessage(Uint8Array.from(q));
      if ("error" in query) return;
      const right = respondFromZone(ZONE, Uint8Array.from(q), "udp") as Uint8Array;
      const wrongQuery = encodeQuery(query.id, (query.question?.name ?? "").toUpperCase(), TYPE_A);
      const wrong = respondFromZone(ZONE, wrongQuery, "udp") as Uint8Array;
      fake.send(wrong, rinfo.port, rinfo.address, () => fake.send(right, rinfo.port, rinfo.address));
    });
    await new Promise<void>((r) => fake.bind(0, "127.0.0.1", () => r()));
    const { seen, hook } = recorder();
    const proxy = await startDnsProxy({ listen: { host: "127.0.0.1", port: 0 }, upstream: { host: "127.0.0.1", port: fake.address().port } }, hook);
    try {
      const m = decoded(await udpAsk(proxy.address.port, encodeQuery(8, "api.example.com", TYPE_A)));
      assert.equal(m.question?.name, "api.example.com");
      assert.deepEqual(seen.map((x) => x.question?.name), ["api.example.com"]);
    } finally {
      await proxy.close();
      fake.close();
    }
  });

  test("TCP: an upstream that closes its connection after each answer; the next query on the client's connection opens a new one", async () => {
    const { createServer } = await import("node:net");
    let connections = 0;
    const closing = createServer((s) => {
      connections++;
      const framer = new TcpFramer();
      s.on("data", (chunk: Buffer) => {
        for (const q of framer.push(Uint8Array.from(chunk))) s.end(withLength(respondFromZone(ZONE, q, "tcp") as Uint8Array));
      });
    });
    await new Promise<void>((r) => closing.listen(0, "127.0.0.1", () => r()));
    const port = (closing.address() as { port: number }).port;
    const proxy = await startDnsProxy({ listen: { host: "127.0.0.1", port: 0 }, upstream: { host: "127.0.0.1", port } }, () => Promise.resolve());
    try {
      const tcp = await tcpSession(proxy.address.port);
      for (const id of [1, 2, 3]) {
        tcp.send(encodeQuery(id, "api.example.com", TYPE_A));
        const m = decoded(await tcp.next());
        assert.deepEqual([m.id, m.answers.length], [id, 2]);
        await sleep(20);
      }
      tcp.socket.destroy();
      assert.equal(connections, 3);
      assert.equal(proxy.stats().upstreamErrors, 0);
    } finally {
      await proxy.close();
      closing.close();
    }
  });

  test("maxInflight: past it a query gets SERVFAIL at once, counted refused; the held one is answered", async () => {
    const g = gate();
    const proxy = await proxyWith(() => g.promise, { maxInflight: 1 });
    try {
      const first = udpAsk(proxy.address.port, encodeQuery(1, "api.example.com", TYPE_A));
      while (proxy.stats().inflight === 0) await sleep(5);
      await sleep(50);
      const second = decoded(await udpAsk(proxy.address.port, encodeQuery(2, "api.example.com", TYPE_A)));
      assert.deepEqual([second.id, second.rcode], [2, RCODE_SERVFAIL]);
      g.open();
      assert.equal(decoded(await first).answers.length, 2);
      assert.deepEqual([proxy.stats().refused, proxy.stats().inflight], [1, 0]);
    } finally {
      await proxy.close();
    }
  });

  test("a hostile client: short datagrams and responses sent as queries are dropped (counted); TCP with a response header is closed; a huge length prefix or a byte every 30 ms is closed after tcpIdleMs; the proxy still answers", async () => {
    const proxy = await proxyWith(() => Promise.resolve(), { tcpIdleMs: 150 });
    try {
      assert.equal(await udpAsk(proxy.address.port, Uint8Array.of(1, 2, 3), 200), null);
      const asResponse = encodeQuery(4, "api.example.com", TYPE_A);
      asResponse[2] = 0x81;
      assert.equal(await udpAsk(proxy.address.port, asResponse, 200), null);
      assert.equal(proxy.stats().malformed, 2);

      const bad = await tcpSession(proxy.address.port);
      bad.send(asResponse);
      await bad.closed;

      const huge = await tcpSession(proxy.address.port);
      huge.socket.write(Uint8Array.of(0xff, 0xff, 1, 2, 3));
      const t0 = performance.now();
      await huge.closed;
      assert.ok(performance.now() - t0 < 3000);

      const loris = await tcpSession(proxy.address.port);
      const bytes = withLength(encodeQuery(5, "api.example.com", TYPE_A));
      let sent = 0;
      const drip = setInterval(() => {
        if (sent < bytes.length && !loris.socket.destroyed) loris.socket.write(bytes.subarray(sent, ++sent));
      }, 30);
      await loris.closed;
      clearInterval(drip);
      assert.ok(sent < bytes.length, `closed after ${sent} of ${bytes.length} bytes`);

      assert.equal(decoded(await udpAsk(proxy.address.port, encodeQuery(6, "api.example.com", TYPE_A))).answers.length, 2);
      assert.equal(proxy.stats().tcpConnections, 0);
    } finally {
      await proxy.close();
    }
  });

  test("maxTcpConnections: a connection past it is closed at once; the ones open still work", async () => {
    const proxy = await proxyWith(() => Promise.resolve(), { maxTcpConnections: 1 });
    try {
      const one = await tcpSession(proxy.address.port);
      const two = await tcpSession(proxy.address.port);
      await two.closed;
      one.send(encodeQuery(1, "api.example.com", TYPE_A));
      assert.equal(decoded(await one.next()).answers.length, 2);
      one.socket.destroy();
    } finally {
      await proxy.close();
    }
  });

  test("IPv6: the proxy on ::1 in front of an upstream on ::1; the hook gets the client as an IPv6 address; AAAA over TCP keeps the 0x20 case", async () => {
    const v6 = await startDnsServer(dnsZone({ names: { "api.example.com": ["2001:db8::10"] } }), "::1", 0);
    const { seen, hook } = recorder();
    const proxy = await startDnsProxy({ listen: { host: "::1", port: 0 }, upstream: { host: "::1", port: v6.port } }, hook);
    try {
      const socket = connect(proxy.address.port, "::1");
      await new Promise((resolve) => socket.once("connect", resolve));
      const framer = new TcpFramer();
      const got = new Promise<Uint8Array>((resolve) => socket.on("data", (c: Buffer) => framer.push(Uint8Array.from(c)).forEach(resolve)));
      socket.write(withLength(encodeQuery(3, "API.Example.com", TYPE_AAAA)));
      const m = decoded(await got);
      socket.destroy();
      assert.deepEqual([m.question?.name, m.answers.map(recordValue)], ["API.Example.com", ["2001:db8::10"]]);
      assert.deepEqual(seen.map((x) => x.client), ["::1"]);
    } finally {
      await proxy.close();
      v6.close();
    }
  });

  test("an onHold sink that throws loses its sample, not the answer", async () => {
    const proxy = await proxyWith(() => Promise.resolve(), {
      onHold: () => {
        throw new Error("sink broke");
      },
    });
    try {
      assert.equal(decoded(await udpAsk(proxy.address.port, encodeQuery(1, "api.example.com", TYPE_A))).answers.length, 2);
    } finally {
      await proxy.close();
    }
  });

  test("a client half-closing after its queries still gets every answer, then the connection ends", async () => {
    const proxy = await proxyWith(() => sleep(30));
    try {
      const tcp = await tcpSession(proxy.address.port);
      tcp.send(encodeQuery(1, "api.example.com", TYPE_A));
      tcp.send(encodeQuery(2, "fast.example.com", TYPE_A));
      tcp.socket.end();
      assert.deepEqual([decoded(await tcp.next()).id, decoded(await tcp.next()).id], [1, 2]);
      await tcp.closed;
    } finally {
      await proxy.close();
    }
  });
});

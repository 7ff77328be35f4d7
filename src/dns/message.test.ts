import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type Ip, formatIp, parseIp } from "../net/ip.js";
import {
  type DnsMessage,
  FLAG_QR,
  FLAG_RD,
  FLAG_TC,
  RCODE_NOERROR,
  RCODE_SERVFAIL,
  TYPE_A,
  TYPE_AAAA,
  TcpFramer,
  UDP_MAX,
  type WireRecord,
  decodeMessage,
  encodeQuery,
  encodeResponse,
  errorReply,
  questionBytes,
  recordValue,
  withLength,
} from "./message.js";
import { DnsSnapshot } from "./snapshot.js";

const hex = (text: string): Uint8Array => Uint8Array.from(text.match(/../g) ?? [], (b) => parseInt(b, 16));
const ip = (text: string): Ip => parseIp(text) as Ip;

function decoded(bytes: Uint8Array): DnsMessage {
  const m = decodeMessage(bytes);
  if ("error" in m) assert.fail(m.error);
  return m;
}

const records = (m: DnsMessage): string[] => m.answers.map((r) => `${r.name} ${r.ttl} ${r.kind === "address" ? (r.address.family === 4 ? "A" : "AAAA") : "CNAME"} ${recordValue(r)}`);

// Captured on this machine: `dig @127.0.0.1 -p 5353 Registry.NpmJS.org A` (DiG 9.18.49) through a
// relay that logged both datagrams; the answer is the resolver's (10.255.255.53), which dig printed as
// "Registry.NpmJS.org.	60	IN	A	203.0.113.80".
const DIG_QUERY = hex("0b7c01200001000000000001085265676973747279054e706d4a53036f7267000001000100002904d000000000000c000a000828f520876ab90fab");
const DIG_RESPONSE = hex("0b7c81800001000100000001085265676973747279054e706d4a53036f72670000010001c00c000100010000003c0004cb0071500000292000000000000000");

test("captured dig query (EDNS OPT with a cookie in the additional section): id, RD+AD, the question with its case kept", () => {
  const q = decoded(DIG_QUERY);
  assert.deepEqual([q.id, q.flags, q.response, q.truncated], [0x0b7c, 0x0120, false, false]);
  assert.deepEqual(q.question, { name: "Registry.NpmJS.org", type: TYPE_A, qclass: 1 });
  assert.deepEqual(q.answers, []);
});

test("captured resolver answer: 'Registry.NpmJS.org. 60 IN A 203.0.113.80' (owner a pointer to the question, c00c), the name lower-cased as a DnsName", () => {
  const r = decoded(DIG_RESPONSE);
  assert.deepEqual([r.id, r.response, r.rcode, r.truncated], [0x0b7c, true, RCODE_NOERROR, false]);
  assert.equal(r.question?.name, "Registry.NpmJS.org");
  assert.deepEqual(records(r), ["registry.npmjs.org 60 A 203.0.113.80"]);
  assert.deepEqual(questionBytes(DIG_RESPONSE), DIG_RESPONSE.subarray(12, 36));
});

test("RFC 1035 4.1.4 compression: 'a sequence of labels ending with a pointer' (FOO + a pointer to F.ISI.ARPA, the example's names) and a pointer alone (to ARPA)", () => {
  // Question "F.ISI.ARPA" at 12; answer owner "FOO" + pointer to 12; CNAME data "ARPA" as pointer to 18.
  const q = [1, 70, 3, 73, 83, 73, 4, 65, 82, 80, 65, 0, 0, 5, 0, 1];
  const rr = [3, 70, 79, 79, 0xc0, 12, 0, 5, 0, 1, 0, 0, 1, 44, 0, 2, 0xc0, 18];
  const m = decoded(Uint8Array.from([0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, ...q, ...rr]));
  assert.equal(m.question?.name, "F.ISI.ARPA");
  assert.deepEqual(records(m), ["foo.f.isi.arpa 300 CNAME arpa"]);
});

test("hostile names end: a pointer to itself, two pointing at each other, a name past 255 octets, a label holding a dot, a reserved label type, a pointer outside", () => {
  const head = [0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0];
  const cases: [string, number[]][] = [
    ["more than 127 compression pointers", [0xc0, 12, 0, 1, 0, 1]],
    ["more than 127 compression pointers", [0xc0, 14, 0xc0, 12, 0, 1, 0, 1]],
    ["longer than 255", [1, 97, ...Array.from({ length: 200 }, () => [0xc0, 12]).flat()]],
    ["runs past the end", [0xc0, 200, 0, 1, 0, 1]],
    ["longer than 255", [...Array.from({ length: 5 }, () => [63, ...new Array<number>(63).fill(97)]).flat(), 0, 0, 1, 0, 1]],
    ["holds a dot", [3, 97, 46, 98, 0, 0, 1, 0, 1]],
    ["label type 1", [0x40, 0, 1, 0, 1]],
    ["runs past the end", [5, 97, 98]],
  ];
  for (const [why, body] of cases) {
    const m = decodeMessage(Uint8Array.from([...head, ...body]));
    assert.ok("error" in m && m.error.includes(why), `${why}: ${JSON.stringify(m)}`);
  }
  assert.match((decodeMessage(Uint8Array.of(1, 2, 3)) as { error: string }).error, /shorter than a DNS header/);
});

test("a pointer forward (RFC 1035 wants 'prior', glibc and musl follow it): followed", () => {
  // Question name: a pointer to offset 18, where "fwd" + root sit after the question's type and class.
  const m = decoded(Uint8Array.from([0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 18, 0, 1, 0, 1, 3, 102, 119, 100, 0]));
  assert.equal(m.question?.name, "fwd");
});

test("RFC 2181 8: a TTL with the most significant bit set is taken as zero", () => {
  const m = decoded(Uint8Array.from([0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0, 1, 97, 0, 0, 1, 0, 1, 0x80, 0, 0, 1, 0, 4, 10, 0, 0, 1]));
  assert.deepEqual(records(m), ["a 0 A 10.0.0.1"]);
});

test("other types and classes are skipped, their data stepped over (MX, then A; an A of class CH)", () => {
  const mx = [1, 97, 0, 0, 15, 0, 1, 0, 0, 0, 9, 0, 4, 0, 10, 0xc0, 12];
  const ch = [1, 97, 0, 0, 1, 0, 3, 0, 0, 0, 9, 0, 4, 1, 1, 1, 1];
  const a = [1, 97, 0, 0, 1, 0, 1, 0, 0, 0, 9, 0, 4, 10, 0, 0, 2];
  const m = decoded(Uint8Array.from([0, 1, 0x81, 0x80, 0, 0, 0, 3, 0, 0, 0, 0, ...mx, ...ch, ...a]));
  assert.deepEqual(records(m), ["a 9 A 10.0.0.2"]);
});

test("an A record whose data is not 4 octets is an error, not an address", () => {
  const m = decodeMessage(Uint8Array.from([0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0, 1, 97, 0, 0, 1, 0, 1, 0, 0, 0, 9, 0, 3, 10, 0, 0]));
  assert.match((m as { error: string }).error, /3 octets of data, not 4/);
});

test("RFC 2181 9 'the TC bit ... set': a truncated answer keeps its whole records; the same cut without TC is an error", () => {
  const full = encodeResponse(decoded(encodeQuery(9, "many.example", TYPE_A)), encodeQuery(9, "many.example", TYPE_A), {
    rcode: RCODE_NOERROR,
    answers: [1, 2, 3].map((n) => ({ kind: "address", name: "many.example", address: ip(`192.0.2.${n}`), ttl: 30 })),
  });
  const cut = full.slice(0, full.length - 2);
  assert.ok("error" in decodeMessage(cut));
  cut[2] = (cut[2] as number) | (FLAG_TC >> 8);
  const m = decoded(cut);
  assert.equal(m.truncated, true);
  assert.deepEqual(records(m), ["many.example 30 A 192.0.2.1", "many.example 30 A 192.0.2.2"]);
});

test("a response echoes the query's id, opcode, RD and question as sent (0x20: 'wWw.ExAmPlE.cOm'), and the first owner in the asked case", () => {
  const query = encodeQuery(0xbeef, "wWw.ExAmPlE.cOm", TYPE_AAAA);
  const answers: WireRecord[] = [
    { kind: "cname", name: "wWw.ExAmPlE.cOm", target: "edge.cdn.example.net", ttl: 300 },
    { kind: "address", name: "edge.cdn.example.net", address: ip("2001:db8::7"), ttl: 20 },
  ];
  const bytes = encodeResponse(decoded(query), query, { rcode: RCODE_NOERROR, answers });
  const m = decoded(bytes);
  assert.deepEqual([m.id, m.response, m.flags & FLAG_RD, m.truncated], [0xbeef, true, FLAG_RD, false]);
  assert.equal(m.question?.name, "wWw.ExAmPlE.cOm");
  assert.deepEqual(questionBytes(bytes), questionBytes(query));
  assert.deepEqual(records(m), ["www.example.com 300 CNAME edge.cdn.example.net", "edge.cdn.example.net 20 AAAA 2001:db8::7"]);
  // The owner of the first record is a pointer to the question (offset 12): its case is the asked one.
  const owner = 12 + (questionBytes(bytes)?.length ?? 0);
  assert.deepEqual([bytes[owner], bytes[owner + 1]], [0xc0, 12]);
  // "CNAME chains count when returned in one response": the response's records are a snapshot.
  const snap = new DnsSnapshot(m.answers);
  assert.deepEqual(snap.addresses({ kind: "exact", name: "www.example.com" as never }).map(formatIp), ["2001:db8::7"]);
});

test("'Messages carried by UDP are restricted to 512 bytes': 120 A records cut to those that fit, TC set; without the limit all 120", () => {
  const query = encodeQuery(1, "big.example", TYPE_A);
  const answers: WireRecord[] = Array.from({ length: 120 }, (_, i) => ({ kind: "address", name: "big.example", address: ip(`10.1.0.${i + 1}`), ttl: 60 }));
  const udp = encodeResponse(decoded(query), query, { rcode: RCODE_NOERROR, answers, maxBytes: UDP_MAX });
  assert.ok(udp.length <= UDP_MAX);
  const cut = decoded(udp);
  assert.equal(cut.truncated, true);
  // 12 header + 17 question + 16 per compressed A record: (512 - 29) / 16 = 30.
  assert.equal(cut.answers.length, 30);
  const tcp = decoded(encodeResponse(decoded(query), query, { rcode: RCODE_NOERROR, answers }));
  assert.deepEqual([tcp.truncated, tcp.answers.length], [false, 120]);
});

test("errorReply: SERVFAIL keeps the id, RD and the question; bytes without an id get none", () => {
  const m = decoded(errorReply(DIG_QUERY, RCODE_SERVFAIL) as Uint8Array);
  assert.deepEqual([m.id, m.rcode, m.response, (m.flags & FLAG_QR) !== 0, m.question?.name], [0x0b7c, RCODE_SERVFAIL, true, true, "Registry.NpmJS.org"]);
  assert.equal(errorReply(Uint8Array.of(7), RCODE_SERVFAIL), undefined);
});

test("fuzz: any bytes decode to a message or an error, never a throw or a hang", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      const m = decodeMessage(bytes);
      assert.ok("error" in m || typeof m.id === "number");
    }),
    { numRuns: 5000 },
  );
});

test("fuzz: real messages with bytes changed decode or fail cleanly; the records of what decodes are well formed", () => {
  const seeds = [DIG_QUERY, DIG_RESPONSE, encodeResponse(decoded(encodeQuery(3, "A.b.C", TYPE_A)), encodeQuery(3, "A.b.C", TYPE_A), { rcode: 0, answers: [{ kind: "cname", name: "A.b.C", target: "x.y", ttl: 1 }, { kind: "address", name: "x.y", address: ip("10.0.0.1"), ttl: 2 }] })];
  fc.assert(
    fc.property(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (seed, edits) => {
      const bytes = seed.slice();
      for (const [at, value] of edits) bytes[at % bytes.length] = value;
      const m = decodeMessage(bytes);
      if ("error" in m) return;
      for (const r of m.answers) assert.ok(r.ttl >= 0 && r.ttl <= 0x7fffffff && !/[A-Z]/.test(r.name));
    }),
    { numRuns: 5000 },
  );
});

const label = fc.stringMatching(/^[a-zA-Z0-9-]{1,12}$/);
const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join("."));
const address = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }).map((v): Ip => ({ family: 4, value: BigInt(v) })),
  fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((v): Ip => ({ family: 6, value: v })),
);
const record: fc.Arbitrary<WireRecord> = fc.oneof(
  fc.record({ kind: fc.constant("address" as const), name, address, ttl: fc.integer({ min: 0, max: 0x7fffffff }) }),
  fc.record({ kind: fc.constant("cname" as const), name, target: name, ttl: fc.integer({ min: 0, max: 0x7fffffff }) }),
);

test("property: what encodeResponse writes decodes to the same records (names lower-cased), with compression", () => {
  fc.assert(
    fc.property(name, fc.array(record, { maxLength: 20 }), (asked, rs) => {
      const query = encodeQuery(42, asked, TYPE_A);
      const m = decoded(encodeResponse(decoded(query), query, { rcode: RCODE_NOERROR, answers: rs }));
      assert.equal(m.question?.name, asked);
      const lower = (s: string): string => s.toLowerCase();
      assert.deepEqual(
        records(m),
        rs.map((r) => `${lower(r.name)} ${r.ttl} ${r.kind === "address" ? (r.address.family === 4 ? "A" : "AAAA") : "CNAME"} ${r.kind === "address" ? formatIp(r.address) : lower(r.target)}`),
      );
    }),
    { numRuns: 500 },
  );
});

test("TCP framing (RFC 1035 4.2.2 'a two byte length field'): messages split and joined across chunks come out whole", () => {
  const a = withLength(Uint8Array.of(1, 2, 3));
  const b = withLength(Uint8Array.of(4));
  const joined = Uint8Array.from([...a, ...b]);
  const framer = new TcpFramer();
  assert.deepEqual(framer.push(joined.subarray(0, 1)), []);
  assert.equal(framer.pending, 1);
  assert.deepEqual(framer.push(joined.subarray(1, 6)), [Uint8Array.of(1, 2, 3)]);
  assert.deepEqual(framer.push(joined.subarray(6)), [Uint8Array.of(4)]);
  assert.equal(framer.pending, 0);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { type DnsMessage, RCODE_FORMERR, RCODE_NOERROR, RCODE_NOTIMP, RCODE_NXDOMAIN, TYPE_A, TYPE_AAAA, TYPE_CNAME, decodeMessage, encodeQuery, recordValue } from "../dns/message.js";
import { recordType } from "../dns/snapshot.js";
import { type DnsTransportKind, dnsZone, respondFromZone } from "./dns-zone.js";

const ZONE = dnsZone({
  names: {
    "Postgres.Production.svc.cluster.local.": ["10.244.0.5", "fd00::5"],
    "v4.local": ["10.0.0.1", "10.0.0.2"],
    "edge.cdn.example.net": ["192.0.2.7", "2001:db8::7"],
    "many.example.com": Array.from({ length: 150 }, (_, i) => `10.9.${i >> 8}.${i & 0xff}`),
    "tc.example.com": ["192.0.2.9"],
  },
  cnames: { "www.example.com": "web.example.com", "web.example.com": "edge.cdn.example.net", "loop-a.example": "loop-b.example", "loop-b.example": "loop-a.example", "dangling.example": "nowhere.example" },
  ttls: { "www.example.com": 300, "web.example.com": 60, "edge.cdn.example.net": 20 },
  truncate: ["tc.example.com"],
});

function ask(name: string, type: number, over: DnsTransportKind = "udp"): DnsMessage {
  const m = decodeMessage(respondFromZone(ZONE, encodeQuery(0x1234, name, type), over) as Uint8Array);
  if ("error" in m) assert.fail(m.error);
  return m;
}

const shown = (m: DnsMessage): string[] => m.answers.map((r) => `${r.name} ${r.ttl} ${recordType(r)} ${recordValue(r)}`);

test("A and AAAA answer from the names, by family, matched without case or trailing dot, TTL 5 by default", () => {
  assert.deepEqual(shown(ask("postgres.production.svc.cluster.local", TYPE_A)), ["postgres.production.svc.cluster.local 5 A 10.244.0.5"]);
  assert.deepEqual(shown(ask("POSTGRES.production.svc.cluster.local.", TYPE_AAAA)), ["postgres.production.svc.cluster.local 5 AAAA fd00::5"]);
  assert.deepEqual(ask("v4.local", TYPE_A).answers.map(recordValue), ["10.0.0.1", "10.0.0.2"]);
});

test("a name that does not exist is NXDOMAIN; a name without that type is NODATA (NOERROR, no records)", () => {
  assert.deepEqual([ask("missing.local", TYPE_A).rcode, ask("missing.local", TYPE_A).answers], [RCODE_NXDOMAIN, []]);
  assert.deepEqual([ask("v4.local", TYPE_AAAA).rcode, ask("v4.local", TYPE_AAAA).answers], [RCODE_NOERROR, []]);
});

test("a CNAME chain (www → web → edge) in one answer, each record with its name's TTL, addresses of the last name", () => {
  assert.deepEqual(shown(ask("www.example.com", TYPE_A)), ["www.example.com 300 CNAME web.example.com", "web.example.com 60 CNAME edge.cdn.example.net", "edge.cdn.example.net 20 A 192.0.2.7"]);
  assert.deepEqual(shown(ask("web.example.com", TYPE_AAAA)), ["web.example.com 60 CNAME edge.cdn.example.net", "edge.cdn.example.net 20 AAAA 2001:db8::7"]);
  assert.deepEqual(shown(ask("www.example.com", TYPE_CNAME)), ["www.example.com 300 CNAME web.example.com"]);
});

test("RFC 6604: a chain to a name that does not exist is NXDOMAIN with the CNAME given; a CNAME loop ends", () => {
  const dangling = ask("dangling.example", TYPE_A);
  assert.deepEqual([dangling.rcode, shown(dangling)], [RCODE_NXDOMAIN, ["dangling.example 5 CNAME nowhere.example"]]);
  assert.deepEqual(shown(ask("loop-a.example", TYPE_A)), ["loop-a.example 5 CNAME loop-b.example", "loop-b.example 5 CNAME loop-a.example"]);
});

test("0x20: the answer's question and first owner are the name as asked ('wWw.ExAmPlE.cOm')", () => {
  const bytes = respondFromZone(ZONE, encodeQuery(7, "wWw.ExAmPlE.cOm", TYPE_A), "udp") as Uint8Array;
  const text = String.fromCharCode(...bytes);
  assert.equal((decodeMessage(bytes) as DnsMessage).question?.name, "wWw.ExAmPlE.cOm");
  assert.equal(text.split("ExAmPlE").length, 2, "written once, the owner a pointer to it");
  assert.equal(ask("wWw.ExAmPlE.cOm", TYPE_A).answers.length, 3);
});

test("truncation: a name configured to truncate is TC with no records over UDP, in full over TCP", () => {
  const udp = ask("tc.example.com", TYPE_A, "udp");
  assert.deepEqual([udp.truncated, udp.answers.length], [true, 0]);
  const tcp = ask("TC.example.com", TYPE_A, "tcp");
  assert.deepEqual([tcp.truncated, shown(tcp)], [false, ["tc.example.com 5 A 192.0.2.9"]]);
});

test("more than 100 addresses for one name (150) do not fit 512 bytes: TC with those that fit over UDP, all 150 over TCP", () => {
  const udp = ask("many.example.com", TYPE_A, "udp");
  assert.equal(udp.truncated, true);
  assert.ok(udp.answers.length > 0 && udp.answers.length < 150, `${udp.answers.length}`);
  const tcp = ask("many.example.com", TYPE_A, "tcp");
  assert.deepEqual([tcp.truncated, tcp.answers.length], [false, 150]);
});

test("a class other than IN is NOTIMP; bytes that are no query are FORMERR; bytes without an id get nothing", () => {
  const chaos = encodeQuery(1, "v4.local", TYPE_A);
  chaos[chaos.length - 1] = 3;
  assert.equal((decodeMessage(respondFromZone(ZONE, chaos, "udp") as Uint8Array) as DnsMessage).rcode, RCODE_NOTIMP);
  const garbage = new TextEncoder().encode("portcullis-probe\n");
  assert.equal((decodeMessage(respondFromZone(ZONE, garbage, "udp") as Uint8Array) as DnsMessage).rcode, RCODE_FORMERR);
  assert.equal(respondFromZone(ZONE, Uint8Array.of(1), "udp"), undefined);
});

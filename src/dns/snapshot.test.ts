import { test } from "node:test";
import assert from "node:assert/strict";
import { type Ip, formatIp, parseIp } from "../net/ip.js";
import { type DnsName, type DomainPattern, dnsName, domainPattern } from "./names.js";
import { type DnsRecord, DnsSnapshot, MAX_CNAME_HOPS, recordType } from "./snapshot.js";

const n = (text: string): DnsName => dnsName(text) ?? assert.fail(text);
const ip = (text: string): Ip => parseIp(text) ?? assert.fail(text);
const p = (text: string): DomainPattern => domainPattern(text) ?? assert.fail(text);
const a = (name: string, address: string, ttl = 300): DnsRecord => ({ kind: "address", name: n(name), address: ip(address), ttl });
const cname = (name: string, target: string, ttl = 300): DnsRecord => ({ kind: "cname", name: n(name), target: n(target), ttl });

test("resolve: A and AAAA records of a name, sorted, with their TTL", () => {
  const s = new DnsSnapshot([a("api.stripe.com", "54.187.216.72", 60), a("api.stripe.com", "2600:1f14::1", 30), a("api.stripe.com", "54.187.174.169", 60)]);
  assert.deepEqual(s.resolve(n("API.stripe.com.")).map((r) => [formatIp(r.address), r.ttl]), [["54.187.174.169", 60], ["54.187.216.72", 60], ["2600:1f14::1", 30]]);
  assert.deepEqual([a("x.io", "1.2.3.4"), a("x.io", "::1"), cname("y.io", "x.io")].map(recordType), ["A", "AAAA", "CNAME"]);
});

test("issue: \"CNAME chains count ...: every name of the chain maps to the final addresses\"; the TTL is the chain's smallest", () => {
  const s = new DnsSnapshot([cname("www.example.com", "edge.cdn.net", 600), cname("edge.cdn.net", "e1.cdn.net", 20), a("e1.cdn.net", "198.51.100.7", 300)]);
  for (const start of ["www.example.com", "edge.cdn.net", "e1.cdn.net"]) assert.deepEqual(s.resolve(n(start)).map((r) => formatIp(r.address)), ["198.51.100.7"], start);
  const [r] = s.resolve(n("www.example.com"));
  assert.deepEqual(r?.chain, ["www.example.com", "edge.cdn.net", "e1.cdn.net"]);
  assert.equal(r?.ttl, 20);
  assert.equal(r?.records.length, 3);
  // The pattern matches the head of the chain (in both directions: a wildcard on the target matches too).
  assert.equal(s.admission(p("*.example.com"), ip("198.51.100.7"))?.name, "www.example.com");
  assert.equal(s.admission(p("*.cdn.net"), ip("198.51.100.7"))?.name, "edge.cdn.net");
  assert.equal(s.admission(p("example.com"), ip("198.51.100.7")), null, "the apex has no record");
});

test("resolve: a CNAME loop or a chain past MAX_CNAME_HOPS resolves to nothing past it, never hangs", () => {
  const loop = new DnsSnapshot([cname("a.x.io", "b.x.io"), cname("b.x.io", "a.x.io")]);
  assert.deepEqual(loop.resolve(n("a.x.io")), []);
  const long = Array.from({ length: MAX_CNAME_HOPS + 2 }, (_, i) => cname(`h${i}.x.io`, `h${i + 1}.x.io`));
  const s = new DnsSnapshot([...long, a(`h${MAX_CNAME_HOPS + 2}.x.io`, "192.0.2.1")]);
  assert.deepEqual(s.resolve(n("h0.x.io")), []);
  assert.equal(s.resolve(n("h2.x.io")).length, 1);
});

test("addresses and admission: a wildcard admits what every matching name resolves to, never the apex's", () => {
  const s = new DnsSnapshot([a("kubernetes.io", "192.0.2.1"), a("www.kubernetes.io", "192.0.2.2"), a("a.b.kubernetes.io", "192.0.2.3"), a("my-kubernetes.io", "192.0.2.4")]);
  assert.deepEqual(s.addresses(p("*.kubernetes.io")).map(formatIp), ["192.0.2.2", "192.0.2.3"]);
  assert.deepEqual(s.addresses(p("kubernetes.io")).map(formatIp), ["192.0.2.1"]);
  assert.equal(s.admission(p("*.kubernetes.io"), ip("192.0.2.1")), null);
  assert.equal(DnsSnapshot.EMPTY.addresses(p("*.kubernetes.io")).length, 0);
});

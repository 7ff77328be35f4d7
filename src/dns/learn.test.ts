/**
 * Learning from DNS answers, from the API text and issue 12: "A domain peer matches a destination IP
 * only if the source pod received that IP in a DNS answer for a matching name whose TTL has not
 * expired; CNAME chains count when returned in one response (every name of the chain maps to the
 * final addresses)"; "element timeouts (`max(TTL, min-TTL) + grace`, configurable)"; "more than 100
 * addresses per name, caps per pod/name and global with eviction counters".
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Ip, formatIp, parseIp } from "../net/ip.js";
import { type DnsName, dnsName, domainPattern } from "./names.js";
import { type DnsRecord, DnsSnapshot } from "./snapshot.js";
import { type LearningRule, LearnedState, elementTimeout, learnedPairs } from "./learn.js";

const ip = (text: string): Ip => parseIp(text) as Ip;
const n = (text: string): DnsName => dnsName(text) as DnsName;
const a = (name: string, address: string, ttl: number): DnsRecord => ({ kind: "address", name: n(name), address: ip(address), ttl });
const cname = (name: string, target: string, ttl: number): DnsRecord => ({ kind: "cname", name: n(name), target: n(target), ttl });
const rule = (id: string, patterns: readonly string[], sets: LearningRule["sets"] = { 4: `e_${id}_dns_v4`, 6: `e_${id}_dns_v6` }): LearningRule => ({
  id,
  patterns: patterns.map((p) => domainPattern(p) ?? assert.fail(p)),
  sets,
});
const T = { minTtl: 5, grace: 5 };
const POD = ip("10.244.1.5");
const brief = (pairs: ReturnType<typeof learnedPairs>) => pairs.map((p) => `${p.set} ${formatIp(p.pod)} . ${formatIp(p.destination)} ${p.name} ${p.timeout}s`);

test("element timeout is max(TTL, minTtl) + grace: a TTL of 0 still opens the address for the connection that follows", () => {
  assert.equal(elementTimeout(300, T), 305);
  assert.equal(elementTimeout(0, T), 10);
  assert.equal(elementTimeout(3, { minTtl: 0, grace: 0 }), 3);
});

test('"DomainName can be an exact match": an answer for api.stripe.com opens its addresses for the pod that received it, per family set', () => {
  const answer = new DnsSnapshot([a("api.stripe.com", "54.187.174.169", 60), a("api.stripe.com", "54.187.216.72", 30)]);
  assert.deepEqual(brief(learnedPairs(answer, POD, [rule("r1", ["api.stripe.com"])], T)), [
    "e_r1_dns_v4 10.244.1.5 . 54.187.174.169 api.stripe.com 65s",
    "e_r1_dns_v4 10.244.1.5 . 54.187.216.72 api.stripe.com 35s",
  ]);
  // Another name, or the apex of a wildcard: nothing.
  assert.deepEqual(learnedPairs(answer, POD, [rule("r1", ["stripe.com"]), rule("r2", ["*.api.stripe.com"])], T), []);
});

test('"\'*\' ... matches one or more entire labels": *.example.com opens a.example.com and a.b.example.com, never example.com itself', () => {
  const answer = new DnsSnapshot([a("a.example.com", "192.0.2.1", 60), a("a.b.example.com", "192.0.2.2", 60), a("example.com", "192.0.2.3", 60)]);
  assert.deepEqual(learnedPairs(answer, POD, [rule("w", ["*.example.com"])], T).map((p) => formatIp(p.destination)), ["192.0.2.1", "192.0.2.2"]);
});

test('"CNAME chains count when returned in one response (every name of the chain maps to the final addresses)": both directions, with the chain\'s smallest TTL', () => {
  // www.shop.example → CNAME shop.cdn.example (TTL 20) → A 203.0.113.7 (TTL 300)
  const answer = new DnsSnapshot([cname("www.shop.example", "shop.cdn.example", 20), a("shop.cdn.example", "203.0.113.7", 300)]);
  // The asked name is the rule's: the final address, TTL 20 (the chain's smallest).
  assert.deepEqual(brief(learnedPairs(answer, POD, [rule("asked", ["www.shop.example"])], T)), ["e_asked_dns_v4 10.244.1.5 . 203.0.113.7 www.shop.example 25s"]);
  // The CNAME's target is the rule's: matched along the chain, its own TTL.
  assert.deepEqual(brief(learnedPairs(answer, POD, [rule("target", ["*.cdn.example"])], T)), ["e_target_dns_v4 10.244.1.5 . 203.0.113.7 shop.cdn.example 305s"]);
});

test("an AAAA answer for an IPv4 pod has no set to go in (pod . destination of one family); an IPv6 pod learns it", () => {
  const answer = new DnsSnapshot([a("api.stripe.com", "2600:1f14::1", 60), a("api.stripe.com", "54.187.174.169", 60)]);
  assert.deepEqual(learnedPairs(answer, POD, [rule("r", ["api.stripe.com"])], T).map((p) => formatIp(p.destination)), ["54.187.174.169"]);
  assert.deepEqual(brief(learnedPairs(answer, ip("fd00::5"), [rule("r", ["api.stripe.com"])], T)), ["e_r_dns_v6 fd00::5 . 2600:1f14::1 api.stripe.com 65s"]);
  // A cluster without IPv6 has no v6 set.
  assert.deepEqual(learnedPairs(answer, ip("fd00::5"), [rule("r", ["api.stripe.com"], { 4: "e_r_dns_v4" })], T), []);
});

test("more than 100 addresses per name: every one learned", () => {
  const records = Array.from({ length: 150 }, (_, k) => a("many.example.com", `198.51.100.${k}`, 60));
  assert.equal(learnedPairs(new DnsSnapshot(records), POD, [rule("m", ["many.example.com"])], T).length, 150);
});

const pair = (dst: string, timeout: number, name = "api.stripe.com", pod = POD) => ({ set: "s", rule: "r", pod, destination: ip(dst), name: n(name), timeout });

test("the state: a new pair is written; the same answer again within the second is held (nothing written); a later expiry is written again; an expiry never moves earlier", () => {
  const s = new LearnedState();
  assert.equal(s.admit([pair("192.0.2.1", 30)], 0).writes.length, 1);
  const again = s.admit([pair("192.0.2.1", 30)], 500);
  assert.deepEqual([again.writes.length, again.held.length], [0, 1]);
  const later = s.admit([pair("192.0.2.1", 30)], 10_000);
  assert.deepEqual(later.writes.map((w) => [w.timeout, w.expiresAt]), [[30, 40_000]]);
  // A shorter TTL later: the kernel keeps the longer expiry (a re-add would shorten it), so nothing is written.
  const shorter = s.admit([pair("192.0.2.1", 5)], 11_000);
  assert.deepEqual([shorter.writes.length, shorter.held.map((h) => h.expiresAt)], [0, [40_000]]);
  assert.deepEqual(s.counters, { added: 1, refreshed: 1, expired: 0, evicted: { perName: 0, perPod: 0, total: 0 } });
});

test("expiry: elements past their timeout are forgotten and counted; an expired pair answered again is new", () => {
  const s = new LearnedState();
  s.admit([pair("192.0.2.1", 10), pair("192.0.2.2", 60)], 0);
  assert.equal(s.expire(10_000), 1);
  assert.equal(s.size, 1);
  assert.equal(s.counters.expired, 1);
  assert.equal(s.admit([pair("192.0.2.1", 10)], 11_000).writes.length, 1);
  assert.equal(s.counters.added, 3);
});

test("caps with eviction, soonest expiry first: per pod and name, per pod, in all; each counted", () => {
  const perName = new LearnedState({ perName: 2, perPod: 100, total: 1000 });
  perName.admit([pair("192.0.2.1", 10), pair("192.0.2.2", 60)], 0);
  const third = perName.admit([pair("192.0.2.3", 30)], 0);
  assert.deepEqual(third.evictions.map((e) => formatIp(e.destination)), ["192.0.2.1"]);
  assert.equal(perName.counters.evicted.perName, 1);
  // Another name of the same pod has its own room.
  assert.deepEqual(perName.admit([pair("192.0.2.9", 30, "other.example")], 0).evictions, []);

  const perPod = new LearnedState({ perName: 100, perPod: 2, total: 1000 });
  perPod.admit([pair("192.0.2.1", 60, "a.example"), pair("192.0.2.2", 10, "b.example")], 0);
  assert.deepEqual(perPod.admit([pair("192.0.2.3", 30, "c.example")], 0).evictions.map((e) => formatIp(e.destination)), ["192.0.2.2"]);
  // Another pod is not touched by this pod's cap.
  assert.deepEqual(perPod.admit([pair("192.0.2.3", 30, "c.example", ip("10.244.1.6"))], 0).evictions, []);
  assert.equal(perPod.counters.evicted.perPod, 1);

  const total = new LearnedState({ perName: 100, perPod: 100, total: 3 });
  total.admit([pair("192.0.2.1", 10, "a", ip("10.0.0.1")), pair("192.0.2.2", 20, "a", ip("10.0.0.2")), pair("192.0.2.3", 30, "a", ip("10.0.0.3"))], 0);
  const fourth = total.admit([pair("192.0.2.4", 30, "a", ip("10.0.0.4"))], 0);
  assert.deepEqual(fourth.evictions.map((e) => formatIp(e.destination)), ["192.0.2.1"]);
  assert.equal(total.size, 3);
  assert.equal(total.counters.evicted.total, 1);
});

test("restore (the kernel's elements after a restart), forget (a failed write) and dropSets (a rule gone)", () => {
  const s = new LearnedState();
  s.restore({ set: "s", pod: POD, destination: ip("192.0.2.1"), expiresAt: 50_000 });
  assert.deepEqual(s.admit([pair("192.0.2.1", 30)], 0).writes, [], "the kernel already holds it longer");
  const w = s.admit([pair("192.0.2.2", 30)], 0).writes;
  s.forget(w);
  assert.equal(s.size, 1);
  s.dropSets(new Set(["other"]));
  assert.equal(s.size, 0);
});

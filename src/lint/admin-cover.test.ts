/**
 * The cover proofs lint's admin rules rest on: each `true` must hold for every object, and the
 * near misses must stay `false` (a rule reports only what is proven).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { AdminEgressPeer, AdminProtocolMatch } from "../model/admin-policy.js";
import type { Location } from "../diag/location.js";
import type { LabelSelector } from "../model/selector.js";
import { type Cidr, parseCidr } from "../net/cidr.js";
import { peerCovers, protocolsCover, selectorCovers } from "./admin-cover.js";
import { domainPattern } from "../dns/names.js";

const AT: Location = { file: "case.yaml", line: 1, column: 1, document: 0, path: "" };
const sel = (labels: Record<string, string>): LabelSelector => ({ requirements: Object.entries(labels).map(([key, v]) => ({ key, operator: "In" as const, values: [v] })) });
const cidr = (text: string): Cidr => {
  const r = parseCidr(text);
  if (!r.ok) throw new Error(text);
  return r.cidr;
};
const networks = (...texts: string[]): AdminEgressPeer => ({ kind: "networks", networks: texts.map(cidr), at: AT });
const namespaces = (labels: Record<string, string>): AdminEgressPeer => ({ kind: "namespaces", namespaces: sel(labels), at: AT });
const pods = (ns: Record<string, string>, p: Record<string, string>): AdminEgressPeer => ({ kind: "pods", namespaces: sel(ns), pods: sel(p), at: AT });
const tcp = (start: number, end = start): AdminProtocolMatch => ({ kind: "protocol", protocol: "TCP", port: start === end ? { kind: "number", port: start } : { kind: "range", start, end }, at: AT });

test('selectorCovers: "An empty label selector matches all objects"; a selector asking a subset of the requirements selects more', () => {
  assert.equal(selectorCovers(sel({}), sel({ env: "prod" })), true);
  assert.equal(selectorCovers(sel({ env: "prod" }), sel({ env: "prod", team: "a" })), true);
  assert.equal(selectorCovers(sel({ env: "prod", team: "a" }), sel({ env: "prod" })), false, "asks more: selects fewer");
  assert.equal(selectorCovers(sel({ env: "prod" }), sel({ env: "dev" })), false);
});

const PEERS: readonly { name: string; q: AdminEgressPeer; p: AdminEgressPeer; covers: boolean }[] = [
  { name: "networks inside networks", q: networks("10.0.0.0/8"), p: networks("10.1.0.0/16"), covers: true },
  { name: "near miss: networks overlapping only", q: networks("10.1.0.0/16"), p: networks("10.0.0.0/8"), covers: false },
  { name: "every IPv4 and IPv6 address covers pods", q: networks("0.0.0.0/0", "::/0"), p: pods({}, { app: "web" }), covers: true },
  { name: "near miss: 0.0.0.0/0 alone does not cover pods (an IPv6 pod)", q: networks("0.0.0.0/0"), p: pods({}, { app: "web" }), covers: false },
  { name: "namespaces: {} covers a pods peer", q: namespaces({}), p: pods({ env: "dev" }, { app: "web" }), covers: true },
  { name: "near miss: a pods peer of app=web does not cover namespaces env=dev (every pod there)", q: pods({ env: "dev" }, { app: "web" }), p: namespaces({ env: "dev" }), covers: false },
  { name: "near miss: pods peers do not cover networks", q: namespaces({}), p: networks("10.0.0.0/8"), covers: false },
  {
    name: '"*.kubernetes.io" matches subdomains of kubernetes.io: covers blog.kubernetes.io',
    q: { kind: "domainNames", domainNames: [{ text: "*.kubernetes.io", pattern: domainPattern("*.kubernetes.io"), at: AT }], at: AT },
    p: { kind: "domainNames", domainNames: [{ text: "blog.kubernetes.io", pattern: domainPattern("blog.kubernetes.io"), at: AT }], at: AT },
    covers: true,
  },
  {
    name: 'near miss: "*.kubernetes.io" does not match kubernetes.io itself',
    q: { kind: "domainNames", domainNames: [{ text: "*.kubernetes.io", pattern: domainPattern("*.kubernetes.io"), at: AT }], at: AT },
    p: { kind: "domainNames", domainNames: [{ text: "kubernetes.io", pattern: domainPattern("kubernetes.io"), at: AT }], at: AT },
    covers: false,
  },
];

for (const c of PEERS) {
  test(`peerCovers: ${c.name}`, () => assert.equal(peerCovers(c.q, c.p), c.covers));
}

test('protocolsCover: no protocols ("protocol-specific attributes will not be used to match traffic") cover all; a range holds a port or a range inside it', () => {
  assert.equal(protocolsCover("all", tcp(443)), true);
  assert.equal(protocolsCover([tcp(1, 1024)], tcp(443)), true);
  assert.equal(protocolsCover([tcp(1, 1024)], tcp(1000, 1024)), true);
  assert.equal(protocolsCover([tcp(1, 1024)], tcp(1000, 2000)), false);
  assert.equal(protocolsCover([tcp(443)], "all"), false);
  assert.equal(protocolsCover([{ kind: "protocol", protocol: "UDP", port: { kind: "number", port: 443 }, at: AT }], tcp(443)), false);
});

/** The pair analysis unites what separate rules allow before judging a pair. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Cluster, Endpoint, Policy, Rule } from "../model/cluster.js";
import { Engine } from "../engine/engine.js";
import { AddressSet } from "../net/address-set.js";
import { parseCidr } from "../net/cidr.js";
import { parseIp } from "../net/ip.js";
import { referenceCheck } from "../reference/reference.js";
import { verdictFor } from "./matrix.js";
import { pairConns } from "./reach.js";

const at = { file: "t.yaml", line: 1, column: 1, document: 0, path: "" };
const cidr = (text: string) => {
  const r = parseCidr(text);
  assert.ok(r.ok);
  return r.cidr;
};
const ip = (text: string) => {
  const r = parseIp(text);
  assert.ok(r);
  return r;
};
const endpoint = (name: string, ips: string[]): Endpoint => ({
  id: `a/${name}`, namespace: "a", name, kind: "Pod", labels: new Map([["app", name]]), ips: ips.map(ip), hostNetwork: false, ports: [], pods: [name], at,
});
const toBlock = (index: number, block: string): Rule => ({ index, peers: [{ kind: "ipBlock", cidr: cidr(block), except: [], at }], ports: "all", at });

test("the egress traffic allowed is the union of what all rules allow: an IPv4 rule and an IPv6 rule together admit a dual-stack pod", () => {
  const client = endpoint("client", ["10.244.0.9"]);
  const server = endpoint("server", ["10.244.0.1", "fd00::1"]);
  const policy: Policy = {
    id: "a/client-egress", namespace: "a", name: "client-egress", podSelector: { requirements: [{ key: "app", operator: "In", values: ["client"] }] }, podSelectorAt: at,
    affects: { ingress: false, egress: true }, policyTypesDeclared: true, egressWritten: true, ingress: [], egress: [toBlock(0, "10.244.0.1/32"), toBlock(1, "fd00::1/128")],
    annotations: new Map(), at,
  };
  const cluster: Cluster = { namespaces: new Map(), endpoints: [client, server], services: [], policies: [policy] };
  const options = { podNetwork: AddressSet.fromCidr(cidr("10.244.0.0/16")), ipBlockMatchesPods: true };
  const conns = pairConns(Engine.compile(cluster, options), { kind: "endpoint", endpoint: client }, { kind: "endpoint", endpoint: server });
  assert.equal(verdictFor(conns, "TCP", 443), "allowed");
  // Each rule alone admits only part of the server's addresses: that is the path under test.
  assert.equal(referenceCheck({ ...cluster, policies: [{ ...policy, egress: [toBlock(0, "10.244.0.1/32")] }] }, options, { from: { kind: "endpoint", endpoint: client }, to: { kind: "endpoint", endpoint: server }, port: 443, protocol: "TCP" }).verdict, "depends");
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { decodeYaml } from "../k8s/testing.js";
import { AddressSet } from "../net/address-set.js";
import { parseCidr } from "../net/cidr.js";
import { type PodNetworkFrom, choosePodNetwork } from "./pod-network.js";

const set = (...texts: string[]): AddressSet =>
  AddressSet.fromCidrs(texts.map((t) => {
    const r = parseCidr(t);
    if (!r.ok) throw new Error(t);
    return r.cidr;
  }));
const NODES = "apiVersion: v1\nkind: Node\nmetadata: {name: a}\nspec: {podCIDR: 10.1.0.0/24, podCIDRs: [10.1.0.0/24, 'fd00:1::/64']}\n---\napiVersion: v1\nkind: Node\nmetadata: {name: b}\nspec: {podCIDR: 10.1.1.0/24}\n";
const NO_RANGES = "apiVersion: v1\nkind: Node\nmetadata: {name: a}\nspec: {}\n";

const CASES: readonly [string, string, PodNetworkFrom, string, PodNetworkFrom][] = [
  ["Nodes with pod ranges replace the default", NODES, "default", "10.1.0.0/23,fd00:1::/64", "nodes"],
  ["an explicit --pod-cidr wins over the Nodes", NODES, "flag", "10.9.0.0/16", "flag"],
  ["Nodes without pod ranges leave the default", NO_RANGES, "default", "10.9.0.0/16", "default"],
  ["no Nodes leave the default", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n", "default", "10.9.0.0/16", "default"],
];

for (const [name, yaml, givenFrom, expected, from] of CASES) {
  test(`pod network: ${name}`, () => {
    const decoded = decodeYaml(yaml);
    assert.deepEqual(decoded.diagnostics, []);
    const chosen = choosePodNetwork({ podNetwork: set("10.9.0.0/16"), from: givenFrom }, decoded.value);
    assert.equal(chosen.from, from);
    assert.equal(chosen.podNetwork.toString(), expected);
  });
}

import { test } from "node:test";
import assert from "node:assert/strict";
import { formatCidr } from "../net/cidr.js";
import { formatIp } from "../net/ip.js";
import { decodeYaml, summary } from "./testing.js";

const node = (spec: string): string => `apiVersion: v1\nkind: Node\nmetadata: {name: worker-1}\nspec: ${spec}\n`;

const CASES: readonly [string, string, string[] | null, string[]][] = [
  ["spec.podCIDRs, both families", node("{podCIDR: 10.244.1.0/24, podCIDRs: [10.244.1.0/24, 'fd00:10:244:1::/64']}"), ["10.244.1.0/24", "fd00:10:244:1::/64"], []],
  ["spec.podCIDR alone", node("{podCIDR: 10.244.2.0/24}"), ["10.244.2.0/24"], []],
  ["no pod range", node("{providerID: x}"), [], []],
  ["an invalid range is an error at its field path; the Node is left out", node("{podCIDRs: [10.244.1.0/24, 10.244.300.0/24]}"), null, ["error invalid-cidr spec.podCIDRs[1]"]],
  ["a range that is not text is an error", node("{podCIDR: 7}"), null, ["error wrong-type spec.podCIDR"]],
];

for (const [name, yaml, cidrs, problems] of CASES) {
  test(`Node: ${name}`, () => {
    const decoded = decodeYaml(yaml);
    assert.deepEqual(summary(decoded.diagnostics), problems);
    assert.deepEqual(decoded.value.nodes?.map((n) => n.podCidrs.map(formatCidr)), cidrs === null ? undefined : [cidrs]);
  });
}

test("Node: decoded, not skipped, and no namespace reference", () => {
  const decoded = decodeYaml(node("{podCIDR: 10.244.2.0/24}"));
  assert.deepEqual(decoded.skipped, []);
  assert.deepEqual([...decoded.value.namespaces.keys()], []);
  assert.equal(decoded.value.nodes?.[0]?.name, "worker-1");
});

/** A Node as `kubectl get node -o yaml` prints it (kind, a cloud node): labels and status.addresses. */
const KIND_NODE = `apiVersion: v1
kind: Node
metadata:
  name: kind-worker
  labels: {kubernetes.io/hostname: kind-worker, node-role.kubernetes.io/worker: ""}
spec: {podCIDR: 10.244.1.0/24, podCIDRs: [10.244.1.0/24]}
status:
  addresses:
  - {type: InternalIP, address: 172.18.0.3}
  - {type: InternalIP, address: "fc00:f853:ccd:e793::3"}
  - {type: Hostname, address: kind-worker}
`;

test('Node (kind): labels, and the IPs of status.addresses ("selects the nodeIPs ... present in the node.Status.Addresses field"); the Hostname name is no IP and is not kept; podCIDRs still read', () => {
  const decoded = decodeYaml(KIND_NODE);
  assert.deepEqual(summary(decoded.diagnostics), []);
  const n = decoded.value.nodes?.[0];
  assert.deepEqual([...(n?.labels ?? [])], [["kubernetes.io/hostname", "kind-worker"], ["node-role.kubernetes.io/worker", ""]]);
  assert.deepEqual(n?.addresses.map((a) => [a.type, formatIp(a.ip), a.at.path]), [["InternalIP", "172.18.0.3", "status.addresses[0]"], ["InternalIP", "fc00:f853:ccd:e793::3", "status.addresses[1]"]]);
  assert.deepEqual(n?.podCidrs.map(formatCidr), ["10.244.1.0/24"]);
});

test("Node: a Hostname that is an IP (as some clouds set it) counts as an address of the node", () => {
  const n = decodeYaml(node("{}") + "status: {addresses: [{type: Hostname, address: 10.0.0.7}]}\n").value.nodes?.[0];
  assert.deepEqual(n?.addresses.map((a) => formatIp(a.ip)), ["10.0.0.7"]);
});

test("Node: an InternalIP that is no IP is an error at its field path; the Node is left out", () => {
  const decoded = decodeYaml(node("{}") + "status: {addresses: [{type: InternalIP, address: worker-1.local}]}\n");
  assert.deepEqual(summary(decoded.diagnostics), ["error invalid-ip status.addresses[0].address"]);
  assert.equal(decoded.value.nodes, undefined);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { type Cidr, parseCidr } from "../net/cidr.js";
import { type Ip, parseIp } from "../net/ip.js";
import { planLab, validateSpec } from "./plan.js";
import type { LabSpec } from "./types.js";

function ip(text: string): Ip {
  const parsed = parseIp(text);
  assert.ok(parsed, text);
  return parsed;
}

const SPEC: LabSpec = {
  pods: [
    { id: "a/v4", ips: [ip("10.0.0.1")], ports: [{ port: 80, protocol: "TCP" }] },
    { id: "b/dual", ips: [ip("10.0.0.2"), ip("fd00::2")], ports: [] },
  ],
  internet: { ports: [{ port: 443, protocol: "TCP" }] },
};

function plan(spec: LabSpec = SPEC) {
  const r = planLab(spec, "pc-abc123", "portcullis-lab:owner=1:since=2");
  assert.ok(r.ok);
  return r.plan;
}

test("namespaces are <prefix>-<n>: node 0, internet 1, pods from 2", () => {
  const p = plan();
  assert.deepEqual(p.namespaces, ["pc-abc123-0", "pc-abc123-1", "pc-abc123-2", "pc-abc123-3"]);
  assert.deepEqual(
    p.pods.map((x) => [x.id, x.ns, x.nodeIf]),
    [
      ["a/v4", "pc-abc123-2", "pod0"],
      ["b/dual", "pc-abc123-3", "pod1"],
    ],
  );
});

test("only the node forwards, only the internet binds addresses it does not have", () => {
  const p = plan();
  const has = (ns: string, kv: string): boolean => p.sysctls.get(ns)?.includes(kv) ?? false;
  assert.ok(has(p.nodeNs, "net.ipv4.ip_forward=1") && has(p.nodeNs, "net.ipv6.conf.all.forwarding=1"));
  assert.ok(!has("pc-abc123-2", "net.ipv4.ip_forward=1"));
  assert.ok(has(p.internetNs, "net.ipv6.ip_nonlocal_bind=1"));
  assert.ok([...p.sysctls.values()].every((kv) => kv.includes("net.ipv6.conf.default.accept_dad=0")));
});

test("every veth is created from the node straight into its peer namespace", () => {
  const adds = plan().nodeBatch.lines.filter((l) => l.startsWith("link add"));
  assert.deepEqual(adds, [
    "link add internet type veth peer name eth0 netns pc-abc123-1",
    "link add pod0 type veth peer name eth0 netns pc-abc123-2",
    "link add pod1 type veth peer name eth0 netns pc-abc123-3",
  ]);
});

test("the node brings its links up before it adds fe80::1 to each (the kernel refuses the other order)", () => {
  const lines = plan().nodeBatch.lines;
  const lastUp = Math.max(...lines.flatMap((l, i) => (/^link set pod\d+ up$/.test(l) ? [i] : [])));
  const firstGw6 = lines.findIndex((l) => l.startsWith("addr add fe80::1/64"));
  assert.ok(lastUp < firstGw6);
});

test("the node routes each pod address to the pod's veth and everything else to the internet", () => {
  const lines = plan().nodeBatch.lines;
  for (const l of ["route add 10.0.0.1/32 dev pod0", "route add 10.0.0.2/32 dev pod1", "route add fd00::2/128 dev pod1"]) assert.ok(lines.includes(l), l);
  assert.ok(lines.includes("route add default via 169.254.2.2 dev internet onlink"));
  assert.ok(lines.includes("route add ::/0 via fe80::2 dev internet"));
});

test("a pod gets a default route only for the families it has", () => {
  const [v4, dual] = plan().batches.slice(1);
  assert.deepEqual(
    v4?.lines.filter((l) => l.startsWith("route")),
    ["route add default via 169.254.1.1 dev eth0 onlink"],
  );
  assert.deepEqual(
    dual?.lines.filter((l) => l.startsWith("route")),
    ["route add default via 169.254.1.1 dev eth0 onlink", "route add ::/0 via fe80::1 dev eth0"],
  );
});

test("the internet owns every address, with pod routes more specific in the same table", () => {
  const p = plan();
  const internet = p.batches[0]?.lines ?? [];
  assert.ok(internet.includes("route add local 0.0.0.0/0 dev lo table local"));
  assert.ok(internet.includes("route add 10.0.0.1/32 via 169.254.1.1 dev eth0 table local src 198.51.100.1"));
  assert.ok(internet.includes("route add local ::/0 dev lo table 100"));
  assert.deepEqual(p.extra, [["-n", "pc-abc123-1", "-6", "rule", "add", "pref", "40000", "lookup", "100"]]);
});

test("the owner marker goes on the node's lo", () => {
  assert.equal(plan().nodeBatch.lines[0], "link set dev lo alias portcullis-lab:owner=1:since=2");
});

test("an invalid spec lists every problem with its path", () => {
  const bad: LabSpec = {
    pods: [
      { id: "a/x", ips: [ip("10.0.0.1")], ports: [{ port: 0, protocol: "TCP" }] },
      { id: "a/x", ips: [ip("10.0.0.1"), ip("fe80::5"), ip("169.254.2.2")], ports: [] },
      { id: "no-slash", ips: [], ports: [], dns: { names: { "x.local": ["not-an-ip"] } } },
    ],
    internet: { ports: [{ port: 70000, protocol: "UDP" }] },
  };
  assert.deepEqual(validateSpec(bad), [
    "pods[0].ports[0].port: 0 is not 1-65535",
    'pods[1].id: "a/x" appears twice',
    "pods[1].ips[0]: 10.0.0.1 is also a/x's",
    "pods[1].ips[1]: fe80::5 is link-local",
    "pods[1].ips[2]: 169.254.2.2 is used by the lab's routing",
    'pods[2].id: "no-slash" is not namespace/name',
    "pods[2].ips: a lab pod needs an address",
    'pods[2].dns.names["x.local"][0]: "not-an-ip" is not an IP address',
    "internet.ports[0].port: 70000 is not 1-65535",
  ]);
  assert.equal(planLab(bad, "pc-abc123", "m").ok, false);
});

// The bridge topology, as Flannel's and the CNI bridge plugin's nodes are wired (cni0 holding the pod CIDR's gateway).
const BRIDGED: LabSpec = {
  ...SPEC,
  pods: [
    { id: "a/v4", ips: [ip("10.0.0.10")], ports: [] },
    { id: "b/dual", ips: [ip("10.0.0.20"), ip("fd00::20")], ports: [] },
    { id: "c/outside", ips: [ip("192.168.7.7")], ports: [] },
  ],
  topology: { kind: "bridge", podCidrs: [cidr("10.0.0.0/16"), cidr("fd00::/64")] },
};

function cidr(text: string): Cidr {
  const r = parseCidr(text);
  assert.ok(r.ok, text);
  return r.cidr;
}

test("bridge: every pod veth is a port of cni0, which holds each pod CIDR's gateway and fe80::1; br_netfilter is on in the node", () => {
  const p = plan(BRIDGED);
  const lines = p.nodeBatch.lines;
  assert.ok(lines.includes("link add cni0 type bridge"));
  assert.deepEqual(lines.filter((l) => l.includes(" master ")), ["link set pod0 master cni0", "link set pod1 master cni0", "link set pod2 master cni0"]);
  for (const l of ["addr add 10.0.0.1/16 dev cni0", "addr add fd00::1/64 dev cni0 nodad", "addr add fe80::1/64 dev cni0 nodad"]) assert.ok(lines.includes(l), l);
  assert.ok(!lines.some((l) => / dev pod\d/.test(l)), "no address or route on a bridge port");
  // The pod CIDRs are connected routes of cni0; only an address outside them needs a route.
  assert.deepEqual(lines.filter((l) => l.startsWith("route add") && l.includes("cni0")), ["route add 192.168.7.7/32 dev cni0"]);
  assert.ok(p.sysctls.get(p.nodeNs)?.includes("net.bridge.bridge-nf-call-iptables=1"));
  assert.ok(p.sysctls.get(p.nodeNs)?.includes("net.bridge.bridge-nf-call-ip6tables=1"));
  assert.ok(!plan().sysctls.get(plan().nodeNs)?.some((kv) => kv.startsWith("net.bridge.")), "routed labs leave br_netfilter alone");
});

test("bridge: a pod's address takes its pod CIDR's prefix (peers in it are on-link, bridged); the rest on-link too; default via the CIDR's gateway", () => {
  const [, v4, dual, outside] = plan(BRIDGED).batches;
  assert.deepEqual(v4?.lines.slice(2), ["addr add 10.0.0.10/16 dev eth0", "route add 192.168.7.7/32 dev eth0", "route add default via 10.0.0.1 dev eth0 onlink"]);
  assert.deepEqual(dual?.lines.slice(2), [
    "addr add 10.0.0.20/16 dev eth0",
    "addr add fd00::20/64 dev eth0 nodad",
    "route add 192.168.7.7/32 dev eth0",
    "route add default via 10.0.0.1 dev eth0 onlink",
    "route add ::/0 via fd00::1 dev eth0 onlink",
  ]);
  assert.deepEqual(outside?.lines.slice(2), [
    "addr add 192.168.7.7/32 dev eth0",
    "route add 10.0.0.0/16 dev eth0",
    "route add default via 10.0.0.1 dev eth0 onlink",
  ]);
});

test("bridge: the gateway is the lab's, not a pod's; a pod CIDR too small for one is refused", () => {
  const bad: LabSpec = { ...SPEC, topology: { kind: "bridge", podCidrs: [cidr("10.0.0.0/16"), cidr("10.9.9.9/32")] } };
  assert.deepEqual(validateSpec(bad), [
    "topology.podCidrs[1]: 10.9.9.9/32 leaves no address for the bridge's gateway and pods",
    "pods[0].ips[0]: 10.0.0.1 is the bridge's gateway in 10.0.0.0/16",
  ]);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { AddressSet } from "../net/address-set.js";
import { parseCidr } from "../net/cidr.js";
import { type Ip, formatIp, parseIp } from "../net/ip.js";
import type { Cluster, Endpoint, Service } from "./cluster.js";
import { DEFAULT_METADATA, assumedDnsPod, findClusterDns, internetAddresses, metadataAddresses, podFamilies } from "./well-known.js";

const ip = (text: string): Ip => {
  const parsed = parseIp(text);
  if (parsed === undefined) throw new Error(`bad ip ${text}`);
  return parsed;
};
const cidr = (text: string): AddressSet => {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`bad cidr ${text}`);
  return AddressSet.fromCidr(parsed.cidr);
};
const AT = { file: "t.yaml", line: 1, column: 1, document: 0, path: "" };

function pod(namespace: string, name: string, labels: Record<string, string>, ips: string[] = []): Endpoint {
  return { id: `${namespace}/${name}`, namespace, name, kind: "Pod", labels: new Map(Object.entries(labels)), ips: ips.map(ip), hostNetwork: false, ports: [], pods: [name], at: AT };
}

function cluster(endpoints: Endpoint[], services: Service[] = []): Cluster {
  return { namespaces: new Map(), endpoints, services, policies: [] };
}

test("the metadata addresses are AWS/GCP/Azure/OpenStack, AWS IPv6 and Alibaba", () => {
  assert.deepEqual(DEFAULT_METADATA.map(formatIp), ["169.254.169.254", "fd00:ec2::254", "100.100.100.200"]);
});

test("--metadata adds to the default metadata addresses, after them, without repeats", () => {
  const all = metadataAddresses([ip("169.254.170.2"), ip("169.254.169.254")]);
  assert.deepEqual(all.map(formatIp), ["169.254.169.254", "fd00:ec2::254", "100.100.100.200", "169.254.170.2"]);
});

const V4 = new Set([4] as const);
const V6 = new Set([6] as const);

const INTERNET_CASES: readonly { address: string; internet: boolean; why: string }[] = [
  { address: "8.8.8.8", internet: true, why: "public unicast" },
  { address: "203.0.113.7", internet: true, why: "documentation, standing for a public address" },
  { address: "0.1.2.3", internet: false, why: "this network" },
  { address: "10.1.2.3", internet: false, why: "RFC 1918" },
  { address: "100.64.0.1", internet: false, why: "carrier-grade NAT" },
  { address: "100.100.100.200", internet: false, why: "inside CGNAT: Alibaba metadata" },
  { address: "127.0.0.1", internet: false, why: "loopback" },
  { address: "169.254.169.254", internet: false, why: "link-local" },
  { address: "172.31.255.255", internet: false, why: "RFC 1918" },
  { address: "172.32.0.0", internet: true, why: "just past 172.16/12" },
  { address: "192.0.0.8", internet: false, why: "IETF protocol assignments" },
  { address: "192.168.1.1", internet: false, why: "RFC 1918" },
  { address: "198.18.0.1", internet: false, why: "benchmarking" },
  { address: "224.0.0.251", internet: false, why: "multicast" },
  { address: "255.255.255.255", internet: false, why: "limited broadcast" },
  { address: "2606:4700::1111", internet: true, why: "global unicast" },
  { address: "64:ff9b::808:808", internet: true, why: "NAT64 well-known prefix" },
  { address: "2001::1", internet: false, why: "Teredo, IETF protocol assignments" },
  { address: "::1", internet: false, why: "loopback" },
  { address: "fd00:ec2::254", internet: false, why: "unique local: AWS metadata" },
  { address: "fe80::1", internet: false, why: "link-local" },
  { address: "ff02::1", internet: false, why: "multicast" },
];

for (const c of INTERNET_CASES) {
  test(`${c.address} is ${c.internet ? "" : "not "}the internet (${c.why})`, () => {
    const address = ip(c.address);
    assert.equal(internetAddresses(new Set([address.family])).has(address), c.internet);
  });
}

test("the internet holds only the families asked for", () => {
  assert.ok(internetAddresses(V4).v6.isEmpty());
  assert.ok(internetAddresses(V6).v4.isEmpty());
  assert.ok(internetAddresses(new Set()).isEmpty());
});

test("the pod families are those of the pod network and of the known pod IPs", () => {
  assert.deepEqual([...podFamilies(cidr("10.244.0.0/16"), [])], [4]);
  assert.deepEqual([...podFamilies(cidr("10.244.0.0/16"), [pod("a", "b", {}, ["fd00::5"])])].sort(), [4, 6]);
});

const coredns = pod("kube-system", "coredns-1", { "k8s-app": "kube-dns" });
const impostor = pod("prod", "fake-dns", { "k8s-app": "kube-dns" });
const custom = pod("kube-system", "custom-dns", { app: "dns" });
const service = (selector: Record<string, string> | null): Service => ({
  namespace: "kube-system",
  name: "kube-dns",
  selector: selector === null ? null : new Map(Object.entries(selector)),
  ports: [],
  clusterIps: [],
  type: "ClusterIP",
  headless: false,
  externalName: null,
  at: AT,
});

const DNS_CASES: readonly { name: string; cluster: Cluster; ips?: Ip[]; pods: string[] | null; assumed: boolean }[] = [
  { name: "the pods labelled k8s-app=kube-dns in kube-system, not elsewhere", cluster: cluster([coredns, impostor]), pods: ["kube-system/coredns-1"], assumed: false },
  { name: "the pods the Service kube-system/kube-dns selects, before the label", cluster: cluster([coredns, custom], [service({ app: "dns" })]), pods: ["kube-system/custom-dns"], assumed: false },
  { name: "a kube-dns Service without selector falls back to the label", cluster: cluster([coredns], [service(null)]), pods: ["kube-system/coredns-1"], assumed: false },
  { name: "no DNS pod in the input: one is assumed", cluster: cluster([impostor]), pods: [], assumed: true },
  { name: "--dns addresses replace the pods (NodeLocal DNSCache)", cluster: cluster([coredns]), ips: [ip("169.254.20.10")], pods: null, assumed: false },
];

for (const c of DNS_CASES) {
  test(`cluster DNS: ${c.name}`, () => {
    const dns = findClusterDns(c.cluster, c.ips === undefined ? {} : { ips: c.ips });
    assert.deepEqual(dns.pods?.found.map((e) => e.id) ?? null, c.pods);
    assert.deepEqual(dns.addresses.map(formatIp), (c.ips ?? []).map(formatIp));
    const assumed = assumedDnsPod(dns, AT);
    assert.equal(assumed !== null, c.assumed);
    if (assumed !== null) assert.deepEqual([assumed.id, [...assumed.labels]], ["kube-system/kube-dns", [["k8s-app", "kube-dns"]]]);
  });
}

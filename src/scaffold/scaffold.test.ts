import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { Engine } from "../engine/engine.js";
import type { Target } from "../engine/types.js";
import { loadCluster } from "../k8s/load.js";
import { parseDocuments } from "../k8s/parse.js";
import type { Protocol } from "../model/ports.js";
import { AddressSet } from "../net/address-set.js";
import { parseIp } from "../net/ip.js";
import { defaultOptions } from "../diff/testkit.js";
import { formatCidr } from "../net/cidr.js";
import { parseAllowSpec } from "./spec.js";
import { scaffoldCodes, scaffoldMessages as m } from "./messages.js";
import { type ScaffoldOptions, scaffold } from "./scaffold.js";

const TESTDATA = new URL("../../../src/scaffold/testdata/", import.meta.url);

function golden(name: string, actual: string): string {
  const file = new URL(name, TESTDATA);
  if (process.env["UPDATE_GOLDEN"] === "1") writeFileSync(file, actual);
  return readFileSync(file, "utf8");
}

const BASE: ScaffoldOptions = { namespace: "shop", allowDns: true, blockMetadata: true, allowTo: [] };

function yamlOf(options: Partial<ScaffoldOptions>): string {
  const r = scaffold({ ...BASE, ...options });
  assert.ok(r.ok, r.ok ? "" : JSON.stringify(r.errors));
  return r.value;
}

/** The pods the policies are tried against: one in shop, cluster DNS, a database and bystanders. */
const PODS = `
apiVersion: v1
kind: Pod
metadata: {name: app, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: x}]}
status: {podIP: 10.244.1.10}
---
apiVersion: v1
kind: Pod
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec: {containers: [{name: c, image: x}]}
status: {podIP: 10.244.2.53}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: kube-system, labels: {k8s-app: metrics}}
spec: {containers: [{name: c, image: x}]}
status: {podIP: 10.244.2.54}
---
apiVersion: v1
kind: Pod
metadata: {name: postgres, namespace: db, labels: {app: postgres}}
spec: {containers: [{name: c, image: x}]}
status: {podIP: 10.244.3.5}
---
apiVersion: v1
kind: Pod
metadata: {name: redis, namespace: db, labels: {app: redis}}
spec: {containers: [{name: c, image: x}]}
status: {podIP: 10.244.3.6}
`;

function engineFor(yaml: string): Engine {
  const loaded = loadCluster([
    { file: "scaffold.yaml", text: yaml },
    { file: "pods.yaml", text: PODS },
  ]);
  assert.deepEqual(loaded.diagnostics, []);
  return Engine.compile(loaded.value, defaultOptions());
}

function verdict(engine: Engine, to: string, port: number, protocol: Protocol = "TCP"): string {
  const endpoint = (id: string) => engine.cluster.endpoints.find((e) => e.id === id);
  const from = endpoint("shop/app");
  assert.ok(from);
  const ip = parseIp(to);
  const dst = endpoint(to);
  const target: Target = ip !== undefined ? { kind: "external", addresses: AddressSet.fromIp(ip) } : dst !== undefined ? { kind: "endpoint", endpoint: dst } : assert.fail(to);
  return engine.check({ from: { kind: "endpoint", endpoint: from }, to: target, port, protocol }).verdict;
}

const ALLOWANCES = ["0.0.0.0/0:443", "db/app=postgres:5432/TCP", "203.0.113.0/24:8000-8080/tcp"];

test("scaffold output matches its golden", () => {
  const actual = yamlOf({ allowTo: ALLOWANCES });
  assert.equal(actual, golden("shop.yaml", actual));
});

test("the output parses and decodes with no diagnostic at all", () => {
  for (const options of [{}, { allowDns: false, blockMetadata: false }, { allowTo: ALLOWANCES }, { allowTo: ["::/0", "monitoring/*"] }]) {
    const text = yamlOf(options);
    const parsed = parseDocuments({ file: "scaffold.yaml", text });
    assert.deepEqual(parsed.diagnostics, []);
    assert.deepEqual(loadCluster([{ file: "scaffold.yaml", text }]).diagnostics, []);
  }
});

test("the same options give the same text", () => {
  assert.equal(yamlOf({ allowTo: ALLOWANCES }), yamlOf({ allowTo: ALLOWANCES }));
});

test("DNS to the kube-dns pods is allowed on UDP and TCP 53, and on nothing else", () => {
  const engine = engineFor(yamlOf({}));
  assert.equal(verdict(engine, "kube-system/coredns", 53, "UDP"), "allowed");
  assert.equal(verdict(engine, "kube-system/coredns", 53, "TCP"), "allowed");
  assert.equal(verdict(engine, "kube-system/coredns", 9153), "denied");
  // One peer with both selectors: other kube-system pods are not DNS.
  assert.equal(verdict(engine, "kube-system/other", 53, "UDP"), "denied");
});

test("--dns: DNS is allowed to those addresses (NodeLocal DNSCache) on UDP and TCP 53, instead of the kube-dns pods", () => {
  const engine = engineFor(yamlOf({ dns: [parseIp("169.254.20.10")!] }));
  assert.equal(verdict(engine, "169.254.20.10", 53, "UDP"), "allowed");
  assert.equal(verdict(engine, "169.254.20.10", 53, "TCP"), "allowed");
  assert.equal(verdict(engine, "169.254.20.10", 80), "denied");
  assert.equal(verdict(engine, "kube-system/coredns", 53, "UDP"), "denied");
});

test("--dns without --allow-dns is refused: it says where DNS is, not to allow it", () => {
  const r = scaffold({ ...BASE, allowDns: false, dns: [parseIp("169.254.20.10")!] });
  assert.deepEqual(r.ok ? [] : r.errors, [{ code: scaffoldCodes.dnsWithoutAllow, message: m.dnsWithoutAllow(), field: "dns" }]);
});

test("--metadata adds an address that --block-metadata excepts", () => {
  const text = yamlOf({ allowTo: ["0.0.0.0/0:443"], metadata: [parseIp("169.254.170.2")!] });
  const engine = engineFor(text);
  assert.equal(verdict(engine, "169.254.170.2", 443), "denied");
  assert.equal(verdict(engine, "169.254.169.254", 443), "denied");
  assert.equal(verdict(engine, "169.254.170.3", 443), "allowed");
});

test("without --allow-dns, DNS is denied like everything else", () => {
  const engine = engineFor(yamlOf({ allowDns: false }));
  assert.equal(verdict(engine, "kube-system/coredns", 53, "UDP"), "denied");
});

test("the allowances are allowed and everything else is denied", () => {
  const engine = engineFor(yamlOf({ allowTo: ALLOWANCES }));
  assert.equal(verdict(engine, "1.1.1.1", 443), "allowed");
  assert.equal(verdict(engine, "1.1.1.1", 80), "denied");
  assert.equal(verdict(engine, "db/postgres", 5432), "allowed");
  assert.equal(verdict(engine, "db/postgres", 5433), "denied");
  assert.equal(verdict(engine, "db/redis", 6379), "denied");
  assert.equal(verdict(engine, "203.0.113.9", 8000), "allowed");
  assert.equal(verdict(engine, "203.0.113.9", 8080), "allowed");
  assert.equal(verdict(engine, "203.0.113.9", 8081), "denied");
  assert.equal(verdict(engine, "8.8.8.8", 53, "UDP"), "denied");
});

test("with --block-metadata, 0.0.0.0/0 on 443 excepts the metadata address and says why", () => {
  const text = yamlOf({ allowTo: ["0.0.0.0/0:443"] });
  const engine = engineFor(text);
  assert.equal(verdict(engine, "169.254.169.254", 443), "denied");
  assert.equal(verdict(engine, "169.254.169.254", 80), "denied");
  assert.equal(verdict(engine, "100.100.100.200", 443), "denied");
  assert.equal(verdict(engine, "169.254.169.253", 443), "allowed");
  assert.match(text, /except:\n\s+- 100\.100\.100\.200\/32\n\s+- 169\.254\.169\.254\/32/);
  assert.match(text, /# Cloud metadata excepted \(--block-metadata\)/);
});

test("without --block-metadata, an allowance that contains the metadata address keeps it, with a note", () => {
  const text = yamlOf({ blockMetadata: false, allowTo: ["0.0.0.0/0:80"] });
  assert.equal(verdict(engineFor(text), "169.254.169.254", 80), "allowed");
  assert.match(text, /# Note: this includes the cloud metadata address 100\.100\.100\.200\/32, 169\.254\.169\.254\/32/);
});

test("the metadata address is denied by default deny when no allowance contains it", () => {
  const engine = engineFor(yamlOf({ allowTo: ["203.0.113.0/24:443"] }));
  assert.equal(verdict(engine, "169.254.169.254", 80), "denied");
});

test("IPv6 ::/0 with --block-metadata excepts fd00:ec2::254", () => {
  const text = yamlOf({ allowTo: ["::/0:443"] });
  assert.match(text, /cidr: "::\/0"\n\s+except:\n\s+- "fd00:ec2::254\/128"/);
});

const VALID: readonly [string, string][] = [
  ["203.0.113.0/24:443", "ipBlock 203.0.113.0/24 TCP 443"],
  ["0.0.0.0/0", "ipBlock 0.0.0.0/0 all ports"],
  ["2001:db8::/32:443/udp", "ipBlock 2001:db8::/32 UDP 443"],
  ["db/app=postgres:5432/TCP", "db app=postgres TCP 5432"],
  ["db/app=postgres,tier=primary:5432", "db app=postgres,tier=primary TCP 5432"],
  ["kube-system/*:53/UDP,53/TCP", "kube-system * UDP 53, TCP 53"],
  ["db/app.kubernetes.io/name=pg:5432", "db app.kubernetes.io/name=pg TCP 5432"],
  ["10.0.0.0/8:8000-8080/SCTP", "ipBlock 10.0.0.0/8 SCTP 8000-8080"],
];

for (const [spec, expected] of VALID) {
  test(`--allow-to ${spec} is ${expected}`, () => {
    const r = parseAllowSpec(spec);
    assert.ok(r.ok, r.ok ? "" : r.message);
    const d = r.value.destination;
    const dest = d.kind === "cidr" ? `ipBlock ${formatCidr(d.cidr)}` : `${d.namespace} ${d.labels.length === 0 ? "*" : d.labels.map(([k, v]) => `${k}=${v}`).join(",")}`;
    const ports = r.value.ports === "all" ? "all ports" : r.value.ports.map((p) => `${p.protocol} ${p.from === p.to ? p.from : `${p.from}-${p.to}`}`).join(", ");
    assert.equal(`${dest} ${ports}`, expected);
  });
}

const INVALID: readonly [string, string][] = [
  ["", m.empty()],
  ["example.com:443", m.noSlash()],
  ["10.0.0.1/8:443", m.hostBits("10.0.0.1/8", "10.0.0.0/8")],
  ["10.0.0.0/33", m.cidr("10.0.0.0/33", "prefix length above 32")],
  ["Db/app=x", m.specNamespace("Db", "must consist of lowercase letters, digits and '-', starting and ending with a letter or digit")],
  ["db/app", m.selector("app")],
  ["db/app=x,app=y", m.duplicateKey("app")],
  ["db/app=x:", m.ports("")],
  ["db/app=x:0", m.portNumber("0")],
  ["db/app=x:65536", m.portNumber("65536")],
  ["db/app=x:http", m.portNumber("http")],
  ["db/app=x:90-80", m.portRange(90, 80)],
  ["db/app=x:53/ICMP", m.protocol("ICMP")],
];

for (const [spec, message] of INVALID) {
  test(`--allow-to ${JSON.stringify(spec)} is refused: ${message}`, () => {
    const r = scaffold({ ...BASE, allowTo: [spec] });
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual(r.errors, [{ code: scaffoldCodes.spec, message, field: "allow-to[0]" }]);
  });
}

test("every invalid option is reported at once, each with its field", () => {
  const r = scaffold({ ...BASE, namespace: "Shop", allowTo: ["203.0.113.0/24:443", "169.254.169.254/32:80", "x"] });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.deepEqual(
      r.errors.map((e) => `${e.field} ${e.code}`),
      ["namespace scaffold-namespace", "allow-to[1] scaffold-metadata-conflict", "allow-to[2] scaffold-allow-spec"],
    );
  }
});

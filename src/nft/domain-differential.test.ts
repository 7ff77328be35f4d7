/**
 * Issue 12's differential test, on the ruleset text (the simulator, as conformance.test.ts does for
 * every other peer): random domain rules and random DNS snapshots. The kernel side is what the node
 * agent builds: the compiled ruleset, its learned sets filled with `learnedPairs` of the snapshot as
 * one answer to the pod (every pod "has resolved every name of the snapshot", the offline
 * assumption). The oracle is the reference evaluator: a domain peer matches an address exactly when
 * the snapshot admits it for one of the rule's patterns (`DnsSnapshot.admission`), the domain rule
 * otherwise matching nothing. They must agree on every address, port and protocol probed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { loadCluster } from "../k8s/load.js";
import { type DnsName, dnsName, domainPattern } from "../dns/names.js";
import { type DnsRecord, DnsSnapshot } from "../dns/snapshot.js";
import { learnedPairs } from "../dns/learn.js";
import { AddressSet } from "../net/address-set.js";
import { type Ip, formatIp, parseIp } from "../net/ip.js";
import { referenceCheck } from "../reference/reference.js";
import type { EngineOptions } from "../engine/types.js";
import { compileRuleset } from "./compile.js";
import { cidr } from "./fixture.js";
import { simulate } from "./simulate.js";
import type { Ruleset } from "./types.js";

const OPTIONS: EngineOptions = { podNetwork: AddressSet.fromCidr(cidr("10.244.0.0/16")), ipBlockMatchesPods: true };
const NAMES = ["api.stripe.com", "a.stripe.com", "x.a.stripe.com", "stripe.com", "cdn.example.net", "www.shop.example"];
const PATTERNS = ["api.stripe.com", "*.stripe.com", "stripe.com", "*.example.net", "www.shop.example", "*.a.stripe.com", "API.Stripe.com."];
const ADDRESSES = ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4", "198.51.100.9"];
const PROTOCOLS = ["", "protocols: [{tcp: {destinationPort: {number: 443}}}]", "protocols: [{tcp: {destinationPort: {range: {start: 400, end: 500}}}}, {udp: {destinationPort: {number: 53}}}]"];
const OTHER_RULES = [
  "- {action: Deny, to: [{networks: [0.0.0.0/0]}]}",
  "- {action: Accept, to: [{networks: [203.0.113.0/30]}], protocols: [{tcp: {destinationPort: {number: 80}}}]}",
  "- {action: Deny, to: [{networks: [203.0.113.2/32]}]}",
  "- {action: Pass, to: [{networks: [198.51.100.0/24]}]}",
];
const PROBES = ADDRESSES.flatMap((address) => [443, 80, 53].flatMap((port) => (["TCP", "UDP"] as const).map((protocol) => ({ address, port, protocol }))));

const name = (text: string): DnsName => dnsName(text) as DnsName;
const ip = (text: string): Ip => parseIp(text) as Ip;

const arbRecord: fc.Arbitrary<DnsRecord> = fc.oneof(
  fc.record({ n: fc.constantFrom(...NAMES), a: fc.constantFrom(...ADDRESSES), ttl: fc.integer({ min: 0, max: 600 }) }).map(({ n, a, ttl }) => ({ kind: "address" as const, name: name(n), address: ip(a), ttl })),
  fc.record({ n: fc.constantFrom(...NAMES), t: fc.constantFrom(...NAMES), ttl: fc.integer({ min: 0, max: 600 }) }).map(({ n, t, ttl }) => ({ kind: "cname" as const, name: name(n), target: name(t), ttl })),
);

const arbCase = fc.record({
  patterns: fc.uniqueArray(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 3 }),
  protocols: fc.constantFrom(...PROTOCOLS),
  before: fc.subarray(OTHER_RULES),
  after: fc.subarray(OTHER_RULES),
  records: fc.array(arbRecord, { maxLength: 8 }),
});

function clusterText(c: { readonly patterns: readonly string[]; readonly protocols: string; readonly before: readonly string[]; readonly after: readonly string[] }): string {
  const domain = `- {action: Accept, to: [{domainNames: [${c.patterns.map((p) => JSON.stringify(p)).join(", ")}]}]${c.protocols === "" ? "" : `, ${c.protocols}`}}`;
  return `apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 10.244.1.5}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: domains}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {}}
  egress:
${[...c.before, domain, ...c.after].map((r) => `  ${r}`).join("\n")}
`;
}

const withLearned = (r: Ruleset, keys: ReadonlyMap<string, string[]>): Ruleset => ({ ...r, sets: r.sets.map((s) => (s.learned === true ? { ...s, elements: (keys.get(s.name) ?? []).map((key) => ({ key })) } : s)) });

test("differential: random domain rules and DNS snapshots, the kernel's ruleset with the learned pairs (simulated) == the reference evaluator with the snapshot's admissions", () => {
  fc.assert(
    fc.property(arbCase, (c) => {
      const loaded = loadCluster([{ file: "d.yaml", text: clusterText(c) }]);
      assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === "error"), []);
      const cluster = loaded.value;
      const compiled = compileRuleset(cluster, OPTIONS);
      const web = cluster.endpoints.find((e) => e.name === "web") ?? assert.fail("web");
      const snapshot = new DnsSnapshot(c.records);
      const pairs = learnedPairs(snapshot, ip("10.244.1.5"), compiled.domainRules, { minTtl: 5, grace: 5 });
      const keys = new Map<string, string[]>();
      for (const p of pairs) keys.set(p.set, [...(keys.get(p.set) ?? []), `${formatIp(p.pod)} . ${formatIp(p.destination)}`]);
      const ruleset = withLearned(compiled.ruleset, keys);
      const patterns = c.patterns.map((p) => domainPattern(p) ?? assert.fail(p));
      for (const probe of PROBES) {
        const kernel = simulate(ruleset, { source: ip("10.244.1.5"), destination: ip(probe.address), protocol: probe.protocol, port: probe.port }).verdict;
        const admitted = patterns.some((p) => snapshot.admission(p, ip(probe.address)) !== null);
        const answer = referenceCheck(cluster, OPTIONS, { from: { kind: "endpoint", endpoint: web }, to: { kind: "external", addresses: AddressSet.fromIp(ip(probe.address)) }, port: probe.port, protocol: probe.protocol }).verdict;
        // "depends": the domain Accept decides, so it is allowed exactly when the snapshot admits the address.
        const expected = answer === "depends" ? (admitted ? "allowed" : "denied") : answer;
        assert.equal(kernel === "accept" ? "allowed" : "denied", expected, `${probe.protocol} ${probe.address}:${probe.port}\n${clusterText(c)}\nrecords ${JSON.stringify(c.records.map((r) => (r.kind === "address" ? `${r.name} A ${formatIp(r.address)}` : `${r.name} CNAME ${r.target}`)))}`);
      }
    }),
    { numRuns: 150 },
  );
});

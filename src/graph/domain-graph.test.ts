/**
 * Issue 12: "`egress` and `graph` show domain destinations as named nodes". Fixture
 * src/graph/testdata/domain-allowlist.yaml: the allowlist the API describes ("DomainNames Accept
 * rules should be used with a lower precedence egress deny"), DNS accepted first.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { defaultOptions, engineOf } from "../diff/testkit.js";
import { type DnsName, dnsName } from "../dns/names.js";
import { type DnsRecord, DnsSnapshot } from "../dns/snapshot.js";
import { type Ip, parseIp } from "../net/ip.js";
import { egressOverview } from "../render/egress-view.js";
import { renderEgressText } from "../render/egress-text.js";
import { ROOT, readTree } from "../testing/files.js";
import { clusterServiceRecords } from "../dns/cluster-records.js";
import { buildEgressGraph } from "./build.js";
import { renderDot } from "./dot.js";
import { renderMermaid } from "./mermaid.js";
import type { EgressGraph } from "./types.js";

const FIXTURE = { file: "domain-allowlist.yaml", text: readFileSync(new URL("src/graph/testdata/domain-allowlist.yaml", ROOT), "utf8") };

function engine(dns?: DnsSnapshot) {
  const { engine: e, errors } = engineOf([FIXTURE], dns === undefined ? defaultOptions() : { ...defaultOptions(), dns });
  assert.deepEqual(errors, []);
  return e;
}

const name = (text: string): DnsName => {
  const n = dnsName(text);
  assert.ok(n !== null, text);
  return n;
};
const ip = (text: string): Ip => {
  const r = parseIp(text);
  assert.ok(r !== undefined, text);
  return r;
};

/** The engine's resolution snapshot (`--dns-records`, `--resolve`): api.stripe.com A 198.51.100.7; raw.githubusercontent.com CNAME github.map.fastly.net A 185.199.108.133 (one response: the chain counts). */
const SNAPSHOT = new DnsSnapshot([
  { kind: "address", name: name("api.stripe.com"), address: ip("198.51.100.7"), ttl: 60 },
  { kind: "cname", name: name("raw.githubusercontent.com"), target: name("github.map.fastly.net"), ttl: 300 },
  { kind: "address", name: name("github.map.fastly.net"), address: ip("185.199.108.133"), ttl: 30 },
] satisfies DnsRecord[]);

const edges = (g: EgressGraph): string[] => {
  const label = new Map(g.nodes.map((n) => [n.id, n.label]));
  return g.edges.map((e) => `${label.get(e.from)} ${e.style} ${label.get(e.to)} | ${e.label}`);
};

test("graph: each pattern of the allowlist is a domain node, reached by a domain-accepted edge labelled with the rule's ports and the rule", () => {
  const g = buildEgressGraph(engine(), { namespace: null });
  assert.deepEqual(
    g.nodes.filter((n) => n.kind === "domain").map((n) => `${n.id} ${n.label}`),
    ["dns_any_githubusercontent_com *.githubusercontent.com", "dns_api_stripe_com api.stripe.com"],
  );
  assert.deepEqual(
    edges(g).filter((e) => e.includes(" domain-")),
    ['web domain-accepted api.stripe.com | TCP 443 (Admin allowlist "partners", the addresses it resolves)', 'web domain-accepted *.githubusercontent.com | TCP 443 (Admin allowlist "partners", the addresses it resolves)'],
  );
});

test("graph with a resolution snapshot: the addresses under each domain node, a CNAME chain and its smallest TTL in the label", () => {
  const g = buildEgressGraph(engine(SNAPSHOT), { namespace: null });
  assert.deepEqual(edges(g).filter((e) => e.includes(" resolves ")), [
    "api.stripe.com resolves 198.51.100.7 | TTL 60 s",
    "*.githubusercontent.com resolves 185.199.108.133 | raw.githubusercontent.com → github.map.fastly.net, TTL 30 s",
  ]);
});

test("mermaid draws domain nodes as hexagons and resolves edges dotted; dot as hexagons, accepted edges blue, resolves dotted without arrowhead", () => {
  const g = buildEgressGraph(engine(SNAPSHOT), { namespace: null });
  const mmd = renderMermaid(g);
  assert.match(mmd, /^ {2}dns_api_stripe_com\{\{"api\.stripe\.com"\}\}$/m);
  assert.match(mmd, /^ {2}dns_api_stripe_com -\.-\|"TTL 60 s"\| net_198_51_100_7$/m);
  const dot = renderDot(g);
  assert.match(dot, /^ {2}dns_api_stripe_com \[label="api\.stripe\.com", shape=hexagon\];$/m);
  assert.match(dot, /^ {2}shop_web -> dns_api_stripe_com \[label="TCP 443 \(Admin allowlist \\"partners\\", the addresses it resolves\)", color=blue\];$/m);
  assert.match(dot, /^ {2}dns_api_stripe_com -> net_198_51_100_7 \[label="TTL 60 s", style=dotted, arrowhead=none\];$/m);
});

test("egress JSON: domains with their rule and ports; addresses null without a snapshot, resolved with one", () => {
  const plain = egressOverview(engine(), "default");
  const web = plain.namespaces[0]?.workloads[0];
  assert.deepEqual(
    web?.domains.map((d) => ({ pattern: d.pattern, action: d.action, rule: d.rule, conns: d.conns, addresses: d.addresses, path: d.at.path })),
    [
      { pattern: "api.stripe.com", action: "Accept", rule: { tier: "Admin", policy: { kind: "ClusterNetworkPolicy", name: "allowlist" }, priority: 10, rule: 1, name: "partners" }, conns: { TCP: "443" }, addresses: null, path: "spec.egress[1].to[0].domainNames[0]" },
      { pattern: "*.githubusercontent.com", action: "Accept", rule: { tier: "Admin", policy: { kind: "ClusterNetworkPolicy", name: "allowlist" }, priority: 10, rule: 1, name: "partners" }, conns: { TCP: "443" }, addresses: null, path: "spec.egress[1].to[0].domainNames[1]" },
    ],
  );
  assert.equal(plain.assumptions.resolution, false);
  const resolved = egressOverview(engine(SNAPSHOT), "default");
  assert.deepEqual(resolved.namespaces[0]?.workloads[0]?.domains.map((d) => d.addresses), [
    [{ name: "api.stripe.com", address: "198.51.100.7", chain: ["api.stripe.com"], ttl: 60 }],
    [{ name: "raw.githubusercontent.com", address: "185.199.108.133", chain: ["raw.githubusercontent.com", "github.map.fastly.net"], ttl: 30 }],
  ]);
});

test("egress text: a domains section, one row per pattern with its ports and rule, the addresses under each when a snapshot is given", () => {
  // The section: "    domains:" and the deeper-indented lines after it.
  const lines = (text: string): string[] => {
    const all = text.split("\n");
    const start = all.indexOf("    domains:");
    const end = all.findIndex((l, i) => i > start && !l.startsWith("      "));
    return start < 0 ? [] : all.slice(start, end);
  };
  assert.deepEqual(lines(renderEgressText(egressOverview(engine(), "default"))), [
    "    domains:",
    '      api.stripe.com           TCP 443  Accept by Admin ClusterNetworkPolicy allowlist (priority 10) rule 1 "partners"',
    '      *.githubusercontent.com  TCP 443  Accept by Admin ClusterNetworkPolicy allowlist (priority 10) rule 1 "partners"',
    "      (each pod reaches the addresses it resolves for these names; a resolution snapshot shows them)",
  ]);
  assert.deepEqual(lines(renderEgressText(egressOverview(engine(SNAPSHOT), "default"))), [
    "    domains:",
    '      api.stripe.com           TCP 443  Accept by Admin ClusterNetworkPolicy allowlist (priority 10) rule 1 "partners"',
    "        198.51.100.7, TTL 60 s",
    '      *.githubusercontent.com  TCP 443  Accept by Admin ClusterNetworkPolicy allowlist (priority 10) rule 1 "partners"',
    "        185.199.108.133 (raw.githubusercontent.com → github.map.fastly.net), TTL 30 s",
  ]);
});

test("examples/domains with the cluster's own Service names: a ClusterIP Service's name resolves to its ClusterIP, which egress and graph flag (\"ClusterIP Service names never match (post-DNAT), headless ones do\")", () => {
  const sources = readTree(new URL("examples/domains/manifests/", ROOT));
  const { engine: plain } = engineOf(sources);
  const snapshot = new DnsSnapshot(clusterServiceRecords(plain.cluster));
  const { engine: e, errors } = engineOf(sources, { ...defaultOptions(), dns: snapshot });
  assert.deepEqual(errors, []);
  const checkout = egressOverview(e, "default").namespaces.find((n) => n.namespace === "payments")?.workloads.find((w) => w.name === "checkout");
  assert.deepEqual(
    checkout?.domains.filter((d) => d.pattern.endsWith(".svc.cluster.local")).map((d) => [d.pattern, d.addresses]),
    [
      ["ledger.payments.svc.cluster.local", [{ name: "ledger.payments.svc.cluster.local", address: "10.244.1.20", chain: ["ledger.payments.svc.cluster.local"], ttl: 5 }]],
      ["api.payments.svc.cluster.local", [{ name: "api.payments.svc.cluster.local", address: "10.96.5.5", chain: ["api.payments.svc.cluster.local"], ttl: 5, clusterIpOf: "payments/api" }]],
    ],
  );
  assert.ok(edges(buildEgressGraph(e, { namespace: "payments" })).includes("api.payments.svc.cluster.local resolves 10.96.5.5 | TTL 5 s, ClusterIP of payments/api: never matches"));
});

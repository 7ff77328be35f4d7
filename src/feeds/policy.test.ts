/**
 * `feeds policy` (issue 13): "a NetworkPolicy (ipBlocks) or, with --cluster, a ClusterNetworkPolicy
 * (networks, peers of at most 25 CIDRs), annotated portcullis.dev/feed, feed-version, feed-selector".
 * The generated policy goes through the project's decoder, lint and the engine beside the guide's
 * example cluster (examples/feeds/payments.yaml: payment-service and reporting in payments, egress
 * denied by default, DNS allowed), from the real-format AWS fixture.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { Engine } from "../engine/engine.js";
import type { Target, Verdict } from "../engine/types.js";
import { type LoadResult, loadCluster } from "../k8s/load.js";
import { lintCluster } from "../lint/index.js";
import { TEST_OPTIONS, clusterOf } from "../lint/test-support.js";
import type { Cluster } from "../model/cluster.js";
import type { Protocol } from "../model/ports.js";
import { MATCH_ALL } from "../model/selector.js";
import { AddressSet } from "../net/address-set.js";
import { type Cidr, formatCidr, parseCidr } from "../net/cidr.js";
import { type Ip, parseIp } from "../net/ip.js";
import { golden } from "../testing/files.js";
import { readBinding } from "./annotations.js";
import { parseFeed } from "./parsers.js";
import { type FeedPolicy, type PolicyRequest, feedPolicy, policyYaml } from "./policy.js";
import { selectRanges } from "./select.js";
import { parseSelector } from "./selector.js";
import type { Feed, Selection } from "./types.js";

const AWS = readFileSync(new URL("../../../src/feeds/testdata/aws-ip-ranges.json", import.meta.url), "utf8");
const PAYMENTS = readFileSync(new URL("../../../examples/feeds/payments.yaml", import.meta.url), "utf8");
const TESTDATA = new URL("../../../src/feeds/testdata/", import.meta.url);

/** Through the loader as check and lint read admin policies (evaluated, not only validated). */
function decodeYaml(text: string, file = "policy.yaml"): LoadResult {
  return loadCluster([{ file, text }], undefined, { adminPolicies: "evaluate" });
}

function awsFeed(text = AWS): Feed {
  const r = parseFeed("aws", [{ name: "ip-ranges.json", text, sha256: "a".repeat(64) }]);
  if (!r.ok) assert.fail(JSON.stringify(r.errors));
  return r.feed;
}

function selection(feed: Feed, text: string): Selection {
  const s = parseSelector(text);
  if (!s.ok) assert.fail(s.message);
  const r = selectRanges(feed, s.selector);
  if (!r.ok) assert.fail(r.message);
  return r.selection;
}

const PAYMENT_SERVICE = { requirements: [{ key: "app", operator: "In" as const, values: ["payment-service"] }] };
const BASE: PolicyRequest = { name: "allow-s3", namespace: "payments", podSelector: PAYMENT_SERVICE, ports: [{ protocol: "TCP", port: 443, endPort: null }], cluster: null, metadata: [] };

function generate(selectors: readonly string[], request: Partial<PolicyRequest> = {}, feed = awsFeed()): FeedPolicy {
  const r = feedPolicy(selectors.map((s) => selection(feed, s)), feed, { ...BASE, ...request });
  if (!r.ok) assert.fail(r.message);
  return r.value;
}

const S3_EU_WEST_1 = "aws:service=S3,region=eu-west-1";
const NETWORK = generate([S3_EU_WEST_1]);
const CLUSTER = generate([S3_EU_WEST_1], { cluster: { priority: 30, api: "v1alpha2" } });
const CLUSTER_V1ALPHA1 = generate([S3_EU_WEST_1], { cluster: { priority: 30, api: "v1alpha1" } });

function podNetwork(): AddressSet {
  return AddressSet.fromCidrs(["10.244.0.0/16"].map((c) => (parseCidr(c) as { cidr: Cidr }).cidr));
}

/** The example cluster, with the generated policy's YAML beside it (or not), and an engine over them. */
function world(policyText: string | null): { cluster: Cluster; engine: Engine } {
  const files = [{ file: "payments.yaml", text: PAYMENTS }, ...(policyText === null ? [] : [{ file: "policy.yaml", text: policyText }])];
  const cluster = clusterOf(files);
  return { cluster, engine: Engine.compile(cluster, { podNetwork: podNetwork(), ipBlockMatchesPods: true }) };
}

function target(cluster: Cluster, text: string): Target {
  const endpoint = cluster.endpoints.find((e) => e.id === text);
  if (endpoint !== undefined) return { kind: "endpoint", endpoint };
  const ip = parseIp(text);
  assert.ok(ip, `neither a workload nor an address: ${text}`);
  return { kind: "external", addresses: AddressSet.fromIp(ip) };
}

function verdict(w: { cluster: Cluster; engine: Engine }, from: string, to: string, port: number, protocol: Protocol = "TCP"): Verdict {
  return w.engine.check({ from: target(w.cluster, from), to: target(w.cluster, to), port, protocol }).verdict;
}

test("golden YAML: the NetworkPolicy for aws:service=S3,region=eu-west-1, pods app=payment-service, 443/TCP", () => {
  const text = policyYaml(NETWORK);
  assert.equal(text, golden(TESTDATA, "policy-networkpolicy.yaml", text));
});

test("golden YAML: the ClusterNetworkPolicy (v1alpha2, Admin tier, priority 30) for the same selection", () => {
  const text = policyYaml(CLUSTER);
  assert.equal(text, golden(TESTDATA, "policy-clusternetworkpolicy.yaml", text));
});

for (const [kind, fp] of [["NetworkPolicy", NETWORK], ["ClusterNetworkPolicy", CLUSTER], ["AdminNetworkPolicy", CLUSTER_V1ALPHA1]] as const) {
  test(`${kind}: the output decodes through the project's loader with no diagnostic at all, YAML and JSON alike`, () => {
    for (const [file, text] of [["policy.yaml", policyYaml(fp)], ["policy.json", JSON.stringify(fp.policy, null, 2)]] as const) {
      const d = decodeYaml(text, file);
      assert.deepEqual(d.diagnostics.map((x) => `${x.severity} ${x.code} ${x.message}`), [], file);
      const decoded = [...d.value.policies.map((p) => p.name), ...(d.value.adminPolicies ?? []).map((p) => `${p.tier} ${p.source.kind} ${p.name}`)];
      assert.deepEqual(decoded, [kind === "NetworkPolicy" ? "allow-s3" : `Admin ${kind} allow-s3`]);
    }
  });

  test(`${kind}: its annotations read back as the binding (provider, selector, the feed's syncToken and sha256)`, () => {
    const annotations = new Map(Object.entries((fp.policy["metadata"] as { annotations: Record<string, string> }).annotations));
    const b = readBinding(annotations);
    assert.equal(b.kind, "bound");
    if (b.kind !== "bound") return;
    assert.deepEqual({ provider: b.binding.provider, version: b.binding.version, sha256: b.binding.sha256 }, { provider: "aws", version: "1764892387", sha256: "a".repeat(64) });
    assert.equal(b.binding.selectors.length, 1);
  });

  test(`${kind}: lint on it beside the example's namespace, workloads and DNS policy reports nothing at warning or above`, () => {
    const findings = lintCluster(clusterOf([{ file: "payments.yaml", text: PAYMENTS }, { file: "policy.yaml", text: policyYaml(fp) }]), TEST_OPTIONS).filter((f) => f.severity !== "info");
    assert.deepEqual(findings.map((f) => `${f.rule}: ${f.message}`), []);
  });

  test(`${kind}: the engine says payment-service may reach S3 eu-west-1 (IPv4 and IPv6) on 443/TCP, not on 80 nor EC2's 3.248.0.1, and reporting (not selected) is unaffected`, () => {
    const w = world(policyYaml(fp));
    const without = world(null);
    assert.deepEqual(
      [
        verdict(w, "payments/payment-service", "52.218.1.1", 443),
        verdict(w, "payments/payment-service", "3.5.72.10", 443),
        verdict(w, "payments/payment-service", "2a05:d07a:a000::1", 443),
        verdict(w, "payments/payment-service", "52.218.1.1", 80),
        verdict(w, "payments/payment-service", "52.218.1.1", 443, "UDP"),
        // EC2 eu-west-1 and S3 eu-central-1 are in the feed but not in the selection.
        verdict(w, "payments/payment-service", "3.248.0.1", 443),
        verdict(w, "payments/payment-service", "52.95.136.1", 443),
      ],
      ["allowed", "allowed", "allowed", "denied", "denied", "denied", "denied"],
    );
    for (const [to, port] of [["52.218.1.1", 443], ["3.248.0.1", 443], ["kube-system/coredns", 53]] as const) {
      assert.equal(verdict(w, "payments/reporting", to, port), verdict(without, "payments/reporting", to, port), `reporting → ${to}:${port}`);
    }
    assert.equal(verdict(w, "payments/reporting", "52.218.1.1", 443), "denied");
  });
}

test("why the example carries a DNS policy (and feeds policy has no --allow-dns): without it, lint reports dns-egress-blocked on the generated NetworkPolicy", () => {
  const withoutDns = PAYMENTS.split("---\n").filter((d) => !/name: (allow-dns|default-deny-egress)\b/.test(d)).join("---\n");
  const findings = lintCluster(clusterOf([{ file: "payments.yaml", text: withoutDns }, { file: "policy.yaml", text: policyYaml(NETWORK) }]), TEST_OPTIONS).filter((f) => f.severity === "error");
  assert.deepEqual(findings.map((f) => `${f.rule} ${f.endpoints.join(",")}`), ["dns-egress-blocked payments/payment-service"]);
});

test("the admin policy works through the tiers: its Accept is decided before the namespace's default-deny NetworkPolicy", () => {
  const w = world(policyYaml(CLUSTER));
  const policies = w.cluster.adminPolicies ?? [];
  assert.deepEqual(policies.map((p) => `${p.tier} ${p.priority}`), ["Admin 30"]);
  // Without the admin policy the default-deny NetworkPolicy denies it: the Accept is what allows it.
  assert.equal(verdict(world(null), "payments/payment-service", "52.218.1.1", 443), "denied");
  assert.equal(verdict(w, "payments/payment-service", "52.218.1.1", 443), "allowed");
});

test("IPv4 first, then IPv6, each in address order: one ipBlock per aggregated CIDR", () => {
  const to = ((NETWORK.policy["spec"] as { egress: { to: { ipBlock: { cidr: string } }[] }[] }).egress[0]?.to ?? []).map((p) => p.ipBlock.cidr);
  assert.deepEqual(to, ["3.5.64.0/21", "3.5.72.0/23", "52.92.0.0/17", "52.218.0.0/17", "2a05:d034:a000::/40", "2a05:d07a:a000::/40"]);
});

test("several selectors of one provider: their union, aggregated, and every selector recorded in the annotation", () => {
  const fp = generate([S3_EU_WEST_1, "aws:service=S3,region=eu-central-1"]);
  assert.deepEqual(fp.cidrs.map(formatCidr), ["3.5.64.0/21", "3.5.72.0/23", "52.92.0.0/17", "52.95.136.0/23", "52.218.0.0/17", "2a05:d034:a000::/40", "2a05:d079:a000::/40", "2a05:d07a:a000::/40"]);
  const annotations = (fp.policy["metadata"] as { annotations: Record<string, string> }).annotations;
  assert.equal(annotations["portcullis.dev/feed-selector"], "aws:service=S3,region=eu-west-1 aws:service=S3,region=eu-central-1");
});

test("selectors of two providers: refused, one policy holds one provider's ranges", () => {
  const feed = awsFeed();
  const google = parseSelector("google:scope=europe-west1");
  assert.ok(google.ok);
  const other: Selection = { selector: google.selector, matched: 1, prefixes: { v4: 1, v6: 0 }, v4: [(parseCidr("34.0.0.0/15") as { cidr: Cidr }).cidr], v6: [] };
  const r = feedPolicy([selection(feed, S3_EU_WEST_1), other], feed, BASE);
  assert.equal(r.ok, false);
  assert.match(r.ok ? "" : r.message, /one policy holds one provider's ranges/);
});

test("a selection with no range is refused: a policy allowing nothing is never written", () => {
  const feed = awsFeed();
  const r = feedPolicy([selection(feed, "aws:service=S3,region=ap-south-1")], feed, BASE);
  assert.deepEqual(r, { ok: false, message: "aws:service=S3,region=ap-south-1 selects no range in the aws feed version 1764892387: a policy allowing nothing is not written" });
});

/** The fixture with prefixes added under service S3, region eu-west-1 (as if the provider published them). */
function withPrefixes(...prefixes: string[]): Feed {
  const json = JSON.parse(AWS) as { prefixes: object[] };
  json.prefixes.push(...prefixes.map((p) => ({ ip_prefix: p, region: "eu-west-1", service: "S3", network_border_group: "eu-west-1" })));
  return awsFeed(JSON.stringify(json));
}

test("ranges that are not the internet (private 10.0.0.0/8, link-local 169.254.0.0/16 with the metadata address) are left out and returned, the rest kept", () => {
  const feed = withPrefixes("10.0.0.0/8", "169.254.0.0/16");
  const fp = generate([S3_EU_WEST_1], {}, feed);
  assert.deepEqual(fp.leftOut.map(formatCidr), ["10.0.0.0/8", "169.254.0.0/16"]);
  assert.deepEqual(fp.cidrs.map(formatCidr), ["3.5.64.0/21", "3.5.72.0/23", "52.92.0.0/17", "52.218.0.0/17", "2a05:d034:a000::/40", "2a05:d07a:a000::/40"]);
  // Not recorded in the policy: feeds update keeps comments, so a note would go stale.
  assert.doesNotMatch(policyYaml(fp), /10\.0\.0\.0|169\.254/);
});

test("a --metadata address inside a published range is carved out of it (the rest of the range kept)", () => {
  const extra = parseIp("52.218.0.1") as Ip;
  const fp = generate([S3_EU_WEST_1], { metadata: [extra] });
  assert.deepEqual(fp.leftOut.map(formatCidr), ["52.218.0.1/32"]);
  assert.ok(fp.cidrs.map(formatCidr).includes("52.218.0.0/32"));
  assert.ok(!fp.cidrs.map(formatCidr).includes("52.218.0.0/17"));
});

test("a selection of only ranges that are not the internet is refused, naming them", () => {
  const json = JSON.parse(AWS) as { prefixes: object[] };
  json.prefixes.push({ ip_prefix: "192.168.0.0/16", region: "eu-north-1", service: "S3", network_border_group: "eu-north-1" });
  const feed = awsFeed(JSON.stringify(json));
  const r = feedPolicy([selection(feed, "aws:service=S3,region=eu-north-1")], feed, BASE);
  assert.deepEqual(r, { ok: false, message: "aws:service=S3,region=eu-north-1 selects only ranges that are not the internet (192.168.0.0/16) in the aws feed version 1764892387: a policy allowing nothing is not written" });
});

describe("a 60-CIDR selection as a ClusterNetworkPolicy: \"Networks can have up to 25 CIDRs specified\"", () => {
  // 60 disjoint /24s (every other one, so that aggregation keeps them apart).
  const prefixes = Array.from({ length: 60 }, (_, i) => `3.${100 + Math.floor((2 * i) / 256)}.${(2 * i) % 256}.0/24`);
  const feed = withPrefixes(...prefixes);
  const fp = generate(["aws:service=S3,region=eu-west-1"], { cluster: { priority: 30, api: "v1alpha2" } }, feed);
  const peers = (fp.policy["spec"] as { egress: { to: { networks: string[] }[] }[] }).egress[0]?.to ?? [];

  test("66 CIDRs (the fixture's 6 and the 60) split into networks peers of 25, 25 and 16, in order", () => {
    assert.deepEqual(peers.map((p) => p.networks.length), [25, 25, 16]);
    assert.deepEqual(peers.flatMap((p) => p.networks), fp.cidrs.map(formatCidr));
  });

  test("exactly 60 CIDRs split 25/25/10", () => {
    const only: Selection = { ...selection(feed, S3_EU_WEST_1), v4: prefixes.map((p) => (parseCidr(p) as { cidr: Cidr }).cidr), v6: [] };
    const r = feedPolicy([only], feed, { ...BASE, cluster: { priority: 30, api: "v1alpha2" } });
    assert.ok(r.ok);
    const split = ((r.value.policy["spec"] as { egress: { to: { networks: string[] }[] }[] }).egress[0]?.to ?? []).map((p) => p.networks.length);
    assert.deepEqual(split, [25, 25, 10]);
  });

  test("it decodes with no diagnostic and the engine allows the last CIDR of the last peer", () => {
    const d = decodeYaml(policyYaml(fp));
    assert.deepEqual(d.diagnostics.map((x) => x.message), []);
    const w = world(policyYaml(fp));
    assert.equal(verdict(w, "payments/payment-service", "3.100.118.7", 443), "allowed");
    assert.equal(verdict(w, "payments/payment-service", "3.100.119.7", 443), "denied");
  });
});

test("more CIDRs than one v1alpha2 rule holds (25 peers of 25) are refused, pointing at a NetworkPolicy", () => {
  const prefixes = Array.from({ length: 626 }, (_, i) => `4.${Math.floor((2 * i) / 256)}.${(2 * i) % 256}.0/24`);
  const feed = withPrefixes(...prefixes);
  const r = feedPolicy([selection(feed, S3_EU_WEST_1)], feed, { ...BASE, cluster: { priority: 30, api: "v1alpha2" } });
  assert.equal(r.ok, false);
  assert.match(r.ok ? "" : r.message, /^632 CIDRs need 26 networks peers of 25, but one v1alpha2 rule holds at most 25 peers/);
  // A NetworkPolicy has no such limit.
  assert.ok(feedPolicy([selection(feed, S3_EU_WEST_1)], feed, BASE).ok);
});

test("no --select: every pod of the namespace ({} podSelector; an admin subject of the namespace alone); no --port: no ports (every port)", () => {
  const net = generate([S3_EU_WEST_1], { podSelector: MATCH_ALL, ports: [] });
  const spec = net.policy["spec"] as { podSelector: object; egress: object[] };
  assert.deepEqual(spec.podSelector, {});
  assert.ok(!("ports" in (spec.egress[0] as object)));
  const adm = generate([S3_EU_WEST_1], { podSelector: MATCH_ALL, ports: [], cluster: { priority: 30, api: "v1alpha2" } });
  assert.deepEqual((adm.policy["spec"] as { subject: object }).subject, { namespaces: { matchLabels: { "kubernetes.io/metadata.name": "payments" } } });
  const w = world(policyYaml(adm));
  assert.equal(verdict(w, "payments/reporting", "52.218.1.1", 8443), "allowed");
});

test("port ranges: NetworkPolicy endPort; v1alpha2 destinationPort.range; v1alpha1 portRange (all decoded, the engine allows the range's ends)", () => {
  const ports = [{ protocol: "TCP" as const, port: 8000, endPort: 8100 }];
  const net = generate([S3_EU_WEST_1], { ports });
  assert.deepEqual((net.policy["spec"] as { egress: { ports: object[] }[] }).egress[0]?.ports, [{ protocol: "TCP", port: 8000, endPort: 8100 }]);
  for (const api of ["v1alpha2", "v1alpha1"] as const) {
    const fp = generate([S3_EU_WEST_1], { ports, cluster: { priority: 30, api } });
    assert.deepEqual(decodeYaml(policyYaml(fp)).diagnostics.map((d) => d.message), [], api);
    const w = world(policyYaml(fp));
    assert.deepEqual([8000, 8100, 8101].map((p) => verdict(w, "payments/payment-service", "52.218.1.1", p)), ["allowed", "allowed", "denied"], api);
  }
  const w = world(policyYaml(net));
  assert.deepEqual([8000, 8100, 8101].map((p) => verdict(w, "payments/payment-service", "52.218.1.1", p)), ["allowed", "allowed", "denied"]);
});

/**
 * The model-level refresh, from issue 13's rule: "in a policy with a portcullis.dev/feed-selector
 * annotation, (NetworkPolicy) every egress rule's `to` peers that are ipBlock are the feed's;
 * (ClusterNetworkPolicy/AdminNetworkPolicy) every egress rule's `to` peers with networks are the
 * feed's. They are replaced by the union of the policy's selections: NetworkPolicy one ipBlock per
 * CIDR (IPv4 first, then IPv6, each in address order); admin networks peers of at most 25 CIDRs
 * each, same order. Rules without such peers are untouched."
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { clusterOfYaml } from "../lint/test-support.js";
import { formatCidr } from "../net/cidr.js";
import { parseAws } from "./aws.js";
import { managedAdminCidrs, managedNetworkPolicyCidrs, refreshCluster } from "./refresh-model.js";
import type { Feed, FeedProvider } from "./types.js";

const TEXT = readFileSync(fileURLToPath(new URL("../../../src/feeds/testdata/aws-ip-ranges.json", import.meta.url)), "utf8");

function feeds(text = TEXT): ReadonlyMap<FeedProvider, Feed> {
  const r = parseAws(text, "0".repeat(64));
  if (!r.ok) throw new Error("fixture does not parse");
  return new Map([["aws", r.feed]]);
}

const S3_EU_WEST_1 = ["3.5.64.0/21", "3.5.72.0/23", "52.92.0.0/17", "52.218.0.0/17", "2a05:d034:a000::/40", "2a05:d07a:a000::/40"];

const BOUND_NP = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: s3
  namespace: shop
  annotations: {portcullis.dev/feed-selector: "aws:service=S3,region=eu-west-1"}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - ipBlock: {cidr: 198.51.100.0/24}
        - podSelector: {matchLabels: {app: proxy}}
      ports: [{protocol: TCP, port: 443}]
    - to:
        - namespaceSelector: {}
      ports: [{protocol: UDP, port: 53}]
`;

test("refresh: a bound NetworkPolicy's ipBlocks become one per CIDR of the selection (IPv4 first, then IPv6); its pod peer and its DNS rule are untouched", () => {
  const cluster = clusterOfYaml(BOUND_NP);
  const r = refreshCluster(cluster, feeds());
  assert.ok(r.ok);
  const p = r.cluster.policies[0];
  assert.ok(p !== undefined);
  assert.deepEqual(managedNetworkPolicyCidrs(p).map(formatCidr), S3_EU_WEST_1);
  const first = p.egress[0]?.peers;
  assert.ok(first !== undefined && first !== "all");
  assert.deepEqual(first.map((x) => x.kind), [...S3_EU_WEST_1.map(() => "ipBlock"), "pods"]);
  assert.equal(p.egress[1], cluster.policies[0]?.egress[1], "a rule without managed peers is the same object");
});

test("refresh: a policy without the annotation, and a bound policy of a provider with no feed given, are untouched", () => {
  const unbound = BOUND_NP.replace(/ {2}annotations: .*\n/, "");
  const r = refreshCluster(clusterOfYaml(unbound), feeds());
  assert.ok(r.ok);
  assert.deepEqual(managedNetworkPolicyCidrs(r.cluster.policies[0]!).map(formatCidr), ["198.51.100.0/24"]);
  const other = refreshCluster(clusterOfYaml(BOUND_NP), new Map());
  assert.ok(other.ok);
  assert.deepEqual(managedNetworkPolicyCidrs(other.cluster.policies[0]!).map(formatCidr), ["198.51.100.0/24"]);
});

test("refresh: an ipBlock with except in a bound policy is hand-edited: refused at that peer", () => {
  const r = refreshCluster(clusterOfYaml(BOUND_NP.replace("{cidr: 198.51.100.0/24}", "{cidr: 198.51.100.0/24, except: [198.51.100.0/28]}")), feeds());
  assert.ok(!r.ok);
  assert.match(r.errors[0]?.message ?? "", /except/);
  assert.equal(r.errors[0]?.at.line, 12);
});

test("refresh: a selector naming a field the feed lacks is an error naming the policy", () => {
  const r = refreshCluster(clusterOfYaml(BOUND_NP.replace("service=S3", "servce=S3")), feeds());
  assert.ok(!r.ok);
  assert.deepEqual(r.errors[0]?.object, { kind: "NetworkPolicy", namespace: "shop", name: "s3" });
});

/** 30 /24s under S3 eu-west-1: more than one networks peer holds (25). */
function feedWithMany(): string {
  const doc = JSON.parse(TEXT) as { prefixes: object[] };
  for (let i = 0; i < 30; i++) doc.prefixes.push({ ip_prefix: `18.${i * 2}.0.0/24`, region: "eu-west-1", service: "S3", network_border_group: "eu-west-1" });
  return JSON.stringify(doc);
}

const BOUND_CNP = `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: s3
  annotations: {portcullis.dev/feed-selector: "aws:service=S3,region=eu-west-1"}
spec:
  tier: Admin
  priority: 30
  subject:
    namespaces: {}
  egress:
    - name: s3
      action: Accept
      to:
        - networks: [198.51.100.0/24]
      protocols:
        - tcp: {destinationPort: {number: 443}}
`;

test("refresh: a bound ClusterNetworkPolicy's networks become peers of at most 25 CIDRs each, in the same order", () => {
  const r = refreshCluster(clusterOfYaml(BOUND_CNP), feeds(feedWithMany()));
  assert.ok(r.ok);
  const p = r.cluster.adminPolicies?.[0];
  assert.ok(p !== undefined);
  const rule = p.egress[0];
  assert.ok(rule !== undefined && rule.match.kind === "as-written");
  assert.deepEqual(rule.match.peers.map((x) => (x.kind === "networks" ? x.networks.length : -1)), [25, 11]);
  const cidrs = managedAdminCidrs(p).map(formatCidr);
  assert.equal(cidrs.length, 36);
  assert.deepEqual(cidrs.slice(0, 3), ["3.5.64.0/21", "3.5.72.0/23", "18.0.0.0/24"]);
  assert.deepEqual(cidrs.slice(-2), S3_EU_WEST_1.slice(-2));
});

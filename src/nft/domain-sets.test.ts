/**
 * Issue 12, "Enforcer": "Per rule, sets declared with the ruleset and keyed by pod address .
 * destination address with element timeouts ... one pod's lookup never opens an address for
 * another pod"; "learned elements survive full re-applies"; the DNS redirect for "pods that some
 * domain rule selects; other pods' DNS is untouched. The pod's own DNS egress policy still decides
 * whether its query may leave (filter before redirecting)."
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadCluster } from "../k8s/load.js";
import { decodeCluster } from "../k8s/decode.js";
import { parseDocuments } from "../k8s/parse.js";
import type { Cluster } from "../model/cluster.js";
import { AddressSet } from "../net/address-set.js";
import { type Ip, parseIp } from "../net/ip.js";
import type { EngineOptions } from "../engine/types.js";
import { compileRuleset } from "./compile.js";
import { diffRulesets } from "./diff.js";
import { simulate } from "./simulate.js";
import { renderRuleset } from "./render.js";
import type { CompileResult, NftSet, Ruleset } from "./types.js";
import { cidr } from "./fixture.js";
import { DNS_FILTER_CHAIN, DNS_FILTER_HOOK, DNS_REDIRECT_CHAIN, DNS_REDIRECT_HOOK } from "./dns-redirect.js";

const FIXTURE = "src/cli/testdata/admin-domains.yaml";
const OPTIONS: EngineOptions = { podNetwork: AddressSet.fromCidr(cidr("10.244.0.0/16")), ipBlockMatchesPods: true };

const ip = (text: string): Ip => {
  const parsed = parseIp(text);
  assert.ok(parsed, text);
  return parsed;
};

/** The fixture (shop/web, an Accept of api.stripe.com:443 before a Deny of 0.0.0.0/0) and `extra` YAML documents. */
function clusterOf(extra = ""): Cluster {
  const text = readFileSync(FIXTURE, "utf8") + extra;
  const d = loadCluster([{ file: FIXTURE, text }]);
  assert.deepEqual(d.diagnostics.filter((x) => x.severity === "error"), []);
  return d.value;
}

const OTHER_POD = `---
apiVersion: v1
kind: Pod
metadata: {name: batch, namespace: shop, labels: {app: batch}}
spec: {containers: [{name: batch, image: busybox}]}
status: {podIP: 10.244.1.6}
`;

const learnedSet = (r: CompileResult): NftSet => {
  const set = r.ruleset.sets.find((s) => s.learned === true);
  assert.ok(set, "a learned set");
  return set;
};

/** The ruleset with `pairs` in the learned sets: what the kernel holds once the proxy learned them. */
const withLearned = (r: Ruleset, pairs: readonly string[]): Ruleset => ({ ...r, sets: r.sets.map((s) => (s.learned === true ? { ...s, elements: pairs.map((key) => ({ key })) } : s)) });

test("an Accept rule with domainNames: one learned set per family, `type ipv4_addr . ipv4_addr; flags timeout`, empty as compiled, looked up by pod address . destination address with the rule's protocols", () => {
  const r = compileRuleset(clusterOf(), OPTIONS);
  const set = learnedSet(r);
  assert.match(set.name, /^e_[0-9a-f]{12}_dns_v4$/);
  assert.equal(set.type, "ipv4_addr . ipv4_addr");
  assert.equal(set.interval, false);
  assert.deepEqual(set.elements, []);
  assert.match(r.text, new RegExp(`set ${set.name} \\{\\n\\t\\ttype ipv4_addr . ipv4_addr\\n\\t\\tflags timeout\\n\\t\\}`));
  const rule = r.ruleset.chains.flatMap((c) => c.rules).find((x) => x.includes(`@${set.name}`));
  assert.match(rule ?? "", new RegExp(`^ip saddr . ip daddr @${set.name} meta l4proto . th dport \\{ tcp . 443 \\} counter return comment "pc:e:[0-9a-f]{12}"$`));
  assert.deepEqual(r.domainRules.map((d) => ({ patterns: d.patterns, sets: d.sets, subjects: d.subjects })), [{ patterns: [{ kind: "exact", name: "api.stripe.com" }], sets: { 4: set.name }, subjects: [ip("10.244.1.5")] }]);
});

test('"A domain peer matches a destination IP only if the source pod received that IP in a DNS answer": per pod, at the rule\'s place before the Deny of the rest, with its port', () => {
  const r = compileRuleset(clusterOf(OTHER_POD), OPTIONS);
  const stripe = ip("54.187.174.169");
  const packet = (from: string, port = 443) => ({ source: ip(from), destination: stripe, protocol: "TCP" as const, port });
  // Nothing learned: the Deny of 0.0.0.0/0 decides (fail closed).
  assert.equal(simulate(r.ruleset, packet("10.244.1.5")).verdict, "drop");
  const learned = withLearned(r.ruleset, ["10.244.1.5 . 54.187.174.169"]);
  assert.equal(simulate(learned, packet("10.244.1.5")).verdict, "accept");
  assert.equal(simulate(learned, packet("10.244.1.5", 80)).verdict, "drop", "the rule's protocols: TCP 443 only");
  // "one pod's lookup never opens an address for another pod"
  assert.equal(simulate(learned, packet("10.244.1.6")).verdict, "drop");
});

test("diffs never flush, delete or fill a learned set: a re-apply of the same rules sends nothing, a policy change leaves the set alone", () => {
  const before = compileRuleset(clusterOf(), OPTIONS);
  const set = learnedSet(before);
  assert.equal(diffRulesets(before.ruleset, compileRuleset(clusterOf(), OPTIONS).ruleset).kind, "unchanged");
  const after = compileRuleset(clusterOf(OTHER_POD), OPTIONS);
  const diff = diffRulesets(before.ruleset, after.ruleset);
  assert.notEqual(diff.kind, "replace");
  assert.ok(!diff.text.includes(set.name), diff.text);
  // Even when the compiled side lists no elements and the kernel holds some (the applied ruleset never lists them).
  assert.ok(!diffRulesets(withLearned(before.ruleset, ["10.244.1.5 . 1.2.3.4"]), after.ruleset).text.includes(set.name));
});

test("Deny and Pass rules with domainNames get no learned set (decode refuses them for enforce); a rule without domainNames none", () => {
  const r = compileRuleset(clusterOf(), OPTIONS);
  assert.equal(r.ruleset.sets.filter((s) => s.learned === true).length, 1);
  const plain = readFileSync("src/labrun/testdata/admin-guardrail.yaml", "utf8");
  const g = compileRuleset(loadCluster([{ file: "g.yaml", text: plain }]).value, OPTIONS);
  assert.deepEqual(g.ruleset.sets.filter((s) => s.learned === true), []);
  assert.deepEqual(g.domainRules, []);
});

test("decode for the node agent with --dns-proxy: an Accept rule with domainNames is enforced (no warning), Deny and Pass stay errors", () => {
  const text = readFileSync(FIXTURE, "utf8");
  const docs = parseDocuments({ file: FIXTURE, text });
  const withProxy = decodeCluster(docs.documents, { adminPolicies: "enforce-with-dns-proxy" });
  assert.deepEqual(withProxy.diagnostics.map((d) => d.code), []);
  const without = decodeCluster(docs.documents, { adminPolicies: "enforce" });
  assert.deepEqual(without.diagnostics.map((d) => d.code), ["admin-domain-not-enforced"]);
  const deny = parseDocuments({ file: FIXTURE, text: text.replace("action: Accept", "action: Deny") });
  assert.deepEqual(decodeCluster(deny.documents, { adminPolicies: "enforce-with-dns-proxy" }).diagnostics.map((d) => d.severity), ["error"]);
});

const DNS_PROXY = { address: ip("10.0.0.1"), port: 5353, servers: [ip("10.96.0.10")] };

/** An Admin Accept of DNS (UDP and TCP 53 to 10.96.0.10) before the Deny of the rest. */
const ALLOW_DNS = `---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: allow-dns}
spec:
  tier: Admin
  priority: 5
  subject: {namespaces: {}}
  egress:
  - name: dns
    action: Accept
    to: [{networks: [10.96.0.10/32]}]
    protocols: [{udp: {destinationPort: {number: 53}}}, {tcp: {destinationPort: {number: 53}}}]
`;

test("the DNS redirect: a prerouting filter before the NAT, both before kube-proxy's DNAT (dstnat), only for the subjects' queries to the cluster DNS", () => {
  const r = compileRuleset(clusterOf(ALLOW_DNS + OTHER_POD), OPTIONS, {}, { dnsProxy: DNS_PROXY });
  const chain = (name: string) => r.ruleset.chains.find((c) => c.name === name);
  assert.equal(chain(DNS_FILTER_CHAIN)?.base, DNS_FILTER_HOOK);
  assert.equal(chain(DNS_REDIRECT_CHAIN)?.base, DNS_REDIRECT_HOOK);
  assert.match(DNS_FILTER_HOOK, /priority dstnat - 10;/);
  assert.match(DNS_REDIRECT_HOOK, /type nat hook prerouting priority dstnat - 5;/);
  const set = (name: string) => r.ruleset.sets.find((s) => s.name === name)?.elements.map((e) => e.key);
  assert.deepEqual(set("dns_servers_v4"), ["10.96.0.10"]);
  // shop/batch is selected by the domain rule's subject too (namespaces: {}): every pod of the cluster.
  assert.deepEqual(set("dns_subjects_v4"), ["10.244.1.5", "10.244.1.6"]);
  assert.deepEqual(set("dns_clients_v4"), ["10.244.1.5 . tcp", "10.244.1.5 . udp", "10.244.1.6 . tcp", "10.244.1.6 . udp"]);
  assert.deepEqual(chain(DNS_REDIRECT_CHAIN)?.rules, ["meta l4proto { udp, tcp } th dport 53 ip daddr @dns_servers_v4 ip saddr . meta l4proto @dns_clients_v4 counter dnat ip to 10.0.0.1:5353"]);
});

test("filter before redirecting: a subject whose egress denies DNS (the Deny of 0.0.0.0/0 covers 10.96.0.10) is no client, and its query is dropped before the NAT", () => {
  const r = compileRuleset(clusterOf(), OPTIONS, {}, { dnsProxy: DNS_PROXY });
  assert.deepEqual(r.ruleset.sets.find((s) => s.name === "dns_clients_v4")?.elements, []);
  assert.deepEqual(r.ruleset.chains.find((c) => c.name === DNS_FILTER_CHAIN)?.rules, [
    "meta l4proto { udp, tcp } th dport 53 ip daddr @dns_servers_v4 ip saddr @dns_subjects_v4 ip saddr . meta l4proto != @dns_clients_v4 counter drop",
  ]);
});

test("without the proxy there is no redirect; with it and no domain rule the chains stay, empty (so a first domain rule changes elements and rules, never the table)", () => {
  const plain = loadCluster([{ file: "g.yaml", text: readFileSync("src/labrun/testdata/admin-guardrail.yaml", "utf8") }]).value;
  assert.ok(!renderRuleset(compileRuleset(plain, OPTIONS).ruleset).includes("prerouting"));
  const r = compileRuleset(plain, OPTIONS, {}, { dnsProxy: DNS_PROXY });
  assert.deepEqual(r.ruleset.chains.filter((c) => c.base?.includes("prerouting")).map((c) => [c.name, c.rules.length]), [
    [DNS_FILTER_CHAIN, 1],
    [DNS_REDIRECT_CHAIN, 1],
  ]);
  const diff = diffRulesets(r.ruleset, compileRuleset(clusterOf(), OPTIONS, {}, { dnsProxy: DNS_PROXY }).ruleset);
  assert.notEqual(diff.kind, "replace");
});

/**
 * Issue 9, "Every command speaks tiers": explain, matrix, connlist and egress answer from the pair
 * analysis, which walks the admin tiers (Admin, NetworkPolicy, Baseline). Fixture:
 * src/cli/testdata/admin-policies.yaml (an Admin Deny of 169.254.169.254, an Admin Accept of DNS
 * to kube-dns, a BaselineAdminNetworkPolicy that denies 0.0.0.0/0, and shop/web-egress allowing
 * 0.0.0.0/0; shop/web at 10.244.1.5, kube-system/coredns at 10.244.0.2).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { cliInProcess as cli, ROOT } from "./e2e-support.js";

const FILE = join(ROOT, "src", "cli", "testdata", "admin-policies.yaml");

interface AdminRule {
  tier: string;
  policy: { kind: string; name: string };
  priority: number | null;
  direction: string;
  rule: number;
  name: string | null;
  action: string;
  failClosed: boolean;
  peers: string[] | "all";
  protocols: string[] | "all";
  at: { file: string; line: number; column: number; path: string };
}

async function json<T>(argv: readonly string[]): Promise<T> {
  const r = await cli([...argv, "-o", "json"]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

test('explain -o json: per direction, the admin rules that apply (adminRules: tier, policy, priority, rule, name, action, peers, protocols, at), in the order "Admin tier * NetworkPolicy tier * Baseline tier"', async () => {
  const v = await json<{ endpoint: { egress: { adminRules: AdminRule[] }; ingress: { adminRules: AdminRule[] } } }>(["explain", "-f", FILE, "shop/web"]);
  const rules = v.endpoint.egress.adminRules;
  assert.deepEqual(
    rules.map((r) => [r.tier, r.policy.name, r.priority, r.rule, r.name, r.action]),
    [
      ["Admin", "allow-dns", 5, 0, "kube-dns", "Accept"],
      ["Admin", "deny-metadata", 10, 0, "block-imds", "Deny"],
      ["Baseline", "default", null, 0, "default-deny", "Deny"],
    ],
  );
  assert.deepEqual(rules[1], {
    tier: "Admin",
    policy: { kind: "ClusterNetworkPolicy", name: "deny-metadata" },
    priority: 10,
    direction: "egress",
    rule: 0,
    name: "block-imds",
    action: "Deny",
    failClosed: false,
    peers: ["networks 169.254.169.254/32"],
    protocols: "all",
    at: { file: FILE, line: 37, column: 5, path: "spec.egress[0]" },
  });
  assert.deepEqual(rules[0]?.protocols, ["UDP 53", "TCP 53"]);
  assert.deepEqual(v.endpoint.ingress.adminRules, [], "no admin policy has ingress rules");
});

test("explain: shop/web's reachable regions come from the tier walk: 0.0.0.0/0 (its NetworkPolicy) except 169.254.169.254 (the Admin Deny, final)", async () => {
  const v = await json<{ endpoint: { egress: { external: { peer: string }[]; endpoints: { peer: string }[] } } }>(["explain", "-f", FILE, "shop/web"]);
  assert.deepEqual(v.endpoint.egress.endpoints.map((e) => e.peer), ["kube-system/coredns"]);
  const regions = v.endpoint.egress.external.map((e) => e.peer).join(" ");
  assert.doesNotMatch(regions, /169\.254\.169\.254\/32/);
  assert.match(regions, /169\.254\.169\.252\/31,169\.254\.169\.255\/32/, "the addresses next to it stay open");
});

test("explain (text): the Admin tier before the NetworkPolicy rules, the Baseline after them, marked not reached when NetworkPolicy isolates", async () => {
  const r = await cli(["explain", "-f", FILE, "shop/web"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^ {2}Admin tier \(first\):\n {4}Admin ClusterNetworkPolicy allow-dns \(priority 5\) rule 0 "kube-dns" Accept to pods k8s-app=kube-dns in namespaces kubernetes\.io\/metadata\.name=kube-system: UDP 53, TCP 53 {2}\S+admin-policies\.yaml:49:5\n {4}Admin ClusterNetworkPolicy deny-metadata \(priority 10\) rule 0 "block-imds" Deny to networks 169\.254\.169\.254\/32 {2}\S+:37:5\n {2}shop\/web-egress/m,
  );
  assert.match(r.stdout, /^ {2}Baseline tier \(not reached: NetworkPolicy isolates it\):\n {4}Baseline BaselineAdminNetworkPolicy default rule 0 "default-deny" Deny to networks 0\.0\.0\.0\/0 /m);
});

test('explain kube-system/coredns: not isolated by NetworkPolicy, so the Baseline default-deny decides ("networks" match pod IPs too: Deny 0.0.0.0/0 denies pod-to-pod traffic); it reaches only IPv6', async () => {
  const r = await cli(["explain", "-f", FILE, "kube-system/coredns"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Egress: not isolated by NetworkPolicy for egress: the admin tiers decide, the rest is allowed$/m);
  assert.match(r.stdout, /^ {2}Baseline tier \(last\):$/m);
  assert.match(r.stdout, /^ {2}may reach:\n {4}::\/0 {2}All Connections\n\n/m);
});

test("matrix -o json: the Baseline Deny of 0.0.0.0/0 denies coredns → shop/web (it names pod IPs); DNS from shop/web to coredns is allowed; external egress without the metadata address", async () => {
  const v = await json<{ entries: { from: string; to: string; port: number; protocol: string; verdict: string }[]; externalEgress: { from: string; to: string }[] }>(["matrix", "-f", FILE]);
  const verdict = (from: string, to: string): string[] => v.entries.filter((e) => e.from === from && e.to === to).map((e) => `${e.port}/${e.protocol} ${e.verdict}`);
  assert.deepEqual(verdict("kube-system/coredns", "shop/web"), ["8080/TCP denied"]);
  assert.deepEqual(verdict("shop/web", "kube-system/coredns"), ["53/UDP allowed"]);
  assert.deepEqual(
    v.externalEgress.map((e) => [e.from, e.to]),
    [
      ["kube-system/coredns", "::/0"],
      ["shop/web", v.externalEgress.find((e) => e.from === "shop/web")?.to ?? ""],
    ],
  );
  assert.doesNotMatch(v.externalEgress.find((e) => e.from === "shop/web")?.to ?? "", /169\.254\.169\.254\/32/);
});

test("connlist: no connection from coredns to shop/web (Baseline Deny), coredns reaches ::/0 only", async () => {
  const r = await cli(["connlist", "-f", FILE]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /^kube-system\/coredns\[Pod\] +=> +shop\/web\[Pod\]/m);
  assert.match(r.stdout, /^kube-system\/coredns\[Pod\] +=> +::\/0 +: +All Connections$/m);
  assert.match(r.stdout, /^shop\/web\[Pod\] +=> +0\.0\.0\.0\/0 except 169\.254\.169\.254 +: +All Connections$/m);
});

test('egress: "the egress picture says which guardrails apply to each workload"; a namespace without policies whose pods guardrails restrict is shown, not listed as unrestricted', async () => {
  const r = await cli(["egress", "-f", FILE]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Namespace kube-system: no egress policies$/m);
  assert.doesNotMatch(r.stdout, /No policies \(all egress allowed\)/);
  assert.match(r.stdout, /^ {4}egress not limited by NetworkPolicy: the guardrails decide, the rest is allowed$/m);
  assert.match(r.stdout, /^ {4}guardrails: Admin ClusterNetworkPolicy allow-dns \(priority 5\) rule 0 "kube-dns" Accept to pods /m);
  assert.match(r.stdout, /^ {16}Admin ClusterNetworkPolicy deny-metadata \(priority 10\) rule 0 "block-imds" Deny to networks 169\.254\.169\.254\/32$/m);
  assert.match(r.stdout, /^ {4}internet {8}blocked$/m, "coredns: the Baseline denies 0.0.0.0/0 and the internet is IPv4 here");
});

test("egress -o json: guardrails per workload; the Baseline's only where NetworkPolicy does not isolate (its verdict is final otherwise)", async () => {
  const v = await json<{ namespaces: { namespace: string; workloads: { id: string; guardrails: AdminRule[] }[] }[]; unrestricted: unknown[] }>(["egress", "-f", FILE]);
  const of = (id: string): string[] => (v.namespaces.flatMap((n) => n.workloads).find((w) => w.id === id)?.guardrails ?? []).map((g) => `${g.tier} ${g.policy.name} ${g.action}`);
  assert.deepEqual(of("shop/web"), ["Admin allow-dns Accept", "Admin deny-metadata Deny"]);
  assert.deepEqual(of("kube-system/coredns"), ["Admin allow-dns Accept", "Admin deny-metadata Deny", "Baseline default Deny"]);
  assert.deepEqual(v.unrestricted, []);
});

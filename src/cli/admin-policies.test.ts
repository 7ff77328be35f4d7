/**
 * Issue 9: admin policies are decoded and validated, never silently dropped. `check`, `explain`,
 * `matrix`, `connlist`, `egress`, `graph` and `diff` evaluate them (the tier walk); every other
 * command that loads them says that its answers ignore them;
 * `enforce` refuses them (exit 2) rather than enforce without them.
 * Fixture: src/cli/testdata/admin-policies.yaml.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { messages } from "../diag/catalogue.js";
import { loadCluster } from "../enforce/load.js";
import { codes } from "../k8s/codes.js";
import { cliInProcess as cli, ROOT } from "./e2e-support.js";

const FILE = join(ROOT, "src", "cli", "testdata", "admin-policies.yaml");
const POLICIES = ["ClusterNetworkPolicy deny-metadata", "ClusterNetworkPolicy allow-dns", "BaselineAdminNetworkPolicy default"];

const COMMANDS: readonly (readonly string[])[] = [["scaffold", "--cluster", "-f", FILE]];

for (const argv of COMMANDS) {
  test(`${argv[0]}: each admin policy is named in a warning that answers ignore it (admin-policy-not-evaluated), never a silent drop`, async () => {
    const r = await cli(argv);
    assert.notEqual(r.code, 2, r.stderr);
    for (const policy of POLICIES) assert.ok(r.stderr.includes(`warning: ${messages.adminPolicyNotEvaluated(policy)}`), `${policy} not named in:\n${r.stderr}`);
  });
}

test("lint evaluates the admin tiers: no admin-policy-not-evaluated warning, and the Admin Deny of 169.254.169.254 leaves only 100.100.100.200 to metadata-reachable", async () => {
  const r = await cli(["lint", "-f", FILE, "--fail-on", "never", "--enable", "metadata-reachable"]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, new RegExp(codes.adminPolicyNotEvaluated), r.stderr);
  assert.doesNotMatch(r.stderr, /not yet evaluated/, r.stderr);
  assert.match(r.stdout, /reach the cloud metadata service at 100\.100\.100\.200 \(TCP 80\)/);
  assert.doesNotMatch(r.stdout, /169\.254\.169\.254/);
});

const METADATA = ["check", "-f", FILE, "--from", "shop/web", "--to", "169.254.169.254", "--port", "80"];

const EVALUATING: readonly (readonly string[])[] = [
  METADATA,
  ["egress", "-f", FILE],
  ["explain", "-f", FILE, "shop/web"],
  ["matrix", "-f", FILE],
  ["connlist", "-f", FILE],
  ["graph", "-f", FILE],
  ["diff", "-f", FILE, "--against", FILE],
];

for (const argv of EVALUATING) {
  test(`${argv[0]} evaluates the admin tiers: no admin-policy-not-evaluated warning`, async () => {
    const r = await cli(argv);
    assert.doesNotMatch(r.stderr, new RegExp(codes.adminPolicyNotEvaluated), r.stderr);
    assert.doesNotMatch(r.stderr, /not yet evaluated/, r.stderr);
  });
}

test('check, the metadata guardrail (issue 9: "block cloud metadata for every pod, whatever the namespaces write"): DENIED by the Admin rule, named with its priority, rule and location, though shop/web-egress re-opens 0.0.0.0/0; exit 1', async () => {
  const r = await cli(METADATA);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^DENIED: shop\/web \(Pod\) → 169\.254\.169\.254, TCP port 80$/m);
  assert.match(r.stdout, /^ {4}Admin ClusterNetworkPolicy deny-metadata \(priority 10\) rule 0 "block-imds" Deny → final {2}\S*admin-policies\.yaml:37:5$/m);
  // The namespace's own policy selects shop/web, but the Admin Deny is final: no NetworkPolicy rule allowed it.
  assert.match(r.stdout, /NetworkPolicy shop\/web-egress .*\n {4}\(not reached: the Admin tier decided\)$/m);
  assert.doesNotMatch(r.stdout, /allowed by:/);
});

test("check -o json: the tier walk per direction (tiers: tier, outcome, policy, priority, rule, name, action, at)", async () => {
  const r = await cli([...METADATA, "-o", "json"]);
  assert.equal(r.code, 1, r.stderr);
  const v = JSON.parse(r.stdout) as { verdict: string; egress: { tiers: unknown[] }; ingress: { tiers: unknown[] } };
  assert.equal(v.verdict, "denied");
  assert.deepEqual(v.egress.tiers, [
    {
      tier: "Admin",
      outcome: "matched",
      policy: { kind: "ClusterNetworkPolicy", name: "deny-metadata" },
      priority: 10,
      rule: 0,
      name: "block-imds",
      action: "Deny",
      failClosed: false,
      at: { file: FILE, line: 37, column: 5, path: "spec.egress[0]" },
      policies: null,
    },
  ]);
  assert.deepEqual(v.ingress.tiers, [], "169.254.169.254 is outside the cluster model: no policy applies");
});

test("check: DNS to kube-dns is an Admin Accept (priority 5, before the Deny at 10); a pod NetworkPolicy does not isolate falls through Admin to the Baseline default-deny", async () => {
  const dns = await cli(["check", "-f", FILE, "--from", "shop/web", "--to", "kube-system/coredns", "--port", "53", "--protocol", "UDP"]);
  assert.equal(dns.code, 0, dns.stdout);
  assert.match(dns.stdout, /Admin ClusterNetworkPolicy allow-dns \(priority 5\) rule 0 "kube-dns" Accept → final/);
  const out = await cli(["check", "-f", FILE, "--from", "kube-system/coredns", "--to", "1.1.1.1", "--port", "443"]);
  assert.equal(out.code, 1, out.stdout);
  assert.match(out.stdout, /^ {4}Admin: no rule of the 2 policies selecting it matches → next tier$/m);
  assert.match(out.stdout, /^ {4}Baseline BaselineAdminNetworkPolicy default rule 0 "default-deny" Deny → final {2}/m);
});

test('-v counts them: "2 ClusterNetworkPolicies, 1 BaselineAdminNetworkPolicy"', async () => {
  const r = await cli(["egress", "-f", FILE, "-v"]);
  assert.match(r.stderr, /^read 1 file: 1 namespace, 2 endpoints, 0 services, 1 NetworkPolicy, 2 ClusterNetworkPolicies, 1 BaselineAdminNetworkPolicy$/m);
});

for (const argv of [["enforce", "--dry-run", "-f", FILE], ["enforce", "--dry-run", "-o", "nft", "-f", FILE]]) {
  test(`${argv.join(" ").replace(FILE, "FILE")}: refuses input with admin policies (exit 2, "not enforced yet"), prints no ruleset`, async () => {
    const r = await cli(argv);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, "");
    for (const policy of POLICIES) assert.ok(r.stderr.includes(`error: ${messages.adminPolicyNotEnforced(policy)}`), r.stderr);
  });
}

test("the enforcer's loader (apply, --watch) refuses admin policies as errors: the loop keeps its table (load-failed) rather than drop them", async () => {
  const loaded = await loadCluster([FILE]);
  assert.deepEqual(
    loaded.diagnostics.filter((d) => d.code === codes.adminPolicyNotEnforced).map((d) => [d.severity, d.message]),
    POLICIES.map((p) => ["error", messages.adminPolicyNotEnforced(p)]),
  );
});

test("enforce --dry-run of the same input without its admin policies is accepted (the refusal is theirs alone)", async () => {
  const { readFileSync, writeFileSync, mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "pc-admin-"));
  try {
    const kept = readFileSync(FILE, "utf8").split("\n---\n").filter((doc) => !doc.includes("policy.networking.k8s.io"));
    writeFileSync(join(dir, "np.yaml"), kept.join("\n---\n"));
    const r = await cli(["enforce", "--dry-run", "-f", join(dir, "np.yaml")]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /table inet portcullis/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

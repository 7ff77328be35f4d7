/**
 * Issue 9, until evaluation lands: admin policies are decoded and validated, never silently dropped.
 * Every command that loads them says that its answers ignore them; `enforce` refuses them (exit 2)
 * rather than enforce without them. Fixture: src/cli/testdata/admin-policies.yaml.
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

const COMMANDS: readonly (readonly string[])[] = [
  ["egress", "-f", FILE],
  ["check", "-f", FILE, "--from", "shop/web", "--to", "169.254.169.254", "--port", "80"],
  ["explain", "-f", FILE, "shop/web"],
  ["matrix", "-f", FILE],
  ["connlist", "-f", FILE],
  ["graph", "-f", FILE],
  ["lint", "-f", FILE, "--fail-on", "never"],
  ["diff", "-f", FILE, "--against", FILE],
];

for (const argv of COMMANDS) {
  test(`${argv[0]}: each admin policy is named in a warning that answers ignore it (admin-policy-not-evaluated), never a silent drop`, async () => {
    const r = await cli(argv);
    assert.notEqual(r.code, 2, r.stderr);
    for (const policy of POLICIES) assert.ok(r.stderr.includes(`warning: ${messages.adminPolicyNotEvaluated(policy)}`), `${policy} not named in:\n${r.stderr}`);
  });
}

test("check: the metadata guardrail is not evaluated yet, so the answer is the NetworkPolicy one, and the warning says it ignores the guardrail", async () => {
  const r = await cli(["check", "-f", FILE, "--from", "shop/web", "--to", "169.254.169.254", "--port", "80"]);
  assert.equal(r.code, 0, "allowed by shop/web-egress (0.0.0.0/0); the Admin Deny is not applied yet");
  assert.match(r.stderr, /ClusterNetworkPolicy deny-metadata is read and validated but not yet evaluated: answers below ignore it/);
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

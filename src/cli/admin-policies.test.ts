/**
 * Issue 9: admin policies are decoded and validated, never silently dropped. `check`, `explain`,
 * `matrix`, `connlist`, `egress`, `graph` and `diff` evaluate them (the tier walk); every other
 * command that loads them says that its answers ignore them;
 * `enforce` compiles them into the kernel (domainNames peers of Deny/Pass rules refused).
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

test("enforce --dry-run enforces the admin tiers (issue 9: \"The nftables compiler evaluates tiers in the kernel\"): exit 0, each admin rule a counted lookup named in comments, no warning", async () => {
  const r = await cli(["enforce", "--dry-run", "-f", FILE]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /error|not yet evaluated|not enforced|domainNames/, r.stderr);
  // shop/web: Admin (allow-dns at 5, deny-metadata at 10), then its NetworkPolicy; the Baseline is not reached.
  assert.match(r.stdout, /# pc:e:g[0-9a-f]{12} enforce: shop\/web-egress, Admin ClusterNetworkPolicy allow-dns \(priority 5\), Admin ClusterNetworkPolicy deny-metadata \(priority 10\)\n/);
  // kube-system/coredns: no NetworkPolicy isolates it; Admin, then the Baseline default deny.
  assert.match(r.stdout, /# pc:e:g[0-9a-f]{12} enforce: Admin ClusterNetworkPolicy allow-dns \(priority 5\), Admin ClusterNetworkPolicy deny-metadata \(priority 10\), Baseline BaselineAdminNetworkPolicy default\n/);
  assert.match(r.stdout, /169\.254\.169\.254/);
  assert.match(r.stdout, /counter drop comment "pc:e:[0-9a-f]{12}"/);
});

test("the enforcer's loader (apply, --watch) accepts admin policies: no error, no admin-policy-not-evaluated warning", async () => {
  const loaded = await loadCluster([FILE]);
  // The one diagnostic: BANP (v1alpha1) beside ClusterNetworkPolicies (v1alpha2) in one input.
  assert.deepEqual(loaded.diagnostics.map((d) => [d.severity, d.code]), [["warning", codes.adminApiVersionsMixed]]);
  assert.equal(loaded.cluster.adminPolicies?.length, 3);
});

const DOMAIN_RULES = (action: string): string => `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: by-name}
spec:
  tier: Admin
  priority: 20
  subject: {namespaces: {}}
  egress:
  - name: example
    action: ${action}
    to: [{domainNames: [example.com]}]
`;

for (const action of ["Deny", "Pass"]) {
  test(`enforce refuses a ${action} rule with domainNames peers (admin-policy-not-enforced, exit 2): the kernel cannot match a name, and matching nothing would leave that traffic to later rules`, async () => {
    const { writeFileSync, mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "pc-admin-"));
    try {
      writeFileSync(join(dir, "domain.yaml"), DOMAIN_RULES(action));
      const r = await cli(["enforce", "--dry-run", "-f", join(dir, "domain.yaml")]);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, "");
      assert.ok(r.stderr.includes(`domain.yaml:11:11: error: spec.egress[0].to[0].domainNames: ${messages.adminPolicyNotEnforced("ClusterNetworkPolicy by-name", 'egress rule 0 "example"', action)}`), r.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("enforce accepts an Accept rule with domainNames peers with a warning (admin-domain-not-enforced): it matches nothing in the kernel, fail closed", async () => {
  const { writeFileSync, mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "pc-admin-"));
  try {
    writeFileSync(join(dir, "domain.yaml"), DOMAIN_RULES("Accept"));
    const r = await cli(["enforce", "--dry-run", "-f", join(dir, "domain.yaml")]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stderr.includes(`domain.yaml:11:11: warning: spec.egress[0].to[0].domainNames: ${messages.adminDomainNotEnforced("ClusterNetworkPolicy by-name", 'egress rule 0 "example"')}`), r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const DOMAINS = join(ROOT, "src", "cli", "testdata", "admin-domains.yaml");

test('check, a domainNames Accept before a Deny of the rest: "matches only addresses the pod resolved through DNS" is not known offline, so the answer is DEPENDS (exit 1) naming the rule, never a silent DENIED', async () => {
  const r = await cli(["check", "-f", DOMAINS, "--from", "shop/web", "--to", "54.187.174.169", "--port", "443"]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^DEPENDS: shop\/web \(Pod\) → 54\.187\.174\.169, TCP port 443/);
  assert.match(r.stdout, /depends on DNS: these rules match only the addresses shop\/web resolved for their names/);
  assert.match(r.stdout, /Admin ClusterNetworkPolicy allow-stripe \(priority 10\) rule 0 "stripe" Accept to api\.stripe\.com {2}.*admin-domains\.yaml:17:5/);
  const json = await cli(["check", "-f", DOMAINS, "--from", "shop/web", "--to", "54.187.174.169", "--port", "443", "-o", "json"]);
  const doc = JSON.parse(json.stdout) as { verdict: string; egress: { verdict: string; tiers: { outcome: string; rule: number; domainNames?: string[] }[] } };
  assert.equal(doc.verdict, "depends");
  assert.deepEqual(
    doc.egress.tiers.filter((t) => t.outcome === "depends-on-dns").map((t) => [t.rule, t.domainNames]),
    [[0, ["api.stripe.com"]]],
  );
  // Port 80 is not in the rule's protocols: the domain rule decides nothing, the Deny does.
  const other = await cli(["check", "-f", DOMAINS, "--from", "shop/web", "--to", "54.187.174.169", "--port", "80"]);
  assert.match(other.stdout, /^DENIED:/);
  assert.doesNotMatch(other.stdout, /depends on DNS/);
});

test("matrix takes a domainNames peer as matching nothing and says so per rule (admin-domain-not-evaluated), never a silent drop", async () => {
  const r = await cli(["matrix", "-f", DOMAINS]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stderr.includes(`warning: spec.egress[0].to[0].domainNames: ${messages.adminDomainNotEvaluated("ClusterNetworkPolicy allow-stripe", 'egress rule 0 "stripe"', "Accept")}`), r.stderr);
  const check = await cli(["check", "-f", DOMAINS, "--from", "shop/web", "--to", "54.187.174.169", "--port", "443"]);
  assert.doesNotMatch(check.stderr, /admin-domain-not-evaluated|match no address in these answers/);
});

test("check states the namespaces whose labels admin selectors were evaluated against when the input does not hold them: the subject's (subject namespaces env=prod) and the peer's (namespaces tier=data)", async () => {
  const file = join(ROOT, "src", "cli", "testdata", "admin-assumed.yaml");
  const r = await cli(["check", "-f", file, "--from", "shop/web", "--to", "data/db", "--port", "5432", "-o", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { verdict: string; assumptions: { namespace: string }[] };
  assert.equal(doc.verdict, "allowed");
  assert.deepEqual(
    doc.assumptions.map((a) => a.namespace),
    ["data", "shop"],
  );
});

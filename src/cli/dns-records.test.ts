/**
 * Issue 12, offline: `--dns-records FILE` and `--resolve NAME=IP[,IP]` give the resolution
 * snapshot on every command that evaluates admin policies; `check --to NAME` works by name.
 * Fixture: examples/domains (checkout allowed to Stripe by name, a Deny of everything else).
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { messages } from "../diag/catalogue.js";
import { cliInProcess as cli, ROOT } from "./e2e-support.js";

const DIR = join(ROOT, "examples", "domains");
const INPUT = ["-f", join(DIR, "manifests")];
const RECORDS = ["--dns-records", join(DIR, "records.yaml")];
const FROM = ["--from", "payments/checkout"];

interface CasesDoc {
  verdict: string;
  cases: { label: string; verdict: string; check: { dns?: { assumption: string }; egress: { tiers: { admissions?: { pattern: string; name: string; address: string; records: { at: { line: number } | null }[] }[] }[] } } }[];
  resolution?: { name: string; addresses: { address: string; chain: string[] }[] };
}

test("check --to NAME with --dns-records: every address the name resolves to is checked and shown; allowed when every one is (exit 0); JSON names the rule's admission and the record's line", async () => {
  const r = await cli(["check", ...INPUT, ...RECORDS, ...FROM, "--to", "api.stripe.com", "--port", "443", "-o", "json"]);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as CasesDoc;
  assert.equal(doc.verdict, "allowed");
  assert.deepEqual(doc.resolution?.addresses.map((a) => a.address), ["54.187.174.169", "54.187.216.72", "2600:1f14:c9f:f600::10"]);
  assert.deepEqual(doc.cases.map((c) => c.verdict), ["allowed", "allowed", "allowed"]);
  const first = doc.cases[0]?.check;
  assert.equal(first?.dns?.assumption, "every pod resolved every name of the snapshot");
  const admission = first?.egress.tiers[0]?.admissions?.[0];
  assert.deepEqual([admission?.pattern, admission?.name, admission?.address, admission?.records[0]?.at?.line], ["api.stripe.com", "api.stripe.com", "54.187.174.169", 2]);
});

test("check --to NAME through a CNAME chain: the wildcard matches the chain's head, the text names every record followed", async () => {
  const r = await cli(["check", ...INPUT, ...RECORDS, ...FROM, "--to", "m.stripe.network", "--port", "443"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ALLOWED: m\.stripe\.network resolves to 1 address in the DNS snapshot/);
  assert.match(r.stdout, /\*\.stripe\.network admits 151\.101\.1\.51: m\.stripe\.network CNAME stripe\.map\.fastly\.net \(.*records\.yaml:5:3\) → stripe\.map\.fastly\.net A 151\.101\.1\.51 \(.*records\.yaml:6:3\); ttl 30/);
  assert.match(r.stdout, /Assumed: every pod resolved every name of the DNS snapshot/);
});

test("issue 12: \"ClusterIP Service names never match (post-DNAT), headless ones do\": check --to the Service names", async () => {
  const clusterIp = await cli(["check", ...INPUT, ...RECORDS, ...FROM, "--to", "api.payments.svc.cluster.local", "--port", "443"]);
  assert.equal(clusterIp.code, 1, clusterIp.stderr);
  assert.match(clusterIp.stdout, /^DENIED: .*\n {2}api\.payments\.svc\.cluster\.local A 10\.96\.5\.5 → Pod\/payments\/api TCP 443: denied/);
  const headless = await cli(["check", ...INPUT, ...RECORDS, ...FROM, "--to", "ledger.payments.svc.cluster.local", "--port", "443"]);
  assert.equal(headless.code, 0, headless.stderr);
  assert.match(headless.stdout, /ledger\.payments\.svc\.cluster\.local admits 10\.244\.1\.20/);
});

test("check --to an address: --resolve alone is a snapshot; an address no record gives is denied by the Deny after the domain rule", async () => {
  const allowed = await cli(["check", ...INPUT, "--resolve", "api.stripe.com=54.187.174.169", ...FROM, "--to", "54.187.174.169", "--port", "443"]);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stdout, /api\.stripe\.com admits 54\.187\.174\.169: api\.stripe\.com A 54\.187\.174\.169 \(--resolve\); ttl 300/);
  const denied = await cli(["check", ...INPUT, "--resolve", "api.stripe.com=54.187.174.169", ...FROM, "--to", "54.187.216.72", "--port", "443"]);
  assert.equal(denied.code, 1, denied.stderr);
  assert.match(denied.stdout, /^DENIED:/);
});

test("without a snapshot: check --to NAME depends on DNS (exit 1), naming the domain rules that match the name; --to an address says \"depends on DNS\", never a plain ALLOWED", async () => {
  const byName = await cli(["check", ...INPUT, ...FROM, "--to", "api.stripe.com", "--port", "443", "-o", "json"]);
  assert.equal(byName.code, 1, byName.stderr);
  const doc = JSON.parse(byName.stdout) as { verdict: string; resolved: boolean; domainRules: { policy: { name: string }; name: string; outcome: string }[] };
  assert.deepEqual([doc.verdict, doc.resolved], ["depends", false]);
  assert.deepEqual(doc.domainRules.map((t) => `${t.policy.name} ${t.name} ${t.outcome}`), ["allow-stripe stripe depends-on-dns"]);
  const byAddress = await cli(["check", ...INPUT, ...FROM, "--to", "54.187.174.169", "--port", "443"]);
  assert.equal(byAddress.code, 1, byAddress.stderr);
  assert.match(byAddress.stdout, /^DEPENDS:/);
  assert.match(byAddress.stdout, /depends on DNS: these rules match only the addresses payments\/checkout resolved/);
});

test("check --to a name the snapshot does not resolve: a usage error (exit 3) that says how to add it; --dns stays lint's DNS server flag", async () => {
  const r = await cli(["check", ...INPUT, ...RECORDS, ...FROM, "--to", "nope.stripe.com", "--port", "443"]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /the DNS snapshot does not resolve nope\.stripe\.com .*--resolve nope\.stripe\.com=IP/);
  const dns = await cli(["check", ...INPUT, "--dns", "10.96.0.10", ...FROM, "--to", "api.stripe.com", "--port", "443"]);
  assert.equal(dns.code, 3);
  assert.match(dns.stderr, /flag --dns is not valid for "portcullis check"/);
});

test("a bad records file: each problem at file:line:column with its field path, exit 2 (invalid input); an empty one too, never \"no records\"", async () => {
  const dir = mkdtempSync(join(tmpdir(), "portcullis-records-"));
  const bad = join(dir, "bad.yaml");
  writeFileSync(bad, "- {name: api.stripe.com, type: A, value: 54.187.174.169}\n- {name: api.stripe.com, type: A, value: '2600::1'}\n");
  const r = await cli(["check", ...INPUT, "--dns-records", bad, ...FROM, "--to", "54.187.174.169", "--port", "443"]);
  assert.equal(r.code, 2, r.stderr);
  assert.ok(r.stderr.includes(`${bad}:2:35: error: [1].value: ${messages.invalidRecordValue("A", "2600::1")}`), r.stderr);
  const empty = join(dir, "empty.yaml");
  writeFileSync(empty, "# nothing\n");
  const e = await cli(["matrix", ...INPUT, "--dns-records", empty]);
  assert.equal(e.code, 2, e.stderr);
  assert.ok(e.stderr.includes(`${empty}:1:1: error: ${messages.dnsRecordsEmpty()}`), e.stderr);
  const flag = await cli(["check", ...INPUT, "--resolve", "api.stripe.com", ...FROM, "--to", "54.187.174.169", "--port", "443"]);
  assert.equal(flag.code, 3);
  assert.match(flag.stderr, /invalid --resolve "api\.stripe\.com": expected NAME=IP\[,IP\]/);
});

test("matrix, connlist, explain, egress, graph, lint take the snapshot too: no admin-domain-not-evaluated warning, the domain rule matches its addresses", async () => {
  const connlist = await cli(["connlist", ...INPUT, ...RECORDS, "-o", "json"]);
  assert.equal(connlist.code, 0, connlist.stderr);
  assert.doesNotMatch(connlist.stderr, /admin-domain-not-evaluated|match no address in these answers/);
  assert.match(connlist.stdout, /54\.187\.174\.169/);
  const without = await cli(["connlist", ...INPUT, "-o", "json"]);
  assert.match(without.stderr, /match no address in these answers/);
  assert.doesNotMatch(without.stdout, /54\.187\.174\.169/);
  for (const command of [["matrix"], ["egress"], ["graph"], ["lint", "--fail-on", "never"], ["explain", "payments/checkout"]]) {
    const r = await cli([...command, ...INPUT, ...RECORDS]);
    assert.equal(r.code, 0, `${command.join(" ")}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /match no address in these answers/, command.join(" "));
  }
  const explain = await cli(["explain", ...INPUT, ...RECORDS, "payments/checkout"]);
  assert.match(explain.stdout, /\*\.stripe\.network admits 151\.101\.1\.51/);
  assert.match(explain.stdout, /api\.payments\.svc\.cluster\.local admits 10\.96\.5\.5: .*\(the ClusterIP of Service payments\/api: kube-proxy sends the connection to a backend's pod IP/);
  assert.match(explain.stdout, /Assumed: every pod resolved every name of the DNS snapshot/);
});

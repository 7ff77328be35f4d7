/**
 * `portcullis feeds policy` at the command line (issue 13): "`portcullis feeds policy --name allow-s3
 * -n payments --select app=payment-service --feed F aws:service=S3,region=eu-west-1 --port 443`".
 * The policy's semantics are tested in src/feeds/policy.test.ts; here the flags, the output formats,
 * the warnings and the exit codes.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { podSelectorOf } from "./commands/feeds-policy.js";
import { cliInProcess as cli, ROOT } from "./e2e-support.js";

const FEED = join(ROOT, "examples/feeds/aws-ip-ranges.json");
const ALLOW_S3 = ["feeds", "policy", "--name", "allow-s3", "-n", "payments", "--select", "app=payment-service", "--feed", FEED, "aws:service=S3,region=eu-west-1", "--port", "443"];
const DIR = mkdtempSync(join(tmpdir(), "portcullis-feeds-policy-"));

test("the guide's example: examples/feeds/allow-s3.yaml is what the command prints today (docs/feeds/policy.md does not drift)", async () => {
  const r = await cli(ALLOW_S3);
  assert.deepEqual({ code: r.code, stderr: r.stderr }, { code: 0, stderr: "" });
  assert.equal(r.stdout, readFileSync(join(ROOT, "examples/feeds/allow-s3.yaml"), "utf8"));
});

test("-o json prints the same object as the YAML", async () => {
  const yaml = await cli(ALLOW_S3);
  const json = await cli([...ALLOW_S3, "-o", "json"]);
  assert.equal(json.code, 0);
  assert.deepEqual(JSON.parse(json.stdout), parse(yaml.stdout));
});

test("--cluster: a ClusterNetworkPolicy in the Admin tier at --priority; --api v1alpha1: an AdminNetworkPolicy", async () => {
  const cluster = ["feeds", "policy", "--name", "allow-s3", "-n", "payments", "--select", "app=payment-service", "--feed", FEED, "aws:service=S3,region=eu-west-1", "--port", "443", "--cluster"];
  const v2 = await cli([...cluster, "--priority", "40", "-o", "json"]);
  assert.equal(v2.code, 0, v2.stderr);
  const p2 = JSON.parse(v2.stdout) as { kind: string; spec: { tier: string; priority: number } };
  assert.deepEqual([p2.kind, p2.spec.tier, p2.spec.priority], ["ClusterNetworkPolicy", "Admin", 40]);
  const v1 = await cli([...cluster, "--api", "v1alpha1", "-o", "json"]);
  const p1 = JSON.parse(v1.stdout) as { kind: string; spec: { priority: number; egress: { action: string }[] } };
  assert.deepEqual([p1.kind, p1.spec.priority, p1.spec.egress[0]?.action], ["AdminNetworkPolicy", 100, "Allow"]);
});

/** kubectl's label-selector syntax, as `kubectl get pods -l` takes it, and the LabelSelector each becomes. */
const SELECTS: readonly { text: string; want: object | RegExp }[] = [
  { text: "app=payment-service", want: { matchLabels: { app: "payment-service" } } },
  { text: "app==payment-service", want: { matchLabels: { app: "payment-service" } } },
  { text: "app!=batch", want: { matchExpressions: [{ key: "app", operator: "NotIn", values: ["batch"] }] } },
  { text: "tier in (web, api)", want: { matchExpressions: [{ key: "tier", operator: "In", values: ["web", "api"] }] } },
  { text: "app=x,tier notin (batch),!legacy,team", want: { matchLabels: { app: "x" }, matchExpressions: [{ key: "tier", operator: "NotIn", values: ["batch"] }, { key: "legacy", operator: "DoesNotExist" }, { key: "team", operator: "Exists" }] } },
  { text: "", want: {} },
  { text: "replicas>1", want: /a LabelSelector has no > or </ },
  { text: "app=a b", want: /invalid --select "app=a b"/ },
];

for (const c of SELECTS) {
  test(`--select ${JSON.stringify(c.text)}: ${c.want instanceof RegExp ? `refused (${c.want.source})` : "the podSelector written"}`, async () => {
    const r = await cli(["feeds", "policy", "--name", "p", "-n", "payments", "--select", c.text, "--feed", FEED, "aws:service=S3,region=eu-west-1", "-o", "json"]);
    if (c.want instanceof RegExp) {
      assert.equal(r.code, 3);
      assert.match(r.stderr, c.want);
      assert.equal(podSelectorOf(c.text).ok, false);
    } else {
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual((JSON.parse(r.stdout) as { spec: { podSelector: object } }).spec.podSelector, c.want);
    }
  });
}

test("a selection with nothing in it: exit 3 (as scaffold's options that make no policy), nothing on stdout", async () => {
  const r = await cli(["feeds", "policy", "--name", "p", "-n", "payments", "--feed", FEED, "aws:service=S3,region=ap-south-1"]);
  assert.deepEqual({ code: r.code, stdout: r.stdout }, { code: 3, stdout: "" });
  assert.match(r.stderr, /^portcullis: aws:service=S3,region=ap-south-1 selects no range in the aws feed version 1764892387: a policy allowing nothing is not written\n/);
});

test("selectors of two providers: exit 3, one policy per provider", async () => {
  const r = await cli(["feeds", "policy", "--name", "p", "-n", "payments", "--feed", FEED, "aws:service=S3", "github:key=git"]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /selectors of aws and github: one policy holds one provider's ranges/);
});

test("ranges that are not the internet: left out, named in a warning on stderr (not in the policy); the rest written (exit 0)", async () => {
  const json = JSON.parse(readFileSync(FEED, "utf8")) as { prefixes: object[] };
  json.prefixes.push({ ip_prefix: "10.0.0.0/8", region: "eu-west-1", service: "S3", network_border_group: "eu-west-1" });
  const file = join(DIR, "private.json");
  writeFileSync(file, JSON.stringify(json));
  const r = await cli(["feeds", "policy", "--name", "p", "-n", "payments", "--feed", file, "aws:service=S3,region=eu-west-1"]);
  assert.equal(r.code, 0);
  assert.equal(r.stderr, "portcullis: warning: left out 1 range that is not the internet (private, link-local, reserved or cloud metadata): 10.0.0.0/8\n");
  assert.doesNotMatch(r.stdout, /10\.0\.0\.0\/8/);
});

test("a broken feed file: exit 2 naming the file and the JSON path", async () => {
  const file = join(DIR, "broken.json");
  writeFileSync(file, JSON.stringify({ syncToken: "1", createDate: "2025-12-05-00-33-07", prefixes: [{ ip_prefix: "3.5.64.1/21", region: "eu-west-1", service: "S3", network_border_group: "eu-west-1" }], ipv6_prefixes: [] }));
  const r = await cli(["feeds", "policy", "--name", "p", "-n", "payments", "--feed", `aws=${file}`, "aws:service=S3"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`${file.replace(/[.]/g, "\\.")}: prefixes\\[0\\]\\.ip_prefix: `));
});

test("usage errors: an invalid --name, a selector whose provider has no --feed", async () => {
  const name = await cli(["feeds", "policy", "--name", "Allow_S3", "-n", "payments", "--feed", FEED, "aws:service=S3"]);
  assert.equal(name.code, 3);
  assert.match(name.stderr, /invalid --name "Allow_S3"/);
  const feed = await cli(["feeds", "policy", "--name", "p", "-n", "payments", "--feed", FEED, "github:key=git"]);
  assert.equal(feed.code, 3);
  assert.match(feed.stderr, /no github feed given: add --feed github=FILE/);
});

test("--dns is refused: feeds policy writes no DNS rule (a DNS rule of ipBlocks in the policy would be overwritten by feeds update)", async () => {
  const r = await cli(["feeds", "policy", "--name", "p", "-n", "payments", "--dns", "169.254.20.10", "--feed", FEED, "aws:service=S3"]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /--dns cannot be used with feeds policy/);
});

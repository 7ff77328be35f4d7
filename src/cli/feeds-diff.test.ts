/**
 * `feeds diff OLD NEW -f PATH`: the CIDRs each bound selector gains and loses, and what that does to
 * the cluster (the classes of `portcullis diff`). The feeds are src/feeds/testdata/aws-ip-ranges.json
 * (AWS's documented ip-ranges.json format, https://docs.aws.amazon.com/vpc/latest/userguide/aws-ip-syntax.html)
 * and copies of it edited the way AWS publishes changes: a prefix added or removed under a service.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cliInProcess, ROOT } from "./e2e-support.js";

const TESTDATA = join(ROOT, "src", "feeds", "testdata");
const OLD = join(TESTDATA, "aws-ip-ranges.json");
const PAYMENTS = join(TESTDATA, "diff", "payments.yaml");

interface AwsPrefix {
  ip_prefix: string;
  region: string;
  service: string;
  network_border_group: string;
}
interface AwsFile {
  syncToken: string;
  prefixes: AwsPrefix[];
}

const dir = mkdtempSync(join(tmpdir(), "feeds-diff-"));
let written = 0;

/** The old feed edited, written as a newer file (a later syncToken, as AWS publishes). */
function newFeed(edit: (prefixes: AwsPrefix[]) => AwsPrefix[]): string {
  const feed = JSON.parse(readFileSync(OLD, "utf8")) as AwsFile;
  const next = { ...feed, syncToken: String(Number(feed.syncToken) + 3600), prefixes: edit(feed.prefixes) };
  const path = join(dir, `new-${written++}.json`);
  writeFileSync(path, JSON.stringify(next, null, 2));
  return path;
}

const prefix = (ip_prefix: string, service: string, region = "eu-west-1"): AwsPrefix => ({ ip_prefix, region, service, network_border_group: region });

interface Json {
  selections: { selector: string; policies: string[]; added: string[]; removed: string[]; addresses: { added: { ipv4: string; ipv6: string }; removed: { ipv4: string; ipv6: string } } }[];
  effect: { summary: Record<string, number>; changes: { kind: string; class: string[]; src: string; dst: string; added: unknown; removed: unknown }[] };
}

async function diff(neu: string, manifests = PAYMENTS): Promise<{ code: number; json: Json; stderr: string }> {
  const r = await cliInProcess(["feeds", "diff", OLD, neu, "-f", manifests, "-o", "json"]);
  return { code: r.code, json: (r.stdout === "" ? null : JSON.parse(r.stdout)) as Json, stderr: r.stderr };
}

test("feeds diff: a prefix added to S3 eu-west-1 → the payments pods gain it on 443 (widened, internet-egress-added), exit 1", async () => {
  const r = await diff(newFeed((p) => [...p, prefix("3.5.80.0/21", "S3"), prefix("3.5.80.0/21", "AMAZON")]));
  assert.equal(r.code, 1);
  assert.deepEqual(r.json.selections, [{ selector: "aws:service=S3,region=eu-west-1", policies: ["payments/payments-s3"], added: ["3.5.80.0/21"], removed: [], addresses: { added: { ipv4: "2048", ipv6: "0" }, removed: { ipv4: "0", ipv6: "0" } } }]);
  assert.deepEqual(
    r.json.effect.changes.map((c) => [c.kind, c.src, c.dst, c.class, c.added]),
    [["widened", "payments/payments[Deployment]", "3.5.80.0/21", ["internet-egress-added"], { TCP: "443" }]],
  );
});

test("feeds diff: a prefix removed from S3 → narrowed, nothing widened", async () => {
  const r = await diff(newFeed((p) => p.filter((x) => x.ip_prefix !== "52.92.0.0/17")));
  assert.equal(r.code, 1, "some workload's egress changes: exit 1 (docs/exit-codes.md, feeds)");
  assert.deepEqual(r.json.selections[0]?.removed, ["52.92.0.0/17"]);
  assert.deepEqual(r.json.selections[0]?.addresses.removed, { ipv4: "32768", ipv6: "0" });
  assert.deepEqual(r.json.effect.changes.map((c) => [c.kind, c.dst, c.class]), [["narrowed", "52.92.0.0/17", []]]);
});

test("feeds diff: a change outside every bound selection (EC2, another region's S3) → no effect, exit 0", async () => {
  const r = await diff(newFeed((p) => [...p, prefix("18.200.0.0/16", "EC2"), prefix("52.95.140.0/23", "S3", "eu-central-1")]));
  assert.equal(r.code, 0);
  assert.deepEqual(r.json.selections.map((s) => [s.selector, s.added, s.removed]), [["aws:service=S3,region=eu-west-1", [], []]]);
  assert.deepEqual(r.json.effect.changes, []);
});

test("feeds diff: a policy without portcullis.dev/feed-selector is untouched, though the feed drops its range", async () => {
  // payments-bastion holds 3.248.0.0/13 (EC2) by hand: the feed no longer lists it, the policy still allows it.
  const r = await diff(newFeed((p) => p.filter((x) => x.ip_prefix !== "3.248.0.0/13")));
  assert.equal(r.code, 0);
  assert.deepEqual(r.json.effect.changes, []);
});

test("feeds diff: a metadata range appearing in the selection → metadata-reachable", async () => {
  // A feed that (wrongly) lists the link-local block would hand the pods the cloud metadata endpoint.
  const r = await diff(newFeed((p) => [...p, prefix("169.254.169.0/24", "S3")]));
  assert.equal(r.code, 1);
  const widened = r.json.effect.changes.filter((c) => c.kind === "widened");
  assert.ok(widened.some((c) => c.class.includes("metadata-reachable")), JSON.stringify(r.json.effect.changes));
  assert.equal(r.json.effect.summary["metadata-reachable"], 1);
});

test("feeds diff: an ipBlock with except in a bound policy is hand-edited: exit 2 naming file:line", async () => {
  const edited = join(dir, "edited.yaml");
  writeFileSync(edited, readFileSync(PAYMENTS, "utf8").replace("- ipBlock: {cidr: 3.5.64.0/21}", "- ipBlock: {cidr: 3.5.64.0/21, except: [3.5.64.0/24]}"));
  const r = await diff(newFeed((p) => p), edited);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /edited\.yaml:\d+:\d+: NetworkPolicy payments\/payments-s3: an ipBlock with except/);
});

test("feeds diff -o md: a pull-request comment with its own marker, the selection table and the effect", async () => {
  const neu = newFeed((p) => [...p, prefix("3.5.80.0/21", "S3")]);
  const r = await cliInProcess(["feeds", "diff", OLD, neu, "-f", PAYMENTS, "-o", "md"]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^<!-- portcullis-feeds-diff -->\n### Portcullis: published IP ranges changed\n/);
  assert.match(r.stdout, /\| `aws:service=S3,region=eu-west-1` \| `payments\/payments-s3` \| `3\.5\.80\.0\/21` \| {2}\| IPv4 addresses: \+2048 -0 \|/);
  assert.match(r.stdout, /\| \*\*widened\*\* \| `payments\/payments\[Deployment\]` \| `3\.5\.80\.0\/21` \| `TCP 443` \|/);
});

/**
 * Feeds at enforcement scale (issue 13: "measure ruleset size and apply time with the full AWS feed
 * selected by 100 policies"). Not a test.
 *   npm run bench:feeds -- [--seed=N] [--policies=N] [--v4=N] [--v6=N]
 *
 * The real ip-ranges.json cannot be downloaded here (no network), so a synthetic file in AWS's format is
 * generated deterministically (bench/prng.ts): ~10,000 IPv4 and ~2,000 IPv6 prefixes, every one under
 * AMAZON and about half also under EC2 or S3, as the published file lists them. It is read by the real
 * parser (parseAws) and selected with `aws:service=AMAZON` (the whole feed); 100 NetworkPolicies, each
 * selecting its own pod (`app=app-N`), allow egress to every prefix of the selection on TCP 443.
 * Printed: the ruleset's text size, set count and elements, compile time, and `nft -f` into a network
 * namespace created here and removed again (root only; skipped with a message otherwise). Nothing is
 * configured in the root namespace.
 */
import { parseAws } from "../src/feeds/aws.js";
import { selectRanges } from "../src/feeds/select.js";
import { parseSelector } from "../src/feeds/selector.js";
import type { Cluster, Endpoint, Policy } from "../src/model/cluster.js";
import { formatCidr } from "../src/net/cidr.js";
import { compileRuleset } from "../src/nft/compile.js";
import { ENGINE_OPTIONS, cidr, ipBlock, namespace, pod, policy, port, rule, sel } from "../src/nft/fixture.js";
import { createNetns, deleteNetns, netnsSupport } from "../src/enforce/netns.js";
import { applyRuleset } from "../src/enforce/nft.js";
import { Prng } from "./prng.js";
import { cpus, loadavg } from "node:os";

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => Number(args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const SEED = arg("seed", 20261206);
const POLICIES = arg("policies", 100);
const V4 = arg("v4", 10_000);
const V6 = arg("v6", 2_000);
const SERVICES = ["EC2", "S3", "CLOUDFRONT", "ROUTE53_HEALTHCHECKS", "DYNAMODB"];
const REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "sa-east-1"];

/** A prefix with its host bits clear: `bits` is the address width, `value` any address inside. */
function prefixText(value: bigint, prefix: number, bits: number, format: (v: bigint) => string): string {
  const host = BigInt(bits - prefix);
  return `${format((value >> host) << host)}/${prefix}`;
}
const v4Text = (v: bigint): string => [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join(".");
const v6Text = (v: bigint): string => Array.from({ length: 8 }, (_, i) => ((v >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(":");

/** AWS ip-ranges.json's shape (docs.aws.amazon.com/vpc/latest/userguide/aws-ip-syntax.html), synthetic ranges. */
function syntheticAwsFeed(r: Prng): string {
  const entry = (key: "ip_prefix" | "ipv6_prefix", text: string, service: string, region: string): Record<string, string> => ({ [key]: text, region, service, network_border_group: region });
  const prefixes: Record<string, string>[] = [];
  const ipv6: Record<string, string>[] = [];
  // IPv4: /16 .. /28 inside 3.0.0.0 .. 99.255.255.255 (public space, as AWS's are).
  for (let i = 0; i < V4; i++) {
    const value = BigInt(3 + r.int(97)) * 2n ** 24n + BigInt(r.int(2 ** 24));
    const text = prefixText(value, 16 + r.int(13), 32, v4Text);
    const region = r.pick(REGIONS);
    prefixes.push(entry("ip_prefix", text, "AMAZON", region));
    if (r.chance(0.5)) prefixes.push(entry("ip_prefix", text, r.pick(SERVICES), region));
  }
  // IPv6: /40 .. /64 inside 2600:1f00::/24 and 2a05:d000::/25-like space.
  for (let i = 0; i < V6; i++) {
    const top = r.chance(0.5) ? 0x26001f00n : 0x2a05d000n;
    const value = (top << 96n) + (BigInt(r.int(2 ** 24)) << 72n) + (BigInt(r.int(2 ** 30)) << 40n);
    const text = prefixText(value, 40 + r.int(25), 128, v6Text);
    const region = r.pick(REGIONS);
    ipv6.push(entry("ipv6_prefix", text, "AMAZON", region));
    if (r.chance(0.5)) ipv6.push(entry("ipv6_prefix", text, r.pick(SERVICES), region));
  }
  return JSON.stringify({ syncToken: "1764892387", createDate: "2025-12-05-00-33-07", prefixes, ipv6_prefixes: ipv6 }, null, 2);
}

const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;

function timed<T>(f: () => T): [T, number] {
  const start = performance.now();
  const v = f();
  return [v, performance.now() - start];
}

async function main(): Promise<void> {
  const text = syntheticAwsFeed(new Prng(SEED));
  const parsed = parseAws(text, "0".repeat(64));
  if (!parsed.ok) throw new Error(`the synthetic feed does not parse: ${JSON.stringify(parsed.errors.slice(0, 3))}`);
  const selector = parseSelector("aws:service=AMAZON");
  if (!selector.ok) throw new Error(selector.message);
  const selected = selectRanges(parsed.feed, selector.selector);
  if (!selected.ok) throw new Error(selected.message);
  const s = selected.selection;
  console.log(`load: ${loadavg().map((l) => l.toFixed(2)).join(" ")} (1/5/15 min) on ${cpus().length} CPUs`);
  console.log(`synthetic AWS feed (seed ${SEED}): ${kib(text.length)}, ${parsed.feed.records.length} records; aws:service=AMAZON: ${s.prefixes.v4} IPv4 + ${s.prefixes.v6} IPv6 prefixes, ${s.v4.length} + ${s.v6.length} after aggregation`);

  const peers = [...s.v4, ...s.v6].map((c) => ipBlock(formatCidr(c)));
  const pods: Endpoint[] = [];
  const policies: Policy[] = [];
  for (let i = 0; i < POLICIES; i++) {
    pods.push(pod("bench", `app-${i}`, { app: `app-${i}` }, [`10.244.${1 + (i >> 8)}.${i & 255}`, `fd00:1::${(i + 1).toString(16)}`]));
    policies.push(policy("bench", `aws-${i}`, sel({ app: `app-${i}` }), { egress: [rule(0, peers, [port("TCP", 443)])] }));
  }
  const bench = namespace("bench");
  const cluster: Cluster = { namespaces: new Map([[bench.name, bench]]), endpoints: pods, policies, services: [] };
  const scope = { localPods: pods, podCidrs: [cidr("10.244.0.0/16"), cidr("fd00:1::/64")] };
  const [result, compileMs] = timed(() => compileRuleset(cluster, ENGINE_OPTIONS, scope));
  const [, again] = timed(() => compileRuleset(cluster, ENGINE_OPTIONS, scope));
  const sizes = result.ruleset.sets.map((set) => set.elements.length).sort((a, b) => b - a);
  console.log(`${POLICIES} policies × ${peers.length} ipBlocks + TCP 443: ruleset ${kib(Buffer.byteLength(result.text))}, ${result.stats.sets} sets, ${result.stats.elements} elements (largest sets: ${sizes.slice(0, 4).join(", ")}), ${result.stats.rules} rules`);
  console.log(`compile: ${ms(compileMs)} ms (again: ${ms(again)} ms)`);

  const support = await netnsSupport();
  if (!support.ok) {
    console.log(`nft -f: skipped (${support.reason}): the apply needs root, ip and nft`);
    return;
  }
  const ns = await createNetns("pcfeeds");
  if (!ns.ok) throw new Error(`createNetns: ${ns.error.message}`);
  try {
    const times: number[] = [];
    for (let k = 0; k < 3; k++) {
      const start = performance.now();
      const applied = await applyRuleset(result.text, ns.value);
      if (!applied.ok) throw new Error(`nft -f failed: ${applied.error.stderr.slice(0, 400) || applied.error.message}`);
      times.push(performance.now() - start);
    }
    console.log(`nft -f into a fresh namespace: ${ms(times[0] ?? NaN)} ms; re-applied (table replaced): ${times.slice(1).map(ms).join(", ")} ms`);
  } finally {
    const d = await deleteNetns(ns.value);
    if (!d.ok) console.log(`WARNING: could not delete ${ns.value}: ${d.error.message}`);
  }
}

await main();

/**
 * Benchmark (not a test): compile, diff and apply for a synthetic cluster, printing figures.
 *   node dist/src/enforce/bench.js [namespaces=50] [podsPerNamespace=100]
 * Apply figures need root with `ip` and `nft`; they run in a namespace created (and deleted) here.
 */
import type { Cluster, Endpoint, Policy } from "../model/cluster.js";
import { MATCH_ALL } from "../model/selector.js";
import { compileRuleset } from "../nft/compile.js";
import { diffRulesets } from "../nft/diff.js";
import { ENGINE_OPTIONS, ipBlock, namespace, pod, podsPeer, policy, port, rule, sel } from "../nft/fixture.js";
import { createNetns, deleteNetns, netnsSupport } from "./netns.js";
import { applyRuleset } from "./nft.js";

const APPS = 10;

function synthetic(namespaces: number, podsPerNamespace: number): Cluster {
  const endpoints: Endpoint[] = [pod("kube-system", "coredns", { "k8s-app": "kube-dns" }, ["10.96.0.10"], [{ name: "dns", port: 53, protocol: "UDP" }])];
  const policies: Policy[] = [];
  for (let n = 0; n < namespaces; n++) {
    const ns = `team-${n}`;
    for (let k = 0; k < podsPerNamespace; k++) {
      const index = n * podsPerNamespace + k;
      const ip = `10.${244 + (index >> 16)}.${(index >> 8) & 255}.${index & 255}`;
      endpoints.push(pod(ns, `pod-${k}`, { app: `app-${k % APPS}` }, [ip], [{ name: "http", port: 8080, protocol: "TCP" }]));
    }
    policies.push(policy(ns, "default-deny", MATCH_ALL, { egress: [], ingress: [] }));
    policies.push(policy(ns, "allow-dns", MATCH_ALL, { egress: [rule(0, [podsPeer(sel({ "k8s-app": "kube-dns" }), MATCH_ALL)], [port("UDP", 53), port("TCP", 53)])] }));
    for (let a = 0; a < APPS; a++) {
      const next = sel({ app: `app-${(a + 1) % APPS}` });
      const egress = [rule(0, [podsPeer(next)], [port("TCP", "http")]), ...(a === 0 ? [rule(1, [ipBlock("0.0.0.0/0", ["10.0.0.0/8", "192.168.0.0/16"])], [port("TCP", 443)])] : [])];
      policies.push(policy(ns, `app-${a}`, sel({ app: `app-${a}` }), { egress, ingress: [rule(0, [podsPeer(sel({ app: `app-${(a + APPS - 1) % APPS}` }))], [port("TCP", 8080)])] }));
    }
  }
  const names = ["kube-system", ...Array.from({ length: namespaces }, (_, n) => `team-${n}`)];
  return { namespaces: new Map(names.map((name) => [name, namespace(name)])), endpoints, services: [], policies };
}

const RUNS = 5;

/** The value and the median of RUNS timings in ms (the machine may be busy; the median is steadier). */
const time = <T>(f: () => T): [T, number] => {
  const times: number[] = [];
  let value = f();
  for (let k = 0; k < RUNS; k++) {
    const start = performance.now();
    value = f();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return [value, Math.round((times[RUNS >> 1] as number) * 10) / 10];
};

async function main(): Promise<void> {
  const [namespaces = 50, podsPerNamespace = 100] = process.argv.slice(2).map(Number);
  const cluster = synthetic(namespaces, podsPerNamespace);
  // One node: 110 pods spread over the namespaces, as a kubelet's default maximum.
  const step = Math.max(1, Math.floor(cluster.endpoints.length / 110));
  const local = cluster.endpoints.slice(1).filter((_, k) => k % step === 0).slice(0, 110);
  const [full, compileMs] = time(() => compileRuleset(cluster, ENGINE_OPTIONS, { localPods: local }));
  const [all, compileAllMs] = time(() => compileRuleset(cluster, ENGINE_OPTIONS));
  const moved = cluster.endpoints.map((e) => (e === local[0] ? { ...e, ips: [{ family: 4 as const, value: 0x0afe0001n }] } : e));
  const [next, recompileMs] = time(() => compileRuleset({ ...cluster, endpoints: moved }, ENGINE_OPTIONS, { localPods: local.map((e) => moved[cluster.endpoints.indexOf(e)] as Endpoint) }));
  const [diff, diffMs] = time(() => diffRulesets(full.ruleset, next.ruleset));
  console.log(`cluster: ${cluster.endpoints.length} endpoints, ${cluster.policies.length} policies (median of ${RUNS} runs after a warm-up)`);
  console.log(`node (${local.length} local pods): compile ${compileMs} ms, ${JSON.stringify(full.stats)}, ${full.text.length} bytes`);
  console.log(`every pod local (${all.stats.elements} elements): compile ${compileAllMs} ms, ${JSON.stringify(all.stats)}, ${all.text.length} bytes`);
  console.log(`one pod IP changed: recompile ${recompileMs} ms, diff ${diffMs} ms -> ${diff.kind}, ${diff.kind === "elements" ? `${diff.added} added, ${diff.removed} removed, ${diff.text.length} bytes` : ""}`);
  const support = await netnsSupport();
  if (!support.ok) {
    console.log(`apply: skipped (${support.reason})`);
    return;
  }
  const ns = await createNetns("pcbench");
  if (!ns.ok) throw new Error(ns.error.message);
  // Printed after the namespace is gone: a closed stdout (`| head`) must not skip the cleanup.
  const lines: string[] = [];
  try {
    for (const [label, text] of [["node full", full.text], ["node re-apply", full.text], ["node element diff", diff.text], ["every pod local full", all.text]] as const) {
      const start = performance.now();
      const r = await applyRuleset(text, ns.value);
      const ms = Math.round(performance.now() - start);
      lines.push(`apply ${label}: ${r.ok ? `${ms} ms` : `failed: ${r.error.stderr.slice(0, 300)}`}`);
    }
  } finally {
    await deleteNetns(ns.value);
  }
  console.log(lines.join("\n"));
}

process.stdout.on("error", () => undefined); // `| head` closing stdout is no failure
await main();

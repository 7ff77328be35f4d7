/**
 * `verify` benchmark (not a test): time to a full verdict for 10 workloads × 3 ports on the stand-in
 * cluster (src/kube/standin/cluster.ts: pods as network namespaces, the node agent enforcing),
 * split into pod start, probing and cleanup; probes per second; pods created.
 *   npm run bench:verify -- [--runs=N] [--workloads=N] [--no-enforce]
 * Needs root, `ip` and `nft`; every namespace is the harness's, removed at the end.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { KubeClient } from "../../src/kube/client.js";
import { loadClusterConfig } from "../../src/kube/config-load.js";
import { Transport } from "../../src/kube/transport.js";
import { readLiveCluster } from "../../src/kube/read.js";
import { decodeLive } from "../../src/k8s/live.js";
import { standInClusterSupport, startStandInCluster } from "../../src/kube/standin/cluster.js";
import { AddressSet } from "../../src/net/address-set.js";
import { parseCidr } from "../../src/net/cidr.js";
import { chooseTwins } from "../../src/verify/plan.js";
import { runVerify } from "../../src/verify/run.js";

const args = process.argv.slice(2);
const arg = (name: string, fallback: number): number => Number(args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const RUNS = arg("runs", 3);
const WORKLOADS = arg("workloads", 10);
const ENFORCE = !args.includes("--no-enforce");
const PORTS = [8080, 8443, 9090];

/** N Deployments with 3 TCP ports each; a default-deny ingress and an allowance from the even ones on the first port. */
function objects(): unknown[] {
  const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "bench", labels: { "kubernetes.io/metadata.name": "bench" } } };
  const deployments = Array.from({ length: WORKLOADS }, (_, i) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `w${i}`, namespace: "bench" },
    spec: { selector: { matchLabels: { app: `w${i}` } }, template: { metadata: { labels: { app: `w${i}`, tier: i % 2 === 0 ? "even" : "odd" } }, spec: { containers: [{ name: "c", image: "app", ports: PORTS.map((p) => ({ containerPort: p })) }] } } },
  }));
  const deny = { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "deny-ingress", namespace: "bench" }, spec: { podSelector: {}, policyTypes: ["Ingress"] } };
  const allow = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "allow-even", namespace: "bench" },
    spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: { matchLabels: { tier: "even" } } }], ports: [{ port: PORTS[0] }] }] },
  };
  return [ns, ...deployments, deny, allow];
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function main(): Promise<void> {
  const support = await standInClusterSupport();
  if (!support.ok) {
    process.stderr.write(`bench:verify needs ${support.reason}\n`);
    process.exitCode = 4;
    return;
  }
  const cluster = await startStandInCluster({ enforce: ENFORCE, objects: objects() });
  const rows: { podStartMs: number; probeMs: number; cleanupMs: number; totalMs: number; probes: number; mismatches: number; pods: number }[] = [];
  try {
    const config = loadClusterConfig({ kubeconfig: cluster.kubeconfigPath, env: {} });
    if (!config.ok) throw new Error(config.error.message);
    const client = new KubeClient(new Transport(config.value));
    const read = await readLiveCluster(config.value, { namespace: "bench" });
    if (!read.ok) throw new Error(read.error.message);
    const live = decodeLive(read.value).value;
    const podNetwork = parseCidr("10.244.0.0/16");
    const engine = { podNetwork: podNetwork.ok ? AddressSet.fromCidr(podNetwork.cidr) : AddressSet.EMPTY, ipBlockMatchesPods: true };
    for (let r = 0; r < RUNS; r++) {
      const run = randomBytes(3).toString("hex");
      const choice = chooseTwins(live, { run, namespace: "bench", sources: null, noTwins: false });
      const t0 = performance.now();
      const outcome = await runVerify(live, choice, { run, engine, to: [], metadata: [], realDestinations: null }, { run, image: "portcullis:0.1.0", timeoutMs: 1000, podStartTimeoutMs: 60_000, pollMs: 100 }, { client, progress: () => undefined, signal: new AbortController().signal });
      const totalMs = Math.round(performance.now() - t0);
      if (!outcome.ok) throw new Error(`run ${run}: ${JSON.stringify(outcome.failure)}`);
      const v = outcome.value;
      rows.push({ ...v.timings, totalMs, probes: v.entries.length, mismatches: v.entries.filter((e) => e.verdict === "mismatch").length, pods: v.podsCreated });
      process.stderr.write(`run ${r + 1}/${RUNS}: ${totalMs} ms\n`);
    }
    client.transport.close();
  } finally {
    await cluster.stop();
  }
  const m = (k: keyof (typeof rows)[number]): number => median(rows.map((x) => x[k]));
  const lines = [
    `verify: ${WORKLOADS} workloads × ${PORTS.length} ports on the stand-in cluster (${ENFORCE ? "node agent enforcing" : "no enforcer"}), median of ${rows.length} runs`,
    `  pods created     ${m("pods")} (${WORKLOADS} destination twins, ${WORKLOADS} source twins)`,
    `  probes           ${m("probes")} (${m("mismatches")} mismatches)`,
    `  pod start        ${m("podStartMs")} ms`,
    `  probing          ${m("probeMs")} ms (${Math.round((m("probes") / Math.max(m("probeMs"), 1)) * 1000)} probes/s, polling the logs every 100 ms)`,
    `  cleanup          ${m("cleanupMs")} ms`,
    `  full verdict     ${m("totalMs")} ms`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

await main();

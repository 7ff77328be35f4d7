/**
 * `verify` on random clusters (the issue: "With the node agent enforcing, ... `verify` matches the
 * engine on the bundled examples and on random clusters (bounded number per CI run)"): fast-check
 * draws a few namespaces, workloads (labels, declared ports) and NetworkPolicies (pod, namespace,
 * both-in-one and ipBlock peers; numbered, named and no ports; ingress, egress, both), the stand-in
 * cluster runs them with the node agent enforcing, and `verify -A` must find no mismatch between what
 * its twins observed and the engine's verdicts. A failure prints the cluster (fast-check's
 * counterexample) and the mismatches. Root, ip netns and nft; skipped otherwise, as the e2e tests.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { main } from "../cli/main.js";
import { standInClusterSupport, startStandInCluster } from "../kube/standin/cluster.js";

const support = await standInClusterSupport();
const skip = support.ok ? false : support.reason;

/** Runs per CI run: each starts a cluster and its twins (~10-20 s). */
const RUNS = 2;
const OUTSIDE = "203.0.113.1";

const NAMESPACES = [
  { name: "rand-a", team: "a" },
  { name: "rand-b", team: "b" },
] as const;
const PORTS = [
  { name: "http", containerPort: 80, protocol: "TCP" },
  { name: "alt", containerPort: 8080, protocol: "TCP" },
  { name: "metrics", containerPort: 9090, protocol: "UDP" },
] as const;

const arbNamespace = fc.constantFrom(...NAMESPACES.map((n) => n.name));
const arbApp = fc.constantFrom("web", "api", "db");

const arbWorkload = fc.record({
  namespace: arbNamespace,
  app: arbApp,
  ports: fc.subarray([...PORTS], { minLength: 1, maxLength: 2 }),
});

const arbPeer = fc.oneof(
  arbApp.map((app) => ({ podSelector: { matchLabels: { app } } })),
  fc.constantFrom(...NAMESPACES).map((n) => ({ namespaceSelector: { matchLabels: { team: n.team } } })),
  fc.tuple(fc.constantFrom(...NAMESPACES), arbApp).map(([n, app]) => ({ namespaceSelector: { matchLabels: { team: n.team } }, podSelector: { matchLabels: { app } } })),
  fc.constant({ ipBlock: { cidr: "203.0.113.0/24" } }),
);

const arbPorts = fc.option(
  fc.subarray<Record<string, unknown>>([{ port: 80, protocol: "TCP" }, { port: "alt", protocol: "TCP" }, { port: 9090, protocol: "UDP" }, { protocol: "TCP" }], { minLength: 1, maxLength: 2 }),
  { nil: undefined },
);

const arbRule = (side: "to" | "from") =>
  fc.record({ peers: fc.option(fc.array(arbPeer, { minLength: 1, maxLength: 2 }), { nil: undefined }), ports: arbPorts }).map((r) => ({
    ...(r.peers === undefined ? {} : { [side]: r.peers }),
    ...(r.ports === undefined ? {} : { ports: r.ports }),
  }));

const arbPolicy = fc.record({
  namespace: arbNamespace,
  select: fc.option(arbApp, { nil: undefined }),
  types: fc.subarray(["Ingress", "Egress"] as const, { minLength: 1 }),
  ingress: fc.array(arbRule("from"), { maxLength: 2 }),
  egress: fc.array(arbRule("to"), { maxLength: 2 }),
});

const arbCluster = fc.record({
  workloads: fc.array(arbWorkload, { minLength: 2, maxLength: 4 }),
  policies: fc.array(arbPolicy, { minLength: 1, maxLength: 3 }),
});

type RandomCluster = typeof arbCluster extends fc.Arbitrary<infer T> ? T : never;

/** The cluster as the objects a user would apply: Namespaces, Deployments, NetworkPolicies. */
function objects(c: RandomCluster): unknown[] {
  const namespaces = NAMESPACES.map((n) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name: n.name, labels: { team: n.team } } }));
  const workloads = c.workloads.map((w, i) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `w${i}-${w.app}`, namespace: w.namespace, labels: { app: w.app } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: w.app, workload: `w${i}` } },
      template: {
        metadata: { labels: { app: w.app, workload: `w${i}` } },
        spec: { containers: [{ name: "main", image: "registry.example.com/random:1", ports: w.ports.map((p) => ({ ...p })) }] },
      },
    },
  }));
  const policies = c.policies.map((p, i) => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: `p${i}`, namespace: p.namespace },
    spec: {
      podSelector: p.select === undefined ? {} : { matchLabels: { app: p.select } },
      policyTypes: p.types,
      ...(p.types.includes("Ingress") ? { ingress: p.ingress } : {}),
      ...(p.types.includes("Egress") ? { egress: p.egress } : {}),
    },
  }));
  return [...namespaces, ...workloads, ...policies];
}

test(`verify -A matches the engine on ${RUNS} random clusters with the node agent enforcing (fast-check; the counterexample is the cluster)`, { skip, timeout: RUNS * 120_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(arbCluster, async (random) => {
      const cluster = await startStandInCluster({ enforce: true, outside: [{ ip: OUTSIDE, ports: [{ port: 80, protocol: "TCP" }] }], objects: objects(random) });
      try {
        let stdout = "";
        let stderr = "";
        const code = await main(["verify", "-A", "-o", "json", "--timeout", "1s", "--pod-start-timeout", "30s", "--kubeconfig", cluster.kubeconfigPath], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
        const view = JSON.parse(stdout || "{}") as { entries?: unknown[]; mismatches?: unknown[] };
        assert.equal(code, 0, `exit ${code}; mismatches ${JSON.stringify(view.mismatches)}\n${stderr}`);
        assert.ok((view.entries ?? []).length > 0, `no probes\n${stderr}`);
        assert.deepEqual(view.mismatches, []);
      } finally {
        await cluster.stop();
      }
    }),
    { numRuns: RUNS, endOnFailure: true },
  );
});

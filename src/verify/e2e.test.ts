/**
 * `portcullis verify` end to end on the stand-in cluster (src/kube/standin/cluster.ts: a kubelet
 * running pods as network namespaces, pod logs, cluster DNS, kube-proxy; root, ip netns and nft,
 * skipped otherwise). The tests: "With the node agent enforcing, `verify --smoke` says
 * enforced and `verify` matches the engine on the bundled examples ...; with no enforcer in the node
 * (the Flannel case), `verify --smoke` says NOT ENFORCED and `verify` lists the mismatches."
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { main } from "../cli/main.js";
import { ROOT } from "../cli/e2e-support.js";
import { type StandInCluster, standInClusterSupport, startStandInCluster } from "../kube/standin/cluster.js";
import { KubeClient } from "../kube/client.js";
import { loadClusterConfig } from "../kube/config-load.js";
import { Transport } from "../kube/transport.js";
import { CONFIGMAPS, PODS } from "./run.js";
import { RUN_LABEL, ownerConfigMap, probePod } from "./twin.js";

const support = await standInClusterSupport();
const skip = support.ok ? false : support.reason;

/** examples/egress as applied to a cluster: namespaces, workloads, policies (its kube-dns is the stand-in's own). */
function egressExample(): unknown[] {
  const files = ["namespaces.yaml", "workloads.yaml", ...["allow-dns.yaml", "allow-prometheus-scrape.yaml", "default-deny-egress.yaml", "postgres-ingress.yaml", "prometheus-egress.yaml", "web-api-egress.yaml"].map((f) => join("policies", f))];
  return files.flatMap((f) => parseAllDocuments(readFileSync(join(ROOT, "examples", "egress", f), "utf8")).map((d) => d.toJS() as unknown)).filter((o) => o !== null);
}

/** The ClusterRole of docs/verify.md, as the stand-in's RBAC rules. */
function documentedRules(): { apiGroups: string[]; resources: string[]; verbs: string[] }[] {
  const text = readFileSync(join(ROOT, "docs", "verify.md"), "utf8");
  const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parseAllDocuments(m[1] ?? "")[0]?.toJS() as { kind: string; rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] });
  const role = blocks.find((b) => b.kind === "ClusterRole");
  assert.ok(role !== undefined, "docs/verify.md has a ClusterRole");
  return role.rules;
}

async function cli(c: StandInCluster, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliAs(c.kubeconfigPath, ...args);
}

async function cliAs(kubeconfig: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main([...args, "--kubeconfig", kubeconfig], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** What a run must leave: none of its pods, ConfigMaps, policies or namespaces. */
function leftovers(c: StandInCluster): string[] {
  return ["Pod", "ConfigMap", "NetworkPolicy", "Namespace"].flatMap((kind) => c.api.list(kind).filter((o) => o.metadata.labels?.[RUN_LABEL] !== undefined).map((o) => `${kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`));
}

async function until(what: string, cond: () => boolean, ms = 15_000, state: () => unknown = () => ""): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} ${JSON.stringify(state())}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const enforce of [true, false]) {
  describe(`verify on the stand-in cluster, ${enforce ? "the node agent enforcing" : "no enforcer (the Flannel case)"}`, { skip }, () => {
    let c: StandInCluster;
    before(async () => {
      c = await startStandInCluster({ enforce, outside: [{ ip: "203.0.113.1", ports: [{ port: 443, protocol: "TCP" }] }], objects: egressExample() });
    });
    after(async () => {
      await c?.stop();
    });

    test(`verify --smoke says ${enforce ? "enforced" : "NOT ENFORCED"} (the issue's sentence), exit ${enforce ? 0 : 1}, and leaves nothing`, async () => {
      const r = await cli(c, "verify", "--smoke", "--timeout", "1s", "--pod-start-timeout", "30s");
      assert.equal(r.code, enforce ? 0 : 1, `${r.stdout}${r.stderr}\nstand-in errors: ${JSON.stringify(c.errors())}`);
      const last = r.stdout.trimEnd().split("\n").at(-1);
      assert.equal(last, enforce ? "NetworkPolicy is enforced (ingress, egress)" : "NOT ENFORCED: the API server accepted a deny-all policy and traffic still flows — this cluster's network plugin ignores NetworkPolicy");
      assert.match(r.stdout, /egress allowing DNS only\s+dns kubernetes\.default\s+expected reachable\s+observed answered/);
      await until("the smoke namespace gone", () => leftovers(c).length === 0);
    });

    if (!enforce) {
      test("a twin is never adopted: a ReplicaSet whose selector matches it leaves it (controller ownerReference to the run's ConfigMap), while an orphan copy with the same labels is adopted (the stand-in's ReplicaSet controller)", async () => {
        const config = loadClusterConfig({ kubeconfig: c.kubeconfigPath, env: {} });
        assert.ok(config.ok);
        const client = new KubeClient(new Transport(config.value));
        try {
          const labels = { app: "adopt-demo" };
          c.api.apply({ apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "adopt-demo", namespace: "production" }, spec: { replicas: 5, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [] } } } } as never);
          const owner = await client.create(CONFIGMAPS, ownerConfigMap("portcullis-verify-adopt1", "production", "adopt1"), "production");
          assert.ok(owner.ok);
          const plan = { version: 1 as const, run: "adopt1", serve: [], probes: [], timeoutMs: 1000, deadlineSeconds: 60 };
          const spec = { name: "pcv-adopt1-d0", namespace: "production", run: "adopt1", role: "destination" as const, labels, ports: [], image: "portcullis:0.1.0", plan, deadlineSeconds: 60 };
          const twin = await client.create(PODS, probePod(spec, { name: owner.value.metadata.name, uid: String(owner.value.metadata["uid"]) }), "production");
          assert.ok(twin.ok, JSON.stringify(twin));
          const orphan = { ...probePod({ ...spec, name: "orphan-copy" }, { name: "x", uid: "x" }) } as { metadata: Record<string, unknown> };
          delete orphan.metadata["ownerReferences"];
          assert.ok((await client.create(PODS, orphan, "production")).ok);
          const kindOf = (name: string): string[] => (c.api.get("Pod", "production", name)?.metadata["ownerReferences"] as { kind: string }[] | undefined)?.map((r) => r.kind) ?? [];
          await until("the orphan adopted", () => kindOf("orphan-copy").includes("ReplicaSet"));
          assert.deepEqual(kindOf("pcv-adopt1-d0"), ["ConfigMap"]);
        } finally {
          await client.deleteSelected(PODS, RUN_LABEL, "production", { gracePeriodSeconds: 0 });
          await client.deleteSelected(CONFIGMAPS, RUN_LABEL, "production");
          client.transport.close();
          c.api.remove("ReplicaSet", "production", "adopt-demo");
        }
      });
    }

    if (enforce) {
      test("verify --no-twins: source twins probe the real pods' IPs over TCP; the real server allows only role=friend, so its own twin is dropped and the friend's connects (exit 0)", async () => {
        const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "plain", labels: { "kubernetes.io/metadata.name": "plain" } } };
        const server = `require("net").createServer((s)=>{s.on("error",()=>{});s.end("plain/echo\\n")}).listen(8080);process.on("SIGTERM",()=>process.exit(0));`;
        const real = (name: string, labels: Record<string, string>, script: string, ports: unknown[]) => ({
          apiVersion: "v1",
          kind: "Pod",
          metadata: { name, namespace: "plain", labels },
          spec: { restartPolicy: "Never", containers: [{ name: "c", image: "node:20-bookworm-slim", command: ["node", "-e", script], ports }] },
        });
        c.api.apply(ns as never);
        c.api.apply(real("echo", { app: "echo" }, server, [{ containerPort: 8080, name: "http" }]) as never);
        c.api.apply(real("friend", { role: "friend" }, "setInterval(()=>{},1000);process.on('SIGTERM',()=>process.exit(0))", []) as never);
        c.api.apply({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "echo-ingress", namespace: "plain" }, spec: { podSelector: { matchLabels: { app: "echo" } }, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: { matchLabels: { role: "friend" } } }] }] } } as never);
        const running = (name: string): boolean => (c.api.get("Pod", "plain", name)?.["status"] as { phase?: string } | undefined)?.phase === "Running";
        // Generous: under the whole suite's load on a 2-core machine, pods start slowly.
        await until("the real pods running", () => running("echo") && running("friend"), 60_000, () => c.api.list("Pod").filter((p) => p.metadata.namespace === "plain").map((p) => p["status"]));
        const r = await cli(c, "verify", "-n", "plain", "--no-twins", "--to", "203.0.113.1:443", "-o", "json", "--timeout", "1s", "--pod-start-timeout", "30s");
        assert.equal(r.code, 0, r.stdout + r.stderr);
        const view = JSON.parse(r.stdout) as { entries: { from: string; to: string; port: number; expected: boolean; outcome: string; verdict: string }[] };
        const toEcho = view.entries.filter((e) => e.to === "plain/echo").map((e) => `${e.from} → ${e.to} ${e.port} ${e.expected ? "allowed" : "denied"} ${e.outcome} ${e.verdict}`);
        assert.deepEqual(toEcho, ["plain/echo → plain/echo 8080 denied dropped match", "plain/friend → plain/echo 8080 allowed connected match"]);
        assert.match(r.stderr, /0 destination twins, 2 source twins in plain/);
        await until("every twin gone", () => leftovers(c).length === 0);
      });

      test("as a user with exactly the ClusterRole of docs/verify.md: --smoke, -A and --cleanup work (no 403), nothing is left", async () => {
        c.api.addUser({ name: "verifier", rules: documentedRules() });
        const path = join(mkdtempSync(join(tmpdir(), "verify-rbac-")), "kubeconfig");
        writeFileSync(path, c.api.kubeconfig("verifier"));
        const smoke = await cliAs(path, "verify", "--smoke", "--timeout", "1s", "--pod-start-timeout", "30s");
        assert.equal(smoke.code, 0, `${smoke.stdout}${smoke.stderr}\nstand-in errors: ${JSON.stringify(c.errors())}`);
        const all = await cliAs(path, "verify", "-A", "--timeout", "1s", "--pod-start-timeout", "30s");
        assert.equal(all.code, 0, all.stdout + all.stderr);
        assert.doesNotMatch(all.stderr, /forbidden|warning/i);
        const cleanup = await cliAs(path, "verify", "--cleanup");
        assert.equal(cleanup.code, 0, cleanup.stdout + cleanup.stderr);
        await until("every twin gone", () => leftovers(c).length === 0);
        const denied = c.api.requests.filter((r) => r.user === "verifier" && r.status === 403);
        assert.deepEqual(denied.map((r) => `${r.method} ${r.path}`), []);
      });
    }

    test(`verify -A on examples/egress: ${enforce ? "every probe matches the engine (exit 0)" : "the mismatches listed (exit 1)"}; JSON entries as lab probe's, with outcome and blamed`, async () => {
      const r = await cli(c, "verify", "-A", "-o", "json", "--timeout", "1s", "--pod-start-timeout", "30s");
      const view = JSON.parse(r.stdout || "{}") as { entries: { from: string; to: string; port: number; protocol: string; expected: boolean; observed: boolean; outcome: string; verdict: string; blamed: unknown[] }[]; mismatches: unknown[] };
      assert.equal(r.code, enforce ? 0 : 1, `${JSON.stringify(view.mismatches)}\n${r.stderr}`);
      assert.ok(view.entries.length > 10, r.stderr);
      assert.ok(view.entries.some((e) => !e.expected), "the examples deny something");
      assert.ok(view.entries.some((e) => e.expected && e.observed), "and allow something");
      if (enforce) assert.deepEqual(view.mismatches, []);
      else {
        // Without an enforcer every packet gets through: each expected denial between twins is a mismatch, observed connected.
        const denied = view.entries.filter((e) => !e.expected && e.to.includes("/"));
        assert.ok(denied.length > 0);
        assert.ok(denied.every((e) => e.verdict === "mismatch" && e.outcome === "connected"), JSON.stringify(denied.filter((e) => e.verdict !== "mismatch")));
        // And to the outside host that answers (203.0.113.1:443): the denials of it are mismatches too.
        const outside = view.entries.filter((e) => !e.expected && e.to === "203.0.113.1" && e.port === 443);
        assert.ok(outside.length > 0 && outside.every((e) => e.verdict === "mismatch" && e.outcome === "connected"), JSON.stringify(outside));
        assert.ok(view.mismatches.length > 0);
      }
      for (const e of view.entries) assert.deepEqual(Object.keys(e).slice(0, 6), ["from", "to", "port", "protocol", "expected", "observed"]);
      await until("every twin gone", () => leftovers(c).length === 0);
    });
  });
}

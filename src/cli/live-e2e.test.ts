/**
 * The read commands against the stand-in API server (src/kube/standin: the real wire protocol,
 * TLS, bearer tokens, RBAC 403s), run as the binary is: `--kubeconfig` to a file the stand-in
 * writes, no -f. No kube-apiserver runs on these machines; the stand-in is kept honest by kubectl
 * (src/kube/standin/kubectl.test.ts).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { type KubeObject, type StandIn, startStandIn } from "../kube/standin/standin.js";
import { ROOT, run } from "./e2e-support.js";
import { exitCode } from "./exit.js";

/** An example tree's objects, applied to the stand-in as `kubectl apply -f` would. */
function treeObjects(tree: string): KubeObject[] {
  const files = readdirSync(join(ROOT, tree), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".yaml"));
  return files.flatMap((f) => parseAllDocuments(readFileSync(join(ROOT, tree, f), "utf8")).map((d) => d.toJS() as KubeObject)).filter((o) => o !== null);
}

const dir = mkdtempSync(join(tmpdir(), "portcullis-live-e2e-"));

function kubeconfigFor(api: StandIn, user: string, name = user): string {
  const path = join(dir, `kubeconfig-${name}`);
  writeFileSync(path, api.kubeconfig(user));
  return path;
}

describe("read commands on a live cluster (the stand-in API server)", () => {
  let api: StandIn;
  let admin: string;
  before(async () => {
    api = await startStandIn({ users: [{ name: "admin" }] });
    for (const o of treeObjects(join("examples", "egress"))) api.apply(o);
    admin = kubeconfigFor(api, "admin");
  });
  after(() => api.close());

  test("check: the verdict the files give, the rules named by object and field path; -v names the cluster", async () => {
    const args = ["--from", "production/web-api", "--to", "169.254.169.254", "--port", "80"];
    const live = await run(["check", "--kubeconfig", admin, "-A", "-v", ...args], ROOT);
    const files = await run(["check", "-f", "examples/egress", ...args], ROOT);
    assert.equal(live.code, files.code, live.stderr);
    assert.equal(live.code, exitCode("negative"));
    assert.equal(live.stdout.split("\n")[0], files.stdout.split("\n")[0]);
    assert.match(live.stdout, /^ {4}NetworkPolicy production\/web-api-egress spec\.egress\[2\]\.to\[0\]: 169\.254\.169\.254 is inside the ipBlock's cidr but in its except list/m);
    assert.match(live.stderr, new RegExp(`^reading cluster ${api.url} \\(context standin, kubeconfig ${admin}\\), every namespace$`, "m"));
    assert.match(live.stderr, /^read cluster .*: 3 namespaces, /m);
    // The admin policy CRDs are served by the stand-in: nothing is "not seen".
    assert.doesNotMatch(live.stdout, /Not seen/);
  });

  test("egress: the picture of the live objects; JSON has `unseen: []`", async () => {
    const live = await run(["egress", "--kubeconfig", admin, "-A", "-o", "json"], ROOT);
    assert.equal(live.code, 0, live.stderr);
    const view = JSON.parse(live.stdout) as { unseen: unknown[]; namespaces: { namespace: string }[] };
    assert.deepEqual(view.unseen, []);
    assert.ok(view.namespaces.some((n) => n.namespace === "production"));
  });

  test("lint: findings about live objects name them (no file)", async () => {
    const live = await run(["lint", "--kubeconfig", admin, "-A", "--fail-on", "never", "-o", "json"], ROOT);
    assert.equal(live.code, 0, live.stderr);
    const view = JSON.parse(live.stdout) as { findings: { location: Record<string, unknown> }[] };
    for (const f of view.findings) assert.equal(f.location["file"], undefined, JSON.stringify(f));
  });

  test("diff --against-cluster -f examples/egress-pr: what applying it would change, as the file diff of the same trees says", async () => {
    const live = await run(["diff", "--against-cluster", "--kubeconfig", admin, "-A", "-f", "examples/egress-pr"], ROOT);
    const files = await run(["diff", "-f", "examples/egress", "--against", "examples/egress", "--against", "examples/egress-pr"], ROOT);
    assert.equal(live.code, 0, live.stderr);
    assert.equal(live.stdout, files.stdout);
    assert.notEqual(live.stdout.trim(), "");
  });

  test("-n scopes the read: namespaced kinds are listed in that namespace only (the request log)", async () => {
    const before = api.requests.length;
    const live = await run(["egress", "--kubeconfig", admin, "-n", "production"], ROOT);
    assert.equal(live.code, 0, live.stderr);
    const paths = api.requests.slice(before).map((r) => r.path);
    assert.ok(paths.includes("/api/v1/namespaces/production/pods"), paths.join("\n"));
    assert.ok(paths.includes("/apis/networking.k8s.io/v1/namespaces/production/networkpolicies"), paths.join("\n"));
    assert.ok(!paths.includes("/api/v1/pods"), paths.join("\n"));
    assert.match(live.stdout, /^Read: namespace production only/m);
  });

  test("the context's namespace is the default (as kubectl), -A reads all", async () => {
    const path = join(dir, "kubeconfig-admin-in-production");
    writeFileSync(path, api.kubeconfig("admin").replace(/(\n\s+)user: admin/, "$1user: admin$1namespace: production"));
    assert.match(readFileSync(path, "utf8"), /namespace: production/);
    const before = api.requests.length;
    const live = await run(["egress", "--kubeconfig", path], ROOT);
    assert.equal(live.code, 0, live.stderr);
    const paths = api.requests.slice(before).map((r) => r.path);
    assert.ok(paths.includes("/api/v1/namespaces/production/pods"), paths.join("\n"));
  });

  describe("an RBAC-limited user: warnings naming verb and resource, and the answer says what it did not see", () => {
    test("a developer who may read pods and Services in production, not NetworkPolicies: exit 6, UNKNOWN, Not seen", async () => {
      api.addUser({ name: "dev", rules: [{ verbs: ["get", "list"], resources: ["pods", "services", "namespaces", "deployments", "statefulsets", "replicasets"], namespaces: ["production"] }] });
      const dev = kubeconfigFor(api, "dev");
      const r = await run(["check", "--kubeconfig", dev, "-n", "production", "--from", "web-api", "--to", "169.254.169.254", "--port", "80"], ROOT);
      assert.equal(r.code, exitCode("incomplete"), r.stderr);
      assert.match(r.stderr, /^portcullis: warning: cannot list networkpolicies in namespace production \(forbidden\): answers below do not see NetworkPolicies there$/m);
      assert.match(r.stdout, /^UNKNOWN: /);
      assert.match(r.stdout, /^Not seen: cannot list networkpolicies in namespace production \(forbidden\)/m);
      const json = await run(["check", "--kubeconfig", dev, "-n", "production", "--from", "web-api", "--to", "169.254.169.254", "--port", "80", "-o", "json"], ROOT);
      const view = JSON.parse(json.stdout) as { unseen: { resource: string; namespace: string | null; effect: string }[]; readNamespace: string };
      assert.ok(view.unseen.some((u) => u.resource === "networkpolicies" && u.namespace === "production" && u.effect === "incomplete"));
      assert.equal(view.readNamespace, "production");
    });

    test("a namespace reader who may read everything in production but no cluster-scoped kinds: notes, the answer stands", async () => {
      api.addUser({ name: "ns-reader", rules: [{ verbs: ["get", "list"], resources: ["*"], namespaces: ["production"] }] });
      const reader = kubeconfigFor(api, "ns-reader");
      const r = await run(["check", "--kubeconfig", reader, "-n", "production", "--from", "web-api", "--to", "169.254.169.254", "--port", "80"], ROOT);
      // Namespaces (labels assumed) and Nodes (pod network defaulted) are notes; admin policies are cluster-scoped and refused: incomplete.
      assert.match(r.stderr, /warning: cannot list nodes \(forbidden\)/);
      assert.match(r.stdout, /^Not seen: cannot list nodes \(forbidden\): the pod network is not taken from the Nodes' podCIDRs/m);
      assert.match(r.stdout, /^Not seen: cannot list clusternetworkpolicies \(forbidden\): answers below do not see ClusterNetworkPolicies anywhere\.$/m);
      assert.equal(r.code, exitCode("incomplete"));
    });
  });

  describe("failures: an exit code each, a message, never a stack trace", () => {
    test("credentials rejected (a revoked token): exit 8", async () => {
      api.addUser({ name: "leaver" });
      const leaver = kubeconfigFor(api, "leaver");
      api.revokeToken("leaver");
      const r = await run(["egress", "--kubeconfig", leaver], ROOT);
      assert.equal(r.code, exitCode("cluster-credentials"), r.stderr);
      assert.match(r.stderr, /^portcullis: the cluster rejected the credentials/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });

    test("an unknown --context: exit 9", async () => {
      const r = await run(["egress", "--kubeconfig", admin, "--context", "staging"], ROOT);
      assert.equal(r.code, exitCode("kubeconfig"), r.stderr);
      assert.match(r.stderr, /^portcullis: .*staging/);
    });

    test("a --kubeconfig that does not exist: exit 9", async () => {
      const r = await run(["egress", "--kubeconfig", join(dir, "nope")], ROOT);
      assert.equal(r.code, exitCode("kubeconfig"), r.stderr);
      assert.match(r.stderr, /^portcullis: cannot read kubeconfig .*nope: ENOENT/);
    });

    test("an unreachable cluster (nothing listening): exit 7", async () => {
      const path = join(dir, "kubeconfig-closed");
      writeFileSync(path, api.kubeconfig("admin").replace(api.url, "https://127.0.0.1:9"));
      const r = await run(["egress", "--kubeconfig", path], ROOT);
      assert.equal(r.code, exitCode("cluster-unreachable"), r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });

    test("no -f and no cluster configured (no KUBECONFIG, HOME without .kube): no input, exit 3", async () => {
      const r = await runWithEnv(["egress"], { HOME: dir, KUBECONFIG: "", KUBERNETES_SERVICE_HOST: "" });
      assert.equal(r.code, exitCode("usage"), r.stderr);
      assert.match(r.stderr, /^portcullis: no input: give manifests with -f/);
    });

    test("KUBECONFIG set: the cluster is read without -f", async () => {
      const r = await runWithEnv(["egress", "-A", "-v"], { HOME: dir, KUBECONFIG: admin });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /^reading cluster https:\/\/127\.0\.0\.1:\d+ /m);
    });
  });
});

async function runWithEnv(args: readonly string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const { execFile } = await import("node:child_process");
  return new Promise((resolve) => {
    execFile(process.execPath, [join(ROOT, "bin", "portcullis.js"), ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr });
    });
  });
}

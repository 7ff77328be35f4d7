/**
 * Keeping the stand-in honest: the real kubectl (v1.32 on these machines) drives it as it would a
 * cluster — get, get -w, selectors, chunked lists, apply --dry-run=client, 401 and 403. Every run
 * uses a temp kubeconfig, HOME and --cache-dir: ~/.kube is never read or written. Without kubectl
 * the tests skip, except with CI=true, where they fail.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type KubeObject, type StandIn, startStandIn } from "./standin.js";
import { kubectlSkip } from "./testing.js";

const skip = kubectlSkip();

const pod = (namespace: string, name: string, labels: Record<string, string>, nodeName: string): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace, labels },
  spec: { nodeName, containers: [{ name: "c", image: "registry.example/app:1" }] },
  status: { phase: "Running" },
});

const MANIFEST = `apiVersion: v1
kind: Namespace
metadata:
  name: portcullis-system
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: prod
spec:
  podSelector: {}
  policyTypes: [Egress]
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: BaselineAdminNetworkPolicy
metadata:
  name: default
spec:
  subject: {namespaces: {}}
  egress: []
`;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe("kubectl against the stand-in", { skip }, () => {
  let api: StandIn;
  let dir: string;
  const kubeconfigs = new Map<string, string>();

  const env = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? "", HOME: join(dir, "home") });
  const args = (who: string, rest: readonly string[]): string[] => ["--kubeconfig", kubeconfigs.get(who) ?? "", "--cache-dir", join(dir, "cache"), ...rest];

  /** kubectl as a child process (the server answers in this process, so never a sync spawn). */
  const kubectl = (who: string, ...rest: string[]): Promise<Run> =>
    new Promise((resolve) => {
      execFile("kubectl", args(who, rest), { env: env(), timeout: 30_000 }, (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolve({ code, stdout, stderr });
      });
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "standin-kubectl-"));
    api = await startStandIn({
      users: [{ name: "admin" }, { name: "nobody", rules: [] }, { name: "leaver" }, { name: "plugged" }],
      objects: [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "prod" } },
        pod("prod", "web-1", { app: "web" }, "n1"),
        pod("prod", "web-2", { app: "web" }, "n2"),
        pod("prod", "db-1", { app: "db" }, "n1"),
        pod("dev", "api-1", { app: "api" }, "n2"),
        pod("dev", "web-1", { app: "web" }, "n1"),
      ],
    });
    const write = (name: string, text: string): void => {
      const path = join(dir, `${name}.kubeconfig`);
      writeFileSync(path, text, { mode: 0o600 });
      kubeconfigs.set(name, path);
    };
    write("admin", api.kubeconfig("admin"));
    write("admin-cert", api.kubeconfig("admin", "cert"));
    write("nobody", api.kubeconfig("nobody"));
    write("leaver", api.kubeconfig("leaver"));
    write("plugged", api.kubeconfig("plugged", "exec"));
    writeFileSync(join(dir, "manifest.yaml"), MANIFEST);
  });
  after(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("kubectl get pods -A -o json: every pod, items with kind and apiVersion filled in by kubectl", async () => {
    const r = await kubectl("admin", "get", "pods", "-A", "-o", "json");
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as { kind: string; items: KubeObject[] };
    assert.equal(list.kind, "List");
    assert.deepEqual(list.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`), ["dev/api-1", "dev/web-1", "prod/db-1", "prod/web-1", "prod/web-2"]);
    assert.ok(list.items.every((o) => o.kind === "Pod" && o.apiVersion === "v1"));
  });

  test("kubectl get pods -n prod [-o wide]: the server's Table (printPod's columns), as against a cluster", async () => {
    const r = await kubectl("admin", "get", "pods", "-n", "prod");
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.match(lines[0] ?? "", /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    assert.deepEqual(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 4).join(" ")), ["db-1 0/1 Running 0", "web-1 0/1 Running 0", "web-2 0/1 Running 0"]);
    const wide = await kubectl("admin", "get", "pods", "-n", "prod", "-o", "wide");
    assert.match(wide.stdout.split("\n")[0] ?? "", /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    assert.match(wide.stdout.split("\n")[1] ?? "", /^db-1\s+0\/1\s+Running\s+0\s+\d+s\s+<none>\s+n1\s+<none>\s+<none>$/);
  });

  test("kubectl get networkpolicies -n prod: other kinds are plain lists (kubectl's default NAME/AGE columns)", async () => {
    api.apply({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name: "deny", namespace: "prod" }, spec: { podSelector: {} } });
    try {
      const r = await kubectl("admin", "get", "networkpolicies", "-n", "prod");
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split("\n").map((l) => l.split(/\s+/)[0]), ["NAME", "deny"]);
      assert.match(r.stdout.split("\n")[0] ?? "", /^NAME\s+AGE$/);
    } finally {
      api.remove("NetworkPolicy", "prod", "deny");
    }
  });

  test("kubectl get pods -A --field-selector spec.nodeName=n1 (the agent's local pods)", async () => {
    const r = await kubectl("admin", "get", "pods", "-A", "--field-selector", "spec.nodeName=n1", "-o", "name");
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split("\n"), ["pod/web-1", "pod/db-1", "pod/web-1"]);
    assert.equal(api.requests.at(-1)?.query["fieldSelector"], "spec.nodeName=n1");
  });

  test("kubectl get pods -A -l app=web, and an unsupported field selector: kubectl prints the server's 400", async () => {
    const r = await kubectl("admin", "get", "pods", "-A", "-l", "app=web", "-o", "jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {end}");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), "dev/web-1 prod/web-1 prod/web-2");
    const bad = await kubectl("admin", "get", "pods", "--field-selector", "spec.image=x");
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Error from server \(BadRequest\).*field label not supported: spec\.image/);
  });

  test("kubectl get pods -A --chunk-size=2: it pages with limit=2 and follows the continue tokens", async () => {
    const before = api.requests.length;
    const r = await kubectl("admin", "get", "pods", "-A", "--chunk-size=2", "-o", "name");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split("\n").length, 5);
    const lists = api.requests.slice(before).filter((q) => q.path === "/api/v1/pods");
    assert.deepEqual(lists.map((q) => q.query["limit"]), ["2", "2", "2"]);
    assert.equal(lists[0]?.query["continue"], undefined);
    assert.ok(lists.slice(1).every((q) => typeof q.query["continue"] === "string" && q.query["continue"] !== ""));
  });

  test("kubectl get pods -n prod -w --output-watch-events: the list, then the changes as they stream (bounded, then killed)", async () => {
    const child = spawn("kubectl", args("admin", ["get", "pods", "-n", "prod", "-w", "--output-watch-events"]), { env: env() });
    let out = "";
    const seen = (text: RegExp): Promise<void> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`kubectl get -w printed ${JSON.stringify(out)}, never ${String(text)}`)), 15_000);
        const check = (): void => {
          if (!text.test(out)) return;
          clearTimeout(timer);
          child.stdout.off("data", check);
          resolve();
        };
        child.stdout.on("data", check);
        check();
      });
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => (out += d));
    try {
      await seen(/ADDED\s+web-2/);
      api.apply(pod("prod", "cache-1", { app: "cache" }, "n2"));
      api.apply(pod("prod", "web-1", { app: "web", version: "2" }, "n1"));
      api.remove("Pod", "prod", "db-1");
      await seen(/DELETED\s+db-1/);
      const events = out.trim().split("\n").map((l) => l.split(/\s+/).slice(0, 2).join(" "));
      assert.deepEqual(events, ["EVENT NAME", "ADDED db-1", "ADDED web-1", "ADDED web-2", "ADDED cache-1", "MODIFIED web-1", "DELETED db-1"]);
      const watches = api.requests.filter((q) => q.path === "/api/v1/namespaces/prod/pods" && q.query["watch"] === "true");
      assert.equal(watches.length, 1, "one watch, from the list's resourceVersion");
      assert.match(watches[0]?.query["resourceVersion"] ?? "", /^\d+$/);
    } finally {
      child.kill("SIGTERM");
      api.apply(pod("prod", "db-1", { app: "db" }, "n1"));
    }
  });

  for (const who of ["admin", "admin-cert"]) {
    test(`kubectl apply --dry-run=client -f manifest as ${who === "admin" ? "a bearer token" : "a client certificate"}: it GETs each object, 404 reads as "would create", and writes nothing`, async () => {
      const before = api.requests.length;
      const r = await kubectl(who, "apply", "--dry-run=client", "-f", join(dir, "manifest.yaml"));
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split("\n"), [
        "namespace/portcullis-system created (dry run)",
        "networkpolicy.networking.k8s.io/default-deny created (dry run)",
        "baselineadminnetworkpolicy.policy.networking.k8s.io/default created (dry run)",
      ]);
      const asked = api.requests.slice(before);
      assert.ok(asked.some((q) => q.method === "GET" && q.path === "/apis/networking.k8s.io/v1/namespaces/prod/networkpolicies/default-deny"));
      assert.deepEqual(asked.filter((q) => q.method !== "GET"), []);
      assert.ok(asked.every((q) => q.user === "admin"));
    });
  }

  test("kubectl apply --dry-run=client of an object that exists: configured (dry run)", async () => {
    const path = join(dir, "pod.yaml");
    writeFileSync(path, JSON.stringify(pod("prod", "web-2", { app: "web", tier: "front" }, "n2")));
    const r = await kubectl("admin", "apply", "--dry-run=client", "-f", path);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), "pod/web-2 configured (dry run)");
    assert.deepEqual(api.get("Pod", "prod", "web-2")?.metadata.labels, { app: "web" });
  });

  test("kubectl apply (for real): created, then configured — a strategic merge patch, applied as a merge patch — and delete; kubectl create namespace sends protobuf: the server's 415", async () => {
    const path = join(dir, "real.yaml");
    const ds = (image: string): string =>
      `apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent, namespace: prod}\nspec:\n  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n    spec: {containers: [{name: a, image: "${image}"}]}\n`;
    writeFileSync(path, ds("agent:1"));
    const created = await kubectl("admin", "apply", "-f", path);
    assert.equal(created.stdout.trim(), "daemonset.apps/agent created", created.stderr);
    writeFileSync(path, ds("agent:2"));
    const configured = await kubectl("admin", "apply", "-f", path);
    assert.equal(configured.stdout.trim(), "daemonset.apps/agent configured", configured.stderr);
    const stored = api.get("DaemonSet", "prod", "agent") as { spec: { template: { spec: { containers: { image: string }[] } } } } | undefined;
    assert.equal(stored?.spec.template.spec.containers[0]?.image, "agent:2");
    assert.deepEqual(api.requests.filter((q) => q.path.endsWith("/daemonsets/agent") || q.path.endsWith("/daemonsets")).map((q) => `${q.method} ${q.status}`), ["GET 404", "POST 201", "GET 200", "PATCH 200"]);
    const deleted = await kubectl("admin", "delete", "-f", path, "--wait=false");
    assert.equal(deleted.stdout.trim(), 'daemonset.apps "agent" deleted', deleted.stderr);
    assert.equal(api.get("DaemonSet", "prod", "agent"), undefined);
    const generated = await kubectl("admin", "create", "namespace", "made-by-generator");
    assert.equal(generated.code, 1);
    assert.match(generated.stderr, /the body of the request was in an unknown format/);
  });

  test('a user without RBAC: kubectl prints the server\'s 403 ("forbidden") and exits 1', async () => {
    const r = await kubectl("nobody", "get", "pods", "-A");
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'Error from server (Forbidden): pods is forbidden: User "nobody" cannot list resource "pods" in API group "" at the cluster scope');
  });

  test("a revoked token: kubectl says the user must log in (401 Unauthorized)", async () => {
    assert.equal((await kubectl("leaver", "get", "ns")).code, 0);
    api.revokeToken("leaver");
    const r = await kubectl("leaver", "get", "ns");
    assert.equal(r.code, 1);
    assert.match(r.stderr, /You must be logged in to the server \(Unauthorized\)|Unauthorized/);
  });

  test("an exec credential plugin (client.authentication.k8s.io/v1 ExecCredential): kubectl runs it for a token; after a rotation it prints the new token and the old one's revocation goes unnoticed", async () => {
    const first = await kubectl("plugged", "get", "ns", "-o", "name");
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout.trim(), "namespace/prod");
    assert.equal(api.requests.at(-1)?.user, "plugged");
    const old = api.token("plugged");
    api.rotateToken("plugged");
    api.revokeToken("plugged", old);
    const after = await kubectl("plugged", "get", "ns", "-o", "name");
    assert.equal(after.code, 0, after.stderr);
    api.revokeToken("plugged");
    const refused = await kubectl("plugged", "get", "ns");
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Unauthorized/);
  });
});

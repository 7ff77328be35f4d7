/**
 * `kubectl apply --dry-run=client -f` of every manifest (deploy/ and the chart's render), with the
 * real kubectl against the stand-in API server (src/kube/standin): kubectl maps each object's
 * apiVersion and kind to a served resource through discovery, asks the server whether it exists,
 * and prints what it would create; nothing is stored. A kind or apiVersion the API does not serve
 * fails here as it would on a cluster ("no matches for kind").
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type StandIn, startStandIn } from "../../kube/standin/standin.js";
import { kubectlSkip } from "../../kube/standin/testing.js";
import { DEPLOY_DIR, renderChartText } from "./artefacts.js";

/** Without kubectl: skipped, or (CI=true) the file fails. */
const skip = kubectlSkip();

let api: StandIn;
let dir: string;

before(async () => {
  if (skip !== false) return;
  api = await startStandIn();
  dir = mkdtempSync(join(tmpdir(), "pc-kubectl-"));
  writeFileSync(join(dir, "kubeconfig"), api.kubeconfig("admin"));
});

after(async () => {
  if (skip !== false) return;
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

function kubectl(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // A cache and HOME of its own: kubectl keeps discovery per host:port under ~/.kube/cache otherwise.
  const argv = ["--kubeconfig", join(dir, "kubeconfig"), "--cache-dir", join(dir, "cache"), ...args];
  return new Promise((resolve) => {
    execFile("kubectl", argv, { encoding: "utf8", timeout: 60_000, env: { ...process.env, HOME: dir } }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr });
    });
  });
}

/** What kubectl prints for each object of deploy/, in file order. */
const CREATED = [
  "namespace/portcullis-system created (dry run)",
  "serviceaccount/portcullis created (dry run)",
  "clusterrole.rbac.authorization.k8s.io/portcullis created (dry run)",
  "clusterrolebinding.rbac.authorization.k8s.io/portcullis created (dry run)",
  "daemonset.apps/portcullis created (dry run)",
];

const opts = { skip };

test("kubectl apply --dry-run=client -f deploy/ against the stand-in: every object maps to a served resource and would be created; nothing is stored", opts, async () => {
  const r = await kubectl(["apply", "--dry-run=client", "-f", DEPLOY_DIR]);
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
  assert.deepEqual(r.stdout.trim().split("\n"), CREATED);
  for (const kind of ["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "DaemonSet"]) assert.deepEqual(api.list(kind), [], `${kind}: a dry run stores nothing`);
  // kubectl asked the server about each object (apply reads the live object to build its patch).
  const asked = api.requests.filter((q) => q.method === "GET").map((q) => q.path);
  for (const path of ["/api/v1/namespaces/portcullis-system", "/apis/rbac.authorization.k8s.io/v1/clusterroles/portcullis", "/apis/apps/v1/namespaces/portcullis-system/daemonsets/portcullis"]) {
    assert.ok(asked.includes(path), `kubectl did not GET ${path}: ${asked.join(", ")}`);
  }
});

test("kubectl apply --dry-run=client of the chart's render (defaults, and with audit and extraArgs) against the stand-in", opts, async () => {
  for (const [name, overrides] of [["default", {}], ["audit", { audit: true, extraArgs: ["--verbose"] }]] as const) {
    const file = join(dir, `chart-${name}.yaml`);
    writeFileSync(file, renderChartText(overrides));
    const r = await kubectl(["apply", "--dry-run=client", "-f", file]);
    assert.equal(r.stderr, "", name);
    assert.equal(r.code, 0, name);
    assert.deepEqual(r.stdout.trim().split("\n").sort(), [...CREATED].sort(), name);
  }
});

test("the same kubectl run refuses an apiVersion the API does not serve (so the runs above could fail): ClusterRole at rbac.authorization.k8s.io/v1beta1 (removed in 1.22)", opts, async () => {
  const file = join(dir, "old-rbac.yaml");
  writeFileSync(file, "apiVersion: rbac.authorization.k8s.io/v1beta1\nkind: ClusterRole\nmetadata:\n  name: portcullis\nrules: []\n");
  // kubectl's validator finds no OpenAPI document for the group-version first.
  const validated = await kubectl(["apply", "--dry-run=client", "-f", file]);
  assert.notEqual(validated.code, 0);
  assert.match(validated.stderr, /error validating data: the server could not find the requested resource/);
  // Without validation, discovery has no such kind.
  const mapped = await kubectl(["apply", "--dry-run=client", "--validate=false", "-f", file]);
  assert.notEqual(mapped.code, 0);
  assert.match(mapped.stderr, /no matches for kind "ClusterRole" in version "rbac.authorization.k8s.io\/v1beta1"/);
});

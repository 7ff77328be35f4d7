/**
 * Read commands on a live cluster, with LiveRead values built here (the reader is injected as
 * stdin is): decoding, what could not be seen, exit codes, -v. The end-to-end tests against the
 * stand-in API server are in live-e2e.test.ts.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import type { LiveObject, LiveRead, LiveResource, MissingAccess } from "../kube/live.js";
import { ROOT } from "./e2e-support.js";
import { exitCode } from "./exit.js";
import type { ClusterReader, LiveOutcome, LiveRequest } from "./live.js";
import { main } from "./main.js";

/** An example tree (examples/egress by default) as a cluster would return it: the same objects, as JSON with kind and apiVersion. */
function exampleObjects(tree = join("examples", "egress")): LiveObject[] {
  const files = readdirSync(join(ROOT, tree), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".yaml")).map((f) => join(ROOT, tree, f));
  return files.flatMap((f) => parseAllDocuments(readFileSync(f, "utf8")).map((d) => d.toJS() as LiveObject)).filter((o) => o !== null);
}

const NETPOL: LiveResource = { group: "networking.k8s.io", version: "v1", resource: "networkpolicies", kind: "NetworkPolicy", namespaced: true };
const PODS: LiveResource = { group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true };
const NAMESPACES: LiveResource = { group: "", version: "v1", resource: "namespaces", kind: "Namespace", namespaced: false };
const CNP: LiveResource = { group: "policy.networking.k8s.io", version: "v1alpha2", resource: "clusternetworkpolicies", kind: "ClusterNetworkPolicy", namespaced: false };

function forbidden(resource: LiveResource, namespace: string | null): MissingAccess {
  return { verb: "list", resource, namespace, reason: "forbidden", message: `${resource.resource} is forbidden` };
}

const SOURCE = "cluster https://10.0.0.1:6443 (context prod, kubeconfig /root/.kube/config)";

/** A reader that answers with `read` (namespaced objects outside the scope left out, as the client does) and records the request. */
function reader(read: Omit<LiveRead, "source">, asked: LiveRequest[] = []): ClusterReader {
  return async (request) => {
    asked.push(request);
    const namespace = request.scope.kind === "namespace" ? request.scope.name : request.scope.kind === "context" ? "production" : null;
    const objects = read.objects.filter((o) => namespace === null || o.metadata.namespace === undefined || o.metadata.namespace === namespace);
    return { kind: "read", read: { ...read, objects, source: SOURCE }, namespace };
  };
}

async function cli(argv: readonly string[], readCluster: ClusterReader): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), readCluster });
  return { code, stdout, stderr };
}

const CHECK = ["check", "-A", "--from", "production/web-api", "--to", "169.254.169.254", "--port", "80"];

describe("a read command without -f reads the configured cluster", () => {
  test("check on the live objects answers as on the files; -v says which cluster was read", async () => {
    const live = await cli([...CHECK, "-v"], reader({ objects: exampleObjects(), missing: [] }));
    assert.equal(live.code, exitCode("negative"), live.stderr);
    assert.match(live.stdout, /^DENIED: production\/web-api \(Deployment\) → 169\.254\.169\.254, TCP port 80/);
    // No file:line for a live object: the policy and the rule are named by the object and the field path.
    assert.match(live.stdout, /NetworkPolicy production\/web-api-egress spec\.egress\[2\]\.to\[0\]: 169\.254\.169\.254 is inside the ipBlock's cidr but in its except list/);
    assert.doesNotMatch(live.stdout, /undefined/);
    assert.match(live.stderr, /^reading cluster https:\/\/10\.0\.0\.1:6443 \(context prod, kubeconfig \/root\/\.kube\/config\), every namespace$/m);
    assert.match(live.stderr, /^read cluster https:\/\/10\.0\.0\.1:6443 .*: 3 namespaces, /m);
  });

  test("JSON: a live object's location is {object: {kind, namespace, name}, path}; `unseen` is there, empty", async () => {
    const live = await cli([...CHECK, "-o", "json"], reader({ objects: exampleObjects(), missing: [] }));
    const view = JSON.parse(live.stdout) as { unseen: unknown[]; egress: { misses: { at: unknown }[] } };
    assert.deepEqual(view.unseen, []);
    assert.ok(view.egress.misses.some((m) => JSON.stringify(m.at) === JSON.stringify({ object: { kind: "NetworkPolicy", namespace: "production", name: "web-api-egress" }, path: "spec.egress[2].to[0]" })), JSON.stringify(view.egress.misses.map((m) => m.at)));
  });

  test("-n limits what is read; without -n or -A the context's namespace is read (as kubectl)", async () => {
    const asked: LiveRequest[] = [];
    const r = reader({ objects: exampleObjects(), missing: [] }, asked);
    const scoped = await cli(["egress", "-n", "monitoring"], r);
    const byContext = await cli(["egress"], r);
    const all = await cli(["egress", "-A"], r);
    assert.deepEqual(
      asked.map((a) => a.scope),
      [{ kind: "namespace", name: "monitoring" }, { kind: "context" }, { kind: "all" }],
    );
    assert.equal(scoped.code, 0, scoped.stderr);
    assert.match(scoped.stdout, /^Read: namespace monitoring only: answers do not see other namespaces' pods, Services and NetworkPolicies \(-A reads every namespace\)\.$/m);
    assert.match(byContext.stdout, /^Read: namespace production only/m);
    assert.doesNotMatch(all.stdout, /^Read: /m);
  });

  test("no cluster configured and no -f: the existing error, no input (exit 3)", async () => {
    const none: ClusterReader = async () => ({ kind: "not-configured" });
    const r = await cli(["connlist"], none);
    assert.equal(r.code, exitCode("usage"));
    assert.match(r.stderr, /^portcullis: no input: give manifests with -f FILE/);
  });

  const failures: { name: string; outcome: LiveOutcome; code: number }[] = [
    { name: "unreachable cluster", outcome: { kind: "failed", failure: "cluster-unreachable", message: "cannot reach https://10.0.0.1:6443: connect ECONNREFUSED 10.0.0.1:6443" }, code: 7 },
    { name: "credentials rejected (401)", outcome: { kind: "failed", failure: "cluster-credentials", message: "https://10.0.0.1:6443 rejected the credentials (401 Unauthorized)" }, code: 8 },
    { name: "kubeconfig error", outcome: { kind: "failed", failure: "kubeconfig", message: "--context staging: no context \"staging\" in /root/.kube/config" }, code: 9 },
  ];
  for (const f of failures) {
    test(`${f.name}: exit ${f.code}, the client's message, never a stack trace`, async () => {
      const r = await cli(["egress"], async () => f.outcome);
      assert.equal(r.code, f.code);
      assert.equal(exitCode(f.outcome.kind === "failed" ? f.outcome.failure : "ok"), f.code);
      assert.equal(r.stderr, `portcullis: ${f.outcome.kind === "failed" ? f.outcome.message : ""}\n`);
      assert.equal(r.stdout, "");
    });
  }
});

describe('what could not be seen: "never a silent partial answer"', () => {
  test("NetworkPolicies forbidden in production: a warning naming verb and resource, the answer says so, exit 6 (not ALLOWED's 0)", async () => {
    const objects = exampleObjects().filter((o) => o.kind !== "NetworkPolicy");
    const r = await cli(CHECK, reader({ objects, missing: [forbidden(NETPOL, "production")] }));
    assert.equal(r.code, exitCode("incomplete"));
    assert.match(r.stderr, /^portcullis: warning: cannot list networkpolicies in namespace production \(forbidden\): answers below do not see NetworkPolicies there$/m);
    assert.match(r.stdout, /^UNKNOWN: objects this answer depends on could not be read \(Not seen, below\)/);
    assert.match(r.stdout, /^Not seen: cannot list networkpolicies in namespace production \(forbidden\): answers below do not see NetworkPolicies there\.$/m);
  });

  test("JSON carries `unseen` with verb, resource, namespace and reason", async () => {
    const r = await cli([...CHECK, "-o", "json"], reader({ objects: exampleObjects(), missing: [forbidden(NETPOL, "production")] }));
    assert.equal(r.code, exitCode("incomplete"));
    const view = JSON.parse(r.stdout) as { unseen: unknown[] };
    assert.deepEqual(view.unseen, [
      {
        verb: "list",
        resource: "networkpolicies",
        kind: "NetworkPolicy",
        namespace: "production",
        reason: "forbidden",
        effect: "incomplete",
        message: "cannot list networkpolicies in namespace production (forbidden): answers below do not see NetworkPolicies there",
      },
    ]);
  });

  test("Pods forbidden: the picture does not claim there are no pods (exit 6, Not seen)", async () => {
    const objects = exampleObjects().filter((o) => o.kind === "NetworkPolicy" || o.kind === "Namespace");
    const r = await cli(["egress", "-A"], reader({ objects, missing: [forbidden(PODS, null)] }));
    assert.equal(r.code, exitCode("incomplete"));
    assert.match(r.stdout, /^Not seen: cannot list pods in any namespace \(forbidden\): answers below do not see Pods anywhere\.$/m);
  });

  test("admin policies forbidden: verdicts may change in the tiers before NetworkPolicies (exit 6)", async () => {
    const r = await cli(CHECK, reader({ objects: exampleObjects(), missing: [forbidden(CNP, null)] }));
    assert.equal(r.code, exitCode("incomplete"));
  });

  test("lint with NetworkPolicies forbidden: no findings is not a clean bill (exit 6)", async () => {
    const objects = exampleObjects().filter((o) => o.kind !== "NetworkPolicy");
    const r = await cli(["lint", "-A", "--fail-on", "never"], reader({ objects, missing: [forbidden(NETPOL, null)] }));
    assert.equal(r.code, exitCode("incomplete"));
    assert.match(r.stdout, /^Not seen: cannot list networkpolicies in any namespace/m);
  });

  test("Namespaces forbidden (a namespace-scoped user): a note, and the answers' Assumed lines; the answer stands (exit as usual)", async () => {
    const objects = exampleObjects().filter((o) => o.kind !== "Namespace");
    const r = await cli(CHECK, reader({ objects, missing: [forbidden(NAMESPACES, null)] }));
    assert.equal(r.code, exitCode("negative"));
    assert.doesNotMatch(r.stdout, /^UNKNOWN/);
    assert.match(r.stdout, /^Not seen: cannot list namespaces \(forbidden\): namespace labels are not seen: answers that evaluate one say what they assumed\.$/m);
  });

  test("formats that cannot carry a note (csv) still exit 6, with the warning on stderr", async () => {
    const r = await cli(["matrix", "-A", "-o", "csv"], reader({ objects: exampleObjects(), missing: [forbidden(NETPOL, "production")] }));
    assert.equal(r.code, exitCode("incomplete"));
    assert.match(r.stderr, /warning: cannot list networkpolicies in namespace production/);
  });
});

describe("lint findings about live objects", () => {
  test("text, JSON and SARIF name the object (no file, line or physical location)", async () => {
    const objects = exampleObjects(join("examples", "mistakes", "admin-tiers"));
    const text = await cli(["lint", "-A", "--fail-on", "never"], reader({ objects, missing: [] }));
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^live cluster$/m);
    assert.doesNotMatch(text.stdout, /undefined/);
    const json = JSON.parse((await cli(["lint", "-A", "--fail-on", "never", "-o", "json"], reader({ objects, missing: [] }))).stdout) as { findings: { location: Record<string, unknown> }[]; unseen: unknown[] };
    assert.ok(json.findings.length > 0);
    for (const f of json.findings) {
      assert.equal(f.location["file"], undefined);
      assert.equal(typeof (f.location["object"] as { kind: unknown }).kind, "string");
    }
    const sarif = JSON.parse((await cli(["lint", "-A", "--fail-on", "never", "-o", "sarif"], reader({ objects, missing: [] }))).stdout) as { runs: { results: { locations: Record<string, unknown>[] }[] }[] };
    for (const r of sarif.runs[0]?.results ?? []) {
      assert.equal(r.locations[0]?.["physicalLocation"], undefined);
      assert.ok(Array.isArray(r.locations[0]?.["logicalLocations"]));
    }
  });
});

describe("diff --against-cluster: what applying the files would change", () => {
  test("the files' objects replace the live ones of the same kind, namespace and name; others are added", async () => {
    // examples/egress-pr changes web-api-egress (widens it): applied over the live examples/egress.
    const r = await cli(["diff", "--against-cluster", "-A", "-f", join(ROOT, "examples", "egress-pr")], reader({ objects: exampleObjects(), missing: [] }));
    const files = await cli(["diff", "-f", join(ROOT, "examples", "egress"), "--against", join(ROOT, "examples", "egress"), "--against", join(ROOT, "examples", "egress-pr")], reader({ objects: [], missing: [] }));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(files.code, 0, files.stderr);
    // The same change as the file diff of the same trees: the live base and the overlay agree with it.
    assert.equal(r.stdout, files.stdout);
  });

  test("nothing changes when the files equal the live objects", async () => {
    const r = await cli(["diff", "--against-cluster", "-A", "-f", join(ROOT, "examples", "egress"), "-o", "json"], reader({ objects: exampleObjects(), missing: [] }));
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { unseen: unknown[] };
    assert.deepEqual(report.unseen, []);
  });

  test("refused reads make the diff incomplete (exit 6)", async () => {
    const r = await cli(["diff", "--against-cluster", "-A", "-f", join(ROOT, "examples", "egress-pr")], reader({ objects: exampleObjects(), missing: [forbidden(NETPOL, "monitoring")] }));
    assert.equal(r.code, exitCode("incomplete"));
    assert.match(r.stdout, /^Not seen: cannot list networkpolicies in namespace monitoring/m);
  });
});

describe("file commands do not load the client", () => {
  test("main's static import graph has no module of src/kube (the client is a dynamic import, live.ts)", () => {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      // Static imports and re-exports only: `import(` (dynamic) is not matched.
      for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+"(\.[^"]+)";/gms)) visit(join(file, "..", m[1] ?? ""));
    };
    visit(join(ROOT, "dist", "src", "cli", "main.js"));
    const kube = [...seen].filter((f) => f.includes(`${join("src", "kube")}`) || f.endsWith("live-client.js"));
    assert.ok(seen.size > 50, `the walk found main's graph (${seen.size} modules)`);
    assert.deepEqual(kube, []);
  });
});

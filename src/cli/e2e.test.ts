/**
 * End to end: `node bin/portcullis.js` as a child process, compared byte for byte with golden files
 * in src/cli/testdata/golden/ (UPDATE_GOLDEN=1 rewrites them). Every scenario with input runs through
 * a file path and through stdin (`-f -`) against the same golden; stdin's diagnostics name the input
 * `<stdin>`, which the comparison reads as the file's path.
 *
 * The example (examples/egress, a directory) is joined into one file `egress.yaml` for these runs,
 * so that both paths see the same lines; views without locations also run on the directory itself.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, test } from "node:test";
import { GOLDEN, joinTree, ROOT, type Run, run } from "./e2e-support.js";

const TESTDATA = "src/cli/testdata";
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";

/** Where a scenario's input comes from. */
type Input =
  | { readonly kind: "none" }
  /**
   * A directory of manifests joined into one file `file` in the work directory, so that the file and
   * stdin runs see the same lines; `directory`: the view has no locations, so run on the directory too.
   */
  | { readonly kind: "tree"; readonly dir: string; readonly file: string; readonly directory?: boolean }
  | { readonly kind: "fixture"; readonly file: string }
  | { readonly kind: "bytes"; readonly name: string; readonly bytes: Uint8Array };

interface Scenario {
  readonly name: string;
  readonly args: readonly string[];
  readonly input: Input;
}

const example: Input = { kind: "tree", dir: "examples/egress", file: "egress.yaml" };
const exampleAndDirectory: Input = { ...example, directory: true };
const mistake = (name: string): Input => ({ kind: "tree", dir: `examples/mistakes/${name}`, file: `${name}.yaml` });
const fixture = (file: string): Input => ({ kind: "fixture", file: `${TESTDATA}/${file}` });
const junk: Input = { kind: "bytes", name: "junk.yaml", bytes: Uint8Array.from({ length: 512 }, (_, i) => (i * 7919 + 13) % 256) };

const WEB_API = ["--from", "production/web-api"];
const AGAINST = ["--against", "egress-internet-443.yaml"];
const SHOP_ALLOWANCES = ["--allow-to", "0.0.0.0/0:443", "--allow-to", "db/app=postgres:5432/TCP", "--allow-to", "203.0.113.0/24:8000-8080/tcp"];

const scenarios: readonly Scenario[] = [
  // The default view.
  { name: "egress", args: [], input: exampleAndDirectory },
  { name: "egress-json", args: ["-o", "json"], input: example },
  { name: "egress-yaml", args: ["-o", "yaml"], input: example },
  { name: "egress-shop", args: [], input: fixture("shop.yaml") },
  { name: "egress-no-policies", args: [], input: fixture("no-policies.yaml") },
  { name: "egress-verbose", args: ["-v"], input: fixture("shop.yaml") },
  // check
  { name: "check-allowed", args: ["check", ...WEB_API, "--to", "production/postgres", "--port", "5432"], input: example },
  { name: "check-metadata-denied", args: ["check", ...WEB_API, "--to", "169.254.169.254", "--port", "80"], input: example },
  { name: "check-cidr-depends", args: ["check", ...WEB_API, "--to", "169.254.0.0/16", "--port", "80"], input: example },
  { name: "check-wrong-port", args: ["check", ...WEB_API, "--to", "203.0.113.10", "--port", "80"], input: example },
  { name: "check-kind-form", args: ["check", "--from", "Deployment/production/web-api", "--to", "198.51.100.7", "--port", "443"], input: example },
  { name: "check-named-port", args: ["check", "--from", "monitoring/prometheus", "--to", "production/web-api", "--port", "8080"], input: example },
  { name: "check-named-port-unresolved", args: ["check", "--from", "monitoring/prometheus", "--to", "production/postgres", "--port", "5432"], input: example },
  { name: "check-pod-ip", args: ["check", "--from", "10.244.1.23", "--to", "production/postgres", "--port", "5432"], input: example },
  { name: "check-dns-udp", args: ["check", "--from", "production/debug-shell", "--to", "kube-system/coredns", "--port", "53", "--protocol", "UDP"], input: example },
  { name: "check-ipv6", args: ["check", ...WEB_API, "--to", "2001:db8::1", "--port", "443"], input: example },
  { name: "check-json", args: ["check", ...WEB_API, "--to", "203.0.113.10", "--port", "443", "-o", "json"], input: example },
  { name: "check-yaml", args: ["check", ...WEB_API, "--to", "169.254.0.0/16", "--port", "80", "-o", "yaml"], input: example },
  { name: "check-host-network", args: ["check", "--from", "shop/node-exporter", "--to", "shop/frontend", "--port", "8443"], input: fixture("shop.yaml") },
  { name: "check-unknown-target", args: ["check", "--from", "production/webapi", "--to", "1.2.3.4", "--port", "80"], input: example },
  // explain
  { name: "explain", args: ["explain"], input: example },
  { name: "explain-endpoint", args: ["explain", "production/web-api"], input: example },
  { name: "explain-endpoint-json", args: ["explain", "production/web-api", "-o", "json"], input: example },
  { name: "explain-policy", args: ["explain", "NetworkPolicy/production/web-api-egress"], input: example },
  { name: "explain-address", args: ["explain", "203.0.113.10"], input: example },
  // matrix
  { name: "matrix", args: ["matrix"], input: exampleAndDirectory },
  { name: "matrix-json", args: ["matrix", "-o", "json"], input: exampleAndDirectory },
  { name: "matrix-csv", args: ["matrix", "-o", "csv"], input: exampleAndDirectory },
  { name: "matrix-md", args: ["matrix", "-o", "md"], input: exampleAndDirectory },
  { name: "matrix-ports", args: ["matrix", "--port", "80,443,5432"], input: exampleAndDirectory },
  // connlist
  { name: "connlist", args: ["connlist"], input: exampleAndDirectory },
  { name: "connlist-json", args: ["connlist", "-o", "json"], input: exampleAndDirectory },
  { name: "connlist-csv", args: ["connlist", "-o", "csv"], input: exampleAndDirectory },
  { name: "connlist-md", args: ["connlist", "-o", "md"], input: exampleAndDirectory },
  { name: "connlist-dot", args: ["connlist", "-o", "dot"], input: exampleAndDirectory },
  // diff: the example (-f) against the example with the internet-443 pull request laid over it.
  { name: "diff", args: ["diff", ...AGAINST], input: example },
  { name: "diff-json", args: ["diff", ...AGAINST, "-o", "json"], input: example },
  { name: "diff-md-fail-on-widened", args: ["diff", ...AGAINST, "-o", "md", "--fail-on", "widened"], input: example },
  { name: "diff-unchanged", args: ["diff", "--against", "egress.yaml", "--fail-on", "widened"], input: example },
  { name: "diff-invalid-new", args: ["diff", "--against", "bad-except.yaml"], input: example },
  { name: "diff-against-and-base", args: ["diff", "-f", "a", "--against", "b", "--base", "main"], input: { kind: "none" } },
  // graph
  { name: "graph", args: ["graph"], input: exampleAndDirectory },
  { name: "graph-production", args: ["graph", "-n", "production"], input: exampleAndDirectory },
  { name: "graph-dot", args: ["graph", "-o", "dot"], input: exampleAndDirectory },
  { name: "graph-json", args: ["graph", "-n", "monitoring", "-o", "json"], input: exampleAndDirectory },
  { name: "graph-unknown-namespace", args: ["graph", "-n", "prod"], input: example },
  // scaffold reads no manifests.
  { name: "scaffold", args: ["scaffold", "-n", "shop", "--allow-dns", "--block-metadata", ...SHOP_ALLOWANCES], input: { kind: "none" } },
  { name: "scaffold-deny-only", args: ["scaffold", "-n", "shop"], input: { kind: "none" } },
  { name: "scaffold-errors", args: ["scaffold", "-n", "Shop", "--block-metadata", "--allow-to", "10.0.0.1/8:443", "--allow-to", "169.254.169.254/32", "--allow-to", "db"], input: { kind: "none" } },
  { name: "scaffold-with-file", args: ["scaffold", "-n", "shop", "-f", "x.yaml"], input: { kind: "none" } },
  // scaffold --cluster: the guardrails, from the manifests and without.
  { name: "scaffold-cluster", args: ["scaffold", "--cluster"], input: { kind: "fixture", file: "examples/guardrails/cluster.yaml" } },
  { name: "scaffold-cluster-v1alpha1", args: ["scaffold", "--cluster", "--api", "v1alpha1"], input: { kind: "fixture", file: "examples/guardrails/cluster.yaml" } },
  { name: "scaffold-cluster-no-input", args: ["scaffold", "--cluster"], input: { kind: "none" } },
  // enforce: only what applies nothing (the namespace tests apply, in enforce.test.ts).
  { name: "enforce-dry-run", args: ["enforce", "--dry-run"], input: exampleAndDirectory },
  { name: "enforce-nft-audit-node-pods", args: ["enforce", "-o", "nft", "--audit", "--node-pods", "production/debug-shell,Deployment/production/web-api"], input: example },
  { name: "enforce-unknown-node-pod", args: ["enforce", "--dry-run", "--node-pods", "production/debugshell"], input: example },
  { name: "enforce-fail-closed", args: ["enforce", "--dry-run", "--node-pod-cidr", "10.244.1.0/24"], input: example },
  { name: "enforce-where", args: ["enforce", "-f", "x.yaml"], input: { kind: "none" } },
  // lint
  { name: "lint", args: ["lint"], input: example },
  { name: "lint-json", args: ["lint", "-o", "json"], input: mistake("dns-udp-only") },
  { name: "lint-sarif", args: ["lint", "-o", "sarif", "--enable", "dns-tcp-missing,egress-not-isolated"], input: mistake("dns-udp-only") },
  { name: "lint-fail-on-warning", args: ["lint", "--fail-on", "warning", "--disable", "egress-not-isolated"], input: mistake("dns-udp-only") },
  { name: "lint-errors", args: ["lint"], input: mistake("dns-blocked") },
  // A kind typo: a warning on stderr for every command, a finding for lint.
  { name: "lint-kind-near-miss", args: ["lint"], input: fixture("kind-typo.yaml") },
  { name: "lint-unknown-rule", args: ["lint", "-f", "x.yaml", "--enable", "dns-tcp-misssing"], input: { kind: "none" } },
  // lab: only what makes no lab (lab.test.ts makes them).
  { name: "lab-no-action", args: ["lab", "-f", "x.yaml"], input: { kind: "none" } },
  { name: "lab-probe-reads-no-manifests", args: ["lab", "probe", "--lab", "pc-1a2b3c", "-f", "x.yaml"], input: { kind: "none" } },
  // Invalid input: exit 2, file:line:column and the field path, no stack trace.
  { name: "invalid-except", args: [], input: fixture("bad-except.yaml") },
  // The same mistake in a `kubectl get -o json` List: read by the JSON fast path, reported at the same field.
  { name: "invalid-except-json", args: [], input: fixture("bad-except.json") },
  { name: "invalid-yaml", args: ["connlist"], input: fixture("broken.yaml") },
  { name: "binary-junk", args: [], input: junk },
  { name: "missing-file", args: ["-f", "no/such/file.yaml"], input: { kind: "none" } },
  // No object at all (a failed `kubectl get … >file`, an empty pipe): an error for every command.
  { name: "empty-input", args: ["lint"], input: { kind: "bytes", name: "empty.yaml", bytes: new Uint8Array(0) } },
  { name: "enforce-empty-input", args: ["enforce", "--dry-run"], input: { kind: "bytes", name: "sync.yaml", bytes: new TextEncoder().encode("# kubectl failed\n---\n") } },
  // Usage: exit 3.
  { name: "usage-unknown-flag", args: ["check", "-f", "x.yaml", "--frm", "a/b"], input: { kind: "none" } },
  { name: "usage-unknown-command", args: ["audit", "-f", "x.yaml"], input: { kind: "none" } },
  { name: "usage-bad-output", args: ["check", "-f", "x.yaml", "--from", "a/b", "--to", "c/d", "--port", "1", "-o", "dot"], input: { kind: "none" } },
  { name: "help", args: ["--help"], input: { kind: "none" } },
  { name: "help-check", args: ["check", "--help"], input: { kind: "none" } },
  ...(["diff", "graph", "scaffold", "enforce", "lint", "lab"] as const).map((c) => ({ name: `help-${c}`, args: [c, "--help"], input: { kind: "none" } as const })),
];

const work = mkdtempSync(join(tmpdir(), "portcullis-e2e-"));
// Each tree joined once, before the tests run in parallel.
for (const s of scenarios) if (s.input.kind === "tree") writeFileSync(join(work, s.input.file), joinTree(s.input.dir));
/** The new version of the diff scenarios: the example with a pull request of src/diff/testdata laid over it. */
writeFileSync(join(work, "egress-internet-443.yaml"), joinTree("examples/egress", "src/diff/testdata/internet-443"));
writeFileSync(join(work, "bad-except.yaml"), readFileSync(join(ROOT, TESTDATA, "bad-except.yaml")));

function record(s: Scenario, r: Run, shown: string): string {
  return `$ portcullis ${[...s.args, ...(shown === "" ? [] : ["-f", shown])].join(" ")}\n--- exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
}

/** A stack trace has lines like `    at main (file.js:1:2)`. */
function assertNoStackTrace(r: Run): void {
  assert.doesNotMatch(r.stderr, /^\s+at .+:\d+:\d+\)?$/m, "stack trace on stderr");
}

function check(s: Scenario, label: string, r: Run, shown: string): void {
  assertNoStackTrace(r);
  const file = join(GOLDEN, `${s.name}.txt`);
  const actual = record(s, r, shown);
  if (UPDATE && label === "file") writeFileSync(file, actual);
  assert.equal(actual, readFileSync(file, "utf8"), `${s.name} (${label}) differs from ${relative(ROOT, file)}; UPDATE_GOLDEN=1 rewrites it`);
}

/** The runs of one scenario: [label, args, cwd, stdin bytes, input as the golden names it]. */
function runsOf(s: Scenario): [string, string[], string, Uint8Array | undefined, string][] {
  const i = s.input;
  switch (i.kind) {
    case "none":
      return [["file", [...s.args], ROOT, undefined, ""]];
    case "tree": {
      const text = readFileSync(join(work, i.file));
      const runs: [string, string[], string, Uint8Array | undefined, string][] = [
        ["file", [...s.args, "-f", i.file], work, undefined, i.file],
        ["stdin", [...s.args, "-f", "-"], work, new Uint8Array(text), i.file],
      ];
      if (i.directory === true) runs.push(["directory", [...s.args, "-f", i.dir], ROOT, undefined, i.file]);
      return runs;
    }
    case "fixture":
      return [
        ["file", [...s.args, "-f", i.file], ROOT, undefined, i.file],
        ["stdin", [...s.args, "-f", "-"], ROOT, new Uint8Array(readFileSync(join(ROOT, i.file))), i.file],
      ];
    case "bytes":
      writeFileSync(join(work, i.name), i.bytes);
      return [
        ["file", [...s.args, "-f", i.name], work, undefined, i.name],
        ["stdin", [...s.args, "-f", "-"], work, i.bytes, i.name],
      ];
  }
}

describe("portcullis end to end", { concurrency: 8 }, () => {
  for (const s of scenarios) {
    test(s.name, async () => {
      // The file run first: with UPDATE_GOLDEN=1 it writes the golden the other runs compare with.
      for (const [label, args, cwd, stdin, shown] of runsOf(s)) {
        const r = await run(args, cwd, stdin);
        // SARIF writes the name as a URI: `%3Cstdin%3E`.
        const name = (text: string): string => text.replaceAll("<stdin>", shown).replaceAll("%3Cstdin%3E", shown);
        const named = label === "stdin" ? { ...r, stdout: name(r.stdout), stderr: name(r.stderr) } : r;
        check(s, label, named, shown);
      }
    });
  }
});

test("every golden file belongs to a scenario", () => {
  const names = new Set(scenarios.map((s) => `${s.name}.txt`));
  const stale = readdirSync(GOLDEN).filter((f) => !names.has(f));
  assert.deepEqual(stale, [], "golden files without a scenario");
});

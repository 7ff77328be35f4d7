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
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BIN = join(ROOT, "bin", "portcullis.js");
const GOLDEN = join(ROOT, "src", "cli", "testdata", "golden");
const TESTDATA = "src/cli/testdata";
const EXAMPLE_DIR = "examples/egress";
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";

/** Where a scenario's input comes from. */
type Input =
  | { readonly kind: "none" }
  /** examples/egress joined into one file; `directory`: the view has no locations, so run on the directory too. */
  | { readonly kind: "example"; readonly directory?: boolean }
  | { readonly kind: "fixture"; readonly file: string }
  | { readonly kind: "bytes"; readonly name: string; readonly bytes: Uint8Array };

interface Scenario {
  readonly name: string;
  readonly args: readonly string[];
  readonly input: Input;
}

const example = { kind: "example" } as const;
const exampleAndDirectory = { kind: "example", directory: true } as const;
const fixture = (file: string): Input => ({ kind: "fixture", file: `${TESTDATA}/${file}` });
const junk: Input = { kind: "bytes", name: "junk.yaml", bytes: Uint8Array.from({ length: 512 }, (_, i) => (i * 7919 + 13) % 256) };

const WEB_API = ["--from", "production/web-api"];

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
  // Invalid input: exit 2, file:line:column and the field path, no stack trace.
  { name: "invalid-except", args: [], input: fixture("bad-except.yaml") },
  { name: "invalid-yaml", args: ["connlist"], input: fixture("broken.yaml") },
  { name: "binary-junk", args: [], input: junk },
  { name: "missing-file", args: ["-f", "no/such/file.yaml"], input: { kind: "none" } },
  // Usage: exit 3.
  { name: "usage-unknown-flag", args: ["check", "-f", "x.yaml", "--frm", "a/b"], input: { kind: "none" } },
  { name: "usage-unknown-command", args: ["lint", "-f", "x.yaml"], input: { kind: "none" } },
  { name: "usage-bad-output", args: ["check", "-f", "x.yaml", "--from", "a/b", "--to", "c/d", "--port", "1", "-o", "dot"], input: { kind: "none" } },
  { name: "help", args: ["--help"], input: { kind: "none" } },
  { name: "help-check", args: ["check", "--help"], input: { kind: "none" } },
];

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: readonly string[], cwd: string, stdin?: Uint8Array): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [BIN, ...args], { cwd, encoding: "utf8" }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr });
    });
    child.stdin?.end(stdin);
  });
}

/** The joined example: its files in the order the reader takes them (sorted paths), one document stream. */
function joinedExample(): string {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(ya?ml|json)$/i.test(name)) files.push(full);
    }
  };
  walk(join(ROOT, EXAMPLE_DIR));
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return files.map((f) => readFileSync(f, "utf8").replace(/\n*$/, "\n")).join("---\n");
}

const work = mkdtempSync(join(tmpdir(), "portcullis-e2e-"));
writeFileSync(join(work, "egress.yaml"), joinedExample());

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
    case "example": {
      const text = new TextEncoder().encode(readFileSync(join(work, "egress.yaml"), "utf8"));
      const runs: [string, string[], string, Uint8Array | undefined, string][] = [
        ["file", [...s.args, "-f", "egress.yaml"], work, undefined, "egress.yaml"],
        ["stdin", [...s.args, "-f", "-"], work, text, "egress.yaml"],
      ];
      if (i.directory === true) runs.push(["directory", [...s.args, "-f", EXAMPLE_DIR], ROOT, undefined, "egress.yaml"]);
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
        const named = label === "stdin" ? { ...r, stdout: r.stdout.replaceAll("<stdin>", shown), stderr: r.stderr.replaceAll("<stdin>", shown) } : r;
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

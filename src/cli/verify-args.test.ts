/** `verify`'s command line: what each form parses to, and the combinations refused (usage errors, exit 3). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCommandLine } from "./args.js";
import { parseDuration } from "./flags.js";
import { main } from "./main.js";

const command = (argv: string[]) => {
  const r = parseCommandLine(argv);
  if (!r.ok) return `usage: ${r.error.message}`;
  return r.value.kind === "run" ? r.value.command : r.value;
};

test("verify -n shop --from web --to 203.0.113.7:443 --no-twins: the workload run with its flags; defaults: portcullis:0.1.0, 2 s per probe, 2 min to start", () => {
  const c = command(["verify", "-n", "shop", "--from", "web", "--to", "203.0.113.7:443", "--no-twins"]);
  assert.ok(typeof c === "object" && "name" in c && c.name === "verify" && c.action === "run");
  assert.deepEqual(c.from, ["web"]);
  assert.equal(c.to?.length, 1);
  assert.equal(c.noTwins, true);
  assert.deepEqual(c.probing, { image: "portcullis:0.1.0", timeoutMs: 2000, podStartTimeoutMs: 120_000 });
  assert.deepEqual(c.common.input, { kind: "cluster", flags: { kubeconfig: null, context: null }, scope: { kind: "namespace", name: "shop" }, asked: false });
});

test("verify --smoke and verify --cleanup", () => {
  const smoke = command(["verify", "--smoke", "--image", "registry.example/portcullis:0.1.0", "--timeout", "500ms", "--context", "kind"]);
  assert.ok(typeof smoke === "object" && "name" in smoke && smoke.name === "verify" && smoke.action === "smoke");
  assert.deepEqual(smoke.probing, { image: "registry.example/portcullis:0.1.0", timeoutMs: 500, podStartTimeoutMs: 120_000 });
  const cleanup = command(["verify", "--cleanup", "-n", "shop", "-o", "json"]);
  assert.ok(typeof cleanup === "object" && "name" in cleanup && cleanup.name === "verify" && cleanup.action === "cleanup");
  assert.equal(cleanup.namespace, "shop");
});

test("refused combinations, each a usage error that says why", () => {
  const cases: [string[], RegExp][] = [
    [["verify", "-f", "examples/egress"], /-f cannot be used with verify: it probes a live cluster/],
    [["verify", "--smoke", "--cleanup"], /--smoke and --cleanup cannot be used together/],
    [["verify", "--smoke", "--from", "a/b"], /--from cannot be used with --smoke/],
    [["verify", "--smoke", "-n", "shop"], /--namespace cannot be used with --smoke/],
    [["verify", "--cleanup", "--image", "x"], /--image cannot be used with --cleanup/],
    [["verify", "--cleanup", "-o", "junit"], /cannot write -o junit/],
    [["verify", "-o", "yaml"], /"portcullis verify" cannot write -o yaml: use one of text, json, junit/],
    [["verify", "--timeout", "soon"], /invalid --timeout "soon": expected a duration such as 2s, 500ms or 2m/],
    [["verify", "--to", "example.com"], /invalid --to "example.com"/],
  ];
  for (const [argv, want] of cases) assert.match(String(command(argv)), want, argv.join(" "));
});

test("durations: 2s, 500ms, 2m, 1.5s, a bare number of seconds; zero, negative and above 1h refused", () => {
  assert.deepEqual(["2s", "500ms", "2m", "1.5s", "30"].map((t) => parseDuration("timeout", t)), [2000, 500, 120_000, 1500, 30_000]);
  for (const bad of ["0", "0s", "-1s", "2h", "61m"]) assert.throws(() => parseDuration("timeout", bad), /invalid --timeout/);
});

test("probe-agent is not a command of the help (it is the probe pods' process), and verify is", async () => {
  let out = "";
  await main(["--help"], { stdout: (t) => (out += t), stderr: () => undefined });
  assert.doesNotMatch(out, /probe-agent/);
  assert.match(out, /^\s+verify\s/m);
});

test("a namespace without workloads: a usage error before anything is created (live read of an empty namespace)", async () => {
  let err = "";
  const code = await main(["verify", "-n", "empty", "--kubeconfig", "/nonexistent"], {
    stdout: () => undefined,
    stderr: (t) => (err += t),
    readCluster: () => Promise.resolve({ kind: "read", namespace: "empty", read: { objects: [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "empty" } }], missing: [], source: "stand-in" } as never }),
  });
  assert.equal(code, 3, err);
  assert.match(err, /no workload to verify in namespace empty/);
});

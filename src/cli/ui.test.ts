/** `portcullis ui` as a user runs it: bin/portcullis.js spawned, its output, its HTTP answers, its exit. */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { UiView } from "../ui-model/types.js";

const BIN = resolve("bin/portcullis.js");
/** The longest a test waits for the server to print its URL, or to exit. */
const WAIT_MS = 30_000;

const started = new Set<ChildProcess>();

after(() => {
  for (const child of started) if (child.exitCode === null) child.kill("SIGKILL");
});

interface Ui {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

function run(args: readonly string[], cwd = process.cwd()): Ui {
  const child = spawn(process.execPath, [BIN, "ui", ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  started.add(child);
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  return { child, output: () => out, exited };
}

/** The URL it printed; rejects when it exits first or prints none in time. */
async function url(ui: Ui): Promise<string> {
  for (let waited = 0; waited < WAIT_MS; waited += 50) {
    const found = /on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(ui.output());
    if (found?.[1] !== undefined) return found[1];
    if (ui.child.exitCode !== null) throw new Error(`exited ${ui.child.exitCode} before serving: ${ui.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no URL within ${WAIT_MS} ms: ${ui.output()}`);
}

async function exitCode(ui: Ui): Promise<number | null> {
  const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), WAIT_MS).unref());
  const code = await Promise.race([ui.exited, timeout]);
  if (code === "timeout") {
    ui.child.kill("SIGKILL");
    throw new Error(`still running after ${WAIT_MS} ms: ${ui.output()}`);
  }
  return code;
}

async function view(base: string): Promise<UiView> {
  const answer = await fetch(`${base}api/view`);
  assert.equal(answer.status, 200);
  return (await answer.json()) as UiView;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  test(`ui prints its URL, serves /api/view, and ${signal} ends it with exit 0`, async () => {
    const ui = run(["-f", "examples/egress", "--port", "0"]);
    const base = await url(ui);
    assert.match(ui.output(), /^portcullis ui: serving examples\/egress \(5 workloads\) on http:\/\/127\.0\.0\.1:\d+\/\nPress Ctrl-C to stop\.\n$/);
    const v = await view(base);
    assert.deepEqual([v.counts.workloads, v.diff], [5, null]);
    ui.child.kill(signal);
    assert.equal(await exitCode(ui), 0);
  });
}

test("ui: a --port in use is exit 4 with the message", async () => {
  const taken: Server = createServer();
  await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
  try {
    const address = taken.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    const ui = run(["-f", "examples/egress", "--port", String(port)]);
    assert.equal(await exitCode(ui), 4);
    assert.equal(ui.output(), `portcullis: ui: cannot listen on 127.0.0.1:${port}: port ${port} is in use (give another with --port, or --port 0 for a free one)\n`);
  } finally {
    taken.close();
  }
});

const refusals: { name: string; args: string[]; code: number; message: RegExp }[] = [
  { name: "a bad --port is exit 3", args: ["-f", "examples/egress", "--port", "70000"], code: 3, message: /invalid --port "70000"/ },
  { name: "-n of a namespace not in the input is exit 3", args: ["-f", "examples/egress", "-n", "unknown", "--port", "0"], code: 3, message: /-n: no namespace "unknown" in the manifests/ },
  { name: "broken input is exit 2, before listening", args: ["-f", "src/cli/testdata/ui-broken.yaml", "--port", "0"], code: 2, message: /ui-broken\.yaml:\d+:\d+/ },
];

for (const c of refusals) {
  test(`ui: ${c.name}`, async () => {
    const ui = run(c.args);
    assert.equal(await exitCode(ui), c.code);
    assert.match(ui.output(), c.message);
    assert.doesNotMatch(ui.output(), /serving/);
  });
}

test("ui --against: the view of the new version, with the diff", async () => {
  const ui = run(["-f", "examples/egress", "--against", "examples/egress", "--against", "examples/egress-pr", "--port", "0"]);
  const v = await view(await url(ui));
  assert.equal(v.diff?.summary.widened, 4);
  assert.equal(v.diff.summary["internet-egress-added"], 1);
  assert.ok(v.edges.some((e) => e.change?.kind === "widened" && e.change.classes.includes("internet-egress-added")));
  ui.child.kill("SIGTERM");
  assert.equal(await exitCode(ui), 0);
});

test("ui --base: the old version from git, the working tree shown, with the diff", async () => {
  const repo = mkdtempSync(join(tmpdir(), "portcullis-ui-base-"));
  try {
    const git = (...args: string[]): void => void execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { stdio: "ignore" });
    git("init", "-q");
    cpSync("examples/egress", join(repo, "egress"), { recursive: true });
    git("add", ".");
    git("commit", "-qm", "base");
    cpSync("examples/egress-pr/web-api-https.yaml", join(repo, "egress", "policies", "web-api-https.yaml"));
    const ui = run(["-f", "egress", "--base", "HEAD", "--port", "0"], repo);
    const v = await view(await url(ui));
    assert.equal(v.diff?.summary.widened, 4);
    assert.match(v.diff.old, /HEAD/);
    ui.child.kill("SIGINT");
    assert.equal(await exitCode(ui), 0);
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
});

test("ui evaluates the admin tiers: no not-evaluated warning, guardrail edges drawn", async () => {
  const ui = run(["-f", "examples/guardrails", "--port", "0"]);
  const v = await view(await url(ui));
  assert.doesNotMatch(ui.output(), /not yet evaluated/);
  assert.ok(v.edges.some((e) => e.style.startsWith("guardrail-")), v.edges.map((e) => e.style).join(" "));
  ui.child.kill("SIGTERM");
  assert.equal(await exitCode(ui), 0);
});

/**
 * The examples people copy run as printed, from the repository root: every `portcullis` command in
 * README.md and the guides in GUIDES (```console blocks: `$ command`, then its exact stdout; a last line `...` means "the
 * output continues", so the lines above are a prefix; ```sh blocks: the command runs) and every
 * example of every `--help`. Commands that need root or a live cluster are listed in SKIPPED with
 * the reason (the ones that write to a cluster run nowhere else: verify); they still must parse and name real paths.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseCommandLine } from "./args.js";
import { ROOT } from "./e2e-support.js";
import { main } from "./main.js";
import { COMMANDS } from "./spec.js";

/** Commands that cannot run here, as written, and why. */
const SKIPPED: Readonly<Record<string, string>> = {
  "kubectl get ns,pods,deploy,sts,ds,rs,rc,jobs,cronjobs,svc,netpol -A -o json | portcullis -f -": "reads a live cluster through kubectl",
  "sudo portcullis enforce -f examples/egress --netns node1 --counters": "needs root and a network namespace with the table applied",
  "sudo portcullis enforce -f examples/egress --host --watch --log": "changes the host's nftables and runs until Ctrl-C",
  "sudo portcullis enforce -f examples/egress --netns lab1": "needs root and the network namespace lab1",
  "sudo portcullis enforce -f examples/egress --netns lab1 --counters": "needs root and the network namespace lab1",
  "sudo portcullis enforce --kubernetes --node worker-1 --kubeconfig ~/.kube/config --log-format text": "runs the node agent against a cluster until stopped; src/agent/e2e.test.ts runs it against the stand-in API server",
  "sudo portcullis lab run -f examples/egress": "needs root; the lab tests (src/labrun) run it in namespaces they create",
  "sudo portcullis lab run -f examples/egress --topology bridge": "needs root and br_netfilter; the lab tests (src/labrun) run the bridge topology in namespaces they create",
  "sudo portcullis lab up -f examples/egress && sudo portcullis lab probe --lab pc-1a2b3c": "needs root; lab up prints a new prefix each time",
  "portcullis verify --smoke": "creates pods in a live cluster; src/verify/e2e.test.ts runs it on the stand-in cluster",
  "portcullis verify -n shop -o junit > verify.xml": "creates pods in a live cluster; src/verify/e2e.test.ts runs verify on the stand-in cluster",
  "portcullis verify -A --from shop/web --to 203.0.113.7:443": "creates pods in a live cluster; src/verify/e2e.test.ts runs verify on the stand-in cluster",
  "portcullis verify --cleanup": "deletes in a live cluster; src/verify/run.test.ts runs it against the stand-in API server",
};

interface Example {
  /** Where it is written, for messages: `README.md:42` or `check --help`. */
  readonly at: string;
  /** The command line as written (without a trailing comment). */
  readonly line: string;
  /** The exact stdout, when the example shows it; `prefix`: it ends with `...`. */
  readonly expected: { readonly stdout: string; readonly prefix: boolean } | null;
  /** `# exit N` in the trailing comment. */
  readonly exit: number | null;
}

/** The shell words of one command (quotes kept simple: '...' and "..."). */
function words(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? "");
}

const PORTCULLIS = /^(portcullis|\.\/bin\/portcullis\.js)(\s|$)/;

/** The argv of the portcullis command in one `&&` step: output piped or redirected away is dropped. */
function portcullisArgv(step: string): string[] | null {
  const first = step.split(" | ")[0]?.replace(/\s+>\s*\S+$/, "").trim() ?? "";
  return PORTCULLIS.test(first) ? words(first).slice(1) : null;
}

/** Whether a line runs here: not as root, and nothing piped into portcullis. */
function runnable(line: string): boolean {
  return line.split("&&").every((step) => !step.trim().startsWith("sudo ") && !/\|\s*(sudo\s+)?(portcullis|\.\/bin\/portcullis\.js)\s/.test(step));
}

function splitComment(text: string): { line: string; exit: number | null } {
  const m = /^(.*?)\s+#\s(.*)$/.exec(text);
  if (m === null) return { line: text.trim(), exit: null };
  const exit = /\bexit (\d)\b/.exec(m[2] ?? "");
  return { line: (m[1] ?? "").trim(), exit: exit === null ? null : Number(exit[1]) };
}

/** Guides whose console blocks are checked as README.md's are. An example exiting 2 or more shows its stderr, with `# exit N` written. */
const GUIDES = ["docs/dns-names/offline.md", "docs/feeds/policy.md", "docs/feeds/diff.md"];

/** The examples of a markdown file's console and sh blocks (`file`: its path from the root, for messages). */
function readmeExamples(text: string, file = "README.md"): Example[] {
  const out: Example[] = [];
  for (const block of text.matchAll(/^```(console|sh)\n([\s\S]*?)^```$/gm)) {
    const startLine = text.slice(0, block.index).split("\n").length + 1;
    const lines = (block[2] ?? "").split("\n").slice(0, -1);
    if (block[1] === "sh") {
      lines.forEach((l, i) => {
        const { line, exit } = splitComment(l);
        if (line.split("&&").some((s) => PORTCULLIS.test(s.trim().replace(/^sudo\s+/, "")) || s.includes("| portcullis"))) {
          out.push({ at: `${file}:${startLine + i}`, line, expected: null, exit });
        }
      });
      continue;
    }
    lines.forEach((l, i) => {
      if (!l.startsWith("$ ")) return;
      const end = lines.findIndex((x, j) => j > i && x.startsWith("$ "));
      const output = lines.slice(i + 1, end === -1 ? undefined : end);
      const prefix = output.at(-1) === "...";
      const { line, exit } = splitComment(l.slice(2));
      out.push({ at: `${file}:${startLine + i}`, line, expected: { stdout: (prefix ? output.slice(0, -1) : output).map((x) => `${x}\n`).join(""), prefix }, exit });
    });
  }
  return out;
}

function helpExamples(): Example[] {
  return COMMANDS.flatMap((c) => c.examples.map((line) => ({ at: `${c.name} --help`, line, expected: null, exit: null })));
}

async function runArgv(argv: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stdin: () => Promise.resolve(""), stopped: servedOnce });
  return { code, stdout, stderr };
}

/**
 * `portcullis ui` serves until Ctrl-C: here it is stopped once its page and GET /api/view have
 * answered (as a browser would load them), so the example runs as printed and ends.
 */
async function servedOnce(server: { readonly url: string }): Promise<void> {
  const page = await fetch(server.url, { signal: AbortSignal.timeout(10_000) });
  assert.equal(page.status, 200, `GET ${server.url}`);
  assert.match(await page.text(), /<title>Portcullis/);
  const view = await fetch(new URL("api/view", server.url), { signal: AbortSignal.timeout(30_000) });
  assert.equal(view.status, 200, "GET /api/view");
  const json = (await view.json()) as { counts?: { workloads?: number } };
  assert.ok((json.counts?.workloads ?? 0) > 0, "the view holds workloads");
}

/** The paths an argv names with -f/--filename/--against, which must exist in the repository. */
function namedPaths(argv: readonly string[]): string[] {
  return argv.flatMap((w, i) => (["-f", "--filename", "--against"].includes(argv[i - 1] ?? "") && w !== "-" ? [w] : []));
}

async function check(example: Example): Promise<void> {
  const steps = example.line.split("&&").map((s) => s.trim().replace(/^sudo\s+/, ""));
  const argvs = steps.map(portcullisArgv).filter((a): a is string[] => a !== null);
  assert.ok(argvs.length > 0 || example.line.includes("| portcullis"), `${example.at}: no portcullis command in "${example.line}"`);
  for (const argv of argvs) {
    const parsed = parseCommandLine(argv);
    assert.ok(parsed.ok, `${example.at}: "${example.line}" is a usage error: ${parsed.ok ? "" : parsed.error.message}`);
    for (const path of namedPaths(argv)) assert.ok(existsSync(join(ROOT, path)), `${example.at}: "${example.line}" names ${path}, which does not exist`);
  }
  if (!runnable(example.line) || example.line in SKIPPED) {
    assert.ok(example.line in SKIPPED, `${example.at}: "${example.line}" needs root or a pipe: make it runnable, or list it in SKIPPED with the reason`);
    return;
  }
  for (const argv of argvs) {
    const r = await runArgv(argv);
    const failing = example.exit !== null && example.exit >= 2;
    assert.ok(r.code === 0 || r.code === 1 || failing, `${example.at}: "${example.line}" exited ${r.code}:\n${r.stderr}`);
    if (example.exit !== null) assert.equal(r.code, example.exit, `${example.at}: "${example.line}" should exit ${example.exit}`);
    if (example.expected === null) continue;
    // An example of a refused input shows what the user sees: the message on stderr (stdout is empty then).
    if (failing) assert.equal(r.stdout, "", `${example.at}: "${example.line}" exits ${r.code} and prints nothing on stdout`);
    const printed = failing ? r.stderr : r.stdout;
    const got = example.expected.prefix ? printed.slice(0, example.expected.stdout.length) : printed;
    assert.equal(got, example.expected.stdout, `${example.at}: the output of "${example.line}" differs from the README`);
  }
}

process.chdir(ROOT);
const readme = readmeExamples(readFileSync(join(ROOT, "README.md"), "utf8"));
const guides = GUIDES.flatMap((file) => readmeExamples(readFileSync(join(ROOT, file), "utf8"), file));
const help = helpExamples();

for (const example of [...readme, ...guides, ...help]) {
  test(`example ${example.at}: ${example.line}`, () => check(example));
}

test("the README has the console examples this test reads", () => {
  assert.ok(readme.filter((e) => e.expected !== null).length >= 10);
});

test("every guide in GUIDES has console examples this test reads", () => {
  for (const file of GUIDES) assert.ok(guides.some((e) => e.at.startsWith(`${file}:`) && e.expected !== null), file);
});

test("every SKIPPED command is still an example", () => {
  const lines = new Set([...readme, ...help].map((e) => e.line));
  for (const line of Object.keys(SKIPPED)) assert.ok(lines.has(line), `SKIPPED lists "${line}", which no example has`);
});

test("the live-cluster pipe in egress --help is the README's", () => {
  const pipe = help.find((e) => e.line.startsWith("kubectl "));
  assert.ok(pipe !== undefined);
  assert.ok(readme.some((e) => e.line === pipe.line), `README.md lacks "${pipe.line}"`);
});

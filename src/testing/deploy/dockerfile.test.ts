/**
 * The Dockerfile, checked without a Docker engine (none runs where the tests run; hadolint is not
 * installed either): every COPY source exists and is in the build context (.dockerignore), the
 * image holds what `npm pack` ships (package.json "files") and its production dependencies, built
 * from sources the context has; the runtime stage copies nothing else, runs as a non-root user,
 * and enters at `portcullis`. The build stage's pack-and-install steps are then replayed in a
 * temporary directory and the CLI run from the result.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "./artefacts.js";

interface Instruction {
  readonly line: number;
  readonly op: string;
  readonly args: string;
}

interface Stage {
  readonly base: string;
  readonly name: string | null;
  readonly instructions: readonly Instruction[];
}

/** The Dockerfile's stages: comments dropped, `\` continuations joined. */
function stages(text: string): Stage[] {
  const out: { base: string; name: string | null; instructions: Instruction[] }[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i] ?? "";
    if (/^\s*(#|$)/.test(line)) continue;
    while (line.endsWith("\\")) line = `${line.slice(0, -1)} ${lines[++i] ?? ""}`;
    const m = /^(\w+)\s+(.*)$/.exec(line.trim());
    assert.ok(m !== null, `Dockerfile:${start + 1}: not an instruction: ${line}`);
    const op = (m[1] ?? "").toUpperCase();
    const args = (m[2] ?? "").replace(/\s+/g, " ");
    if (op === "FROM") {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      assert.ok(from !== null, `Dockerfile:${start + 1}: FROM ${args}`);
      out.push({ base: from[1] ?? "", name: from[2] ?? null, instructions: [] });
    } else {
      const stage = out.at(-1);
      assert.ok(stage !== undefined, `Dockerfile:${start + 1}: ${op} before FROM`);
      stage.instructions.push({ line: start + 1, op, args });
    }
  }
  return out;
}

const DOCKERFILE = stages(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
const BUILD = DOCKERFILE[0] as Stage;
const RUNTIME = DOCKERFILE.at(-1) as Stage;

/** A COPY's flags, sources and destination (the shell form this Dockerfile uses). */
function copyOf(i: Instruction): { from: string | null; sources: string[]; dest: string } {
  const words = i.args.split(" ");
  const from = words.find((w) => w.startsWith("--from="))?.slice("--from=".length) ?? null;
  const paths = words.filter((w) => !w.startsWith("--"));
  assert.ok(paths.length >= 2, `Dockerfile:${i.line}: COPY ${i.args}`);
  return { from, sources: paths.slice(0, -1), dest: paths.at(-1) ?? "" };
}

/**
 * Whether .dockerignore leaves a top-level path in the context: the last pattern that matches
 * decides ("!" re-includes). Only the patterns this file uses (`*` and plain names, `dir/`);
 * any other is an error rather than a guess.
 */
function inContext(path: string): boolean {
  const patterns = readFileSync(join(ROOT, ".dockerignore"), "utf8").split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  let included = true;
  for (const p of patterns) {
    const negated = p.startsWith("!");
    const pattern = (negated ? p.slice(1) : p).replace(/\/$/, "");
    assert.ok(pattern === "*" || /^[\w.-]+$/.test(pattern), `.dockerignore: pattern ${p} is beyond what this test reads`);
    if (pattern === "*" || pattern === path.replace(/\/$/, "").split("/")[0]) included = negated;
  }
  return included;
}

function packedFiles(): string[] {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return (JSON.parse(out) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? [];
}

test("Dockerfile: two stages on node:20-bookworm-slim (the Node the package supports)", () => {
  assert.deepEqual(
    DOCKERFILE.map((s) => s.base),
    ["node:20-bookworm-slim", "node:20-bookworm-slim"],
  );
  const engines = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } }).engines.node;
  assert.equal(engines, ">=20");
  assert.equal(BUILD.name, "build");
});

test("Dockerfile: every COPY source of the build context exists and .dockerignore keeps it", () => {
  const copies = DOCKERFILE.flatMap((s) => s.instructions.filter((i) => i.op === "COPY").map((i) => ({ i, ...copyOf(i) }))).filter((c) => c.from === null);
  assert.ok(copies.length >= 4);
  for (const { i, sources } of copies) {
    for (const source of sources) {
      assert.ok(existsSync(join(ROOT, source)), `Dockerfile:${i.line}: COPY ${source}: no such file`);
      assert.ok(inContext(source), `Dockerfile:${i.line}: COPY ${source}: .dockerignore leaves it out of the context`);
    }
  }
});

test("Dockerfile: the image holds what npm pack ships (package.json files): every packed file comes from a source the build stage copies", () => {
  const copied = BUILD.instructions.filter((i) => i.op === "COPY").flatMap((i) => copyOf(i).sources.map((s) => s.replace(/\/$/, "")));
  const isCopied = (path: string): boolean => copied.some((c) => path === c || path.startsWith(`${c}/`));
  const packed = packedFiles();
  assert.ok(packed.includes("bin/portcullis.js") && packed.some((f) => f.startsWith("dist/src/")));
  for (const file of packed) {
    // dist/src/x.js is compiled from src/x.ts (tsconfig rootDir ".", outDir "dist"); dist/page/ui/src/x.js from
    // ui/src/x.ts (ui/tsconfig.json: rootDir "..", outDir "../dist/page").
    const source = file.startsWith("dist/page/") ? file.slice("dist/page/".length).replace(/\.js$/, ".ts") : file.startsWith("dist/") ? file.slice("dist/".length).replace(/\.js$/, ".ts") : file;
    assert.ok(isCopied(source), `npm pack ships ${file}, but the build stage does not copy ${source}`);
    assert.ok(existsSync(join(ROOT, source)), `${file}: its source ${source} does not exist`);
  }
  const run = BUILD.instructions.filter((i) => i.op === "RUN").map((i) => i.args).join(" && ");
  assert.match(run, /npx tsc -p tsconfig\.json/);
  assert.match(run, /npx tsc -p ui\b/, "the page's scripts are compiled (ui/tsconfig.json)");
  assert.match(run, /npm pack --ignore-scripts --pack-destination \/tmp/);
  assert.match(run, /tar -xzf \/tmp\/portcullis-\*\.tgz -C \/opt\/portcullis --strip-components=1/);
  assert.match(run, /cd \/opt\/portcullis && npm ci --omit=dev --ignore-scripts && rm package-lock\.json/);
});

test("Dockerfile: the build stage builds the netlink helper with gcc and libc6-dev (scripts/build-native.sh) into /opt/portcullis/native/, where findElementsHelper looks in an installed package; npm pack does not ship it", () => {
  const run = BUILD.instructions.filter((i) => i.op === "RUN").map((i) => i.args).join(" && ");
  assert.match(run, /apt-get install -y --no-install-recommends gcc libc6-dev/);
  assert.match(run, /bash scripts\/build-native\.sh && mkdir -p \/opt\/portcullis\/native && cp native\/build\/portcullis-nft-elements \/opt\/portcullis\/native\//);
  const copied = BUILD.instructions.filter((i) => i.op === "COPY").flatMap((i) => copyOf(i).sources);
  assert.ok(copied.includes("native/nft-elements.c") && copied.includes("scripts/build-native.sh"));
  assert.ok(!packedFiles().some((f) => f.startsWith("native/")), "the helper is built per platform, not packed");
});

test("Dockerfile: the runtime stage copies only the packed package from the build stage, adds nft and ip, runs as a non-root user, enters at portcullis", () => {
  const copies = RUNTIME.instructions.filter((i) => i.op === "COPY").map(copyOf);
  assert.deepEqual(copies, [{ from: "build", sources: ["/opt/portcullis"], dest: "/opt/portcullis" }]);
  const run = RUNTIME.instructions.filter((i) => i.op === "RUN").map((i) => i.args).join(" && ");
  assert.match(run, /apt-get install -y --no-install-recommends nftables iproute2/);
  assert.match(run, /rm -rf \/var\/lib\/apt\/lists\/\*/);
  const bin = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { bin: { portcullis: string } }).bin.portcullis;
  assert.match(run, new RegExp(`ln -s /opt/portcullis/${bin.replace(/\./g, "\\.")} /usr/local/bin/portcullis`));
  const users = RUNTIME.instructions.filter((i) => i.op === "USER").map((i) => i.args);
  assert.deepEqual(users, ["node"], "the node image's uid 1000; the DaemonSet sets uid 0 for nft (docs/deploy.md)");
  assert.deepEqual(RUNTIME.instructions.filter((i) => i.op === "ENTRYPOINT").map((i) => i.args), ['["portcullis"]']);
});

test("the build stage's steps replayed here: npm pack, unpack, npm ci --omit=dev; the CLI runs from the result (lint of deploy/)", () => {
  const dir = mkdtempSync(join(tmpdir(), "pc-image-"));
  try {
    const tgz = execFileSync("npm", ["pack", "--ignore-scripts", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim().split("\n").at(-1) ?? "";
    const app = join(dir, "app");
    mkdirSync(app);
    execFileSync("tar", ["-xzf", join(dir, tgz), "-C", app, "--strip-components=1", "--no-same-owner"]);
    copyFileSync(join(ROOT, "package-lock.json"), join(app, "package-lock.json"));
    execFileSync("npm", ["ci", "--omit=dev", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: app, stdio: ["ignore", "pipe", "pipe"] });
    assert.ok(!existsSync(join(app, "node_modules", "typescript")), "no dev dependencies");
    assert.ok(existsSync(join(app, "node_modules", "yaml")));
    const out = execFileSync(process.execPath, [join(app, "bin", "portcullis.js"), "lint", "-f", join(ROOT, "deploy")], { encoding: "utf8" });
    assert.equal(out, "no findings\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

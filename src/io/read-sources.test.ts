import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { messages } from "../diag/catalogue.js";
import { codes } from "../k8s/codes.js";
import { loadCluster } from "../k8s/load.js";
import { type ReadCache, readSources, STDIN_NAME } from "./read-sources.js";

const POLICY = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny}\nspec: {podSelector: {}}\n";

let dir = "";
const at = (...parts: string[]): string => join(dir, ...parts);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "portcullis-io-"));
  await mkdir(at("tree", "b", "deeper"), { recursive: true });
  await mkdir(at("tree", "a"));
  await mkdir(at("empty"));
  await writeFile(at("tree", "b", "deeper", "z.yaml"), POLICY);
  await writeFile(at("tree", "b", "one.yml"), POLICY);
  await writeFile(at("tree", "a", "two.json"), '{"kind": "ConfigMap"}');
  await writeFile(at("tree", "a", "notes.txt"), "not read");
  await writeFile(at("tree", "a.yaml"), POLICY);
  await writeFile(at("tree", "UPPER.YAML"), POLICY);
  await symlink(at("tree"), at("tree", "b", "loop"));
  await mkdir(at("tree", ".git"));
  await writeFile(at("tree", ".git", "config.yaml"), "not a manifest");
  await writeFile(at("tree", ".hidden.yaml"), "not read either");
  await writeFile(at("policy.txt"), POLICY);
  await writeFile(at("binary.yaml"), new Uint8Array([0x6b, 0x69, 0x6e, 0x64, 0x00, 0x01, 0x02, 0xff]));
  await writeFile(at("latin1.yaml"), new Uint8Array([0x6b, 0x3a, 0x20, 0xe9, 0x0a]));
  const utf16 = new Uint8Array(2 + POLICY.length * 2);
  utf16.set([0xff, 0xfe]);
  for (let i = 0; i < POLICY.length; i++) utf16[2 + i * 2] = POLICY.charCodeAt(i);
  await writeFile(at("utf16.yaml"), utf16);
  await writeFile(at("deep.yaml"), "[".repeat(100_000));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("readSources", () => {
  test("a directory is read recursively: .yaml, .yml and .json files, sorted by path, hidden entries skipped, a link loop once and warned of", async () => {
    const { sources, diagnostics } = await readSources([at("tree")]);
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, d.code, d.at?.file, d.message]),
      [["warning", codes.symlinkLoop, at("tree", "b", "loop"), messages.symlinkLoop(at("tree"))]],
    );
    assert.deepEqual(
      sources.map((s) => s.file.slice(dir.length + 1)),
      ["tree/UPPER.YAML", "tree/a.yaml", "tree/a/two.json", "tree/b/deeper/z.yaml", "tree/b/one.yml"],
    );
  });

  test("several paths combine in the order given; a file named twice is read once; a named file of any extension is read", async () => {
    const { sources } = await readSources([at("policy.txt"), at("tree", "b"), at("tree", "b", "one.yml"), at("tree", "a.yaml")]);
    assert.deepEqual(
      sources.map((s) => s.file.slice(dir.length + 1)),
      // tree/b/loop links back to tree: followed, and each directory is walked once.
      ["policy.txt", "tree/b/deeper/z.yaml", "tree/b/loop/UPPER.YAML", "tree/b/loop/a.yaml", "tree/b/loop/a/two.json", "tree/b/one.yml"],
    );
    // A file found in a directory may be skipped when it is no manifest at all (k8s/not-manifest.ts); a named one never.
    assert.deepEqual(
      sources.map((s) => [s.file.slice(dir.length + 1), s.inDirectory === true]),
      [["policy.txt", false], ["tree/b/deeper/z.yaml", true], ["tree/b/loop/UPPER.YAML", true], ["tree/b/loop/a.yaml", true], ["tree/b/loop/a/two.json", true], ["tree/b/one.yml", true]],
    );
  });

  test("- reads standard input, once", async () => {
    let calls = 0;
    const stdin = async (): Promise<string> => {
      calls++;
      return POLICY;
    };
    const { sources, diagnostics } = await readSources(["-", at("policy.txt"), "-"], stdin);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(
      sources.map((s) => s.file.slice(s.file.startsWith(dir) ? dir.length + 1 : 0)),
      [STDIN_NAME, "policy.txt"],
    );
    assert.equal(calls, 1);
  });

  test("a missing path is a file-unreadable error, not an exception", async () => {
    const missing = at("nope.yaml");
    const { sources, diagnostics } = await readSources([missing, at("policy.txt")]);
    assert.equal(sources.length, 1);
    assert.deepEqual(diagnostics, [
      {
        severity: "error",
        code: codes.fileUnreadable,
        message: messages.fileUnreadable("no such file or directory"),
        at: { file: missing, line: 1, column: 1, document: 0, path: "" },
      },
    ]);
  });

  test("standard input that fails is a file-unreadable error", async () => {
    const { diagnostics } = await readSources(["-"], () => Promise.reject(new Error("EPIPE")));
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.at?.file]),
      [[codes.fileUnreadable, STDIN_NAME]],
    );
  });

  test("binary junk (NUL bytes) is one file-binary error for the file", async () => {
    const { sources, diagnostics } = await readSources([at("binary.yaml")]);
    assert.deepEqual(sources, []);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.message]),
      [[codes.fileBinary, messages.fileBinary("it contains NUL bytes (binary data?)")]],
    );
  });

  test("NUL characters on standard input are binary junk too", async () => {
    const { diagnostics } = await readSources(["-"], async () => "kind: Pod\u0000");
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      [codes.fileBinary],
    );
  });

  test("invalid UTF-8 is a file-binary error", async () => {
    const { diagnostics } = await readSources([at("latin1.yaml")]);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.message]),
      [[codes.fileBinary, messages.fileBinary("it is not valid UTF-8 text")]],
    );
  });

  test("UTF-16 with a byte-order mark (Windows PowerShell redirection) is read", async () => {
    const { sources, diagnostics } = await readSources([at("utf16.yaml")]);
    assert.deepEqual(diagnostics, []);
    assert.equal(sources[0]?.text, POLICY);
  });

  test("a file above the size limit is a file-too-large error and is not read", async () => {
    const { sources, diagnostics } = await readSources([at("policy.txt")], undefined, { maxBytes: 10 });
    assert.deepEqual(sources, []);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.message]),
      [[codes.fileTooLarge, messages.fileTooLarge(POLICY.length, 10)]],
    );
  });

  test("standard input above the size limit is a file-too-large error", async () => {
    const { diagnostics } = await readSources(["-"], async () => POLICY, { maxBytes: 10 });
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      [codes.fileTooLarge],
    );
  });

  test("a dangling link and a link loop inside a directory are skipped with a warning each, never silently", async () => {
    await mkdir(at("links"));
    await writeFile(at("links", "kept.yaml"), POLICY);
    await symlink(at("links", "gone.yaml"), at("links", "dangling.yaml"));
    await symlink(at("nowhere"), at("links", "policies"));
    await symlink(at("links", "self.yaml"), at("links", "self.yaml"));
    const { sources, diagnostics } = await readSources([at("links")]);
    assert.deepEqual(sources.map((s) => s.file), [at("links", "kept.yaml")]);
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, d.code, d.at?.file, d.message]).sort(),
      [
        ["warning", codes.danglingSymlink, at("links", "dangling.yaml"), messages.danglingSymlink(at("links", "gone.yaml"))],
        ["warning", codes.danglingSymlink, at("links", "policies"), messages.danglingSymlink(at("nowhere"))],
        ["warning", codes.symlinkLoop, at("links", "self.yaml"), messages.symlinkLoop(at("links", "self.yaml"))],
      ].sort(),
    );
  });

  test("a directory without YAML files is a warning", async () => {
    const { diagnostics } = await readSources([at("empty")]);
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, d.code]),
      [["warning", codes.noInputFiles]],
    );
  });

  test("deeply nested input read from a file ends in one nesting error, never an exception", async () => {
    const { sources } = await readSources([at("deep.yaml")]);
    const result = loadCluster(sources);
    assert.deepEqual(
      result.diagnostics.map((d) => [d.code, d.at?.file]),
      [[codes.nestingTooDeep, at("deep.yaml")]],
    );
  });
});

describe("examples/egress", () => {
  const example = fileURLToPath(new URL("../../../examples/egress", import.meta.url));

  test("the bundled example reads without a diagnostic", async () => {
    const { sources, diagnostics } = await readSources([example]);
    const result = loadCluster(sources);
    assert.deepEqual([...diagnostics, ...result.diagnostics], []);
    assert.deepEqual(result.skipped, []);
    const cluster = result.value;
    assert.deepEqual([...cluster.namespaces.keys()], ["kube-system", "monitoring", "production"]);
    assert.deepEqual(
      cluster.endpoints.map((e) => `${e.id} ${e.kind}`),
      ["kube-system/coredns Deployment", "production/web-api Deployment", "production/postgres StatefulSet", "monitoring/prometheus Deployment", "production/debug-shell Pod"],
    );
    assert.deepEqual(
      cluster.policies.map((p) => `${p.id} ingress=${p.affects.ingress} egress=${p.affects.egress}`),
      [
        "production/allow-dns ingress=false egress=true",
        "production/allow-prometheus-scrape ingress=true egress=false",
        "production/default-deny-egress ingress=false egress=true",
        "production/postgres-ingress ingress=true egress=false",
        "monitoring/prometheus-egress ingress=false egress=true",
        "production/web-api-egress ingress=false egress=true",
      ],
    );
    assert.deepEqual(
      cluster.services.map((s) => `${s.namespace}/${s.name}`),
      ["kube-system/kube-dns", "production/postgres"],
    );
    const dns = cluster.policies.find((p) => p.name === "allow-dns")?.egress[0]?.peers;
    assert.ok(Array.isArray(dns) && dns.length === 1, "allow-dns has ONE peer with both selectors");
  });
});

test("with a read cache, a changed file is read again, an unchanged one is served from the cache, a gone one leaves it", async () => {
  const dir = await mkdtemp(join(tmpdir(), "pc-read-"));
  try {
    const cache: ReadCache = new Map();
    const a = join(dir, "a.yaml");
    const b = join(dir, "b.yaml");
    await writeFile(a, "kind: A\n");
    await writeFile(b, "kind: B\n");
    const first = await readSources([dir], undefined, undefined, cache);
    assert.deepEqual(first.sources.map((s) => s.text), ["kind: A\n", "kind: B\n"]);
    const kept = cache.get(b);
    await writeFile(a, "kind: A2\n");
    const second = await readSources([dir], undefined, undefined, cache);
    assert.deepEqual(second.sources.map((s) => s.text), ["kind: A2\n", "kind: B\n"]);
    assert.equal(cache.get(b), kept, "b was not read again");
    await rm(b);
    const third = await readSources([dir], undefined, undefined, cache);
    assert.deepEqual(third.sources.map((s) => s.file), [a]);
    assert.deepEqual([...cache.keys()], [a]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { credentialsFor } from "./credentials.js";
import { parseExecCredential } from "./exec-credential.js";
import type { ClusterConfig, ExecSettings } from "./kubeconfig.js";

const dir = mkdtempSync(join(tmpdir(), "exec-plugin-"));

/**
 * A real exec plugin (a node script, as `aws eks get-token` is a program): counts its runs in a
 * file, prints what KUBERNETES_EXEC_INFO and its env told it to stderr's file, and prints an
 * ExecCredential whose token carries the run number.
 */
function plugin(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!${process.execPath}\nconst fs = require("fs");\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const counter = plugin(
  "counter",
  `const runs = join => { const f = process.env.RUNS; const n = (fs.existsSync(f) ? Number(fs.readFileSync(f, "utf8")) : 0) + 1; fs.writeFileSync(f, String(n)); return n; };
const n = runs();
fs.writeFileSync(process.env.RUNS + ".info", process.env.KUBERNETES_EXEC_INFO);
const expiry = process.env.EXPIRY;
process.stdout.write(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: "token-" + n + "-" + process.env.GREETING, ...(expiry ? { expirationTimestamp: expiry } : {}) } }));`,
);

function execConfig(command: string, env: Record<string, string>, extra: Partial<ExecSettings> = {}): ClusterConfig {
  return {
    cluster: { server: "https://10.0.0.1:6443", insecureSkipTlsVerify: false, ca: { kind: "inline", pem: "CA PEM", from: "test" } },
    user: {
      exec: {
        apiVersion: "client.authentication.k8s.io/v1",
        command,
        args: [],
        env: Object.entries(env).map(([name, value]) => ({ name, value })),
        provideClusterInfo: true,
        interactiveMode: "Never",
        from: "kubeconfig test, users[u].exec",
        ...extra,
      },
    },
    namespace: "default",
    origin: "test",
  };
}

test("exec plugin (client.authentication.k8s.io/v1): env passed, KUBERNETES_EXEC_INFO with interactive false and provideClusterInfo's cluster; cached until expirationTimestamp; re-run after a 401", async () => {
  const runs = join(dir, "runs-a");
  let now = Date.parse("2026-01-01T00:00:00Z");
  const creds = credentialsFor(execConfig(counter, { RUNS: runs, GREETING: "hi", EXPIRY: "2026-01-01T00:10:00Z" }), { now: () => now });
  const [a, b] = await Promise.all([creds.get(), creds.get()]);
  assert.deepEqual(a, { ok: true, value: { token: "token-1-hi" } });
  assert.deepEqual(b, a, "concurrent requests share one run");
  const info = JSON.parse(readFileSync(runs + ".info", "utf8")) as unknown;
  assert.deepEqual(info, {
    apiVersion: "client.authentication.k8s.io/v1",
    kind: "ExecCredential",
    spec: { interactive: false, cluster: { server: "https://10.0.0.1:6443", "certificate-authority-data": Buffer.from("CA PEM").toString("base64") } },
  });
  now += 9 * 60_000;
  assert.deepEqual(await creds.get(), { ok: true, value: { token: "token-1-hi" } }, "still valid: cached");
  now += 60_000;
  assert.deepEqual(await creds.get(), { ok: true, value: { token: "token-2-hi" } }, "expired: run again");
  assert.equal(creds.rejected(), true);
  assert.deepEqual(await creds.get(), { ok: true, value: { token: "token-3-hi" } }, "after a 401: run again");
});

test("exec plugin shared by concurrent requests: one request aborted (a watch stopped) does not fail the others waiting for the same run; all aborted stops the plugin", async () => {
  const slow = plugin("slow", `setTimeout(() => process.stdout.write(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: "slow-token" } })), 300);`);
  const creds = credentialsFor(execConfig(slow, {}));
  const first = new AbortController();
  const [a, b] = await Promise.all([creds.get(first.signal), creds.get(), Promise.resolve(first.abort())]);
  assert.deepEqual(a, { ok: false, error: { kind: "aborted", message: `exec plugin ${slow} (kubeconfig test, users[u].exec): aborted` } });
  assert.deepEqual(b, { ok: true, value: { token: "slow-token" } });
  const again = credentialsFor(execConfig(slow, {}));
  const only = new AbortController();
  const started = Date.now();
  const [c] = await Promise.all([again.get(only.signal), Promise.resolve(only.abort())]);
  assert.equal(c.ok, false);
  assert.ok(Date.now() - started < 250, "the run was stopped, not waited for");
});

test("exec plugin failures are values with the plugin's stderr and installHint", async () => {
  const failing = plugin("failing", `process.stderr.write("error: SSO session expired, run aws sso login\\n"); process.exit(255);`);
  const cases: readonly { name: string; command: string; message: RegExp }[] = [
    { name: "exit status and stderr", command: failing, message: /exec plugin .*failing \(kubeconfig test, users\[u\]\.exec\) exited with status 255: error: SSO session expired, run aws sso login\nInstall the AWS CLI/ },
    { name: "command not found", command: join(dir, "no-such-plugin"), message: /no-such-plugin .*: command not found\nInstall the AWS CLI/ },
    { name: "not an ExecCredential", command: plugin("garbage", `process.stdout.write("hello")`), message: /printed no ExecCredential JSON/ },
  ];
  for (const c of cases) {
    const r = await credentialsFor(execConfig(c.command, {}, { installHint: "Install the AWS CLI" })).get();
    assert.equal(r.ok, false, c.name);
    if (!r.ok) {
      assert.equal(r.error.kind, "credentials", c.name);
      assert.match(r.error.message, c.message, c.name);
    }
  }
});

test("ExecCredential checks (client-go): apiVersion must match the kubeconfig's; certificate and key come together; a client certificate is a credential", () => {
  const settings = execConfig("p", {}).user.exec!;
  const parse = (status: unknown, apiVersion = "client.authentication.k8s.io/v1") => parseExecCredential(JSON.stringify({ apiVersion, kind: "ExecCredential", status }), settings);
  const msg = (r: ReturnType<typeof parse>): string => (r.ok ? "ok" : r.error.message);
  assert.match(msg(parse({ token: "t" }, "client.authentication.k8s.io/v1beta1")), /printed apiVersion "client.authentication.k8s.io\/v1beta1", but the kubeconfig asks for client.authentication.k8s.io\/v1/);
  assert.match(msg(parse({ clientCertificateData: "C" })), /clientCertificateData but no clientKeyData/);
  assert.match(msg(parse({})), /neither token nor clientCertificateData/);
  assert.match(msg(parse({ token: "t", expirationTimestamp: "tomorrow" })), /not an RFC 3339 time/);
  assert.deepEqual(parse({ clientCertificateData: "C", clientKeyData: "K" }), { ok: true, value: { clientCertificate: { cert: "C", key: "K" } } });
});

test("token file (projected service account token): re-read at most every minute, and at once after a 401", async () => {
  const path = join(dir, "token");
  writeFileSync(path, "first\n");
  let now = 0;
  const config: ClusterConfig = { cluster: { server: "https://x", insecureSkipTlsVerify: false }, user: { token: { kind: "file", path, from: "test" } }, namespace: "default", origin: "test" };
  const creds = credentialsFor(config, { now: () => now });
  assert.deepEqual(await creds.get(), { ok: true, value: { token: "first" } });
  writeFileSync(path, "second\n");
  now += 59_000;
  assert.deepEqual(await creds.get(), { ok: true, value: { token: "first" } });
  now += 1_000;
  assert.deepEqual(await creds.get(), { ok: true, value: { token: "second" } });
  writeFileSync(path, "third\n");
  assert.equal(creds.rejected(), true);
  assert.deepEqual(await creds.get(), { ok: true, value: { token: "third" } });
});

test("an inline token cannot be refreshed: a 401 is final", () => {
  const config: ClusterConfig = { cluster: { server: "https://x", insecureSkipTlsVerify: false }, user: { token: { kind: "inline", token: "t" } }, namespace: "default", origin: "test" };
  assert.equal(credentialsFor(config).rejected(), false);
});

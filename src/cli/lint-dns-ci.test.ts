/**
 * The recommended CI line, `portcullis lint -f policies/`, on what policy folders hold: a
 * default-deny baseline whose allow-DNS policy is kept elsewhere fails it with one warning that
 * `--fail-on error` or an annotation accepts; DNS forgotten beside allowances fails it as an error.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { main } from "./main.js";

const DIR = mkdtempSync(join(tmpdir(), "portcullis-lint-dns-"));
after(() => rmSync(DIR, { recursive: true, force: true }));

async function lint(paths: readonly string[], extra: readonly string[] = []): Promise<{ code: number; findings: { rule: string; severity: string }[] }> {
  let stdout = "";
  const code = await main(["lint", ...paths.flatMap((p) => ["-f", p]), ...extra, "-o", "json"], { stdout: (t) => void (stdout += t), stderr: () => undefined });
  return { code, findings: (JSON.parse(stdout) as { findings: { rule: string; severity: string }[] }).findings };
}

const BASELINE = (annotations = ""): string => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-egress
  namespace: shop
${annotations}spec:
  podSelector: {}
  policyTypes:
    - Egress
`;

const ALLOW_HTTPS = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-https
  namespace: shop
spec:
  podSelector:
    matchLabels: {app: web}
  policyTypes: [Egress]
  egress:
    - to:
        - ipBlock: {cidr: 203.0.113.0/24}
      ports:
        - {protocol: TCP, port: 443}
`;

const write = (file: string, text: string): string => {
  const path = join(DIR, file);
  writeFileSync(path, text);
  return path;
};

test("CI line on a folder holding only the Kubernetes docs' default deny egress: exit 1 on one DNS warning, not an error", async () => {
  const r = await lint([write("baseline.yaml", BASELINE())]);
  assert.deepEqual(r.findings.map((f) => `${f.severity} ${f.rule}`), ["warning dns-egress-blocked"]);
  assert.equal(r.code, 1);
});

test("the same with --fail-on error: exit 0 (the warning does not fail it)", async () => {
  assert.equal((await lint([write("baseline.yaml", BASELINE())], ["--fail-on", "error"])).code, 0);
});

test("the baseline saying its DNS is allowed elsewhere (portcullis.dev/ignore: dns-egress-blocked): exit 0", async () => {
  const r = await lint([write("baseline-annotated.yaml", BASELINE("  annotations:\n    portcullis.dev/ignore: dns-egress-blocked\n"))]);
  assert.deepEqual(r.findings, []);
  assert.equal(r.code, 0);
});

test("a baseline and an HTTPS allowance without DNS: DNS was forgotten, an error that --fail-on error still fails on", async () => {
  const paths = [write("baseline.yaml", BASELINE()), write("web-https.yaml", ALLOW_HTTPS)];
  const r = await lint(paths, ["--fail-on", "error"]);
  assert.deepEqual(r.findings.filter((f) => f.rule === "dns-egress-blocked").map((f) => f.severity), ["error"]);
  assert.equal(r.code, 1);
});

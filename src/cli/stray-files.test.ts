/**
 * Directory input with files that are not manifests (issue 8, item 11), from real repositories:
 * a Helm chart as `helm create` makes it, a deploy repository with a package.json, a directory
 * where a test run left its JSON report. Fixtures in src/cli/testdata/stray-files.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { messages } from "../diag/catalogue.js";
import { cliInProcess as cli, ROOT } from "./e2e-support.js";

const STRAY = join("src", "cli", "testdata", "stray-files");
const at = (...parts: string[]): string => join(ROOT, STRAY, ...parts);

const warned = (file: string, message: string): RegExp => new RegExp(`^${escape(file)}:\\d+:\\d+: warning: ${escape(message)}$`, "m");
const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

test("deploy repository with package.json beside the manifests: package.json is skipped with a warning naming it, the manifests are read", async () => {
  const r = await cli(["lint", "-f", at("repo-with-package-json"), "-o", "json", "--fail-on", "never"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, warned(at("repo-with-package-json", "package.json"), messages.notKubernetes()));
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  const check = await cli(["check", "-f", at("repo-with-package-json"), "--from", "shop/web", "--to", "1.1.1.1", "--port", "443"]);
  assert.equal(check.code, 1, "denied by the default-deny in deploy/shop.yaml");
});

test("a test run's JSON report (jest --json) in the manifests directory is skipped with a warning", async () => {
  const r = await cli(["egress", "-f", at("test-report"), "-o", "json"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, warned(at("test-report", "report.json"), messages.notKubernetes()));
});

test("`helm create` chart directory: Chart.yaml and values.yaml skipped, each template named as a Go template, then no-objects (exit 2)", async () => {
  const r = await cli(["lint", "-f", at("helm-chart")]);
  assert.equal(r.code, 2);
  for (const file of ["Chart.yaml", "values.yaml"]) assert.match(r.stderr, warned(at("helm-chart", file), messages.notKubernetes()));
  for (const file of ["deployment.yaml", "networkpolicy.yaml", "service.yaml"]) assert.match(r.stderr, warned(at("helm-chart", "templates", file), messages.goTemplate()));
  assert.match(r.stderr, new RegExp(`^error: ${escape(messages.noObjectsLeft(5))}$`, "m"));
  // The template is located at its first action: `name: {{ include "shop.fullname" . }}`.
  assert.match(r.stderr, new RegExp(`^${escape(at("helm-chart", "templates", "deployment.yaml"))}:4:9: warning`, "m"));
});

test("--strict restores 'every file must be a manifest': package.json is an error (exit 2)", async () => {
  const r = await cli(["egress", "-f", at("repo-with-package-json"), "--strict"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, new RegExp(`^${escape(at("repo-with-package-json", "package.json"))}:1:1: error: kind: missing required field "kind"$`, "m"));
});

test("a file named with -f is meant to be a manifest: package.json named directly is an error without --strict", async () => {
  const r = await cli(["egress", "-f", at("repo-with-package-json", "package.json"), "-f", at("repo-with-package-json", "deploy")]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /package\.json:1:1: error: kind: missing required field "kind"/);
});

test("enforce reads strictly always: a stray file in the enforced directory is an error, nothing is applied", async () => {
  const r = await cli(["enforce", "--dry-run", "-f", at("repo-with-package-json")]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /package\.json:1:1: error: kind: missing required field "kind"/);
});

test("--strict is a flag about manifests: lab list, which reads none, refuses it", async () => {
  const r = await cli(["lab", "list", "--strict"]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /--strict cannot be used with lab list/);
});

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { main } from "../cli/main.js";
import type { CheckAnswer, EdgeAnswer, EditDiagnostic, ExplainAnswer, PolicyDocument, UiView } from "../ui-model/types.js";
import { call, post, type RunningApi, startApi } from "./api-testkit.js";

const INPUT = ["-f", "examples/egress"];
let ui: RunningApi;

before(async () => {
  ui = await startApi(INPUT);
});

after(async () => {
  assert.equal(await ui.stop(), 0);
});

/** What the CLI prints for `argv` (stdout, stderr, exit code). */
async function cli(argv: readonly string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { stdout, stderr, code };
}

const get = async <T>(path: string): Promise<{ status: number; json: T }> => {
  const answer = await call(ui.url, { path });
  return { status: answer.status, json: answer.json as T };
};

test("POST /api/check answers what `portcullis check` prints, text and JSON", async () => {
  const question = { from: "production/web-api", to: "production/postgres", port: "5432" };
  const answer = await post(ui.url, "/api/check", question);
  assert.equal(answer.status, 200);
  const a = answer.json as CheckAnswer;
  const argv = ["check", ...INPUT, "--from", question.from, "--to", question.to, "--port", question.port];
  assert.equal(a.text, (await cli(argv)).stdout);
  assert.deepEqual(a.json, JSON.parse((await cli([...argv, "-o", "json"])).stdout));
  assert.deepEqual([a.status, a.verdict], ["ok", "allowed"]);
  assert.deepEqual(a.question, question);
});

test("POST /api/check: a denied question is status negative, with the protocol asked", async () => {
  const a = (await post(ui.url, "/api/check", { from: "production/debug-shell", to: "169.254.169.254", port: "80", protocol: "TCP" })).json as CheckAnswer;
  assert.deepEqual([a.status, a.verdict], ["negative", "denied"]);
  assert.match(a.text, /^DENIED: production\/debug-shell/);
});

test("POST /api/check: a question check refuses is 400 with check's own message", async () => {
  const answer = await post(ui.url, "/api/check", { from: "production/nope", to: "production/postgres", port: "5432" });
  assert.equal(answer.status, 400);
  const printed = await cli(["check", ...INPUT, "--from", "production/nope", "--to", "production/postgres", "--port", "5432"]);
  assert.equal(printed.code, 3);
  assert.ok(printed.stderr.includes(`portcullis: ${(answer.json as { error: string }).error}\n`), printed.stderr);
  const badPort = await post(ui.url, "/api/check", { from: "production/web-api", to: "production/postgres", port: "99999" });
  assert.equal(badPort.status, 400);
  assert.match((badPort.json as { error: string }).error, /port/);
});

test("POST /api/check: the body is validated (fields, types, lengths)", async () => {
  const cases: [unknown, RegExp][] = [
    [[], /JSON object/],
    [{ from: "a", to: "b" }, /"port" must be a non-empty string/],
    [{ from: "a", to: "b", port: 5432 }, /"port" must be a non-empty string/],
    [{ from: "x".repeat(600), to: "b", port: "1" }, /longer than 512/],
    [{ from: "a", to: "b", port: "1", extra: true }, /unknown field "extra"/],
    [{ from: "--help", to: "b", port: "1" }, /--from/],
  ];
  for (const [body, message] of cases) {
    const answer = await post(ui.url, "/api/check", body);
    assert.equal(answer.status, 400, JSON.stringify(body));
    assert.match((answer.json as { error: string }).error, message, JSON.stringify(body));
  }
});

test("GET /api/explain of a workload answers what `portcullis explain` prints", async () => {
  const view = (await get<UiView>("/api/view")).json;
  const node = view.nodes.find((n) => n.target === "production/web-api");
  assert.ok(node !== undefined);
  const answer = await get<ExplainAnswer>(`/api/explain?node=${node.id}`);
  assert.equal(answer.status, 200);
  assert.equal(answer.json.text, (await cli(["explain", ...INPUT, "production/web-api"])).stdout);
  assert.deepEqual(answer.json.json, JSON.parse((await cli(["explain", ...INPUT, "production/web-api", "-o", "json"])).stdout));
});

test("GET /api/explain of a destination names what it stands for and the sources reaching it", async () => {
  const answer = await get<ExplainAnswer>("/api/explain?node=metadata");
  assert.equal(answer.status, 200);
  assert.equal(answer.json.json, null);
  assert.match(answer.json.text, /cloud metadata service/);
  for (const source of ["production/web-api", "production/postgres", "monitoring/prometheus"]) assert.ok(answer.json.text.includes(`  ${source}: blocked`), answer.json.text);
});

test("GET /api/explain: an unknown node is 404, none given 400", async () => {
  assert.equal((await get("/api/explain?node=nope")).status, 404);
  assert.equal((await get("/api/explain")).status, 400);
});

test("GET /api/edge: one check per port of the pair's connections", async () => {
  const answer = await get<EdgeAnswer>(`/api/edge?id=${encodeURIComponent("monitoring_prometheus->kube_system_coredns:allowed")}`);
  assert.equal(answer.status, 200);
  assert.deepEqual(
    answer.json.checks.map((c) => `${c.question.protocol ?? ""} ${c.question.port} ${c.verdict}`),
    ["TCP 53 allowed", "UDP 53 allowed"],
  );
});

test("GET /api/edge: a blocked edge to the metadata service is checked at the metadata address", async () => {
  const answer = await get<EdgeAnswer>(`/api/edge?id=${encodeURIComponent("production_web_api->metadata:blocked")}`);
  assert.equal(answer.status, 200);
  assert.deepEqual(answer.json.checks.map((c) => [c.question.to, c.verdict]), [["169.254.169.254", "denied"]]);
  assert.match(answer.json.title, /169\.254\.169\.254/);
  assert.equal((await get("/api/edge?id=nope")).status, 404);
});

test("GET /api/policies: every policy with its text sliced from its file", async () => {
  const answer = await get<PolicyDocument[]>("/api/policies");
  assert.equal(answer.status, 200);
  const web = answer.json.find((p) => p.ref === "NetworkPolicy/production/web-api-egress");
  assert.ok(web !== undefined, answer.json.map((p) => p.ref).join(", "));
  assert.match(web.at, /^examples\/egress\/policies\/web-api-egress\.yaml:\d+$/);
  const file = readFileSync("examples/egress/policies/web-api-egress.yaml", "utf8");
  assert.ok(file.includes(web.text.trimEnd()), web.text);
  assert.equal(answer.json.length, 6);
});

test("POST /api/policies: an edit gives the new view, diffed against the start; errors are 422; reset goes back", async () => {
  const start = (await get<UiView>("/api/view")).json;
  const web = (await get<PolicyDocument[]>("/api/policies")).json.find((p) => p.name === "web-api-egress");
  assert.ok(web !== undefined);
  const edited = await post(ui.url, "/api/policies", { documents: [{ name: "edit.yaml", text: web.text.replace("5432", "5433") }] });
  assert.equal(edited.status, 200);
  const view = edited.json as UiView;
  assert.equal(view.source.edited, true);
  assert.equal(view.diff?.summary.narrowed, 1);
  const marked = view.edges.find((e) => e.change !== null);
  assert.deepEqual([marked?.id, marked?.change?.kind, marked?.change?.removed], ["production_web_api->production_postgres:allowed", "narrowed", "TCP 5432"]);
  assert.deepEqual((await get<UiView>("/api/view")).json, view);
  const gone = await get<EdgeAnswer>(`/api/edge?id=${encodeURIComponent("production_web_api->production_postgres:allowed")}`);
  assert.deepEqual(gone.json.checks.map((c) => c.verdict), ["denied"]);
  assert.match(gone.json.title, /an edge of the old version: checked against the current one/);

  const broken = await post(ui.url, "/api/policies", { documents: [{ name: "bad.yaml", text: web.text.replace("5432", "99999") }] });
  assert.equal(broken.status, 422);
  const diagnostics = (broken.json as { diagnostics: EditDiagnostic[] }).diagnostics;
  assert.deepEqual(diagnostics.map((d) => [d.file, d.severity, d.path.endsWith(".port")]), [["bad.yaml", "error", true]]);
  assert.deepEqual((await get<UiView>("/api/view")).json, view, "a refused edit leaves the view");

  const reset = await post(ui.url, "/api/policies/reset", {});
  assert.equal(reset.status, 200);
  assert.deepEqual(reset.json, start);
});

test("POST /api/policies: remove drops an object; the body is validated", async () => {
  const removed = await post(ui.url, "/api/policies", { documents: [], remove: ["NetworkPolicy/production/default-deny-egress", "NetworkPolicy/production/web-api-egress"] });
  assert.equal(removed.status, 200);
  assert.ok(((removed.json as UiView).diff?.summary.narrowed ?? 0) > 0, JSON.stringify((removed.json as UiView).diff));
  assert.equal((await get<PolicyDocument[]>("/api/policies")).json.length, 4);
  for (const body of [{}, { documents: "x" }, { documents: [{ name: "", text: "" }] }, { documents: [], remove: [1] }, { documents: [], other: 1 }]) {
    assert.equal((await post(ui.url, "/api/policies", body)).status, 400, JSON.stringify(body));
  }
  assert.equal((await post(ui.url, "/api/policies/reset", {})).status, 200);
});

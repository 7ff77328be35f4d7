import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { call, post, type RunningApi, startApi } from "./api-testkit.js";

let ui: RunningApi;

before(async () => {
  ui = await startApi(["-f", "examples/egress"]);
});

after(async () => {
  assert.equal(await ui.stop(), 0);
});

test("server: a Host other than 127.0.0.1 or localhost on its port is refused (DNS rebinding): 421", async () => {
  const port = new URL(ui.url).port;
  for (const host of ["evil.example:" + port, "127.0.0.1:1", "localhost"]) assert.equal((await call(ui.url, { path: "/api/view", headers: { host } })).status, 421, host);
  assert.equal((await call(ui.url, { path: "/api/view", headers: { host: `localhost:${port}` } })).status, 200);
});

test("server: a POST from another origin is refused: 403", async () => {
  const answer = await call(ui.url, { method: "POST", path: "/api/check", headers: { "content-type": "application/json", origin: "http://evil.example" }, body: "{}" });
  assert.equal(answer.status, 403);
  assert.deepEqual(answer.json, { error: "cross-origin request refused" });
});

test("server: a body that is not JSON: 415 for another type, 400 for bad JSON", async () => {
  const origin = new URL(ui.url).origin;
  const typed = await call(ui.url, { method: "POST", path: "/api/check", headers: { "content-type": "text/plain", origin }, body: "hello" });
  assert.equal(typed.status, 415);
  const broken = await call(ui.url, { method: "POST", path: "/api/check", headers: { "content-type": "application/json", origin }, body: "{not json" });
  assert.equal(broken.status, 400);
  assert.match((broken.json as { error: string }).error, /^the body is not JSON/);
});

test("server: a body over the limit is refused: 413", async () => {
  const answer = await call(ui.url, { method: "POST", path: "/api/policies", headers: { "content-type": "application/json", origin: new URL(ui.url).origin }, body: Buffer.alloc(8 * 1024 * 1024 + 1, 32) });
  assert.equal(answer.status, 413);
});

test("server: an unknown API route is 404, a known one with the wrong method 405", async () => {
  assert.equal((await call(ui.url, { path: "/api/nothing" })).status, 404);
  assert.equal((await call(ui.url, { path: "/api/check" })).status, 405);
  assert.equal((await post(ui.url, "/api/view", {})).status, 405);
  assert.equal((await call(ui.url, { method: "DELETE", path: "/" })).status, 405);
});

test("server: every answer carries the CSP (scripts from the page's origin only) and nosniff", async () => {
  for (const path of ["/", "/api/view", "/nothing"]) {
    const answer = await call(ui.url, { path });
    assert.match(String(answer.headers["content-security-policy"]), /script-src 'self';/, path);
    assert.equal(answer.headers["x-content-type-options"], "nosniff", path);
  }
});

test("server: the assets are served with their types", async () => {
  const cases: [string, RegExp][] = [
    ["/", /^text\/html/],
    ["/app.css", /^text\/css/],
    ["/vendor/cytoscape.min.js", /^text\/javascript/],
    ["/vendor/elk-worker.min.js", /^text\/javascript/],
    ["/app/app.js", /^text\/javascript/],
  ];
  for (const [path, type] of cases) {
    const answer = await call(ui.url, { path });
    assert.equal(answer.status, 200, path);
    assert.match(String(answer.headers["content-type"]), type, path);
  }
});

test("server: paths out of the served files are refused", async () => {
  for (const path of ["/app/../x.js", "/app/..%2f..%2fpackage.json", "/app/%2e%2e/index.js", "/../package.json", "/vendor/../../package.json"]) {
    const answer = await call(ui.url, { path });
    assert.equal(answer.status, 404, path);
    assert.doesNotMatch(answer.text, /"name": "portcullis"/, path);
  }
});

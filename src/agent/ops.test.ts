import { test } from "node:test";
import assert from "node:assert/strict";
import { type Readiness, startOps } from "./ops.js";
import { parseListen } from "./listen.js";
import { formatLogLine, newLogger } from "./log.js";

test("--listen: ADDR:PORT as the chart gives it (0.0.0.0:9842), IPv6 in brackets, :PORT for every address; anything else says the form", () => {
  assert.deepEqual(parseListen("0.0.0.0:9842"), { host: "0.0.0.0", port: 9842 });
  assert.deepEqual(parseListen("[::]:9842"), { host: "::", port: 9842 });
  assert.deepEqual(parseListen(":9842"), { host: "0.0.0.0", port: 9842 });
  assert.deepEqual(parseListen("127.0.0.1:0"), { host: "127.0.0.1", port: 0 });
  for (const bad of ["9842", "0.0.0.0:70000", "::9842", "host:port"]) assert.match(parseListen(bad) as string, /is not ADDR:PORT/);
});

test("ops endpoints: /healthz 200 while the process runs; /readyz 200 or 503 with the reason; /metrics in the Prometheus text type; others 404/405", async () => {
  let readiness: Readiness = { ready: false, reason: "waiting for the watches of pods to sync" };
  const server = await startOps({ host: "127.0.0.1", port: 0 }, { readiness: () => readiness, metrics: () => Promise.resolve("# HELP x X.\n# TYPE x gauge\nx 1\n") });
  try {
    const get = async (path: string, method = "GET"): Promise<[number, string, string]> => {
      const r = await fetch(`http://127.0.0.1:${server.port}${path}`, { method });
      return [r.status, r.headers.get("content-type") ?? "", await r.text()];
    };
    assert.deepEqual(await get("/healthz"), [200, "text/plain; charset=utf-8", "ok\n"]);
    assert.deepEqual(await get("/readyz"), [503, "text/plain; charset=utf-8", "not ready: waiting for the watches of pods to sync\n"]);
    readiness = { ready: true };
    assert.equal((await get("/readyz"))[0], 200);
    assert.deepEqual(await get("/metrics"), [200, "text/plain; version=0.0.4; charset=utf-8", "# HELP x X.\n# TYPE x gauge\nx 1\n"]);
    assert.equal((await get("/")).at(0), 404);
    assert.equal((await get("/healthz", "POST")).at(0), 405);
  } finally {
    await server.close();
  }
});

test("log lines: --log-format json is one object per line with time, level, msg and the fields; text is for a terminal", () => {
  const at = new Date("2026-12-06T07:00:00.000Z");
  assert.equal(
    formatLogLine("json", at, "info", "applied", { change: "elements", added: 2, msg: "shadowed" }),
    '{"time":"2026-12-06T07:00:00.000Z","level":"info","msg":"applied","change":"elements","added":2,"fields.msg":"shadowed"}\n',
  );
  assert.equal(formatLogLine("text", at, "warn", "watch failed", { resource: "pods", error: "connect ECONNREFUSED 10.0.0.1:6443" }), '2026-12-06T07:00:00.000Z WARN watch failed resource=pods error="connect ECONNREFUSED 10.0.0.1:6443"\n');
});

test("log levels: --log-level info (the default) leaves out the debug records (each idle garbage collection); debug writes them", () => {
  const at = (): Date => new Date("2026-12-06T07:00:00.000Z");
  for (const [threshold, want] of [
    ["info", ["info", "warn", "error"]],
    ["debug", ["debug", "info", "warn", "error"]],
  ] as const) {
    const written: string[] = [];
    const logger = newLogger("json", (line) => written.push((JSON.parse(line) as { level: string }).level), at, threshold);
    for (const level of ["debug", "info", "warn", "error"] as const) logger.log(level, "idle garbage collection", { ms: 95.3 });
    assert.deepEqual(written, want, threshold);
  }
});

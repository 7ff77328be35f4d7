/**
 * The probe agent in-process, on 127.0.0.1 only (no network namespace): two agents, one serving
 * the declared ports of a "destination", one probing it, as verify's twins do in a cluster.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { startServers } from "../lab/servers.js";
import { runProbeAgent } from "./agent.js";
import { PROBE_ENV, type ProbePlan, readAgentLog } from "./probe-plan.js";

const BIN = fileURLToPath(new URL("../../../bin/portcullis.js", import.meta.url));

/** A port nothing listens on now (bound and released). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Started {
  readonly lines: string[];
  readonly exit: Promise<number>;
  readonly stop: AbortController;
}

function start(plan: Partial<ProbePlan>, resolvConf?: string): Started {
  const lines: string[] = [];
  const stop = new AbortController();
  const full = { version: 1, run: "t1", serve: [], probes: [], timeoutMs: 500, deadlineSeconds: 30, ...plan };
  const exit = runProbeAgent({
    env: { [PROBE_ENV]: JSON.stringify(full) },
    write: (l) => lines.push(l),
    stderr: () => undefined,
    listen: ["127.0.0.1"],
    signal: stop.signal,
    ...(resolvConf === undefined ? {} : { resolvConf: () => Promise.resolve(resolvConf) }),
  });
  return { lines, exit, stop };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("probe-agent", () => {
  test("a destination serves its declared TCP and UDP ports with its identity; a source's probes say connected (with who answered), refused for a closed port; then done, and SIGTERM ends it with 0", async () => {
    const [tcp, udp, closed] = [await freePort(), await freePort(), await freePort()];
    const dst = start({ identity: "prod/web-twin", serve: [{ port: tcp, protocol: "TCP", name: "http" }, { port: udp, protocol: "UDP" }, { port: 9, protocol: "SCTP" }] });
    await until(() => dst.lines.length > 0);
    const ready = readAgentLog(dst.lines.join("")).ready;
    assert.deepEqual(ready, { "portcullis-probe": 1, ready: true, listening: [`127.0.0.1:${tcp}/TCP`, `127.0.0.1:${udp}/UDP`], skipped: ["9/SCTP"] });
    const src = start({
      identity: "prod/client-twin",
      probes: [
        { id: "p1", ip: "127.0.0.1", port: tcp, protocol: "TCP" },
        { id: "p2", ip: "127.0.0.1", port: udp, protocol: "UDP" },
        { id: "p3", ip: "127.0.0.1", port: closed, protocol: "TCP" },
      ],
    });
    await until(() => readAgentLog(src.lines.join("")).done);
    const log = readAgentLog(src.lines.join(""));
    const brief = [...log.results.values()].map((r) => ({ id: r.id, outcome: r.outcome, identity: "identity" in r ? r.identity : undefined })).sort((a, b) => a.id.localeCompare(b.id));
    assert.deepEqual(brief, [
      { id: "p1", outcome: "connected", identity: "prod/web-twin" },
      { id: "p2", outcome: "connected", identity: "prod/web-twin" },
      { id: "p3", outcome: "refused", identity: undefined },
    ]);
    assert.match(src.lines.at(-1) ?? "", /^\{"done":true,"probes":3\}\n$/);
    src.stop.abort();
    dst.stop.abort();
    assert.equal(await src.exit, 0);
    assert.equal(await dst.exit, 0);
  });

  test("retryAfterMs: a probe that timed out is tried once more after the first pass and only the second result is printed (retried: true) — a plugin programming a new pod late", async () => {
    const { createSocket } = await import("node:dgram");
    const late = createSocket("udp4");
    let seen = 0;
    late.on("message", (_m, r) => {
      if (++seen > 1) late.send("prod/late\n", r.port, r.address);
    });
    await new Promise<void>((resolve) => late.bind(0, "127.0.0.1", resolve));
    const port = late.address().port;
    const src = start({ timeoutMs: 300, retryAfterMs: 200, probes: [{ id: "u1", ip: "127.0.0.1", port, protocol: "UDP" }] });
    await until(() => readAgentLog(src.lines.join("")).done);
    src.stop.abort();
    await src.exit;
    late.close();
    const results = src.lines.filter((l) => l.startsWith('{"id"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(results.map((r) => [r["outcome"], r["identity"], r["retried"]]), [["connected", "prod/late", true]]);
  });

  test("the deadline ends serving by itself (exit 0), so a forgotten probe pod does not run for ever", async () => {
    const agent = start({ deadlineSeconds: 1 });
    const t0 = Date.now();
    assert.equal(await agent.exit, 0);
    assert.ok(Date.now() - t0 >= 900 && Date.now() - t0 < 3000);
  });

  test("a plan that is not one: a ready:false line naming the field, exit 1", async () => {
    const lines: string[] = [];
    const code = await runProbeAgent({ env: { [PROBE_ENV]: JSON.stringify({ version: 1, run: "r", probes: [{ id: "x", ip: "127.0.0.1", port: 0, protocol: "TCP" }], timeoutMs: 100, deadlineSeconds: 1 }) }, write: (l) => lines.push(l), stderr: () => undefined });
    assert.equal(code, 1);
    assert.deepEqual(JSON.parse(lines[0] ?? ""), { "portcullis-probe": 1, ready: false, error: `${PROBE_ENV}: probes[0].port: not 1-65535` });
  });

  test("DNS through resolv.conf (search list, ndots:5, as a pod's): kubernetes.default is tried in the pod's namespace first (NXDOMAIN), then answered as kubernetes.default.svc.cluster.local", async (t) => {
    let dns;
    try {
      dns = await startServers({ role: "pod", identity: "kube-system/coredns", ips: ["127.0.0.1"], ports: [], dns: { names: { "kubernetes.default.svc.cluster.local": ["10.96.0.1"] } } });
    } catch (e) {
      t.skip(`cannot serve DNS on 127.0.0.1:53 here: ${(e as Error).message}`);
      return;
    }
    const conf = "nameserver 127.0.0.1\nsearch prod.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n";
    const agent = start({ probes: [{ id: "d1", dns: "kubernetes.default", type: "A", over: "udp" }, { id: "d2", dns: "nowhere.example", type: "A", over: "tcp" }] }, conf);
    await until(() => readAgentLog(agent.lines.join("")).done);
    agent.stop.abort();
    await agent.exit;
    dns.close();
    const log = readAgentLog(agent.lines.join(""));
    const d1 = log.results.get("d1");
    assert.equal(d1?.outcome, "answered");
    assert.deepEqual(d1 !== undefined && "addresses" in d1 ? d1.addresses : [], ["10.96.0.1"]);
    assert.equal(log.results.get("d2")?.outcome, "nxdomain");
  });

  test("`portcullis probe-agent --not-ready` exits 1 at once: the twins' readiness probe (exec), so a twin is never Ready", () => {
    const r = spawnSync(process.execPath, [BIN, "probe-agent", "--not-ready"], { encoding: "utf8", timeout: 10_000 });
    assert.equal(r.status, 1);
    assert.equal(r.stdout, "");
  });
});

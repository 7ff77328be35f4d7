/**
 * The node agent end to end: the stand-in API server (the real wire protocol) behind a TCP proxy
 * the test can stop and restart (an API server down, then back), the agent's watches over the real
 * client, the table applied in a router namespace the test creates, and real TCP packets between
 * pod namespaces wired to it (src/enforce/mini-lab.ts).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Probe, type ProbeOutcome, listen, probe, wire } from "../enforce/mini-lab.js";
import { createNetns, deleteNetns, netnsSupport } from "../enforce/netns.js";
import { listTable } from "../enforce/nft.js";
import { loadClusterConfig } from "../kube/config-load.js";
import type { LiveObject } from "../kube/live.js";
import { type StandIn, startStandIn } from "../kube/standin/standin.js";
import { ENGINE_OPTIONS } from "../nft/fixture.js";
import { runAgent } from "./agent.js";
import { newLogger } from "./log.js";
import type { OpsServer } from "./ops.js";
import { Proxy, liveNamespace, liveNode, livePod, livePolicy } from "./testkit.js";
import { kubeWatches } from "./watches.js";
import { kubeEventSink } from "./events.js";
import { Transport } from "../kube/transport.js";
import { call } from "../kube/standin/testing.js";

const support = await netnsSupport();
const skip = support.ok ? false : support.reason;

// Namespace A: web (isolated: egress to db:5432 only) and LATE, an address of the node's pod CIDR that no pod has yet; B: db; C: outside.
const WEB = "10.244.1.10";
const LATE = "10.244.1.99";
const DB = "10.244.1.20";
const OUTSIDE = "203.0.113.9";

const web = livePod("production", "web", { labels: { app: "web" }, ip: WEB, node: "worker-1" });
const db = livePod("production", "db", { labels: { app: "db" }, ip: DB, node: "worker-1" });
const WEB_EGRESS = livePolicy("production", "web-egress", {
  podSelector: { matchLabels: { app: "web" } },
  policyTypes: ["Egress"],
  egress: [{ to: [{ podSelector: { matchLabels: { app: "db" } } }], ports: [{ port: 5432, protocol: "TCP" }] }],
});

const asStored = (o: LiveObject): Parameters<StandIn["apply"]>[0] => o as unknown as Parameters<StandIn["apply"]>[0];

for (const topology of ["routed", "bridge"] as const) {
  describe(`node agent end to end (${topology === "routed" ? "routed veths, as Calico, Cilium, kindnet" : "a Linux bridge cni0 with br_netfilter, as Flannel"}): stand-in API server → agent → nftables in a namespace → real packets`, { skip }, () => {
    const names: string[] = [];
    const stops: (() => Promise<void>)[] = [];
    const lines: Record<string, unknown>[] = [];
    const dir = mkdtempSync(join(tmpdir(), "pcagent-"));
    let api: StandIn;
    let proxy: Proxy;
    let ops: OpsServer | null = null;
    const abort = new AbortController();
    let running: Promise<void> = Promise.resolve();
    let closeWatches: () => void = () => undefined;

    const ok = <T>(r: { ok: true; value: T } | { ok: false; error: { message: string; stderr: string } }): T => {
      assert.ok(r.ok, r.ok ? "" : `${r.error.message}: ${r.error.stderr}`);
      return r.value;
    };
    const router = (): string => names[0] as string;
    const probes = async (list: readonly Probe[]): Promise<ProbeOutcome[]> => ok(await probe(names[1] as string, list, 800));
    const get = async (path: string): Promise<[number, string]> => {
      const r = await fetch(`http://127.0.0.1:${ops?.port ?? 0}${path}`);
      return [r.status, await r.text()];
    };
    const appliedCount = (): number => lines.filter((l) => l["msg"] === "applied").length;
    async function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
      const end = Date.now() + ms;
      while (!(await check())) {
        if (Date.now() > end) assert.fail(`timed out waiting for ${what}; log: ${JSON.stringify(lines.slice(-8))}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    /** Waits for an apply after `from` applies, then for the kernel to hold `expect` (an address in the table). */
    const applied = async (from: number): Promise<void> => until("an apply", () => appliedCount() > from);

    before(async () => {
      for (let k = 0; k < 4; k++) names.push(ok(await createNetns("pcagt")));
      const [r, a, b, c] = names as [string, string, string, string];
      ok(await wire(r, [
        { netns: a, addresses: [WEB, LATE] },
        { netns: b, addresses: [DB] },
        { netns: c, addresses: [OUTSIDE], outside: true },
      ], topology));
      for (const [ns, ports] of [[b, [5432, 5433]], [c, [443]]] as const) stops.push(ok(await listen(ns, ports)).stop);
      api = await startStandIn({ bookmarkIntervalMs: 500, objects: [liveNamespace("default"), liveNamespace("production"), liveNode("worker-1", "10.244.1.0/24"), web, db, WEB_EGRESS].map(asStored) });
      proxy = new Proxy(Number(new URL(api.url).port));
      await proxy.start();
      const path = join(dir, "kubeconfig");
      writeFileSync(path, api.kubeconfig("admin").replace(api.url, `https://127.0.0.1:${proxy.port}`));
      const config = loadClusterConfig({ kubeconfig: path, env: {} });
      assert.ok(config.ok, config.ok ? "" : config.error.message);
      const watches = kubeWatches(config.value, { reflector: { backoff: { baseMs: 50, capMs: 300, healthyMs: 60_000 }, inactivityMs: 2000, timeoutSeconds: 30 }, transport: { requestTimeoutMs: 2000 } });
      const eventTransport = new Transport(config.value, { requestTimeoutMs: 2000 });
      closeWatches = () => {
        watches.close();
        eventTransport.close();
      };
      let listening: () => void = () => undefined;
      const up = new Promise<void>((resolve) => (listening = resolve));
      running = runAgent({
        node: "worker-1",
        netns: r,
        audit: false,
        onExit: "keep",
        listen: { host: "127.0.0.1", port: 0 },
        engineOptions: () => ENGINE_OPTIONS,
        watches: watches.sources,
        events: kubeEventSink(eventTransport),
        logger: newLogger("json", (line) => lines.push(JSON.parse(line) as Record<string, unknown>)),
        signal: abort.signal,
        verifyMs: 500,
        onListening: (s) => {
          ops = s;
          listening();
        },
      });
      await Promise.race([up, running]);
    });

    after(async () => {
      abort.abort();
      await running;
      closeWatches();
      await proxy?.stop();
      await api?.close();
      for (const stop of stops) await stop();
      for (const name of names) await deleteNetns(name);
      rmSync(dir, { recursive: true, force: true });
    });

    test("after every watch synced: web's egress is as compiled (db:5432 only), and an address of the pod CIDR that is no pod is dropped (fail closed)", async () => {
      await applied(0);
      await until("/readyz 200", async () => (await get("/readyz"))[0] === 200);
      const events = async (): Promise<Record<string, unknown>[]> => (await call(api, "/apis/events.k8s.io/v1/namespaces/default/events")).body["items"] as Record<string, unknown>[];
      await until("the Enforcing Event in the API server", async () => (await events()).length > 0);
      const [enforcing] = await events();
      assert.equal(enforcing?.["reason"], "Enforcing");
      assert.equal(enforcing?.["reportingInstance"], "worker-1");
      assert.deepEqual((enforcing?.["regarding"] as Record<string, unknown>)["name"], "worker-1");
      assert.deepEqual(
        await probes([
          { from: WEB, to: DB, port: 5432 },
          { from: WEB, to: DB, port: 5433 },
          { from: WEB, to: OUTSIDE, port: 443 },
          { from: LATE, to: OUTSIDE, port: 443 },
        ]),
        ["connected", "timeout", "timeout", "timeout"],
      );
    });

    test("a pod added with that address: once applied it is a known pod, not isolated (connects); a policy added later isolates it", async () => {
      let from = appliedCount();
      api.apply(asStored(livePod("production", "late", { labels: { app: "late" }, ip: LATE, node: "worker-1" })));
      await applied(from);
      const withIp = lines.filter((l) => l["msg"] === "applied").at(-1);
      assert.equal((withIp?.["podIpToApplied"] as { count: number } | undefined)?.count, 1, "the apply says the pod's IP → applied latency");
      assert.deepEqual(await probes([{ from: LATE, to: OUTSIDE, port: 443 }]), ["connected"]);
      from = appliedCount();
      api.apply(asStored(livePolicy("production", "late-deny", { podSelector: { matchLabels: { app: "late" } }, policyTypes: ["Egress"] })));
      await applied(from);
      assert.deepEqual(await probes([{ from: LATE, to: OUTSIDE, port: 443 }, { from: WEB, to: DB, port: 5432 }]), ["timeout", "connected"]);
      assert.match((await get("/metrics"))[1], /^portcullis_policy_to_applied_seconds_count [1-9]/m);
    });

    test("API server stopped: the table stays and enforces, /readyz 503; a change made meanwhile is applied once it is back", async () => {
      await proxy.stop();
      await until("/readyz 503", async () => (await get("/readyz"))[0] === 503);
      assert.match((await get("/readyz"))[1], /failing/);
      assert.ok((await listTable(router())).ok, "the table stays");
      assert.deepEqual(await probes([{ from: WEB, to: DB, port: 5432 }, { from: WEB, to: DB, port: 5433 }, { from: LATE, to: OUTSIDE, port: 443 }]), ["connected", "timeout", "timeout"]);
      const from = appliedCount();
      api.remove("NetworkPolicy", "production", "late-deny");
      await proxy.start();
      await applied(from);
      await until("/readyz 200", async () => (await get("/readyz"))[0] === 200);
      assert.deepEqual(await probes([{ from: LATE, to: OUTSIDE, port: 443 }]), ["connected"]);
      assert.match((await get("/metrics"))[1], /^portcullis_watch_restarts_total\{resource="networkpolicies",reason="error"\} [1-9]/m);
    });
  });
}

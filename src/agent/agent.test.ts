import { test } from "node:test";
import assert from "node:assert/strict";
import type { DatapathCheck } from "../enforce/datapath.js";
import { listTable, runNft } from "../enforce/nft.js";
import { canUseNetns, withNetns } from "../enforce/test-support.js";
import type { LiveObject } from "../kube/live.js";
import { ENGINE_OPTIONS } from "../nft/fixture.js";
import { type AgentOptions, MAX_PENDING, type WatchEvent, type WatchSource, runAgent } from "./agent.js";
import type { OpsServer } from "./ops.js";
import type { EventSink } from "./events.js";
import { newLogger } from "./log.js";
import { liveNamespace, liveNode, livePod, livePolicy } from "./testkit.js";

/** A watch the test drives: events go to the agent as the reflector would send them. */
class FeedWatch implements WatchSource {
  private listener: ((e: WatchEvent) => void) | null = null;
  errors = 0;
  constructor(
    readonly kind: string,
    readonly resource: string,
  ) {}
  start(onEvent: (e: WatchEvent) => void): () => void {
    this.listener = onEvent;
    return () => (this.listener = null);
  }
  restarts(): Record<string, number> {
    return { error: this.errors };
  }
  send(e: WatchEvent): void {
    if (e.type === "error") this.errors++;
    this.listener?.(e);
  }
  list(objects: readonly LiveObject[]): void {
    for (const object of objects) this.send({ type: "added", object });
    this.send({ type: "synced", objects: objects.length });
  }
}

type Feeds = Record<"ns" | "pods" | "policies" | "nodes" | "services", FeedWatch>;

interface Running {
  readonly feeds: Feeds;
  readonly lines: Record<string, unknown>[];
  readonly get: (path: string) => Promise<[number, string]>;
  readonly waitLog: (msg: string, from?: number, timeoutMs?: number) => Promise<Record<string, unknown>>;
  readonly stop: () => Promise<void>;
}

async function withAgent(netns: string, extra: Partial<AgentOptions>, fn: (a: Running) => Promise<void>): Promise<void> {
  const feeds = {
    ns: new FeedWatch("Namespace", "namespaces"),
    pods: new FeedWatch("Pod", "pods"),
    policies: new FeedWatch("NetworkPolicy", "networkpolicies"),
    nodes: new FeedWatch("Node", "nodes"),
    services: new FeedWatch("Service", "services"),
  };
  const lines: Record<string, unknown>[] = [];
  const abort = new AbortController();
  let server: OpsServer | null = null;
  let listening: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (listening = resolve));
  const stopped = runAgent({
    node: "worker-1",
    netns,
    audit: false,
    onExit: "keep",
    listen: { host: "127.0.0.1", port: 0 },
    engineOptions: () => ENGINE_OPTIONS,
    watches: Object.values(feeds),
    // Debug records too (idle collections).
    logger: newLogger("json", (line) => lines.push(JSON.parse(line) as Record<string, unknown>), undefined, "debug"),
    signal: abort.signal,
    verifyMs: 200,
    onListening: (s) => {
      server = s;
      listening();
    },
    ...extra,
  });
  await Promise.race([ready, stopped]);
  const port = (server as OpsServer | null)?.port ?? 0;
  const get = async (path: string): Promise<[number, string]> => {
    const r = await fetch(`http://127.0.0.1:${port}${path}`);
    return [r.status, await r.text()];
  };
  const waitLog = async (msg: string, from = 0, timeoutMs = 5000): Promise<Record<string, unknown>> => {
    for (let waited = 0; waited <= timeoutMs; waited += 20) {
      const hit = lines.slice(from).find((l) => l["msg"] === msg);
      if (hit !== undefined) return hit;
      await new Promise((r) => setTimeout(r, 20));
    }
    return assert.fail(`no log "${msg}" within ${timeoutMs} ms: ${JSON.stringify(lines.slice(from))}`);
  };
  const stop = async (): Promise<void> => {
    abort.abort();
    await stopped;
  };
  try {
    await fn({ feeds, lines, get, waitLog, stop });
  } finally {
    await stop();
  }
}

const WEB = { labels: { app: "web" }, ip: "10.244.1.5", node: "worker-1" };
const DENY_WEB_EGRESS = { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"] };

async function tableExists(netns: string): Promise<boolean> {
  return (await listTable(netns)).ok;
}

test("agent: applies nothing until every watch has synced; then the table is in, /readyz 200, /metrics counts the apply", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    await withAgent(ns as string, {}, async ({ feeds, get, waitLog }) => {
      assert.deepEqual(await get("/healthz"), [200, "ok\n"]);
      feeds.ns.list([liveNamespace("production")]);
      feeds.nodes.list([liveNode("worker-1", "10.244.1.0/24")]);
      feeds.pods.list([livePod("production", "web", WEB)]);
      feeds.policies.list([livePolicy("production", "deny-web-egress", DENY_WEB_EGRESS)]);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(await tableExists(ns as string), false, "nothing applied while services have not synced");
      const [status, body] = await get("/readyz");
      assert.equal(status, 503);
      assert.match(body, /waiting for the watches of services to sync/);
      feeds.services.list([]);
      await waitLog("applied");
      assert.equal(await tableExists(ns as string), true);
      assert.deepEqual(await get("/readyz"), [200, "ok\n"]);
      const metrics = (await get("/metrics"))[1];
      assert.match(metrics, /^portcullis_applies_total\{change="replace"\} 1$/m);
      assert.match(metrics, /^portcullis_objects\{kind="Pod"\} 1$/m);
      assert.match(metrics, /^portcullis_denied_packets_total\{direction="egress",policy="production\/deny-web-egress"\} 0$/m);
    });
  });
});

test("agent: no Node object for --node: nothing applied, /readyz 503 naming the node; the Node arriving applies", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    await withAgent(ns as string, {}, async ({ feeds, get, waitLog, lines }) => {
      for (const f of [feeds.ns, feeds.nodes, feeds.services, feeds.policies]) f.list([]);
      feeds.pods.list([livePod("production", "web", WEB)]);
      const refused = await waitLog('not applied: no Node "worker-1" in the cluster: the agent needs its Node object (spec.podCIDRs) and applies nothing until it is seen (is --node the node\'s name, spec.nodeName of its pods?)');
      assert.equal(refused["level"], "error");
      assert.equal(await tableExists(ns as string), false);
      const [status, body] = await get("/readyz");
      assert.equal(status, 503);
      assert.match(body, /no Node "worker-1"/);
      const from = lines.length;
      feeds.nodes.send({ type: "added", object: liveNode("worker-1", "10.244.1.0/24") });
      await waitLog("applied", from);
      assert.equal((await get("/readyz"))[0], 200);
    });
  });
});

test("agent: a pod's IP and a policy written later: the apply's log line and /metrics carry event → applied latencies", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    await withAgent(ns as string, {}, async ({ feeds, get, waitLog, lines }) => {
      for (const f of [feeds.ns, feeds.services, feeds.policies]) f.list([]);
      feeds.nodes.list([liveNode("worker-1", "10.244.1.0/24")]);
      feeds.pods.list([livePod("production", "web", { labels: WEB.labels, node: WEB.node })]);
      await waitLog("applied");
      let from = lines.length;
      feeds.pods.send({ type: "modified", object: livePod("production", "web", WEB) });
      const podApplied = await waitLog("applied", from);
      assert.equal((podApplied["podIpToApplied"] as { count: number }).count, 1);
      from = lines.length;
      feeds.policies.send({ type: "added", object: livePolicy("production", "deny-web-egress", DENY_WEB_EGRESS) });
      const policyApplied = await waitLog("applied", from);
      assert.equal((policyApplied["policyToApplied"] as { count: number }).count, 1);
      const listed = await listTable(ns as string);
      assert.ok(listed.ok && listed.value.includes("10.244.1.5"));
      const metrics = (await get("/metrics"))[1];
      assert.match(metrics, /^portcullis_pod_ip_to_applied_seconds_count 1$/m);
      assert.match(metrics, /^portcullis_policy_to_applied_seconds_count 1$/m);
      // An ADDED policy is measured from its creationTimestamp too (testkit's: 2026-12-06T06:00:00Z, so at least 0).
      assert.match(metrics, /^portcullis_policy_created_to_applied_seconds_count 1$/m);
    });
  });
});

test("agent --idle-gc: once idle after an apply, a collection; counted in /metrics, logged at debug level, and the next apply's line says it came before", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    let collections = 0;
    const idleGc = { policy: { quietMs: 20, minGrowthBytes: 0, minGrowthRatio: 0 }, collect: () => void collections++ };
    await withAgent(ns as string, { idleGc, verifyMs: 0 }, async ({ feeds, get, waitLog, lines }) => {
      for (const f of [feeds.ns, feeds.services, feeds.policies]) f.list([]);
      feeds.nodes.list([liveNode("worker-1", "10.244.1.0/24")]);
      feeds.pods.list([livePod("production", "web", { labels: WEB.labels, node: WEB.node })]);
      const first = await waitLog("applied");
      assert.equal(first["idleGc"], undefined, "no idle collection before the first apply");
      const logged = await waitLog("idle garbage collection");
      assert.equal(logged["level"], "debug");
      assert.equal(typeof logged["ms"], "number");
      assert.equal(collections, 1);
      assert.match((await get("/metrics"))[1], /^portcullis_idle_gc_duration_seconds_count 1$/m);
      const from = lines.length;
      feeds.pods.send({ type: "modified", object: livePod("production", "web", WEB) });
      const applied = await waitLog("applied", from);
      const idle = applied["idleGc"] as { ms: number; beforeMs: number } | undefined;
      assert.ok(idle !== undefined && idle.beforeMs >= 0, JSON.stringify(applied));
      assert.equal(applied["gcMarkCompacts"], 0, "the idle collection is not the cycle's");
    });
  });
});

test("agent: API server unreachable (watch errors): the table stays, /readyz 503 with the reason, restarts counted; events again: ready", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    await withAgent(ns as string, {}, async ({ feeds, get, waitLog }) => {
      for (const f of [feeds.ns, feeds.services]) f.list([]);
      feeds.nodes.list([liveNode("worker-1", "10.244.1.0/24")]);
      feeds.pods.list([livePod("production", "web", WEB)]);
      feeds.policies.list([livePolicy("production", "deny-web-egress", DENY_WEB_EGRESS)]);
      await waitLog("applied");
      for (let k = 0; k < 3; k++) feeds.pods.send({ type: "error", message: "connect ECONNREFUSED 127.0.0.1:6443", willRetry: true });
      const [status, body] = await get("/readyz");
      assert.equal(status, 503);
      assert.match(body, /pods failing \(connect ECONNREFUSED 127\.0\.0\.1:6443\); the table stays as last applied/);
      assert.equal(await tableExists(ns as string), true);
      assert.match((await get("/metrics"))[1], /^portcullis_watch_restarts_total\{resource="pods",reason="error"\} 3$/m);
      feeds.pods.send({ type: "alive" });
      assert.equal((await get("/readyz"))[0], 200);
    });
  });
});

/** Every watch listed: node worker-1 (10.244.1.0/24), pod production/web, and one policy denying its egress (returned). */
function listWebDenyingEgress(feeds: Feeds): LiveObject {
  for (const f of [feeds.ns, feeds.services]) f.list([]);
  feeds.nodes.list([liveNode("worker-1", "10.244.1.0/24")]);
  feeds.pods.list([livePod("production", "web", WEB)]);
  const policy = livePolicy("production", "deny-web-egress", DENY_WEB_EGRESS);
  feeds.policies.list([policy]);
  return policy;
}

test("agent: the table flushed by hand is found by the drift check and replaced (drift repairs counted)", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    await withAgent(ns as string, {}, async ({ feeds, get, waitLog, lines }) => {
      listWebDenyingEgress(feeds);
      await waitLog("applied");
      const from = lines.length;
      assert.ok((await runNft(["delete", "table", "inet", "portcullis"], ns)).ok);
      await waitLog("the kernel's table is not as applied: replacing it", from);
      await waitLog("applied", from);
      assert.equal(await tableExists(ns as string), true);
      assert.match((await get("/metrics"))[1], /^portcullis_drift_repairs_total 1$/m);
    });
  });
});

test("agent: a drift repair (the last applied ruleset put back) does not make /readyz forget that the latest state was refused, nor count its events as applied", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    await withAgent(ns as string, {}, async ({ feeds, get, waitLog, lines }) => {
      const policy = listWebDenyingEgress(feeds);
      await waitLog("applied");
      let from = lines.length;
      // The only policy deleted: the state would drop every enforced rule id: refused (docs/exit-codes.md, 5).
      feeds.policies.send({ type: "deleted", object: policy });
      await waitLog("not applied: the state would drop too many enforced policies; the table stays as it is", from);
      assert.equal((await get("/readyz"))[0], 503);
      from = lines.length;
      assert.ok((await runNft(["delete", "table", "inet", "portcullis"], ns)).ok);
      await waitLog("the kernel's table is not as applied: replacing it", from);
      const repaired = await waitLog("applied", from);
      assert.equal(repaired["policyToApplied"], undefined, "the deletion was not applied: the repair put the old ruleset back");
      const [status, body] = await get("/readyz");
      assert.equal(status, 503, body);
      assert.match(body, /not applied: the state would drop 100% of the enforced rule ids/);
    });
  });
});

test("agent: while nothing can be applied (no Node), the events waiting for an apply are bounded (MAX_PENDING): a long outage on a busy cluster does not grow memory without end", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    await withAgent(ns as string, {}, async ({ feeds, get, waitLog, lines }) => {
      for (const f of [feeds.ns, feeds.services, feeds.policies, feeds.nodes, feeds.pods]) f.list([]);
      await waitLog('not applied: no Node "worker-1" in the cluster: the agent needs its Node object (spec.podCIDRs) and applies nothing until it is seen (is --node the node\'s name, spec.nodeName of its pods?)');
      for (let i = 0; i < MAX_PENDING + 50; i++) feeds.pods.send({ type: "added", object: livePod("production", `p-${i}`, { ip: `10.245.${i >> 8}.${i & 255}`, node: "worker-2" }) });
      const from = lines.length;
      feeds.nodes.send({ type: "added", object: liveNode("worker-1", "10.244.1.0/24") });
      await waitLog("applied", from, 20_000);
      assert.match((await get("/metrics"))[1], new RegExp(`^portcullis_pod_ip_to_applied_seconds_count ${MAX_PENDING}$`, "m"));
    });
  });
});

test("agent: a Node without spec.podCIDRs (Calico or Cilium cluster-pool IPAM) turns fail closed off: the agent says so once, as a warning, and again when the ranges come", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    await withAgent(ns as string, {}, async ({ feeds, waitLog, lines }) => {
      for (const f of [feeds.ns, feeds.services, feeds.policies]) f.list([]);
      const node = liveNode("worker-1", "10.244.1.0/24");
      feeds.nodes.list([{ ...node, spec: {} }]);
      feeds.pods.list([livePod("production", "web", WEB)]);
      const warned = await waitLog("this node's Node has no spec.podCIDRs: fail closed is off (a pod that starts is not dropped until its rules are in)");
      assert.equal(warned["level"], "warn");
      assert.equal(warned["node"], "worker-1");
      await waitLog("applied");
      let from = lines.length;
      feeds.pods.send({ type: "modified", object: livePod("production", "web", { ...WEB, labels: { app: "web", v: "2" } }) });
      await waitLog("applied", from);
      assert.equal(lines.filter((l) => String(l["msg"]).startsWith("this node's Node has no spec.podCIDRs")).length, 1, "said once");
      from = lines.length;
      feeds.nodes.send({ type: "modified", object: node });
      const back = await waitLog("this node's Node has pod CIDRs: fail closed is on", from);
      assert.deepEqual(back["podCidrs"], ["10.244.1.0/24"]);
    });
  });
});

test("agent: the datapath re-checked while running (Flannel creates cni0 with the node's first pod, after the agent started): a bridge that bypasses the rules makes /readyz 503 and an error; fixed, ready again", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    let check: DatapathCheck = { ok: true, datapath: "routed", bridges: [] };
    const bridge = { name: "cni0", ports: ["veth1"], nfCallIptables: false, nfCallIp6tables: false };
    await withAgent(ns as string, { datapath: () => Promise.resolve(check), datapathEveryMs: 50 }, async ({ feeds, get, waitLog, lines }) => {
      for (const f of [feeds.ns, feeds.services, feeds.policies]) f.list([]);
      feeds.nodes.list([liveNode("worker-1", "10.244.1.0/24")]);
      feeds.pods.list([livePod("production", "web", WEB)]);
      await waitLog("applied");
      assert.equal((await get("/readyz"))[0], 200);
      let from = lines.length;
      check = { ok: false, bridges: [bridge], problems: [{ kind: "br-netfilter-missing", bridges: ["cni0"] }] };
      const unsafe = await waitLog("this node's datapath lets pod traffic bypass the rules", from);
      assert.equal(unsafe["level"], "error");
      const [status, body] = await get("/readyz");
      assert.equal(status, 503);
      assert.match(body, /^not ready: pods are bridged on cni0 but br_netfilter is not loaded: same-node pod traffic bypasses the rules/);
      from = lines.length;
      check = { ok: true, datapath: "bridge", bridges: [{ ...bridge, nfCallIptables: true, nfCallIp6tables: true }] };
      await waitLog("this node's datapath passes pod traffic through the rules again", from);
      assert.equal((await get("/readyz"))[0], 200);
    });
  });
});

test("agent: --on-exit=remove deletes the table at exit; the default keeps it (fail closed)", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    for (const onExit of ["keep", "remove"] as const) {
      await withAgent(ns as string, { onExit }, async ({ feeds, waitLog, stop }) => {
        for (const f of [feeds.ns, feeds.services, feeds.policies]) f.list([]);
        feeds.nodes.list([liveNode("worker-1", "10.244.1.0/24")]);
        feeds.pods.list([livePod("production", "web", WEB)]);
        await waitLog("applied");
        await stop();
        assert.equal(await tableExists(ns as string), onExit === "keep");
      });
    }
  });
});

/** An EventSink that keeps what the agent posts (the wire is tested in events.test.ts). */
function keptEvents(): { sink: EventSink; created: Record<string, unknown>[]; patched: Record<string, unknown>[] } {
  const created: Record<string, unknown>[] = [];
  const patched: Record<string, unknown>[] = [];
  return {
    created,
    patched,
    sink: {
      create: (_ns, e) => {
        created.push(e);
        return Promise.resolve({ ok: true, value: e });
      },
      patch: (_ns, _name, p) => {
        patched.push(p);
        return Promise.resolve({ ok: true, value: p });
      },
    },
  };
}

test("agent Events: Enforcing once at the first apply (not at later ones), DriftRepaired when the table was flushed, ObjectRefused regarding a policy with errors", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    const kept = keptEvents();
    await withAgent(ns as string, { events: kept.sink }, async ({ feeds, waitLog, lines }) => {
      for (const f of [feeds.ns, feeds.services]) f.list([]);
      feeds.nodes.list([liveNode("worker-1", "10.244.1.0/24")]);
      feeds.pods.list([livePod("production", "web", WEB)]);
      feeds.policies.list([]);
      await waitLog("applied");
      let from = lines.length;
      feeds.policies.send({ type: "added", object: livePolicy("production", "deny-web-egress", DENY_WEB_EGRESS) });
      await waitLog("applied", from);
      from = lines.length;
      feeds.policies.send({ type: "added", object: livePolicy("production", "bad", { podSelector: { matchLabels: "web" } }) });
      await waitLog("object not taken as written: it has errors; none of its versions decoded: left out, or, where that could open traffic, nothing new is applied until it is fixed or deleted", from);
      assert.ok((await runNft(["delete", "table", "inet", "portcullis"], ns)).ok);
      await waitLog("the kernel's table is not as applied: replacing it", from);
      await waitLog("applied", from);
    });
    const reasons = kept.created.map((e) => e["reason"]);
    assert.deepEqual(reasons.filter((r) => r === "Enforcing").length, 1, `Enforcing once: ${JSON.stringify(reasons)}`);
    assert.ok(reasons.includes("DriftRepaired"), JSON.stringify(reasons));
    const enforcing = kept.created.find((e) => e["reason"] === "Enforcing") as Record<string, unknown>;
    assert.deepEqual(enforcing["regarding"], { apiVersion: "v1", kind: "Node", name: "worker-1", uid: "uid--worker-1" });
    assert.equal(enforcing["reportingController"], "portcullis.dev/node-agent");
    assert.equal(enforcing["reportingInstance"], "worker-1");
    const refused = kept.created.find((e) => e["reason"] === "ObjectRefused") as Record<string, unknown>;
    assert.deepEqual(refused["regarding"], { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", name: "bad", namespace: "production", uid: "uid-production-bad" });
    assert.equal(refused["type"], "Warning");
    assert.match(String(refused["note"]), /matchLabels/);
  });
});

test("agent, fail closed on objects that cannot be decoded: a NetworkPolicy whose podSelector cannot be read holds the node (log, /readyz 503 naming it, metrics, EnforcementHeld Event; later changes wait); deleted, the hold is released; one with a bad rule only is applied without that rule", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    const kept = keptEvents();
    await withAgent(ns as string, { events: kept.sink }, async ({ feeds, get, waitLog, lines }) => {
      for (const f of [feeds.ns, feeds.services, feeds.policies]) f.list([]);
      feeds.nodes.list([liveNode("worker-1", "10.244.1.0/24")]);
      feeds.pods.list([livePod("production", "web", WEB)]);
      const first = await waitLog("applied");
      let from = lines.length;
      const bad = livePolicy("production", "bad-selector", { podSelector: { matchLabels: { app: 7 } }, policyTypes: ["Egress"] });
      feeds.policies.send({ type: "added", object: bad });
      const held = await waitLog("held: an object that never decoded could open traffic if left out; nothing new is applied until it is fixed or deleted (the table stays as last applied)", from);
      assert.equal(held["level"], "error");
      assert.deepEqual((held["objects"] as { object: string }[]).map((o) => o.object), ["NetworkPolicy production/bad-selector"]);
      assert.match(JSON.stringify(held["objects"]), /spec\.podSelector\.matchLabels\.app/);
      const [status, body] = await get("/readyz");
      assert.equal(status, 503);
      assert.match(body, /^not ready: not applied: held: NetworkPolicy production\/bad-selector has errors/);
      let metrics = (await get("/metrics"))[1];
      assert.match(metrics, /^portcullis_apply_held 1$/m);
      assert.match(metrics, /^portcullis_objects_with_errors\{kind="NetworkPolicy",outcome="held"\} 1$/m);
      // A change while held is not applied: the table stays as last applied.
      const applies = (): number => lines.filter((l) => l["msg"] === "applied").length;
      const appliedBefore = applies();
      feeds.policies.send({ type: "added", object: livePolicy("production", "deny-web-egress", DENY_WEB_EGRESS) });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(applies(), appliedBefore, "nothing applied while held");
      from = lines.length;
      feeds.policies.send({ type: "deleted", object: bad });
      await waitLog("hold released: the objects that held the node are fixed or deleted; applying", from);
      const released = await waitLog("applied", from);
      const rules = (l: Record<string, unknown>): number => (l["stats"] as { rules: number }).rules;
      assert.ok(rules(released) > rules(first), "the policy added while held is applied with the release");
      assert.deepEqual(await get("/readyz"), [200, "ok\n"]);
      metrics = (await get("/metrics"))[1];
      assert.match(metrics, /^portcullis_apply_held 0$/m);

      // A rule with ipBlock.cidr 010.0.0.0/8 (accepted by 1.32's ParseCIDRSloppy): the policy is applied without that rule.
      from = lines.length;
      feeds.policies.send({ type: "added", object: livePolicy("production", "sloppy", { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "010.0.0.0/8" } }] }, { ports: [{ port: 53, protocol: "UDP" }] }] }) });
      const dropped = await waitLog("object not taken as written: it has errors; taken without its rules that have errors (a NetworkPolicy rule only allows: it allows less, never more)", from);
      assert.equal(dropped["outcome"], "rules-dropped");
      await waitLog("applied", from);
      assert.equal((await get("/readyz"))[0], 200);
      metrics = (await get("/metrics"))[1];
      assert.match(metrics, /^portcullis_objects_with_errors\{kind="NetworkPolicy",outcome="rules-dropped"\} 1$/m);
      const table = await listTable(ns as string);
      assert.ok(table.ok && !table.value.includes("10.0.0.0/8"), "the dropped rule's block is not in the table");
      assert.ok(table.ok && table.value.includes("0.0.0.0/0 . udp . 53"), table.ok ? table.value : "");
    });
    const heldEvent = kept.created.find((e) => e["reason"] === "EnforcementHeld") as Record<string, unknown>;
    assert.deepEqual(heldEvent["regarding"], { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", name: "bad-selector", namespace: "production", uid: "uid-production-bad-selector" });
    assert.match(String(heldEvent["note"]), /nothing new is applied on node worker-1 until this object is fixed or deleted/);
  });
});

/**
 * Property: whatever happens on the API server (objects created, changed, deleted; watches cut;
 * history compacted so that resuming gets 410 Gone and a relist), after each quiet period the
 * agent's Cluster equals one decoded afresh from the server's objects, and the kernel's table (nft
 * list in the agent's namespace) equals a fresh compile of that state applied in a namespace of
 * its own. Bounded: a few runs of a dozen steps.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { createNetns, deleteNetns, netnsSupport } from "../enforce/netns.js";
import { applyRuleset, listTable, runNft } from "../enforce/nft.js";
import { canonicalListing } from "../enforce/test-support.js";
import { loadClusterConfig } from "../kube/config-load.js";
import type { LiveObject } from "../kube/live.js";
import { type StandIn, startStandIn } from "../kube/standin/standin.js";
import { trimObject } from "../kube/trim.js";
import type { Cluster } from "../model/cluster.js";
import { compileRuleset } from "../nft/compile.js";
import { ENGINE_OPTIONS } from "../nft/fixture.js";
import { runAgent } from "./agent.js";
import { newLogger } from "./log.js";
import { sameValue } from "./same.js";
import { ClusterView } from "./state.js";
import { Proxy, liveNamespace, liveNode, livePod, livePolicy } from "./testkit.js";
import { kubeWatches } from "./watches.js";

const support = await netnsSupport();
const skip = support.ok ? false : support.reason;

type Step =
  | { readonly kind: "pod"; readonly ns: string; readonly name: string; readonly app: string; readonly ip: number | null; readonly node: string }
  | { readonly kind: "delete-pod"; readonly ns: string; readonly name: string }
  | { readonly kind: "policy"; readonly ns: string; readonly name: string; readonly app: string; readonly to: string; readonly port: number }
  | { readonly kind: "delete-policy"; readonly ns: string; readonly name: string }
  | { readonly kind: "disconnect" }
  | { readonly kind: "compact" };

const NS = ["a", "b"];
const APPS = ["x", "y", "z"];
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("pod" as const), ns: fc.constantFrom(...NS), name: fc.constantFrom("p0", "p1", "p2", "p3"), app: fc.constantFrom(...APPS), ip: fc.option(fc.integer({ min: 2, max: 9 }), { nil: null }), node: fc.constantFrom("worker-1", "worker-2") }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete-pod" as const), ns: fc.constantFrom(...NS), name: fc.constantFrom("p0", "p1", "p2", "p3") }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("policy" as const), ns: fc.constantFrom(...NS), name: fc.constantFrom("q0", "q1"), app: fc.constantFrom(...APPS), to: fc.constantFrom(...APPS), port: fc.constantFrom(80, 443) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete-policy" as const), ns: fc.constantFrom(...NS), name: fc.constantFrom("q0", "q1") }) },
  { weight: 1, arbitrary: fc.constant({ kind: "disconnect" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "compact" as const }) },
);

const asStored = (o: LiveObject): Parameters<StandIn["apply"]>[0] => o as unknown as Parameters<StandIn["apply"]>[0];
const byKey = <T>(key: (x: T) => string) => (a: T, b: T): number => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

/** The Cluster with every list in one order (the view keeps arrival order, a fresh decode the server's). */
function normalized(c: Cluster): unknown {
  return {
    namespaces: [...c.namespaces].sort(byKey(([n]) => n)),
    endpoints: [...c.endpoints].sort(byKey((e) => e.id)),
    policies: [...c.policies].sort(byKey((p) => `${p.namespace}/${p.name}`)),
    services: [...c.services].sort(byKey((s) => `${s.namespace}/${s.name}`)),
    nodes: [...(c.nodes ?? [])].sort(byKey((n) => n.name)),
  };
}

test("property: after each quiet period the agent's view equals the server's state and the kernel's table a fresh compile of it", { skip, timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "pcagent-prop-"));
  const [agentNs, referenceNs] = [await createNetns("pcagt"), await createNetns("pcagt")];
  assert.ok(agentNs.ok && referenceNs.ok);
  const api = await startStandIn({ bookmarkIntervalMs: 300, objects: [liveNamespace("a"), liveNamespace("b", { team: "b" }), liveNode("worker-1", "10.244.1.0/24"), liveNode("worker-2", "10.244.2.0/24")].map(asStored) });
  const proxy = new Proxy(Number(new URL(api.url).port));
  await proxy.start();
  const path = join(dir, "kubeconfig");
  writeFileSync(path, api.kubeconfig("admin").replace(api.url, `https://127.0.0.1:${proxy.port}`));
  const config = loadClusterConfig({ kubeconfig: path, env: {} });
  assert.ok(config.ok);
  const watches = kubeWatches(config.value, { reflector: { backoff: { baseMs: 20, capMs: 150, healthyMs: 60_000 }, inactivityMs: 1500, timeoutSeconds: 30 }, transport: { requestTimeoutMs: 2000 } });
  const abort = new AbortController();
  let view: ClusterView | null = null;
  const lines: string[] = [];
  const running = runAgent({
    node: "worker-1",
    netns: agentNs.value,
    audit: false,
    onExit: "keep",
    listen: null,
    engineOptions: () => ENGINE_OPTIONS,
    watches: watches.sources,
    logger: newLogger("json", (line) => lines.push(line)),
    signal: abort.signal,
    debounceMs: 5,
    maxDelayMs: 50,
    verifyMs: 0,
    allowShrink: true,
    onView: (v) => (view = v),
  });
  let podIps = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        for (const s of steps) {
          if (s.kind === "pod") {
            // Addresses unique across pods (as the CNI gives them): a fresh one each time.
            const ip = s.ip === null ? undefined : `10.244.${s.node === "worker-1" ? 1 : 2}.${(++podIps % 250) + 2}`;
            api.apply(asStored(livePod(s.ns, s.name, { labels: { app: s.app }, node: s.node, ...(ip === undefined ? {} : { ip }) })));
          } else if (s.kind === "delete-pod") api.remove("Pod", s.ns, s.name);
          else if (s.kind === "policy") {
            api.apply(asStored(livePolicy(s.ns, s.name, { podSelector: { matchLabels: { app: s.app } }, policyTypes: ["Egress", "Ingress"], egress: [{ to: [{ podSelector: { matchLabels: { app: s.to } } }], ports: [{ port: s.port }] }] })));
          } else if (s.kind === "delete-policy") api.remove("NetworkPolicy", s.ns, s.name);
          else {
            await proxy.stop();
            if (s.kind === "compact") api.compact();
            await new Promise((r) => setTimeout(r, 30));
            await proxy.start();
          }
        }
        // The quiet period: the server's state, decoded afresh, compiled and applied in a namespace of its own.
        const fresh = new ClusterView("worker-1");
        for (const kind of ["Namespace", "Node", "Pod", "NetworkPolicy", "Service"]) for (const o of api.list(kind)) fresh.upsert(trimObject({ ...o, kind } as unknown as LiveObject));
        const expected = fresh.cluster();
        const scope = fresh.nodeScope();
        assert.ok(typeof scope !== "string", String(scope));
        const compiled = compileRuleset(expected, ENGINE_OPTIONS, scope);
        await runNft(["delete", "table", "inet", "portcullis"], referenceNs.value);
        const applied = await applyRuleset(compiled.text, referenceNs.value);
        assert.ok(applied.ok);
        const reference = await listTable(referenceNs.value);
        assert.ok(reference.ok);
        const want = canonicalListing(reference.value);
        let sameView = false;
        let sameTable = false;
        for (let waited = 0; waited < 8000 && !(sameView && sameTable); waited += 50) {
          await new Promise((r) => setTimeout(r, 50));
          sameView = view !== null && sameValue(normalized((view as ClusterView).cluster()), normalized(expected));
          const held = await listTable(agentNs.value);
          sameTable = held.ok && canonicalListing(held.value) === want;
        }
        assert.ok(sameView, `the agent's view differs from the server's state after ${JSON.stringify(steps)}`);
        assert.ok(sameTable, `the kernel's table differs from a fresh compile after ${JSON.stringify(steps)}; last log: ${lines.slice(-3).join("")}`);
      }),
      { numRuns: 20, endOnFailure: true },
    );
  } finally {
    abort.abort();
    await running;
    watches.close();
    await proxy.stop();
    await api.close();
    await deleteNetns(agentNs.value);
    await deleteNetns(referenceNs.value);
    rmSync(dir, { recursive: true, force: true });
  }
});


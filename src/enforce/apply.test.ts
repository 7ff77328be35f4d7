import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { arbClusterChange, arbClusterWithAdmin } from "../conformance/arbitrary.js";
import { compileRuleset } from "../nft/compile.js";
import { diffRulesets } from "../nft/diff.js";
import { ENGINE_OPTIONS, LOCAL_PODS, POD_CIDRS, POLICIES, coredns, db, ipBlock, namesOf, nodeExporter, pending, pod, podsPeer, policy, port, rule, sel, testCluster, tester, webApi, worker } from "../nft/fixture.js";
import type { Cluster, Endpoint } from "../model/cluster.js";
import { labelsOf } from "../model/labels.js";
import { applyRuleset, listTable, readCounters, runNft } from "./nft.js";
import { canUseNetns, canonicalListing, withNetns } from "./test-support.js";

const BASE: readonly Endpoint[] = [webApi, db, worker, tester, coredns, nodeExporter, pending];
const STARTED = pod("production", "pending", { app: "worker" }, ["10.244.1.31"]);
const compile = (endpoints: readonly Endpoint[], policies = POLICIES) =>
  compileRuleset(testCluster(policies, endpoints), ENGINE_OPTIONS, { localPods: endpoints.filter((e) => e !== coredns), podCidrs: POD_CIDRS });
const N = namesOf(compile(BASE).ruleIds);
const canonical = canonicalListing;

function ok<T>(r: { ok: true; value: T } | { ok: false; error: { message: string; stderr: string } }): T {
  assert.ok(r.ok, r.ok ? "" : `${r.error.message}: ${r.error.stderr}`);
  return r.value;
}

test("the compiled ruleset applies in a fresh namespace and lists its sets and elements", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    ok(await applyRuleset(compile(BASE).text, ns));
    const listed = ok(await listTable(ns));
    assert.match(listed, new RegExp(`set ${N.set("egress", "production/web-api-egress")} \\{`));
    assert.match(listed, /10\.244\.1\.20 \. tcp \. 5432/);
    assert.ok(listed.includes(`10.244.1.10 : jump ${N.chain("egress", "production/default-deny-egress", "production/web-api-egress")}`));
    assert.match(listed, /type filter hook forward priority filter; policy accept;/);
  });
});

test("re-applying the same ruleset gives an identical listing", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    const text = compile(BASE).text;
    ok(await applyRuleset(text, ns));
    const first = ok(await listTable(ns));
    ok(await applyRuleset(text, ns));
    assert.equal(ok(await listTable(ns)), first);
  });
});

test("an element-only diff leaves the table as a full apply of the new state would", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    const before = compile(BASE);
    const after = compile(BASE.map((e) => (e === pending ? STARTED : e)));
    ok(await applyRuleset(before.text, ns));
    const diff = diffRulesets(before.ruleset, after.ruleset);
    assert.equal(diff.kind, "elements");
    ok(await applyRuleset(diff.text, ns));
    const patched = ok(await listTable(ns));
    assert.ok(patched.includes(`10.244.1.31 : jump ${N.chain("egress", "production/default-deny-egress")}`));
    ok(await applyRuleset(after.text, ns));
    assert.equal(canonical(patched), canonical(ok(await listTable(ns))));
  });
});

test("a label change moving a pod to another group applies as a map element diff", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    const moved = BASE.map((e) => (e === worker ? { ...worker, labels: labelsOf({ app: "web-api" }) } : e));
    const [before, after] = [compile(BASE), compile(moved)];
    ok(await applyRuleset(before.text, ns));
    const diff = diffRulesets(before.ruleset, after.ruleset);
    assert.equal(diff.kind, "elements");
    ok(await applyRuleset(diff.text, ns));
    const patched = ok(await listTable(ns));
    assert.ok(patched.includes(`10.244.1.30 : jump ${N.chain("egress", "production/default-deny-egress", "production/web-api-egress")}`));
    ok(await applyRuleset(after.text, ns));
    assert.equal(canonical(patched), canonical(ok(await listTable(ns))));
  });
});

/** Changes of structure, each applied as a diff on the table of `before`, then compared with a full apply of `after`. */
const BATCH = policy("production", "batch-egress", sel({ tier: "batch" }), { egress: [rule(0, [ipBlock("192.0.2.0/24")], [port("TCP", 443)])] });
const WITH_BATCH = [...POLICIES, BATCH];
const STRUCTURE_CHANGES: readonly { name: string; before: () => ReturnType<typeof compile>; after: () => ReturnType<typeof compile> }[] = [
  {
    name: "a relabel into a new combination of policies (a new chain and the policy's sets)",
    before: () => compile(BASE, WITH_BATCH),
    after: () => compile(BASE.map((e) => (e === worker ? { ...worker, labels: labelsOf({ app: "worker", tier: "batch" }) } : e)), WITH_BATCH),
  },
  {
    name: "the last pod of a group moving away (its chain and its policy's sets go)",
    before: () => compile(BASE),
    after: () => compile(BASE.map((e) => (e === tester ? { ...tester, namespace: "production", id: "production/tester" } : e))),
  },
  { name: "a policy added", before: () => compile(BASE), after: () => compile(BASE, WITH_BATCH.map((p) => (p === BATCH ? { ...p, podSelector: sel({ app: "db" }) } : p))) },
  { name: "a policy removed", before: () => compile(BASE), after: () => compile(BASE, POLICIES.filter((p) => p.name !== "db-ingress")) },
  {
    name: "a rule's selector peers gain an ipBlock (its hash set becomes an interval set, its chain is re-added)",
    before: () => compile(BASE),
    after: () => compile(BASE, POLICIES.map((p) => (p.name === "db-ingress" ? { ...p, ingress: p.ingress.map((r) => (r.peers === "all" ? r : { ...r, peers: [...r.peers, ipBlock("192.0.2.0/24")] })) } : p))),
  },
  {
    name: "a rule's ipBlock removed, selector peers left (its interval sets become hash sets)",
    before: () => compile(BASE, POLICIES.map((p) => (p.name === "web-api-egress" ? { ...p, egress: p.egress.map((r) => (r.index === 0 && r.peers !== "all" ? { ...r, peers: [...r.peers, ipBlock("192.0.2.0/24")] } : r)) } : p))),
    after: () => compile(BASE),
  },
  {
    name: "a rule's ports removed (its sets change type, its chain is re-added)",
    before: () => compile(BASE),
    after: () => compile(BASE, POLICIES.map((p) => (p.name === "web-api-egress" ? { ...p, egress: p.egress.map((r) => (r.index === 0 ? { ...r, ports: "all" as const } : r)) } : p))),
  },
];

/** Rule handles per chain, from `nft -a list table`. */
function ruleHandles(listing: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let chain = "";
  for (const line of listing.split("\n")) {
    const start = /^\tchain (\S+) \{/.exec(line);
    if (start !== null) chain = start[1] as string;
    const handle = /# handle (\d+)$/.exec(line);
    if (handle !== null && line.startsWith("\t\t")) out.set(chain, [...(out.get(chain) ?? []), handle[1] as string]);
  }
  return out;
}

for (const change of STRUCTURE_CHANGES) {
  test(`${change.name}: applied as an objects diff, the table equals a full apply, and untouched counters survive`, async (t) => {
    if (!(await canUseNetns(t))) return;
    await withNetns(1, async ([ns]) => {
      const [before, after] = [change.before(), change.after()];
      ok(await applyRuleset(before.text, ns));
      const diff = diffRulesets(before.ruleset, after.ruleset);
      assert.equal(diff.kind, "objects");
      assert.ok(!diff.text.includes("delete table"));
      const handlesBefore = ruleHandles(ok(await runNft(["-a", "list", "table", "inet", "portcullis"], ns)));
      ok(await applyRuleset(diff.text, ns));
      const patched = ok(await listTable(ns));
      // A rule keeps its handle (and so its counter) unless its chain was flushed or deleted.
      const touched = new Set([...diff.text.matchAll(/^(?:flush|delete) chain inet portcullis (\S+)$/gm)].map((m) => m[1]));
      const handlesAfter = ruleHandles(ok(await runNft(["-a", "list", "table", "inet", "portcullis"], ns)));
      let kept = 0;
      for (const [chain, handles] of handlesBefore) {
        if (touched.has(chain)) continue;
        assert.deepEqual(handlesAfter.get(chain), handles, `rules of ${chain} untouched`);
        kept += handles.length;
      }
      assert.ok(kept > 10, `${kept} rules kept their handles`);
      ok(await applyRuleset(after.text, ns));
      assert.equal(canonical(patched), canonical(ok(await listTable(ns))));
    });
  });
}

test("a failing script is an error value with nft's stderr, and the applied table stays", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    ok(await applyRuleset(compile(BASE).text, ns));
    const before = ok(await listTable(ns));
    const r = await applyRuleset(`${compile(BASE).text}\nadd element inet portcullis no_such_set { 1.2.3.4 }\n`, ns);
    assert.equal(r.ok, false);
    assert.match(r.ok ? "" : r.error.stderr, /no_such_set|No such file/);
    assert.equal(ok(await listTable(ns)), before, "one transaction: nothing of the failed script applied");
  });
});

test("counters are read per rule id", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withNetns(1, async ([ns]) => {
    ok(await applyRuleset(compile(BASE).text, ns));
    const counters = ok(await readCounters(ns));
    assert.deepEqual(counters.get(N.rule("egress", "production/web-api-egress")), { packets: 0, bytes: 0 });
    assert.ok(counters.has(N.group("ingress", "production/web-api-ingress")) && counters.has("pc:e:unknown"));
  });
  assert.equal(LOCAL_PODS.length, 6);
});

test("random clusters and a change: the diff applied to the old table gives what a full apply of the new state gives", async (t) => {
  if (!(await canUseNetns(t))) return;
  const runs = Number(process.env["PROPERTY_RUNS"] ?? 200) >= 200 ? 12 : 4;
  await withNetns(1, async ([ns]) => {
    await fc.assert(
      fc.asyncProperty(arbClusterChange, fc.boolean(), async ([before, after], matchPods) => {
        const options = { ...ENGINE_OPTIONS, ipBlockMatchesPods: matchPods };
        const [old, next] = [compileRuleset(before, options, { podCidrs: POD_CIDRS }), compileRuleset(after, options, { podCidrs: POD_CIDRS })];
        ok(await applyRuleset(old.text, ns));
        const diff = diffRulesets(old.ruleset, next.ruleset);
        if (diff.kind !== "unchanged") ok(await applyRuleset(diff.text, ns));
        const patched = ok(await listTable(ns));
        ok(await applyRuleset(next.text, ns));
        assert.equal(canonical(patched), canonical(ok(await listTable(ns))), `after a ${diff.kind} diff`);
      }),
      { numRuns: runs },
    );
  });
});

/** A cluster with admin policies and a change of them: one dropped, another cluster, or admin policies where there were none. */
const arbAdminChange: fc.Arbitrary<readonly [Cluster, Cluster]> = fc.oneof(
  fc.tuple(arbClusterWithAdmin, fc.nat()).map(([c, pick]) => {
    const admin = c.adminPolicies ?? [];
    return [c, { ...c, adminPolicies: admin.filter((_, k) => k !== pick % admin.length) }] as const;
  }),
  fc.tuple(arbClusterWithAdmin, arbClusterWithAdmin),
  arbClusterWithAdmin.map((c) => [{ ...c, adminPolicies: [] }, c] as const),
);

test("admin tiers: random clusters with admin policies and a change of them: the ruleset applies, and the diff applied to the old table gives what a full apply of the new state gives (Pass chains come and go)", async (t) => {
  if (!(await canUseNetns(t))) return;
  const runs = Number(process.env["PROPERTY_RUNS"] ?? 200) >= 200 ? 12 : 4;
  await withNetns(1, async ([ns]) => {
    await fc.assert(
      fc.asyncProperty(arbAdminChange, fc.boolean(), async ([before, after], matchPods) => {
        const options = { ...ENGINE_OPTIONS, ipBlockMatchesPods: matchPods };
        const [old, next] = [compileRuleset(before, options, { podCidrs: POD_CIDRS }), compileRuleset(after, options, { podCidrs: POD_CIDRS })];
        ok(await applyRuleset(old.text, ns));
        const diff = diffRulesets(old.ruleset, next.ruleset);
        if (diff.kind !== "unchanged") ok(await applyRuleset(diff.text, ns));
        const patched = ok(await listTable(ns));
        ok(await applyRuleset(next.text, ns));
        assert.equal(canonical(patched), canonical(ok(await listTable(ns))), `after a ${diff.kind} diff`);
      }),
      { numRuns: runs },
    );
  });
});

test("a concatenated interval set (an endPort rule) that loses 80 elements is flushed and filled again in the diff: the table equals a full apply of the new state", async (t) => {
  if (!(await canUseNetns(t))) return;
  const clients = Array.from({ length: 80 }, (_, k) => pod("production", `client-${k}`, { app: "client" }, [`10.244.3.${2 * k + 1}`]));
  const fromClients = policy("production", "db-from-clients", sel({ app: "db" }), { ingress: [rule(0, [podsPeer(sel({ app: "client" }))], [port("TCP", { kind: "range", from: 5432, to: 5433 })])] });
  const at = (all: readonly Endpoint[]) => compileRuleset(testCluster([...POLICIES, fromClients], all), ENGINE_OPTIONS, { localPods: [webApi, db], podCidrs: POD_CIDRS });
  const before = at([...BASE, ...clients]);
  const after = at([...BASE, ...clients.slice(0, 1)]);
  await withNetns(1, async ([ns]) => {
    ok(await applyRuleset(before.text, ns));
    const diff = diffRulesets(before.ruleset, after.ruleset);
    assert.match(diff.text, /^flush set inet portcullis i_\w+_v4$/m);
    ok(await applyRuleset(diff.text, ns));
    const patched = ok(await listTable(ns));
    ok(await applyRuleset(after.text, ns));
    assert.equal(canonical(patched), canonical(ok(await listTable(ns))));
  });
});

test("a hash set (selector peers, one port) that loses 79 of 80 elements: deleted one by one in the diff, and the table equals a full apply of the new state", async (t) => {
  if (!(await canUseNetns(t))) return;
  const clients = Array.from({ length: 80 }, (_, k) => pod("production", `client-${k}`, { app: "client" }, [`10.244.3.${2 * k + 1}`]));
  const fromClients = policy("production", "db-from-clients", sel({ app: "db" }), { ingress: [rule(0, [podsPeer(sel({ app: "client" }))], [port("TCP", 5432)])] });
  const at = (all: readonly Endpoint[]) => compileRuleset(testCluster([...POLICIES, fromClients], all), ENGINE_OPTIONS, { localPods: [webApi, db], podCidrs: POD_CIDRS });
  const before = at([...BASE, ...clients]);
  const after = at([...BASE, ...clients.slice(0, 1)]);
  await withNetns(1, async ([ns]) => {
    ok(await applyRuleset(before.text, ns));
    const diff = diffRulesets(before.ruleset, after.ruleset);
    assert.ok(diff.kind === "elements", diff.kind);
    assert.doesNotMatch(diff.text, /^flush set/m);
    assert.match(diff.text, /^delete element inet portcullis i_\w+_v4 \{\n\t10\.244\.3\.3 \. tcp \. 5432,/m);
    ok(await applyRuleset(diff.text, ns));
    const patched = ok(await listTable(ns));
    ok(await applyRuleset(after.text, ns));
    assert.equal(canonical(patched), canonical(ok(await listTable(ns))));
  });
});

test("ingress named ports (two-step: peers set, then a daddr . proto . port hash set): a local pod leaving deletes its one element, and the table equals a full apply", async (t) => {
  if (!(await canUseNetns(t))) return;
  const clients = Array.from({ length: 80 }, (_, k) => pod("production", `client-${k}`, { app: "client" }, [`10.244.3.${2 * k + 1}`]));
  const fromClients = policy("production", "db-from-clients", sel({ app: "db" }), { ingress: [rule(0, [podsPeer(sel({ app: "client" }))], [port("TCP", "pg")])] });
  const db2 = pod("production", "db-2", { app: "db" }, ["10.244.1.21"], [{ name: "pg", port: 5432, protocol: "TCP" }]);
  const all = [...BASE, ...clients, db2];
  const at = (local: readonly Endpoint[]) => compileRuleset(testCluster([...POLICIES, fromClients], all), ENGINE_OPTIONS, { localPods: local, podCidrs: POD_CIDRS });
  const before = at([webApi, db, db2]);
  const after = at([webApi, db]);
  await withNetns(1, async ([ns]) => {
    ok(await applyRuleset(before.text, ns));
    const diff = diffRulesets(before.ruleset, after.ruleset);
    assert.match(diff.text, /^delete element inet portcullis i_\w+_named_v4 \{\n\t10\.244\.1\.21 \. tcp \. 5432\n\}$/m);
    ok(await applyRuleset(diff.text, ns));
    const patched = ok(await listTable(ns));
    ok(await applyRuleset(after.text, ns));
    assert.equal(canonical(patched), canonical(ok(await listTable(ns))));
  });
});

test("a family flip (issue 10): the first IPv6 pod of a v4-only cluster is an objects diff the kernel takes (IPv6 sets come, the base chain is flushed and written again), leaving the table a full apply gives; the last IPv6 pod going takes them away again", async (t) => {
  if (!(await canUseNetns(t))) return;
  const v4Web: Endpoint = { ...webApi, ips: webApi.ips.filter((a) => a.family === 4) };
  const v4Policies = POLICIES.map((p) => ({ ...p, egress: p.egress.map((r) => (r.peers === "all" ? r : { ...r, peers: r.peers.filter((x) => x.kind !== "ipBlock" || x.cidr.family === 4) })) }));
  const v4Endpoints = BASE.map((e) => (e === webApi ? v4Web : e));
  const local = (endpoints: readonly Endpoint[]) => compileRuleset(testCluster(v4Policies, endpoints), ENGINE_OPTIONS, { localPods: endpoints.filter((e) => e !== coredns), podCidrs: POD_CIDRS.filter((c) => c.family === 4) });
  const v4 = local(v4Endpoints);
  const dual = local([...v4Endpoints, pod("staging", "ext6", { app: "ext6" }, ["fd00:2::7"])]);
  await withNetns(1, async ([ns]) => {
    ok(await applyRuleset(v4.text, ns));
    assert.doesNotMatch(ok(await listTable(ns)), /_v6|ip6 /);
    for (const [from, to] of [[v4, dual], [dual, v4]] as const) {
      const diff = diffRulesets(from.ruleset, to.ruleset);
      assert.equal(diff.kind, "objects");
      ok(await applyRuleset(diff.text, ns));
      const patched = ok(await listTable(ns));
      assert.equal(/ip6 saddr vmap @egress_v6/.test(patched), to === dual);
      ok(await applyRuleset(to.text, ns));
      assert.equal(canonical(patched), canonical(ok(await listTable(ns))));
    }
  });
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ENGINE_OPTIONS } from "../nft/fixture.js";
import { type EnforceEvent, enforceLoop } from "./loop.js";
import { listTable, listTableTerse, runNft } from "./nft.js";
import { canUseNetns, canonicalListing, withNetns } from "./test-support.js";

const POLICY = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { namespace: production, name: default-deny-egress }
spec: { podSelector: {}, policyTypes: [Egress] }
`;
const WEB_EGRESS = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { namespace: production, name: web-egress }
spec:
  podSelector: { matchLabels: { app: web } }
  policyTypes: [Egress]
  egress: [{ to: [{ ipBlock: { cidr: 203.0.113.0/24 } }], ports: [{ port: 443 }] }]
`;
const podYaml = (name: string, ip: string): string => `apiVersion: v1
kind: Pod
metadata: { namespace: production, name: ${name}, labels: { app: ${name} } }
spec: { containers: [{ name: c, image: x }] }
status: { podIP: ${ip} }
`;

/** Waits (bounded) until an event after `from` satisfies `match`. */
async function waitFor(events: EnforceEvent[], from: number, match: (e: EnforceEvent) => boolean, timeoutMs = 5000): Promise<EnforceEvent> {
  for (let waited = 0; waited <= timeoutMs; waited += 20) {
    const hit = events.slice(from).find(match);
    if (hit !== undefined) return hit;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.fail(`no matching event within ${timeoutMs} ms: ${JSON.stringify(events.slice(from))}`);
}

test("enforce once: load, compile and apply the files", async (t) => {
  if (!(await canUseNetns(t))) return;
  const dir = mkdtempSync(join(tmpdir(), "pcnft-"));
  try {
    writeFileSync(join(dir, "policy.yaml"), POLICY);
    writeFileSync(join(dir, "pods.yaml"), podYaml("web", "10.244.1.10"));
    await withNetns(1, async ([ns]) => {
      const events: EnforceEvent[] = [];
      const r = await enforceLoop({ paths: [dir], netns: ns as string, engineOptions: () => ENGINE_OPTIONS, onEvent: (e) => events.push(e) });
      assert.equal(events[0]?.kind === "applied" ? events[0].change : events[0]?.kind, "replace");
      assert.equal(r.applied?.stats.chains, 4);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * A watching enforcer over a fresh directory (the policy and one pod) and a fresh namespace, both
 * removed afterwards; `fn` runs once the first table is applied.
 */
async function withWatchedLoop(extra: Partial<Parameters<typeof enforceLoop>[0]>, fn: (dir: string, ns: string, events: EnforceEvent[]) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "pcnft-"));
  const stop = new AbortController();
  try {
    writeFileSync(join(dir, "policy.yaml"), POLICY);
    writeFileSync(join(dir, "pods.yaml"), podYaml("web", "10.244.1.10"));
    await withNetns(1, async ([ns]) => {
      const events: EnforceEvent[] = [];
      const loop = enforceLoop({ paths: [dir], watch: true, netns: ns as string, engineOptions: () => ENGINE_OPTIONS, signal: stop.signal, onEvent: (e) => events.push(e), ...extra });
      try {
        await waitFor(events, 0, (e) => e.kind === "applied");
        await fn(dir, ns as string, events);
      } finally {
        stop.abort();
        await loop;
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("watch: a new pod file is applied as element changes, a policy file as objects, each within a second; a broken file keeps the last state", async (t) => {
  if (!(await canUseNetns(t))) return;
  // Removing web-egress below takes 2 of the 3 enforced ids: allowed here, to test the diff.
  await withWatchedLoop({ maxShrinkPercent: 100 }, async (dir, ns, events) => {
    const mark = events.length;
    const written = performance.now();
    writeFileSync(join(dir, "more.yaml"), podYaml("api", "10.244.1.11"));
    const applied = await waitFor(events, mark, (e) => e.kind === "applied");
    const ms = performance.now() - written;
    assert.equal(applied.kind === "applied" ? applied.change : "", "elements");
    assert.ok(ms < 1000, `applied ${Math.round(ms)} ms after the change`);
    t.diagnostic(`applied ${Math.round(ms)} ms after the file was written (debounce 200 ms)`);
    const listed = await listTable(ns);
    assert.match(listed.ok ? listed.value : "", /10\.244\.1\.11 : jump eg_g[0-9a-f]{12}/);

    // A policy file: new sets and a new chain for web's new group, sent as objects, not a new table.
    const policyMark = events.length;
    const policyWritten = performance.now();
    writeFileSync(join(dir, "web-egress.yaml"), WEB_EGRESS);
    const policyApplied = await waitFor(events, policyMark, (e) => e.kind === "applied");
    const policyMs = performance.now() - policyWritten;
    assert.equal(policyApplied.kind === "applied" ? policyApplied.change : "", "objects");
    assert.deepEqual(policyApplied.kind === "applied" ? policyApplied.objects?.chains : null, { added: 1, removed: 0, changed: 0 });
    assert.ok(policyMs < 1000, `policy applied ${Math.round(policyMs)} ms after the change`);
    t.diagnostic(`policy applied ${Math.round(policyMs)} ms after the file was written`);
    const withPolicy = await listTable(ns);
    // The ipBlock rule's addresses in its peer set, its port in the rule (docs/enforcement.md).
    assert.match(withPolicy.ok ? withPolicy.value : "", /203\.0\.113\.0\/24 \. 0-255/);
    assert.match(withPolicy.ok ? withPolicy.value : "", /meta l4proto \. th dport \{ tcp \. 443 \}/);
    rmSync(join(dir, "web-egress.yaml"));
    const removed = await waitFor(events, events.length, (e) => e.kind === "applied");
    assert.equal(removed.kind === "applied" ? removed.change : "", "objects", "a policy removed: objects again");

    const broken = events.length;
    writeFileSync(join(dir, "broken.yaml"), "kind: NetworkPolicy\nmetadata: { name: x, namespace: production }\nspec: { podSelector: 3 }\n");
    await waitFor(events, broken, (e) => e.kind === "load-failed");
    const after = await listTable(ns);
    assert.equal(canonicalListing(after.ok ? after.value : ""), canonicalListing(listed.ok ? listed.value : "x"), "the last applied table stays");
  });
});

test("watch: a table deleted or flushed behind the enforcer's back is found and applied again", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withWatchedLoop({ verifyMs: 150 }, async (_dir, ns, events) => {
    const applied = await listTable(ns);
    for (const [what, args, detail] of [
      ["deleted", ["delete", "table", "inet", "portcullis"], /^table inet portcullis is gone$/],
      ["flushed", ["flush", "table", "inet", "portcullis"], /^chain forward has 0 of its \d+ rules$/],
    ] as const) {
      const mark = events.length;
      const r = await runNft(args, ns);
      assert.ok(r.ok, `nft ${args.join(" ")}`);
      const drift = await waitFor(events, mark, (e) => e.kind === "drift");
      assert.match(drift.kind === "drift" ? drift.detail : "", detail, what);
      const again = await waitFor(events, mark, (e) => e.kind === "applied");
      assert.equal(again.kind === "applied" ? again.change : "", "replace");
      const listed = await listTable(ns);
      assert.equal(canonicalListing(listed.ok ? listed.value : ""), canonicalListing(applied.ok ? applied.value : "x"), `the table is back after being ${what}`);
    }
    const quiet = events.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(events.slice(quiet), [], "a table as applied is left alone");
  });
});

test("watch: the kernel check runs beside the cycles and never takes a table written while it read for drift (which would put the old rules back)", async (t) => {
  if (!(await canUseNetns(t))) return;
  // The check's read is held 300 ms before nft lists the table, so a policy removed meanwhile is
  // gone from the listing but not from the ruleset the check started from: the check must let it pass.
  let reads = 0;
  const slowRead: typeof listTableTerse = async (netns) => {
    reads++;
    await new Promise((resolve) => setTimeout(resolve, 300));
    return listTableTerse(netns);
  };
  await withWatchedLoop({ verifyMs: 50, debounceMs: 20, readTable: slowRead, maxShrinkPercent: 100, allowShrink: true }, async (dir, ns, events) => {
    const mark = events.length;
    const applied = async (change: () => void): Promise<void> => {
      const before = events.length;
      change();
      await waitFor(events, before, (e) => e.kind === "applied");
      await new Promise((resolve) => setTimeout(resolve, 120));
    };
    // A pod and a policy of its own each: a chain of its own, which the check compares.
    const file = (k: number): string => join(dir, `pod-${k}.yaml`);
    const policy = (k: number): string => WEB_EGRESS.replace("web-egress", `p${k}-egress`).replace("app: web", `app: p${k}`);
    for (let k = 0; k < 4; k++) await applied(() => writeFileSync(file(k), `${podYaml(`p${k}`, `10.244.2.${10 + k}`)}---\n${policy(k)}`));
    for (let k = 0; k < 4; k++) await applied(() => rmSync(file(k)));
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.ok(reads >= 5, `the check read the table ${reads} times`);
    assert.deepEqual(
      events.slice(mark).filter((e) => e.kind === "drift"),
      [],
      "no drift reported for the enforcer's own writes",
    );
    const listed = await listTable(ns);
    assert.doesNotMatch(listed.ok ? listed.value : "", /10\.244\.2\.1[0-3]/, "the removed pods' rules stay removed");
  });
});

const canonical = (r: Awaited<ReturnType<typeof listTable>>): string => (r.ok ? canonicalListing(r.value) : `no table: ${r.error.message}`);

test("enforce once: input that drops every enforced policy, or more than maxShrinkPercent of the enforced ids, is refused and the table stays; allowShrink applies it", async (t) => {
  if (!(await canUseNetns(t))) return;
  const dir = mkdtempSync(join(tmpdir(), "pcnft-"));
  try {
    writeFileSync(join(dir, "policy.yaml"), POLICY);
    writeFileSync(join(dir, "web-egress.yaml"), WEB_EGRESS);
    writeFileSync(join(dir, "pods.yaml"), podYaml("web", "10.244.1.10") + "---\n" + podYaml("api", "10.244.1.11"));
    await withNetns(1, async ([ns]) => {
      const once = async (extra: Partial<Parameters<typeof enforceLoop>[0]> = {}): Promise<EnforceEvent[]> => {
        const events: EnforceEvent[] = [];
        await enforceLoop({ paths: [dir], netns: ns as string, engineOptions: () => ENGINE_OPTIONS, onEvent: (e) => events.push(e), ...extra });
        return events;
      };
      assert.deepEqual((await once()).map((e) => e.kind), ["applied"]);
      const applied = canonical(await listTable(ns));

      // Each run starts afresh: what is enforced is read from the kernel's table (3 ids: two groups, one rule).
      rmSync(join(dir, "policy.yaml"));
      rmSync(join(dir, "web-egress.yaml"));
      const dropped = await once();
      assert.deepEqual(dropped, [{ kind: "shrink-refused", before: 3, after: 0, percent: 100, maxPercent: 50, all: true }]);
      assert.equal(canonical(await listTable(ns)), applied, "the table stays");

      writeFileSync(join(dir, "policy.yaml"), POLICY);
      const shrunk = await once();
      assert.deepEqual(shrunk, [{ kind: "shrink-refused", before: 3, after: 1, percent: 67, maxPercent: 50, all: false }]);
      assert.equal(canonical(await listTable(ns)), applied, "the table stays");
      assert.deepEqual((await once({ maxShrinkPercent: 70 })).map((e) => e.kind), ["applied"], "within a higher threshold");

      rmSync(join(dir, "policy.yaml"));
      assert.equal((await once({ maxShrinkPercent: 100 }))[0]?.kind, "shrink-refused", "dropping everything needs allowShrink");
      assert.deepEqual((await once({ allowShrink: true })).map((e) => e.kind), ["applied"]);
      assert.doesNotMatch(canonical(await listTable(ns)), /chain eg_g/, "with allowShrink: no pod isolated any more");
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("watch: a policy file truncated to 0 bytes is a load failure, a policy file removed is a refused shrink; both reported as events, the table unchanged", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withWatchedLoop({}, async (dir, ns, events) => {
    const applied = canonical(await listTable(ns));
    const truncated = events.length;
    truncateSync(join(dir, "policy.yaml"), 0);
    const failed = await waitFor(events, truncated, (e) => e.kind !== "denial");
    assert.equal(failed.kind, "load-failed");
    assert.deepEqual(failed.kind === "load-failed" ? failed.diagnostics.map((d) => [d.code, d.at?.file]) : [], [["no-objects", join(dir, "policy.yaml")]]);
    assert.equal(canonical(await listTable(ns)), applied, "the table stays after truncation");

    const removed = events.length;
    rmSync(join(dir, "policy.yaml"));
    const refused = await waitFor(events, removed, (e) => e.kind !== "denial");
    assert.deepEqual(refused, { kind: "shrink-refused", before: 1, after: 0, percent: 100, maxPercent: 50, all: true });
    assert.equal(canonical(await listTable(ns)), applied, "the table stays after removal");

    const restored = events.length;
    writeFileSync(join(dir, "policy.yaml"), POLICY);
    const back = await waitFor(events, restored, (e) => e.kind !== "denial");
    assert.deepEqual(back.kind === "applied" ? back.change : back.kind, "unchanged", "the policy back: the table as applied");
  });
});

const GUARDRAIL = (cidr: string): string => `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: { name: deny-metadata }
spec:
  tier: Admin
  priority: 10
  subject: { namespaces: {} }
  egress: [{ name: block-imds, action: Deny, to: [{ networks: [${cidr}] }] }]
`;

test("watch: an admin policy file is enforced: written, it is applied as objects; its CIDR changed, as another shared address set (issue 13: `networks` sets are named by their CIDRs) applied incrementally, the old address gone", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withWatchedLoop({}, async (dir, ns, events) => {
    const mark = events.length;
    writeFileSync(join(dir, "guardrail.yaml"), GUARDRAIL("169.254.169.254/32"));
    const applied = await waitFor(events, mark, (e) => e.kind === "applied" || e.kind === "load-failed");
    assert.equal(applied.kind === "applied" ? applied.change : applied.kind, "objects");
    const listed = await listTable(ns);
    assert.ok(listed.ok);
    assert.match(listed.value, /169\.254\.169\.254/);
    assert.match(listed.value, /counter packets 0 bytes 0 drop comment "pc:e:[0-9a-f]{12}"/);
    const changed = events.length;
    writeFileSync(join(dir, "guardrail.yaml"), GUARDRAIL("100.100.100.200/32"));
    const moved = await waitFor(events, changed, (e) => e.kind === "applied" || e.kind === "load-failed");
    assert.equal(moved.kind === "applied" ? moved.change : moved.kind, "objects");
    const after = await listTable(ns);
    assert.ok(after.ok);
    assert.match(after.value, /set e_[0-9a-f]{12}_peers_v4 \{[^}]*100\.100\.100\.200/);
    assert.doesNotMatch(after.value, /169\.254\.169\.254/);
  });
});

test("watch: an element deleted by hand (nft delete element) makes the next diff fail in the nft session; the cycle replaces the table whole and says so", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withWatchedLoop({ verifyMs: 0 }, async (dir, ns, events) => {
    writeFileSync(join(dir, "more.yaml"), podYaml("api", "10.244.1.11"));
    const added = await waitFor(events, events.length, (e) => e.kind === "applied");
    assert.equal(added.kind === "applied" ? added.change : "", "elements");
    const r = await runNft(["delete", "element", "inet", "portcullis", "self_v4", "{", "10.244.1.11", ".", "10.244.1.11", "}"], ns);
    assert.ok(r.ok, r.ok ? "" : r.error.stderr);
    // The pod goes: the diff deletes its elements, one of which is no longer there.
    const mark = events.length;
    rmSync(join(dir, "more.yaml"));
    const replaced = await waitFor(events, mark, (e) => e.kind === "applied" || e.kind === "apply-failed");
    assert.equal(replaced.kind === "applied" ? replaced.change : replaced.kind, "replace");
    const listed = await listTable(ns);
    assert.doesNotMatch(listed.ok ? listed.value : "10.244.1.11", /10\.244\.1\.11/);
    assert.match(listed.ok ? listed.value : "", /10\.244\.1\.10 \. 10\.244\.1\.10/);
  });
});

test("watch: with an nft session that cannot start (no writable temp directory: a read-only root filesystem without its /tmp volume; here /proc), every diff is applied through nft -f instead, and an applied event means the kernel holds it", async (t) => {
  if (!(await canUseNetns(t))) return;
  await withWatchedLoop({ verifyMs: 0, nftSession: { parent: "/proc" } }, async (dir, ns, events) => {
    for (const [k, ip] of ["10.244.1.11", "10.244.1.12", "10.244.1.13", "10.244.1.14"].entries()) {
      const mark = events.length;
      writeFileSync(join(dir, `more-${k}.yaml`), podYaml(`api-${k}`, ip));
      const applied = await waitFor(events, mark, (e) => e.kind === "applied" || e.kind === "apply-failed");
      assert.equal(applied.kind === "applied" ? applied.change : applied.kind, "elements", `pod ${k}`);
      const listed = await listTable(ns);
      assert.ok(listed.ok && listed.value.includes(`${ip} . ${ip}`), `pod ${k} is in the kernel when reported applied`);
    }
  });
});

test("watch with idleGc: a collection runs once the loop has been quiet quietMs after a cycle, never during one; the next applied event says how long it took and how long before the cycle it ended", async (t) => {
  if (!(await canUseNetns(t))) return;
  const collections: number[] = [];
  const idleGc = { policy: { quietMs: 20, minGrowthBytes: 0, minGrowthRatio: 0 }, collect: () => void collections.push(performance.now()) };
  const heard: number[] = [];
  await withWatchedLoop({ idleGc, onIdleGc: (c) => heard.push(c.endedAt) }, async (dir, _ns, events) => {
    const firstAt = performance.now();
    for (let waited = 0; collections.length === 0 && waited < 3000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    assert.equal(collections.length, 1, "one idle collection after the first apply");
    assert.equal(heard.length, 1);
    const mark = events.length;
    const written = performance.now();
    writeFileSync(join(dir, "more.yaml"), podYaml("api", "10.244.1.11"));
    const applied = await waitFor(events, mark, (e) => e.kind === "applied");
    const appliedAt = performance.now();
    assert.ok(applied.kind === "applied" && applied.idleGc !== undefined, "the cycle after an idle collection carries it");
    if (applied.kind !== "applied" || applied.idleGc === undefined) return;
    // The collection ended before the file was written; the cycle began after it (debounce 200 ms).
    assert.ok(applied.idleGc.beforeMs >= written - (collections[0] as number) - 1, `beforeMs ${applied.idleGc.beforeMs}`);
    // Never inside a cycle: each collection lies outside [end - ms, end] of every applied cycle.
    await new Promise((r) => setTimeout(r, 100));
    const cycleEnd = appliedAt;
    const cycleStart = cycleEnd - applied.ms;
    for (const at of collections) assert.ok(at < cycleStart || at > written, `a collection at ${at - firstAt} ms inside the cycle ${cycleStart - firstAt}-${cycleEnd - firstAt}`);
    assert.equal(collections.length, 2, "one more after the second cycle");
  });
});

/**
 * Real packets through the compiled ruleset: a router namespace holds the table, three pod
 * namespaces hold the test cluster's pods and a fourth an outside host. TCP connects either connect
 * or time out (bounded); counters and traced denials show which rule decided. Both datapath shapes
 * (issue 10: "Works beside the cluster's CNI on both datapath shapes: routed veths … and a Linux
 * bridge (cni0 of Flannel / bridge plugin, same-node traffic bridged)"), with the same expectations:
 * on the bridge, web-api → db, tester → db, tester → worker and the unknown addresses' probes are
 * same-node pairs that never touch the router's IP routing.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { compileRuleset } from "../nft/compile.js";
import type { Denial } from "../nft/describe.js";
import { renderDenial } from "../nft/describe.js";
import { ENGINE_OPTIONS, LOCAL_PODS, POD_CIDRS, namesOf, testCluster } from "../nft/fixture.js";
import type { Counter } from "../nft/counters.js";
import { checkDatapath, datapathMessage, type DatapathCheck } from "./datapath.js";
import { type Probe, type ProbeOutcome, type Topology, bridgeNetfilter, listen, probe, wire } from "./mini-lab.js";
import { createNetns, deleteNetns, netnsSupport } from "./netns.js";
import { applyRuleset, readCounters } from "./nft.js";
import { bridgePreflight } from "../lab/preflight.js";
import { type DenialFollower, followDenials } from "./trace.js";

const support = await netnsSupport();
const skip = support.ok ? false : support.reason;
const bridge = bridgePreflight();
const bridgeSkip = skip !== false ? skip : bridge.ok ? false : bridge.reason;

test("bridge packet tests run in CI (br_netfilter loaded)", { skip: process.env["CI"] === "true" ? false : "not CI" }, () => {
  assert.equal(bridgeSkip, false);
});

test("packet tests run in CI", { skip: process.env["CI"] === "true" ? false : "not CI" }, () => {
  assert.ok(support.ok, `namespace tests must run in CI: ${support.reason}`);
});

const compiled = compileRuleset(testCluster(), ENGINE_OPTIONS, { localPods: LOCAL_PODS, podCidrs: POD_CIDRS });
const N = namesOf(compiled.ruleIds);
const WEB_EGRESS = "production/web-api-egress";

// A: web-api, worker and an address of the pod CIDR no pod has; B: db; C: tester and an IPv6 address of
// the pod CIDR no pod has; D: an outside host (routed in both topologies).
const WEB = "10.244.1.10";
const WEB6 = "fd00:1::10";
const WORKER = "10.244.1.30";
const UNKNOWN = "10.244.1.99";
const DB = "10.244.1.20";
const TESTER = "10.244.1.40";
const UNKNOWN6 = "fd00:1::99";
const OUTSIDE = "203.0.113.9";
const OUTSIDE6 = "2001:db8::9";

for (const topology of ["routed", "bridge"] as const) packetSuite(topology);

function packetSuite(topology: Topology): void {
describe(`real packets through the ruleset, ${topology} datapath`, { skip: topology === "bridge" ? bridgeSkip : skip }, () => {
  const names: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  const denials: Denial[] = [];
  let follower: DenialFollower | undefined;
  const results = new Map<string, ProbeOutcome>();
  const control = new Map<string, ProbeOutcome>();
  let counters: ReadonlyMap<string, Counter> = new Map();
  const checks: DatapathCheck[] = [];
  /** Bridge only: the same-node probes again with br_netfilter's sysctls at 0, then the check, and the sysctls back at 1. */
  const bypass = new Map<string, ProbeOutcome>();
  const bypassChecks: DatapathCheck[] = [];

  const ok = <T>(r: { ok: true; value: T } | { ok: false; error: { message: string; stderr: string } }): T => {
    assert.ok(r.ok, r.ok ? "" : `${r.error.message}: ${r.error.stderr}`);
    return r.value;
  };
  const key = (p: Probe): string => `${p.from} -> ${p.to}:${p.port}`;

  before(async () => {
    for (let k = 0; k < 5; k++) names.push(ok(await createNetns()));
    const [router, a, b, c, d] = names as [string, string, string, string, string];
    ok(await wire(router, [
      { netns: a, addresses: [WEB, WORKER, UNKNOWN, WEB6] },
      { netns: b, addresses: [DB] },
      { netns: c, addresses: [TESTER, UNKNOWN6] },
      { netns: d, addresses: [OUTSIDE, OUTSIDE6], outside: true },
    ], topology));
    const fromA: Probe[] = [
      { from: WEB, to: DB, port: 5432 },
      { from: WEB, to: DB, port: 5433 },
      { from: WEB, to: OUTSIDE, port: 443 },
      { from: WEB, to: OUTSIDE, port: 80 },
      { from: WEB6, to: OUTSIDE6, port: 443 },
      { from: WEB6, to: OUTSIDE6, port: 444 },
      { from: WORKER, to: OUTSIDE, port: 443 },
      { from: UNKNOWN, to: OUTSIDE, port: 443 },
      { from: UNKNOWN, to: DB, port: 5432 },
    ];
    const fromC: Probe[] = [
      { from: TESTER, to: DB, port: 5432 },
      { from: TESTER, to: WORKER, port: 8080 },
      { from: UNKNOWN6, to: WEB6, port: 8080 },
    ];
    const fromD: Probe[] = [
      { from: OUTSIDE, to: WEB, port: 8080 },
      { from: OUTSIDE, to: WEB, port: 8081 },
    ];
    for (const [ns, ports] of [[a, [8080, 8081]], [b, [5432, 5433]], [d, [80, 443, 444]]] as const) stops.push(ok(await listen(ns, ports)).stop);
    const run = async (into: Map<string, ProbeOutcome>, which: readonly (readonly [string, readonly Probe[]])[] = [[a, fromA], [c, fromC], [d, fromD]]): Promise<void> => {
      for (const [ns, probes] of which) {
        ok(await probe(ns, probes)).forEach((outcome, k) => into.set(key(probes[k] as Probe), outcome));
      }
    };
    await run(control);
    checks.push(await checkDatapath(router));
    ok(await applyRuleset(compiled.text, router));
    follower = followDenials({ netns: router, ruleIds: () => compiled.ruleIds, onDenial: (d) => denials.push(d) });
    await follower.ready;
    await run(results);
    counters = ok(await readCounters(router));
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the last trace lines arrive
    if (topology === "bridge") {
      ok(await bridgeNetfilter(router, false));
      try {
        bypassChecks.push(await checkDatapath(router));
        await run(bypass, [[a, fromA], [c, fromC]]);
      } finally {
        ok(await bridgeNetfilter(router, true));
      }
      bypassChecks.push(await checkDatapath(router));
    }
  });

  after(async () => {
    await follower?.stop();
    for (const stop of stops) await stop();
    for (const name of names) await deleteNetns(name);
  });

  const outcome = (from: string, to: string, port: number): ProbeOutcome | undefined => results.get(key({ from, to, port }));
  const packets = (id: string): number => counters.get(id)?.packets ?? 0;

  test("without the table every probe connects: the topology carries them all", () => {
    assert.equal(control.size, 14, JSON.stringify([...control]) + JSON.stringify([...results]));
    assert.deepEqual([...new Set(control.values())], ["connected"], JSON.stringify([...control]) + JSON.stringify([...results]));
  });

  test("egress named port: web-api reaches db on the port db's container names pg", () => {
    assert.equal(outcome(WEB, DB, 5432), "connected");
    assert.ok(packets(N.rule("egress", WEB_EGRESS, 0)) > 0, "allowed by web-api-egress rule 0");
    assert.ok(packets(N.rule("ingress", "production/db-ingress", 0)) > 0, "and by db-ingress rule 0");
  });

  test("egress isolated: a port no rule allows is dropped, and the trace names why", () => {
    assert.equal(outcome(WEB, DB, 5433), "timeout");
    assert.ok(
      denials.map(renderDenial).includes(
        "denied production/web-api -> production/db:5433/TCP: egress isolated by production/default-deny-egress, production/web-api-egress, no rule allows port 5433",
      ),
      denials.map(renderDenial).join("\n"),
    );
  });

  test("ipBlock 0.0.0.0/0 except 10.0.0.0/8 admits an outside address on 443 only", () => {
    assert.deepEqual([outcome(WEB, OUTSIDE, 443), outcome(WEB, OUTSIDE, 80)], ["connected", "timeout"]);
    assert.ok(packets(N.rule("egress", WEB_EGRESS, 2)) > 0);
  });

  test("IPv6: ipBlock ::/0 except fd00::/8 admits 2001:db8::9 on 443 only", () => {
    assert.deepEqual([outcome(WEB6, OUTSIDE6, 443), outcome(WEB6, OUTSIDE6, 444)], ["connected", "timeout"]);
  });

  test("a pod isolated by a policy without egress rules reaches nothing", () => {
    assert.equal(outcome(WORKER, OUTSIDE, 443), "timeout");
    assert.ok(packets(N.group("egress", "production/default-deny-egress")) > 0, "dropped by the default deny of worker's group");
  });

  test("fail closed: an address of the node's pod CIDR that no known pod holds is dropped, to the outside and to a same-node pod, IPv4 and IPv6", () => {
    assert.deepEqual([outcome(UNKNOWN, OUTSIDE, 443), outcome(UNKNOWN, DB, 5432), outcome(UNKNOWN6, WEB6, 8080)], ["timeout", "timeout", "timeout"]);
    assert.ok(packets("pc:e:unknown") > 0);
  });

  test(`the start-time datapath check: ${topology === "routed" ? "no bridge with pod veths, routed" : "pods bridged on cni0, br_netfilter on: bridge, ok"}`, () => {
    assert.deepEqual(checks.map((c) => (c.ok ? c.datapath : c.problems)), [topology]);
    if (topology === "bridge") assert.deepEqual(checks[0]?.bridges.map((b) => [b.name, b.ports.length]), [["cni0", 3]]);
  });

  test("egress allowed (audit) does not skip the destination's ingress isolation", () => {
    assert.equal(outcome(TESTER, DB, 5432), "timeout");
    assert.ok(packets(N.group("ingress", "production/db-ingress")) > 0, "dropped by db's ingress default deny");
  });

  test("audit mode logs and accepts; a pod without ingress policy accepts", () => {
    assert.equal(outcome(TESTER, WORKER, 8080), "connected");
    assert.ok(packets(N.group("egress", "staging/audit-egress")) > 0, "the audited default deny counted it");
  });

  test("ingress named port: anyone reaches web-api on its http container port only", () => {
    assert.deepEqual([outcome(OUTSIDE, WEB, 8080), outcome(OUTSIDE, WEB, 8081)], ["connected", "timeout"]);
    assert.ok(packets(N.rule("ingress", "production/web-api-ingress", 0)) > 0 && packets(N.group("ingress", "production/web-api-ingress")) > 0);
  });

  if (topology === "bridge") {
    test("without br_netfilter's sysctls the check reports the problem, and same-node pod traffic bypasses the rules (routed traffic does not)", () => {
      const [off, on] = bypassChecks;
      assert.ok(off !== undefined && !off.ok, JSON.stringify(off));
      assert.deepEqual(off.problems.map(datapathMessage), [
        "pods are bridged on cni0 but net.bridge.bridge-nf-call-iptables is 0: same-node IPv4 pod traffic bypasses the rules; set net.bridge.bridge-nf-call-iptables=1",
        "pods are bridged on cni0 but net.bridge.bridge-nf-call-ip6tables is 0: same-node IPv6 pod traffic bypasses the rules; set net.bridge.bridge-nf-call-ip6tables=1",
      ]);
      const after = (from: string, to: string, port: number): ProbeOutcome | undefined => bypass.get(key({ from, to, port }));
      // Denied above, bridged here: every one connects.
      assert.deepEqual([after(WEB, DB, 5433), after(TESTER, DB, 5432), after(UNKNOWN, DB, 5432), after(UNKNOWN6, WEB6, 8080)], ["connected", "connected", "connected", "connected"]);
      // Routed through the node: still dropped.
      assert.deepEqual([after(WEB, OUTSIDE, 80), after(WORKER, OUTSIDE, 443)], ["timeout", "timeout"]);
      assert.equal(on?.ok, true, "sysctls back at 1: the check passes again");
    });
  }
});
}

import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../engine/engine.js";
import { OverlayMap } from "../engine/overlay-map.js";
import { PeerResolver } from "./peers.js";
import { destinationConns } from "./rule-sets.js";
import { CompileCache } from "./cache.js";
import { compileRuleset } from "./compile.js";
import { ENGINE_OPTIONS, LOCAL_PODS, POD_CIDRS, POLICIES, pod, policy, port, rule, podsPeer, sel, testCluster } from "./fixture.js";

// Issue 10: the node agent (one CompileCache, one compile per pod event) grew ~0.5 MiB per
// "pod relabelled" event at 50k pods / 10k policies and died at its 512 MiB heap cap after ~300
// events. These tests bound the structures that grew, not a heap figure.

test("issue 10: egress named ports resolved towards 200 pods with the same container ports make one set, not one per pod", () => {
  const r = rule(0, [podsPeer(sel({ app: "web" }))], [port("TCP", "http")]);
  const pods = Array.from({ length: 200 }, (_, k) => pod("production", `web-${k}`, { app: "web" }, [`10.244.3.${k}`], [{ name: "http", port: 8080, protocol: "TCP" }]));
  const sets = new Set(pods.map((p) => destinationConns(r, p)));
  assert.equal(sets.size, 1);
  // Other container ports resolve on their own: "a named port on a pod".
  const other = pod("production", "web-other", { app: "web" }, ["10.244.4.1"], [{ name: "http", port: 9090, protocol: "TCP" }]);
  assert.notEqual(destinationConns(r, other), destinationConns(r, pods[0] as (typeof pods)[number]));
});

test("issue 10: a peer resolver keeps the peers of the rules the last two compiles asked for, not of every rule it ever resolved", () => {
  const resolver = new PeerResolver(Engine.compile(testCluster(), ENGINE_OPTIONS));
  const asked = POLICIES.flatMap((p) => [...p.egress, ...p.ingress].map((r) => ({ policy: p, rule: r })));
  assert.ok(asked.length > 2);
  // Every rule once (a local pod met every policy), then 200 compiles asking for the first rule only.
  for (const { policy, rule: r } of asked) resolver.rulePeers(policy, r, false);
  resolver.settle();
  const first = asked.find((a) => a.rule.peers !== "all" && a.rule.peers.length > 0);
  assert.ok(first !== undefined);
  const peersOfAll = resolver.keptPeers;
  for (let k = 0; k < 200; k++) {
    resolver.rulePeers(first.policy, first.rule, false);
    resolver.settle();
  }
  assert.equal(resolver.keptRules, 1);
  // Only the first rule's selector and ipBlock peers stay resolved.
  const firstParts = first.rule.peers === "all" ? 0 : first.rule.peers.length;
  assert.ok(peersOfAll > firstParts, `${peersOfAll} peers resolved for every rule`);
  assert.ok(resolver.keptPeers <= firstParts, `${resolver.keptPeers} peers kept for a rule of ${firstParts}`);
});

test("issue 10: 200 forks of a 10k-entry overlay map, each deleting one entry and adding one, keep at most 33 hidden base entries", () => {
  let map = OverlayMap.of(Array.from({ length: 10_000 }, (_, k) => [k, `pod-${k}`] as const));
  for (let k = 0; k < 200; k++) {
    map = map.fork();
    map.delete(k);
    map.set(10_000 + k, `pod-${10_000 + k}`);
    assert.ok(map.hidden <= 33, `${map.hidden} hidden after ${k + 1} forks`);
  }
  assert.equal(map.get(0), undefined);
  assert.equal(map.get(10_199), "pod-10199");
  assert.equal([...map.keys()].length, 10_000);
});

// The synthetic 50k/10k cluster of bench/enforce: every namespace's `allow-dns` policy has the same
// egress rule (kube-dns pods, a named port); each made its own peers, endpoint map and set.
test("issue 10: rules of two policies with the same peers and named port share their peers, each pod's one address set, and their set's elements", () => {
  const dns = () => rule(0, [podsPeer(sel({ "k8s-app": "kube-dns" }), sel({ "kubernetes.io/metadata.name": "kube-system" }))], [port("UDP", "dns")]);
  const a = policy("production", "allow-dns", sel({}), { egress: [dns()] });
  const b = policy("staging", "allow-dns", sel({}), { egress: [dns()] });
  const cluster = testCluster([a, b]);
  const resolver = new PeerResolver(Engine.compile(cluster, ENGINE_OPTIONS));
  const pa = resolver.rulePeers(a, a.egress[0] as (typeof a.egress)[number], true);
  const pb = resolver.rulePeers(b, b.egress[0] as (typeof b.egress)[number], true);
  assert.equal(pa, pb);
  assert.equal(pa.endpoints.size, 1);
  // The pod's address set is the one the engine keeps for it, not one per rule.
  const [endpoint, addresses] = [...pa.endpoints][0] ?? [];
  assert.ok(endpoint !== undefined);
  const again = new PeerResolver(Engine.compile(cluster, ENGINE_OPTIONS)).rulePeers(a, a.egress[0] as (typeof a.egress)[number], true);
  assert.equal(again.endpoints.get(endpoint), addresses);
  const r = compileRuleset(cluster, ENGINE_OPTIONS, { localPods: LOCAL_PODS, podCidrs: POD_CIDRS });
  const ruleSets = r.ruleset.sets.filter((s) => s.name.startsWith("e_") && s.elements.length > 0);
  assert.equal(ruleSets.length, 2);
  assert.equal(ruleSets[0]?.elements, ruleSets[1]?.elements);
});

test("issue 10: a compile of an unchanged cluster hands back the last compile's set and chain lists and rule id map", () => {
  const cache = new CompileCache();
  const compile = () => compileRuleset(testCluster(), ENGINE_OPTIONS, { localPods: LOCAL_PODS, podCidrs: POD_CIDRS }, { cache });
  const first = compile();
  const second = compile();
  assert.equal(second.ruleset.sets, first.ruleset.sets);
  assert.equal(second.ruleset.chains, first.ruleset.chains);
  assert.equal(second.ruleIds.entries, first.ruleIds.entries);
  // A pod gone changes them, and the compile says so.
  const third = compileRuleset(testCluster(POLICIES, LOCAL_PODS), ENGINE_OPTIONS, { localPods: LOCAL_PODS.slice(1), podCidrs: POD_CIDRS }, { cache });
  assert.notEqual(third.ruleset.sets, first.ruleset.sets);
  assert.equal(third.text, compileRuleset(testCluster(POLICIES, LOCAL_PODS), ENGINE_OPTIONS, { localPods: LOCAL_PODS.slice(1), podCidrs: POD_CIDRS }).text);
});

/**
 * Property-based: pods grouped into endpoints (src/k8s/endpoints.ts) answer as the pods do.
 *
 * Random clusters whose workloads have several pods: the pods carry their template's labels plus
 * the labels controllers write (pod-template-hash of two revisions, a StatefulSet's per-pod
 * statefulset.kubernetes.io/pod-name), random replicas are relabelled (a label added, changed or
 * removed: a quarantined replica), some differ in ports, host network or a known address, some
 * have Succeeded. A policy sometimes selects by pod-template-hash (a canary). The reference is the per-pod
 * model: every live pod an endpoint of its own, with its own labels, addresses, host network and
 * ports, evaluated by the reference evaluator (src/reference). The grouped cluster's answers, from
 * the engine's `check`, the pair analysis behind `matrix`, and the compiled nftables ruleset (run
 * by the simulator, packet by packet), must be the per-pod answers. fast-check prints the seed
 * and the shrunk counterexample on failure.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { Location } from "../diag/location.js";
import { Engine } from "../engine/engine.js";
import type { EngineOptions, Target, Verdict } from "../engine/types.js";
import { verdictFor } from "../analysis/matrix.js";
import { pairConns } from "../analysis/reach.js";
import { groupEndpoints, podLabelKeysRead } from "../k8s/endpoints.js";
import type { WorkloadObject } from "../k8s/workload.js";
import type { Cluster, Endpoint, Peer, WorkloadKind } from "../model/cluster.js";
import type { ContainerPort } from "../model/ports.js";
import { AddressSet } from "../net/address-set.js";
import { formatIp, type Ip } from "../net/ip.js";
import { compileRuleset } from "../nft/compile.js";
import { simulate } from "../nft/simulate.js";
import { referenceCheck } from "../reference/reference.js";
import { ARB_POD_NETWORK, arbCluster, arbProbe } from "./arbitrary.js";

const AT: Location = { file: "random.json", line: 1, column: 1, document: 0, path: "" };
const KEYS = ["app", "tier", "env"];
const VALUES = ["x", "y", "z"];
const HASHES = ["h1", "h2"];
const RUNS = Number(process.env["PROPERTY_RUNS"] ?? 150);
const podNetwork = ARB_POD_NETWORK;

const arbLabels = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { maxKeys: 2 });
const arbPorts: fc.Arbitrary<ContainerPort[]> = fc.array(
  fc.record({ name: fc.constantFrom("http", "dns", "metrics"), port: fc.integer({ min: 79, max: 83 }), protocol: fc.constantFrom("TCP" as const, "UDP" as const) }),
  { maxLength: 2 },
);

/** How one replica departs from its template. */
const arbReplica = fc.record({
  relabel: fc.option(fc.record({ key: fc.constantFrom(...KEYS, "quarantine"), value: fc.option(fc.constantFrom(...VALUES, "true"), { nil: undefined }) }), { nil: undefined, freq: 3 }),
  hash: fc.constantFrom(...HASHES),
  otherPorts: fc.option(arbPorts, { nil: undefined, freq: 6 }),
  hostNetwork: fc.integer({ min: 0, max: 11 }).map((n) => n === 0),
  address: fc.constantFrom("v4", "v4", "v4", "dual", "none" as const),
  gone: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
});

const arbWorkload = fc.record({
  kind: fc.constantFrom<WorkloadKind>("Deployment", "Deployment", "StatefulSet", "DaemonSet"),
  ns: fc.constantFrom("a", "b", "c"),
  labels: arbLabels,
  ports: arbPorts,
  ownerInInput: fc.boolean(),
  // Mostly several replicas (what grouping is about); sometimes none (the template is the endpoint).
  replicas: fc.oneof({ arbitrary: fc.array(arbReplica, { minLength: 2, maxLength: 4 }), weight: 4 }, { arbitrary: fc.array(arbReplica, { maxLength: 1 }), weight: 1 }),
});

/** A policy that selects by pod-template-hash, as a canary rollout's would: the revision isolated, or the peer allowed. */
const arbHashPolicy = fc.option(fc.record({ workload: fc.nat(), value: fc.constantFrom(...HASHES), peer: fc.boolean() }), { nil: undefined });

type Drawn<A> = A extends fc.Arbitrary<infer T> ? T : never;

interface Scenario {
  readonly cluster: Cluster;
  readonly objects: readonly WorkloadObject[];
}

/** Each pod's addresses are its own: a counter hands them out (one IPv4, and an IPv6 for dual-stack). */
function scenario(base: Cluster, workloads: readonly Drawn<typeof arbWorkload>[], hash: Drawn<typeof arbHashPolicy>): Scenario {
  let next = 0;
  const addressFor = (kind: "v4" | "dual" | "none"): Ip[] => {
    if (kind === "none") return [];
    const n = next++;
    const v4: Ip = { family: 4, value: 0x0af40000n + BigInt((n * 7) % 64) };
    return kind === "dual" ? [v4, { family: 6, value: (0xfd00n << 112n) | BigInt((n * 5) % 64) }] : [v4];
  };
  const objects: WorkloadObject[] = [];
  workloads.forEach((w, k) => {
    const name = `w${k}`;
    const template = new Map(Object.entries(w.labels));
    if (w.ownerInInput) objects.push({ kind: w.kind, namespace: w.ns, name, podLabels: template, ports: w.ports, hostNetwork: false, ips: [], owner: undefined, annotations: new Map(), at: AT });
    w.replicas.forEach((r, i) => {
      const labels = new Map(template);
      if (w.kind === "Deployment") labels.set("pod-template-hash", r.hash);
      if (w.kind === "StatefulSet") labels.set("statefulset.kubernetes.io/pod-name", `${name}-${i}`);
      if (r.relabel !== undefined) {
        if (r.relabel.value === undefined) labels.delete(r.relabel.key);
        else labels.set(r.relabel.key, r.relabel.value);
      }
      objects.push({
        kind: "Pod",
        namespace: w.ns,
        name: `${name}-${i}`,
        podLabels: labels,
        ports: r.otherPorts ?? w.ports,
        hostNetwork: r.hostNetwork,
        ips: addressFor(r.address),
        ...(r.gone ? { gone: "Succeeded" as const } : {}),
        owner: { kind: w.kind, name },
        annotations: new Map(),
        at: AT,
      });
    });
  });
  const policies = [...base.policies];
  if (hash !== undefined) {
    // In the namespace of a Deployment, whose pods carry pod-template-hash.
    const deployments = workloads.filter((w) => w.kind === "Deployment");
    const namespace = (deployments[hash.workload % Math.max(1, deployments.length)] ?? (workloads[0] as Drawn<typeof arbWorkload>)).ns;
    const selector = { requirements: [{ key: "pod-template-hash", operator: "In" as const, values: [hash.value] }] };
    const peers: Peer[] = [{ kind: "pods", namespaces: { kind: "own" }, pods: selector, at: AT }];
    policies.push({
      id: `${namespace}/canary`,
      namespace,
      name: "canary",
      podSelector: hash.peer ? { requirements: [] } : selector,
      podSelectorAt: AT,
      affects: { ingress: true, egress: true },
      policyTypesDeclared: true,
      egressWritten: true,
      ingress: [],
      egress: hash.peer ? [{ index: 0, peers, ports: "all", at: AT }] : [],
      annotations: new Map(),
      at: AT,
    });
  }
  return { cluster: { ...base, policies, endpoints: [] }, objects };
}

const arbScenario: fc.Arbitrary<Scenario> = fc
  .tuple(arbCluster, fc.array(arbWorkload, { minLength: 1, maxLength: 4 }), arbHashPolicy)
  .map(([base, workloads, hash]) => scenario(base, workloads, hash));

/** How pods are made endpoints: the real grouping, or a broken one for the mutation check. */
type Grouping = (objects: readonly WorkloadObject[], cluster: Cluster) => Endpoint[];

const realGrouping: Grouping = (objects, cluster) => groupEndpoints(objects, podLabelKeysRead(cluster.policies, cluster.services)).endpoints;

/** The per-pod model: every live pod its own endpoint; a workload without live pods its template (as grouped). */
function perPod(objects: readonly WorkloadObject[], grouped: readonly Endpoint[]): Map<Endpoint, Endpoint[]> {
  const pods = new Map<string, Endpoint>();
  for (const o of objects) {
    if (o.kind !== "Pod" || o.gone !== undefined) continue;
    pods.set(`${o.namespace}/${o.name}`, { id: `${o.namespace}/${o.name}`, namespace: o.namespace, name: o.name, kind: "Pod", labels: o.podLabels, ips: o.ips, hostNetwork: o.hostNetwork, ports: o.ports, pods: [o.name], at: AT });
  }
  return new Map(grouped.map((e) => [e, e.pods.length === 0 ? [e] : e.pods.map((p) => pods.get(`${e.namespace}/${p}`) as Endpoint)]));
}

const addressesOf = (members: readonly Endpoint[]): AddressSet =>
  members.reduce((all, e) => all.union(e.ips.length > 0 ? AddressSet.fromIps(e.ips) : e.hostNetwork ? AddressSet.ALL : podNetwork), AddressSet.EMPTY);

function side(allowed: AddressSet, whole: AddressSet): Verdict {
  return allowed.contains(whole) ? "allowed" : allowed.overlaps(whole) ? "depends" : "denied";
}

/** Checks every answer of the grouped cluster against the per-pod reference; throws on the first difference. */
function agree(s: Scenario, probes: readonly { port: number; protocol: "TCP" | "UDP" | "SCTP" }[], grouping: Grouping, ipBlockMatchesPods: boolean): void {
  const options: EngineOptions = { podNetwork, ipBlockMatchesPods };
  const endpoints = grouping(s.objects, s.cluster);
  const grouped: Cluster = { ...s.cluster, endpoints };
  const members = perPod(s.objects, endpoints);
  const pods: Cluster = { ...s.cluster, endpoints: [...new Set([...members.values()].flat())] };
  const engine = Engine.compile(grouped, options);
  const { ruleset } = compileRuleset(grouped, options);
  const target = (endpoint: Endpoint): Target => ({ kind: "endpoint", endpoint });
  for (const probe of probes) {
    for (const from of endpoints) {
      for (const to of endpoints) {
        const label = `${from.id} -> ${to.id} ${probe.port}/${probe.protocol}`;
        const fast = engine.check({ from: target(from), to: target(to), ...probe });
        const senders = members.get(from) as Endpoint[];
        const receivers = members.get(to) as Endpoint[];
        // A pod reaching itself is the one case the per-pod model answers without policies; a
        // workload to itself is its replicas to each other, which policies decide.
        const self = from === to && from.kind === "Pod";
        const ref = (p: Endpoint, q: Endpoint): ReturnType<typeof referenceCheck> =>
          referenceCheck(pods, options, { from: target(p), to: target(self || p !== q ? q : { ...q }), ...probe });
        for (const p of senders) {
          const egress = receivers.reduce((all, q) => all.union(ref(p, q).egressAllowed), AddressSet.EMPTY);
          assert.ok(fast.egress.allowedPeerAddresses.equals(egress), `egress addresses ${label}, sender pod ${p.id}: engine ${fast.egress.allowedPeerAddresses.toString()}, per pod ${egress.toString()}`);
        }
        for (const q of receivers) {
          const ingress = senders.reduce((all, p) => all.union(ref(p, q).ingressAllowed), AddressSet.EMPTY);
          assert.ok(fast.ingress.allowedPeerAddresses.equals(ingress), `ingress addresses ${label}, receiving pod ${q.id}: engine ${fast.ingress.allowedPeerAddresses.toString()}, per pod ${ingress.toString()}`);
        }
        const p0 = senders[0] as Endpoint;
        const q0 = receivers[0] as Endpoint;
        const egress = receivers.reduce((all, q) => all.union(ref(p0, q).egressAllowed), AddressSet.EMPTY);
        const ingress = senders.reduce((all, p) => all.union(ref(p, q0).ingressAllowed), AddressSet.EMPTY);
        const e = side(egress, addressesOf(receivers));
        const i = side(ingress, addressesOf(senders));
        const expected: Verdict = self ? "allowed" : e === "denied" || i === "denied" ? "denied" : e === "allowed" && i === "allowed" ? "allowed" : "depends";
        assert.equal(fast.verdict, expected, `verdict ${label}`);
        assert.equal(verdictFor(pairConns(engine, target(from), target(to)), probe.protocol, probe.port), expected, `matrix ${label}`);
      }
    }
    // The ruleset, packet by packet, between every two pod addresses of one family.
    const addressed = [...pods.endpoints].filter((e) => e.ips.length > 0);
    for (const p of addressed) {
      for (const q of addressed) {
        const verdict = p === q ? null : referenceCheck(pods, options, { from: target(p), to: target(q), ...probe });
        for (const source of p.ips) {
          for (const destination of q.ips) {
            if (source.family !== destination.family) continue;
            const expected = verdict === null || (verdict.egressAllowed.has(destination) && verdict.ingressAllowed.has(source));
            const got = simulate(ruleset, { source, destination, ...probe });
            assert.equal(got.verdict === "accept", expected, `nft ${p.id} ${formatIp(source)} -> ${q.id} ${formatIp(destination)} ${probe.port}/${probe.protocol} (${got.trail.join(" ")})`);
          }
        }
      }
    }
  }
}

const arbProbes = fc.array(arbProbe, { minLength: 1, maxLength: 3 });

for (const ipBlockMatchesPods of [true, false]) {
  test(`grouped pods answer as each pod on its own: engine check, matrix and the nft ruleset against the per-pod reference (ipBlockMatchesPods=${ipBlockMatchesPods})`, () => {
    fc.assert(
      fc.property(arbScenario, arbProbes, (s, probes) => agree(s, probes, realGrouping, ipBlockMatchesPods)),
      { numRuns: RUNS },
    );
  });
}

/**
 * The mutation check: broken groupings must be caught, or the property proves nothing. Giving
 * every pod the labels of its owner's first pod is what grouping did before; ignoring which
 * controller labels the selectors read merges the revisions a pod-template-hash policy tells apart.
 */
const MUTATIONS: { readonly name: string; readonly grouping: Grouping }[] = [
  {
    name: "every pod given its owner's first pod's labels",
    grouping: (objects, cluster) => {
      const first = new Map<string, WorkloadObject>();
      const relabelled = objects.map((o) => {
        if (o.kind !== "Pod" || o.owner === undefined || o.gone !== undefined) return o;
        const key = `${o.namespace}/${o.owner.kind}/${o.owner.name}`;
        const like = first.get(key) ?? o;
        first.set(key, like);
        return { ...o, podLabels: like.podLabels };
      });
      return realGrouping(relabelled, cluster);
    },
  },
  { name: "controller labels never told apart, even when a selector reads them", grouping: (objects) => groupEndpoints(objects, new Set()).endpoints },
];

for (const m of MUTATIONS) {
  test(`mutation check: the property fails for a grouping with ${m.name}`, (t) => {
    const result = fc.check(
      fc.property(arbScenario, arbProbes, (s, probes) => agree(s, probes, m.grouping, true)),
      { numRuns: 1500 },
    );
    assert.ok(result.failed, "the broken grouping went unnoticed");
    const caught = result.errorInstance instanceof Error ? result.errorInstance.message.split("\n")[0] : String(result.errorInstance);
    t.diagnostic(`caught after ${result.numRuns} runs: ${caught ?? ""}`);
  });
}

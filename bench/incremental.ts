/** The incremental phases: one policy added, one pod relabelled (into an existing class, into a new one). */
import type { Endpoint } from "../src/model/cluster.js";
import { decodeCluster } from "../src/k8s/index.js";
import type { ClassMatrix } from "../src/engine/bitmatrix.js";
import { type Change, applyChange } from "../src/engine/incremental.js";
import { policy } from "./objects.js";
import type { PhaseName, PhaseResult, ShapeSizes } from "./protocol.js";
import type { Prng } from "./prng.js";

type Phase = <T>(name: PhaseName, limitS: number, f: () => { value: T; status?: PhaseResult["status"]; note?: string }) => T | undefined;

const AT = { file: "change.yaml", line: 1, column: 1, document: 0, path: "" };

export function runIncremental(start: ClassMatrix, r: Prng, phase: Phase, limitS: number, sizes: (s: Partial<ShapeSizes>) => void): void {
  const pods = start.engine.cluster.endpoints.filter((e) => e.namespace !== "kube-system" && e.namespace !== "monitoring" && !e.hostNetwork);
  const target = r.pick(pods);
  const others = pods.filter((e) => e.namespace === target.namespace && e !== target);
  const peer = others.find((e) => labelsText(e) !== labelsText(target)) ?? others[0] ?? target;
  let matrix = start;

  const apply = (name: PhaseName, change: Change, probe: (m: ClassMatrix) => [Endpoint, Endpoint]): void => {
    const next = phase(name, limitS, () => {
      const m = applyChange(matrix, change);
      const [from, to] = probe(m);
      const verdict = m.verdict(from, to, "TCP", 8080);
      const check = m.engine.check({ from: { kind: "endpoint", endpoint: from }, to: { kind: "endpoint", endpoint: to }, port: 8080, protocol: "TCP" }).verdict;
      const agree = verdict === check ? "agrees with check" : `DISAGREES with check (${check})`;
      return { value: m, note: `${from.id} -> ${to.id} 8080/TCP ${verdict} (${agree})` };
    });
    if (next !== undefined) matrix = next;
  };

  const added = newPolicy(target, peer);
  apply("policy change", { kind: "add-policy", policy: added }, () => [peer, target]);
  apply("relabel (existing class)", { kind: "relabel-endpoint", id: target.id, labels: peer.labels }, (m) => [endpointById(m, target.id), peer]);
  const canary = new Map([...endpointById(matrix, target.id).labels, ["canary", "true"]]);
  apply("relabel (new class)", { kind: "relabel-endpoint", id: target.id, labels: canary }, (m) => [peer, endpointById(m, target.id)]);
  warmChanges(matrix, pods, r, phase, limitS, sizes);
}

/** More policy changes, one after the other in random namespaces: what an agent sees once warm. */
function warmChanges(start: ClassMatrix, pods: readonly Endpoint[], r: Prng, phase: Phase, limitS: number, sizes: (s: Partial<ShapeSizes>) => void): void {
  phase("20 more policy changes", limitS, () => {
    let matrix = start;
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const target = r.pick(pods);
      const peer = r.pick(pods.filter((e) => e.namespace === target.namespace));
      const p = newPolicy(target, peer, `bench-added-${i}`);
      const t = performance.now();
      matrix = applyChange(matrix, { kind: "add-policy", policy: p });
      matrix.verdict(endpointById(matrix, peer.id), endpointById(matrix, target.id), "TCP", 8080);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const median = times[times.length >> 1] ?? 0;
    const max = times[times.length - 1] ?? 0;
    sizes({ warmChangeMedianMs: median, warmChangeMaxMs: max });
    return { value: matrix, note: `per change: median ${median.toFixed(1)} ms, max ${max.toFixed(1)} ms` };
  });
}

function labelsText(e: Endpoint): string {
  return JSON.stringify([...e.labels].sort());
}

function endpointById(m: ClassMatrix, id: string): Endpoint {
  const e = m.engine.cluster.endpoints.find((x) => x.id === id);
  if (e === undefined) throw new Error(`no endpoint ${id}`);
  return e;
}

/** A realistic policy for `target`'s namespace: ingress from `peer`'s pods on 8080, egress to a partner range. */
function newPolicy(target: Endpoint, peer: Endpoint, name = "bench-added"): ReturnType<typeof decodeCluster>["value"]["policies"][number] {
  const spec = {
    podSelector: { matchLabels: Object.fromEntries(target.labels) },
    policyTypes: ["Ingress", "Egress"],
    ingress: [{ from: [{ podSelector: { matchLabels: Object.fromEntries(peer.labels) } }], ports: [{ port: 8080 }, { port: "metrics" }] }],
    egress: [{ to: [{ ipBlock: { cidr: "198.51.100.0/24", except: ["198.51.100.128/25"] } }], ports: [{ port: 8443, endPort: 8453 }] }],
  };
  const doc = { file: "change.yaml", document: 0, base: [], value: policy(target.namespace, name, spec), locate: () => AT };
  const decoded = decodeCluster([doc]);
  const p = decoded.value.policies[0];
  if (p === undefined) throw new Error(`the added policy did not decode: ${decoded.diagnostics.map((d) => d.message).join("; ")}`);
  return p;
}

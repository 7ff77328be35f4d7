/**
 * The probes of a lab run and the engine's verdict for each, pure:
 * - every lab pod to every lab pod, on each port the destination declares;
 * - every lab pod to every external address, on its ports;
 * - every external address (as the source, from the internet) to every lab pod, on each port it
 *   declares: what ingress rules with ipBlocks admit from outside the cluster.
 */
import type { Engine } from "../engine/engine.js";
import type { Target } from "../engine/types.js";
import type { LabPort } from "../lab/types.js";
import type { Protocol } from "../model/ports.js";
import { AddressSet } from "../net/address-set.js";
import { type Ip, formatIp } from "../net/ip.js";
import type { LabPodAddress } from "./dns.js";
import type { PlannedProbe, Skipped } from "./types.js";

export interface External {
  readonly ip: Ip;
  readonly ports: readonly LabPort[];
}

type Verdicts = { readonly expected: boolean } | { readonly skip: "depends" };

function verdict(engine: Engine, from: Target, to: Target, port: number, protocol: Protocol): Verdicts {
  const v = engine.check({ from, to, port, protocol }).verdict;
  return v === "depends" ? { skip: "depends" } : { expected: v === "allowed" };
}

const endpointOf = (p: LabPodAddress): Target => ({ kind: "endpoint", endpoint: p.endpoint });
const externalOf = (ip: Ip): Target => ({ kind: "external", addresses: AddressSet.fromIp(ip) });

interface Side {
  readonly name: string;
  readonly ip: Ip;
  readonly target: Target;
  /** Who answers a probe to it. */
  readonly identity: string;
}

const podSide = (p: LabPodAddress): Side => ({ name: p.endpoint.id, ip: p.ip, target: endpointOf(p), identity: p.endpoint.id });

/** One probe per port, or a skip saying why not. */
function probesBetween(engine: Engine, from: Side, to: Side, ports: readonly LabPort[], skipped: Skipped[]): PlannedProbe[] {
  const out: PlannedProbe[] = [];
  for (const { port, protocol } of ports) {
    const where = { from: from.name, to: to.name, port, protocol };
    if (from.ip.family !== to.ip.family) {
      skipped.push({ reason: "no-address-family", ...where });
      continue;
    }
    const v = verdict(engine, from.target, to.target, port, protocol);
    if ("skip" in v) skipped.push({ reason: v.skip, ...where });
    else out.push({ ...where, ip: formatIp(to.ip), expected: v.expected, identity: to.identity });
  }
  return out;
}

export function podProbes(engine: Engine, pods: readonly LabPodAddress[], declared: (p: LabPodAddress) => readonly LabPort[], skipped: Skipped[]): PlannedProbe[] {
  return pods.flatMap((from) => pods.flatMap((to) => probesBetween(engine, podSide(from), podSide(to), declared(to), skipped)));
}

/** To an external address; one that is a lab pod's (named with --to) is that pod. */
export function outboundProbes(engine: Engine, pods: readonly LabPodAddress[], targets: readonly External[], skipped: Skipped[]): PlannedProbe[] {
  return targets.flatMap(({ ip, ports }) => {
    const text = formatIp(ip);
    const owner = pods.find((p) => formatIp(p.ip) === text);
    const to: Side = { name: text, ip, target: owner === undefined ? externalOf(ip) : endpointOf(owner), identity: owner?.endpoint.id ?? `internet ${text}` };
    return pods.flatMap((from) => probesBetween(engine, podSide(from), to, ports, skipped));
  });
}

/** From the internet, leaving from each external address (never a pod's). */
export function inboundProbes(engine: Engine, pods: readonly LabPodAddress[], sources: readonly Ip[], declared: (p: LabPodAddress) => readonly LabPort[], skipped: Skipped[]): PlannedProbe[] {
  const podIps = new Set(pods.map((p) => formatIp(p.ip)));
  return sources
    .filter((ip) => !podIps.has(formatIp(ip)))
    .flatMap((ip) => {
      const from: Side = { name: formatIp(ip), ip, target: externalOf(ip), identity: "" };
      return pods.flatMap((to) => probesBetween(engine, from, podSide(to), declared(to), skipped));
    });
}

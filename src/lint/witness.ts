import type { Location } from "../diag/location.js";
import type { Endpoint } from "../model/cluster.js";
import type { Labels } from "../model/labels.js";
import type { ContainerPort } from "../model/ports.js";
import { type LabelSelector, formatSelector, selectorMatches } from "../model/selector.js";

/**
 * The fewest labels that satisfy `selector`: `k In (a,b)` gives `k=a`, `Exists` gives a value
 * no `NotIn` excludes, `NotIn` and `DoesNotExist` alone add nothing. Null when no labels can
 * satisfy it (e.g. `k In (a)` with `k NotIn (a)`).
 */
export function labelsSatisfying(selector: LabelSelector, base: Labels = new Map()): Labels | null {
  const labels = new Map(base);
  const keys = [...new Set(selector.requirements.map((r) => r.key))];
  for (const key of keys) {
    const reqs = selector.requirements.filter((r) => r.key === key);
    let allowed: string[] | null = null;
    const excluded = new Set<string>();
    let needed = false;
    for (const r of reqs) {
      if (r.operator === "In") {
        allowed = allowed === null ? [...r.values] : allowed.filter((v) => r.values.includes(v));
        needed = true;
      } else if (r.operator === "NotIn") {
        for (const v of r.values) excluded.add(v);
      } else if (r.operator === "Exists") {
        needed = true;
      }
    }
    const present = labels.get(key);
    if (present !== undefined) continue; // fixed by `base`; checked below
    if (!needed) continue;
    const candidates: string[] = allowed ?? ["witness", "witness-1", "witness-2"];
    const value = candidates.find((v) => !excluded.has(v));
    if (value === undefined) return null;
    labels.set(key, value);
  }
  return selectorMatches(selector, labels) ? labels : null;
}

/** How a witness is named in findings: `production/{app=web}` (a pod like this, not in the input). */
export function witnessName(selector: LabelSelector): string {
  return `{${formatSelector(selector) === "{}" ? "" : formatSelector(selector)}}`;
}

/**
 * A pod that is not in the input but could be: it stands for the pods a selector means, so that
 * the engine can be asked about policy-only repositories.
 */
export function witnessEndpoint(namespace: string, name: string, labels: Labels, at: Location, ports: readonly ContainerPort[] = []): Endpoint {
  return { id: `${namespace}/${name}`, namespace, name, kind: "Pod", labels, ips: [], hostNetwork: false, ports, pods: [], at };
}

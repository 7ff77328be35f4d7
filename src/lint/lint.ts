import { compareLocationJson, locationJson } from "../diag/location.js";
import { type Cluster, type ObjectRef, formatObjectRef } from "../model/cluster.js";
import { LintContext } from "./context.js";
import { ignoredRules } from "./ignore.js";
import { RULES } from "./registry.js";
import type { Finding, LintOptions, LintRule, Severity } from "./types.js";

/** The rules `enable` and `disable` leave: all by default, only `enable` when given, less `disable`. */
export function selectedRules(options: Pick<LintOptions, "enable" | "disable">, rules: readonly LintRule[] = RULES): LintRule[] {
  return rules.filter((r) => (options.enable === undefined || options.enable.includes(r.id)) && !(options.disable ?? []).includes(r.id));
}

/**
 * Runs the selected rules on a cluster. `namespace` (`-n`) keeps the findings about objects in it,
 * and those about cluster-scoped objects (admin policies) that concern workloads in it. The annotation `portcullis.dev/ignore: rule-id[,rule-id]`
 * silences a rule: on the finding's object, or on its namespace, the whole finding; on a workload
 * (or its namespace), that endpoint, and a finding left with none of its endpoints. Sorted by
 * file, line, rule, then column, object and message, so the output is the same for the same input.
 */
export function lintCluster(cluster: Cluster, options: LintOptions, rules: readonly LintRule[] = RULES): Finding[] {
  const chosen = selectedRules(options, rules);
  if (chosen.length === 0) return [];
  const ctx = new LintContext(cluster, options);
  const silences = silencer(cluster);
  const inNamespace = new Map(cluster.endpoints.map((e) => [e.id, e.namespace]));
  const findings: Finding[] = [];
  for (const rule of chosen) {
    for (const d of rule.check(ctx)) {
      const namespace = namespaceOf(d.object);
      // A cluster-scoped object (an admin policy) is about the namespaces of the workloads it concerns.
      const concerned = namespace === undefined && d.endpoints.some((id) => inNamespace.get(id) === options.namespace);
      if (options.namespace !== undefined && namespace !== options.namespace && !concerned) continue;
      if (ignoredRules(d.annotations).has(rule.id) || silences.namespace(namespace, rule.id)) continue;
      const endpoints = d.endpoints.filter((id) => !silences.endpoint(id, rule.id));
      if (d.endpoints.length > 0 && endpoints.length === 0) continue;
      findings.push({
        rule: rule.id,
        severity: d.severity ?? rule.severity,
        message: d.message,
        object: formatObjectRef(d.object),
        location: locationJson(d.at),
        endpoints,
        hint: d.hint,
      });
    }
  }
  return findings.sort(compareFindings);
}

/** The namespace an object is in, or is (a Namespace); undefined for other cluster-scoped objects. */
function namespaceOf(object: ObjectRef): string | undefined {
  if (object.kind === "Namespace") return object.name;
  return object.namespace === "" ? undefined : object.namespace;
}

function silencer(cluster: Cluster): { namespace: (ns: string | undefined, rule: string) => boolean; endpoint: (id: string, rule: string) => boolean } {
  const endpoints = new Map(cluster.endpoints.map((e) => [e.id, e]));
  const namespace = (ns: string | undefined, rule: string): boolean => ns !== undefined && ignoredRules(cluster.namespaces.get(ns)?.annotations).has(rule);
  const endpoint = (id: string, rule: string): boolean => {
    const e = endpoints.get(id);
    return e !== undefined && (ignoredRules(e.annotations).has(rule) || namespace(e.namespace, rule));
  };
  return { namespace, endpoint };
}

export function compareFindings(a: Finding, b: Finding): number {
  const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return (
    (a.location.file !== undefined && b.location.file !== undefined ? cmp(a.location.file, b.location.file) || a.location.line - b.location.line : compareLocationJson(a.location, b.location)) ||
    cmp(a.rule, b.rule) ||
    (a.location.column ?? 0) - (b.location.column ?? 0) ||
    cmp(a.object, b.object) ||
    cmp(a.location.path, b.location.path) ||
    cmp(a.message, b.message)
  );
}

export type FailOn = Severity | "never";

const RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, error: 2 };

/** Whether the findings should fail the run: any finding at `failOn` or above (`never`: never). */
export function failLevel(findings: readonly Finding[], failOn: FailOn): boolean {
  if (failOn === "never") return false;
  return findings.some((f) => RANK[f.severity] >= RANK[failOn]);
}

/** Findings counted by severity. */
export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

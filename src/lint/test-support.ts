/**
 * Helpers for the lint tests (pure: no node:* imports). YAML text → Cluster → findings of one rule.
 */
import { formatDiagnostic } from "../render/diagnostics.js";
import { decodeCluster } from "../k8s/decode.js";
import { parseDocuments } from "../k8s/parse.js";
import type { Cluster } from "../model/cluster.js";
import { AddressSet } from "../net/address-set.js";
import { parseCidr } from "../net/cidr.js";
import { lintCluster } from "./lint.js";
import type { Finding, LintOptions, Severity } from "./types.js";

export function cidrSet(...texts: string[]): AddressSet {
  return AddressSet.fromCidrs(
    texts.map((t) => {
      const r = parseCidr(t);
      if (!r.ok) throw new Error(`bad CIDR in test: ${t}`);
      return r.cidr;
    }),
  );
}

export const TEST_OPTIONS: LintOptions = { engine: { podNetwork: cidrSet("10.244.0.0/16"), ipBlockMatchesPods: true } };

/** Decodes manifests from several files; any error diagnostic is a broken fixture and throws. */
export function clusterOf(files: readonly { file: string; text: string }[]): Cluster {
  const documents = [];
  const problems: string[] = [];
  for (const source of files) {
    const parsed = parseDocuments(source);
    documents.push(...parsed.documents);
    problems.push(...parsed.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic));
  }
  const decoded = decodeCluster(documents);
  problems.push(...decoded.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic));
  if (problems.length > 0) throw new Error(`fixture does not decode:\n${problems.join("\n")}`);
  return decoded.value;
}

export function clusterOfYaml(text: string, file = "case.yaml"): Cluster {
  return clusterOf([{ file, text }]);
}

/** The findings of one rule on YAML text. */
export function lintYaml(text: string, rule: string, options: Partial<LintOptions> = {}): Finding[] {
  return lintCluster(clusterOfYaml(text), { ...TEST_OPTIONS, ...options, enable: [rule] });
}

/** One case of a rule's table: manifests, and what the rule should report on them. */
export interface RuleCase {
  readonly name: string;
  readonly yaml: string;
  readonly options?: Partial<LintOptions>;
  /** Expected findings, in order: the field path of each, and optionally its workloads, a fragment of its message or hint, and its severity. */
  readonly expect: readonly { readonly path: string; readonly endpoints?: readonly string[]; readonly message?: string; readonly hint?: string; readonly severity?: Severity }[];
}

/** Joins YAML documents. */
export function docs(...parts: string[]): string {
  return parts.map((p) => p.replace(/^\n/, "")).join("---\n");
}

type Expected = RuleCase["expect"][number];

/**
 * Runs one case and returns the findings projected onto what the case states (path always;
 * workloads, message and hint fragments when given), next to the expectation, for deepEqual.
 */
export function runCase(rule: string, c: RuleCase): { actual: Expected[]; expected: readonly Expected[] } {
  const findings = lintYaml(c.yaml, rule, c.options ?? {});
  const actual = findings.map((f, i) => {
    const e = c.expect[i];
    const out: { path: string; endpoints?: readonly string[]; message?: string; hint?: string; severity?: Severity } = { path: f.location.path };
    if (e?.endpoints !== undefined) out.endpoints = f.endpoints;
    if (e?.message !== undefined) out.message = f.message.includes(e.message) ? e.message : f.message;
    if (e?.hint !== undefined) out.hint = f.hint.includes(e.hint) ? e.hint : f.hint;
    if (e?.severity !== undefined) out.severity = f.severity;
    return out;
  });
  return { actual, expected: c.expect };
}

/** A Namespace manifest. */
export function namespace(name: string, labels: Record<string, string> = {}): string {
  const l = Object.entries(labels);
  return `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
${l.length === 0 ? "" : `  labels:\n${l.map(([k, v]) => `    ${k}: ${JSON.stringify(v)}\n`).join("")}`}`;
}

export interface WorkloadOptions {
  readonly ports?: readonly { readonly name?: string; readonly port: number; readonly protocol?: string }[];
  readonly hostNetwork?: boolean;
  readonly kind?: "Deployment" | "DaemonSet" | "StatefulSet";
}

/** A Deployment (or DaemonSet/StatefulSet) manifest whose pod template carries `labels`. */
export function workload(ns: string, name: string, labels: Record<string, string>, o: WorkloadOptions = {}): string {
  const l = Object.entries(labels).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  const ports = (o.ports ?? []).map(
    (p) => `            - containerPort: ${p.port}\n${p.name === undefined ? "" : `              name: ${p.name}\n`}${p.protocol === undefined ? "" : `              protocol: ${p.protocol}\n`}`,
  );
  return `apiVersion: apps/v1
kind: ${o.kind ?? "Deployment"}
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  selector:
    matchLabels: {${l.join(", ")}}
  template:
    metadata:
      labels: {${l.join(", ")}}
    spec:
${o.hostNetwork === true ? "      hostNetwork: true\n" : ""}      containers:
        - name: main
          image: example/${name}:1.0
${ports.length === 0 ? "" : `          ports:\n${ports.join("")}`}`;
}

/** A NetworkPolicy manifest; `spec` is YAML indented by two spaces (as under `spec:`). */
export function policy(ns: string, name: string, spec: string, annotations: Record<string, string> = {}): string {
  const a = Object.entries(annotations);
  return `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ${name}
  namespace: ${ns}
${a.length === 0 ? "" : `  annotations:\n${a.map(([k, v]) => `    ${k}: ${JSON.stringify(v)}\n`).join("")}`}spec:
${spec.replace(/^\n/, "").replace(/\s+$/, "")}
`;
}

/**
 * A ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) manifest; `spec` is YAML indented by
 * two spaces (subject and rules, as under `spec:` after tier and priority).
 */
export function clusterPolicy(name: string, tier: "Admin" | "Baseline", priority: number, spec: string): string {
  return `apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata:
  name: ${name}
spec:
  tier: ${tier}
  priority: ${priority}
${spec.replace(/^\n/, "").replace(/\s+$/, "")}
`;
}

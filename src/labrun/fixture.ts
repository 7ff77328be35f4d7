/** For labrun tests: clusters from YAML text or example folders, and the default options. */
import { readSources } from "../io/read-sources.js";
import { loadCluster } from "../k8s/load.js";
import type { Cluster } from "../model/cluster.js";
import { type Cidr, parseCidr } from "../net/cidr.js";
import type { LabRunOptions } from "./types.js";

export function cidr(text: string): Cidr {
  const p = parseCidr(text);
  if (!p.ok) throw new Error(`bad CIDR ${text}`);
  return p.cidr;
}

export const OPTIONS: LabRunOptions = { podCidrs: [cidr("10.244.0.0/16")], ipBlockMatchesPods: true };

/** Decodes YAML; any diagnostic of severity error fails (fixtures must be valid). */
export function clusterOf(yaml: string, file = "fixture.yaml"): Cluster {
  const decoded = loadCluster([{ file, text: yaml }]);
  const errors = decoded.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(`${file}: ${errors.map((d) => d.message).join("; ")}\n${yaml}`);
  return decoded.value;
}

export async function clusterFrom(paths: readonly string[]): Promise<Cluster> {
  const read = await readSources(paths);
  const decoded = loadCluster(read.sources);
  const errors = [...read.diagnostics, ...decoded.diagnostics].filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(`${paths.join(", ")}: ${errors.map((d) => d.message).join("; ")}`);
  return decoded.value;
}

/** A Deployment (or bare Pod with `ip`) in YAML, for compact fixtures. */
export function workload(
  ns: string,
  name: string,
  labels: Readonly<Record<string, string>>,
  ports: readonly { readonly port: number; readonly protocol?: string; readonly name?: string }[] = [],
  ip?: string,
): string {
  const labelYaml = Object.entries(labels)
    .map(([k, v]) => `${k}: "${v}"`)
    .join(", ");
  const portYaml = ports.map((p) => `{containerPort: ${p.port}, protocol: ${p.protocol ?? "TCP"}${p.name === undefined ? "" : `, name: ${p.name}`}}`).join(", ");
  const container = `{name: c, image: "x", ports: [${portYaml}]}`;
  if (ip !== undefined) {
    return `apiVersion: v1\nkind: Pod\nmetadata: {name: "${name}", namespace: "${ns}", labels: {${labelYaml}}}\nspec: {containers: [${container}]}\nstatus: {podIP: ${ip}, podIPs: [{ip: ${ip}}]}\n`;
  }
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: "${name}", namespace: "${ns}"}\nspec:\n  selector: {matchLabels: {${labelYaml}}}\n  template:\n    metadata: {labels: {${labelYaml}}}\n    spec: {containers: [${container}]}\n`;
}

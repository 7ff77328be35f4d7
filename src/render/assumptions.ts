/**
 * What an answer assumed about namespaces the input does not contain (analysis/assumptions), as
 * every view writes it: JSON `assumptions`, and `Assumed: …` lines under the text.
 */
import type { NamespaceAssumption } from "../analysis/assumptions.js";

export interface AssumptionJson {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `namespace prod is not in the input: assumed labels kubernetes.io/metadata.name=prod only` */
  readonly message: string;
}

export function assumptionJson(a: NamespaceAssumption): AssumptionJson {
  const labels = Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(",");
  return { namespace: a.namespace, labels: a.labels, message: `namespace ${a.namespace} is not in the input: assumed labels ${labels} only` };
}

/** The text lines that close a view whose answers assumed namespace labels (none: no lines). */
export function assumedLines(assumptions: readonly AssumptionJson[]): string[] {
  return assumptions.map((a) => `Assumed: ${a.message}.`);
}

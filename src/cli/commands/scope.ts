/** `-n NAMESPACE` on the read commands: which rows are in scope, and a namespace the manifests lack. */
import type { Cluster } from "../../model/cluster.js";
import { suggestions } from "../suggest.js";

/** A usage message when `-n` names a namespace the manifests do not have; null when fine (or no -n). */
export function unknownNamespace(ns: string | null, cluster: Cluster): string | null {
  if (ns === null || cluster.namespaces.has(ns)) return null;
  const known = [...cluster.namespaces.keys()].sort();
  const close = suggestions(ns, known);
  const hint = close.length > 0 ? ` (did you mean ${close.map((c) => `"${c}"`).join(", ")}?)` : known.length === 0 ? "" : ` (the manifests have ${known.join(", ")})`;
  return `-n: no namespace "${ns}" in the manifests${hint}`;
}

/** Whether an endpoint id (`ns/name`, `ns/name[Kind]`) is in scope: every one without -n. */
export function inScope(id: string, ns: string | null): boolean {
  return ns === null || id.startsWith(`${ns}/`);
}

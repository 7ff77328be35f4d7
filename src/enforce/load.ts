import type { Diagnostic } from "../diag/diagnostic.js";
import { readSources } from "../io/read-sources.js";
import { type ParseCache, loadCluster as decodeSources } from "../k8s/load.js";
import type { Cluster } from "../model/cluster.js";

export interface Loaded {
  readonly cluster: Cluster;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Files and directories → Cluster, with every problem as a diagnostic. With `cache` (kept across
 * calls), files whose text did not change since the last call are not parsed again.
 */
export async function loadCluster(paths: readonly string[], cache?: ParseCache): Promise<Loaded> {
  const read = await readSources(paths);
  const decoded = decodeSources(read.sources, cache);
  return { cluster: decoded.value, diagnostics: [...read.diagnostics, ...decoded.diagnostics] };
}

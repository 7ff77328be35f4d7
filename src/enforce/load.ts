import type { Diagnostic } from "../diag/diagnostic.js";
import { readSources } from "../io/read-sources.js";
import { decodeCluster } from "../k8s/decode.js";
import { type RawDocument, parseDocuments } from "../k8s/parse.js";
import type { Cluster } from "../model/cluster.js";

export interface Loaded {
  readonly cluster: Cluster;
  readonly diagnostics: readonly Diagnostic[];
}

/** Files and directories → Cluster, with every problem as a diagnostic. */
export async function loadCluster(paths: readonly string[]): Promise<Loaded> {
  const read = await readSources(paths);
  const diagnostics: Diagnostic[] = [...read.diagnostics];
  const documents: RawDocument[] = [];
  for (const source of read.sources) {
    const parsed = parseDocuments(source);
    documents.push(...parsed.documents);
    diagnostics.push(...parsed.diagnostics);
  }
  const decoded = decodeCluster(documents);
  return { cluster: decoded.value, diagnostics: [...diagnostics, ...decoded.diagnostics] };
}

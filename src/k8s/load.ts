import type { Diagnostic } from "../diag/diagnostic.js";
import { type DecodeResult, decodeCluster } from "./decode.js";
import { type RawDocument, type Source, parseDocuments } from "./parse.js";

/** Parses every source and decodes the objects of all of them into one Cluster. */
export function loadCluster(sources: readonly Source[]): DecodeResult {
  const documents: RawDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const source of sources) {
    const parsed = parseDocuments(source);
    documents.push(...parsed.documents);
    diagnostics.push(...parsed.diagnostics);
  }
  const decoded = decodeCluster(documents);
  return { ...decoded, diagnostics: [...diagnostics, ...decoded.diagnostics] };
}

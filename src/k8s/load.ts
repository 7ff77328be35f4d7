import type { Diagnostic } from "../diag/diagnostic.js";
import { type DecodeResult, decodeCluster } from "./decode.js";
import { noObjectProblems } from "./empty.js";
import { type ParsedSource, type RawDocument, type Source, parseDocuments } from "./parse.js";

/**
 * Parsed sources by file name, kept by a caller that loads the same files again (the enforcer's
 * watch loop): a file whose text is unchanged is not parsed again. `loadCluster` replaces the
 * entries it used and drops those of files no longer given.
 */
export type ParseCache = Map<string, { readonly text: string; readonly parsed: ParsedSource }>;

/** Parses every source and decodes the objects of all of them into one Cluster. */
export function loadCluster(sources: readonly Source[], cache?: ParseCache): DecodeResult {
  const documents: RawDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  const used = new Set<string>();
  for (const source of sources) {
    const cached = cache?.get(source.file);
    const parsed = cached !== undefined && cached.text === source.text ? cached.parsed : parseDocuments(source);
    cache?.set(source.file, { text: source.text, parsed });
    used.add(source.file);
    // One by one: spreading a file's objects into push's arguments overflows the stack at ~120k.
    for (const d of parsed.documents) documents.push(d);
    for (const d of parsed.diagnostics) diagnostics.push(d);
    for (const d of noObjectProblems(source, parsed)) diagnostics.push(d);
  }
  if (cache !== undefined) for (const file of [...cache.keys()]) if (!used.has(file)) cache.delete(file);
  const decoded = decodeCluster(documents);
  for (const d of decoded.diagnostics) diagnostics.push(d);
  return { ...decoded, diagnostics };
}

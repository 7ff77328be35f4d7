import { messages } from "../diag/catalogue.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { codes } from "./codes.js";
import { type DecodeOptions, type DecodeResult, decodeCluster, overlay } from "./decode.js";
import { noObjectProblems } from "./empty.js";
import { notManifest, notManifestWarning } from "./not-manifest.js";
import { type ParsedSource, type RawDocument, type Source, parseDocuments } from "./parse.js";

/**
 * Parsed sources by file name, kept by a caller that loads the same files again (the enforcer's
 * watch loop): a file whose text is unchanged is not parsed again. `loadCluster` replaces the
 * entries it used and drops those of files no longer given.
 */
export type ParseCache = Map<string, { readonly text: string; readonly parsed: ParsedSource }>;

export interface LoadOptions extends DecodeOptions {
  /**
   * Every file must be a manifest (`--strict`, and always for `enforce`): a file found in a
   * directory that is not one is an error as a named file is, never skipped.
   */
  readonly strict?: boolean;
}

export interface LoadResult extends DecodeResult {
  /** Files found in a directory and skipped as not Kubernetes manifests (each also warned of). */
  readonly notManifests: readonly string[];
}

/**
 * Parses every source and decodes the objects of all of them into one Cluster. A file found in a
 * directory that is not a manifest at all is skipped with a warning (unless `strict`); when every
 * source was skipped so, nothing is left to read, which is the `no-objects` error (fail closed).
 */
export function loadCluster(sources: readonly Source[], cache?: ParseCache, options: LoadOptions = {}): LoadResult {
  const parsed = parseSources(sources, cache, options);
  return decodeParsed(parsed, parsed.documents, options);
}

/**
 * The objects of `sources` applied over `base` (objects read from a live cluster): each one
 * replaces the base object of the same kind, namespace and name, the others are added — what
 * `kubectl apply -f` of the sources would leave (decode.ts's `overlay`).
 */
export function loadOver(base: readonly RawDocument[], sources: readonly Source[], options: LoadOptions = {}): LoadResult {
  const parsed = parseSources(sources, undefined, options);
  return decodeParsed(parsed, overlay(base, parsed.documents), options);
}

interface ParsedSources {
  readonly documents: RawDocument[];
  readonly diagnostics: Diagnostic[];
  readonly notManifests: string[];
}

function decodeParsed(parsed: ParsedSources, documents: readonly RawDocument[], options: LoadOptions): LoadResult {
  const { diagnostics, notManifests } = parsed;
  const decoded = decodeCluster(documents, options.adminPolicies === undefined ? {} : { adminPolicies: options.adminPolicies });
  for (const d of decoded.diagnostics) diagnostics.push(d);
  return { ...decoded, diagnostics, notManifests };
}

function parseSources(sources: readonly Source[], cache: ParseCache | undefined, options: LoadOptions): ParsedSources {
  const documents: RawDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  const notManifests: string[] = [];
  const used = new Set<string>();
  for (const source of sources) {
    const cached = cache?.get(source.file);
    const parsed = cached !== undefined && cached.text === source.text ? cached.parsed : parseDocuments(source);
    cache?.set(source.file, { text: source.text, parsed });
    used.add(source.file);
    const skip = source.inDirectory === true && options.strict !== true ? notManifest(source, parsed) : undefined;
    if (skip !== undefined) {
      diagnostics.push(notManifestWarning(source, skip));
      notManifests.push(source.file);
      continue;
    }
    // One by one: spreading a file's objects into push's arguments overflows the stack at ~120k.
    for (const d of parsed.documents) documents.push(d);
    for (const d of parsed.diagnostics) diagnostics.push(d);
    for (const d of noObjectProblems(source, parsed)) diagnostics.push(d);
  }
  if (cache !== undefined) for (const file of [...cache.keys()]) if (!used.has(file)) cache.delete(file);
  if (notManifests.length > 0 && notManifests.length === sources.length) {
    diagnostics.push({ severity: "error", code: codes.noObjects, message: messages.noObjectsLeft(notManifests.length) });
  }
  return { documents, diagnostics, notManifests };
}

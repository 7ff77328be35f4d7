import type { Diagnostic } from "../diag/diagnostic.js";
import { type ReadCache, readSources } from "../io/read-sources.js";
import { type ParseCache, loadCluster as decodeSources } from "../k8s/load.js";
import type { Cluster } from "../model/cluster.js";

export interface Loaded {
  readonly cluster: Cluster;
  readonly diagnostics: readonly Diagnostic[];
}

/** What a caller that loads the same files again keeps between loads. */
export interface LoadCaches {
  /** Files whose size, inode and times did not change are not read again. */
  readonly read: ReadCache;
  /** Files whose text did not change are not parsed again (nor their documents decoded). */
  readonly parsed: ParseCache;
}

export const newLoadCaches = (): LoadCaches => ({ read: new Map(), parsed: new Map() });

/**
 * Files, directories and `-` (read through `stdin` when given) → Cluster, with every problem as a
 * diagnostic, and how many files were read. Always strict: a file of a watched directory that
 * stops being a manifest (a policy overwritten by something else) is an error, so the enforcer
 * keeps its table rather than silently dropping the policies the file held. Admin policies are
 * enforced; a Deny or Pass rule with `domainNames` peers, which the kernel cannot match, is an error.
 */
export async function loadCluster(
  paths: readonly string[],
  opts: { readonly caches?: LoadCaches; readonly stdin?: (() => Promise<string>) | undefined } = {},
): Promise<Loaded & { readonly files: number }> {
  const read = await readSources(paths, opts.stdin, undefined, opts.caches?.read);
  const decoded = decodeSources(read.sources, opts.caches?.parsed, { strict: true, adminPolicies: "enforce" });
  return { cluster: decoded.value, diagnostics: [...read.diagnostics, ...decoded.diagnostics], files: read.sources.length };
}

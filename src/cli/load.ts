import { hasErrors } from "../diag/diagnostic.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { type ReadResult, readSources } from "../io/read-sources.js";
import type { DecodeOptions } from "../k8s/decode.js";
import { loadCluster as loadSources } from "../k8s/load.js";
import type { Cluster } from "../model/cluster.js";
import { formatDiagnostic, formatGonePods, formatLoaded, formatPodSplit, formatSkipped } from "../render/diagnostics.js";
import { choosePodNetwork } from "../model/pod-network.js";
import { formatPodNetwork } from "../render/diagnostics.js";
import type { CommonOptions } from "./options.js";

/**
 * The commands that evaluate the admin tiers (ClusterNetworkPolicy, AdminNetworkPolicy,
 * BaselineAdminNetworkPolicy): they load admin policies without a word. Every other analysis warns
 * per policy that its answers ignore it (`admin-policy-not-evaluated`); `enforce` compiles them
 * into the kernel (see src/enforce/load.ts).
 */
const EVALUATES_ADMIN_TIERS: ReadonlySet<string> = new Set(["check", "explain", "matrix", "connlist", "egress", "graph", "diff", "lint"]);

/**
 * How a command's load treats admin policies: evaluated, or a warning that its answers ignore them.
 * Only `check` answers "depends on DNS" for `domainNames` peers; the others, which answer from the
 * pair analysis, take them as matching nothing and say so per rule (`admin-domain-not-evaluated`).
 */
export function adminPolicyHandling(command: string): DecodeOptions {
  if (!EVALUATES_ADMIN_TIERS.has(command)) return { adminPolicies: "warn" };
  return { adminPolicies: command === "check" ? "evaluate" : "evaluate-without-dns" };
}

export interface LoadIo {
  readonly stderr: (text: string) => void;
  /** Standard input as text; absent: the reader takes the process's own stdin as bytes. */
  readonly stdin?: () => Promise<string>;
}

/**
 * The one loading path: read sources → parse → decode. Every diagnostic goes to stderr; with any
 * error the result is null (the caller exits with invalid input).
 */
export async function loadCluster(options: Reading & Pick<CommonOptions, "files">, io: LoadIo, decode: DecodeOptions = {}): Promise<Cluster | null> {
  return decodeSources(await readSources(options.files, io.stdin), options, io, decode);
}

/** How sources are read: `-v`, and `--strict` (every file must be a manifest). */
type Reading = Pick<CommonOptions, "verbose" | "strict">;

/** Sources read (from files, stdin or git) → Cluster, or null with the errors printed. */
export function decodeSources(read: ReadResult, reading: Reading, io: LoadIo, decode: DecodeOptions = {}): Cluster | null {
  const decoded = loadSources(read.sources, undefined, { ...decode, strict: reading.strict });
  const diagnostics: Diagnostic[] = [...read.diagnostics, ...decoded.diagnostics];
  for (const d of diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
  if (reading.verbose) {
    io.stderr(`${formatLoaded(read.sources.length - decoded.notManifests.length, decoded.value)}\n`);
    io.stderr(`${formatSkipped(decoded.skipped) ?? "skipped no objects"}\n`);
    const gone = formatGonePods(decoded.pods.gone);
    if (gone !== null) io.stderr(`${gone}\n`);
    for (const split of decoded.pods.splits) io.stderr(`${formatPodSplit(split)}\n`);
  }
  return hasErrors(diagnostics) ? null : decoded.value;
}

/** The options with the pod network this cluster implies (choosePodNetwork); `-v` says where it came from. */
export function withPodNetwork<T extends CommonOptions>(common: T, cluster: Cluster, io: LoadIo): T {
  const chosen = choosePodNetwork({ podNetwork: common.podNetwork, from: common.podNetworkFrom }, cluster);
  if (common.verbose) io.stderr(`${formatPodNetwork(chosen)}\n`);
  return { ...common, podNetwork: chosen.podNetwork, podNetworkFrom: chosen.from };
}

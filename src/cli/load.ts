import { hasErrors } from "../diag/diagnostic.js";
import type { Diagnostic } from "../diag/diagnostic.js";
import { type ReadResult, readSources } from "../io/read-sources.js";
import type { DecodeOptions, DecodeResult } from "../k8s/decode.js";
import { decodeLive, liveDocument, unseenOf } from "../k8s/live.js";
import { loadCluster as loadSources, loadOver } from "../k8s/load.js";
import type { LiveRead } from "../kube/live.js";
import { type CommandResult, done, usage } from "./commands/result.js";
import { NO_INPUT } from "./flags.js";
import { type ClusterReader, type LiveRequest, readClusterLazily } from "./live.js";
import type { Cluster } from "../model/cluster.js";
import { formatDiagnostic, formatGonePods, formatLoadedFrom, formatPodSplit, formatSkipped } from "../render/diagnostics.js";
import { choosePodNetwork } from "../model/pod-network.js";
import { formatPodNetwork } from "../render/diagnostics.js";
import type { CommonOptions, LiveNotes, ReadingOptions, ReadOptions, SnapshotFlags } from "./options.js";
import { clusterServiceRecords } from "../dns/cluster-records.js";
import { decodeRecordsFile } from "../dns/records-file.js";
import { type DnsRecord, DnsSnapshot } from "../dns/snapshot.js";
import type { EngineOptions } from "../engine/types.js";

/**
 * The commands that evaluate the admin tiers (ClusterNetworkPolicy, AdminNetworkPolicy,
 * BaselineAdminNetworkPolicy): they load admin policies without a word. Every other analysis warns
 * per policy that its answers ignore it (`admin-policy-not-evaluated`); `enforce` compiles them
 * into the kernel (see src/enforce/load.ts).
 */
const EVALUATES_ADMIN_TIERS: ReadonlySet<string> = new Set(["check", "explain", "matrix", "connlist", "egress", "graph", "diff", "lint", "ui"]);

/**
 * How a command's load treats admin policies: evaluated, or a warning that its answers ignore them.
 * Without a resolution snapshot (`snapshot`: `--dns-records`/`--resolve` given) only `check` answers
 * "depends on DNS" for `domainNames` peers; the others, which answer from the pair analysis, take
 * them as matching nothing and say so per rule (`admin-domain-not-evaluated`). With one, every
 * command matches them against it.
 */
export function adminPolicyHandling(command: string, snapshot = false): DecodeOptions {
  if (!EVALUATES_ADMIN_TIERS.has(command)) return { adminPolicies: "warn" };
  return { adminPolicies: command === "check" || snapshot ? "evaluate" : "evaluate-without-dns" };
}

/** What the engine takes from the options: the pod network, ipBlock's reach, the resolution snapshot when loaded. */
export function engineOptions(common: ReadingOptions): EngineOptions {
  const base = { podNetwork: common.podNetwork, ipBlockMatchesPods: common.ipBlockMatchesPods };
  return common.dns === undefined ? base : { ...base, dns: common.dns };
}

/**
 * The resolution snapshot of `--dns-records` and `--resolve`, with the cluster's own Service names
 * (clusterServiceRecords) after them; the options carry it. Problems of the records file are
 * printed as diagnostics (file:line:column and field path); with any error the command ends
 * with invalid input, as for the manifests. No flags: the options as they are.
 */
export async function withSnapshot<T extends ReadingOptions>(common: T, flags: SnapshotFlags | undefined, cluster: Cluster, io: LoadIo): Promise<T | null> {
  if (flags === undefined) return common;
  const fromFile: DnsRecord[] = [];
  if (flags.file !== null) {
    const read = await readSources([flags.file], io.stdin);
    const diagnostics: Diagnostic[] = [...read.diagnostics];
    for (const source of read.sources) {
      const decoded = decodeRecordsFile(source);
      fromFile.push(...decoded.records);
      diagnostics.push(...decoded.diagnostics);
    }
    for (const d of diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
    if (hasErrors(diagnostics)) return null;
  }
  const dns = new DnsSnapshot([...fromFile, ...flags.resolve, ...clusterServiceRecords(cluster)]);
  if (common.verbose) io.stderr(`DNS snapshot: ${fromFile.length} records from ${flags.file ?? "no file"}, ${flags.resolve.length} from --resolve, ${dns.records.length - fromFile.length - flags.resolve.length} of the cluster's Services\n`);
  return { ...common, dns };
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
type Reading = Pick<ReadingOptions, "verbose" | "strict">;

/** Sources read (from files, stdin or git) → Cluster, or null with the errors printed. */
export function decodeSources(read: ReadResult, reading: Reading, io: LoadIo, decode: DecodeOptions = {}): Cluster | null {
  const decoded = loadSources(read.sources, undefined, { ...decode, strict: reading.strict });
  return reportDecoded(decoded, read.diagnostics, reading, io, plural(read.sources.length - decoded.notManifests.length, "file"));
}

/** The objects of a live read with the -f sources applied over them (`diff --against-cluster`), or null with the errors printed. */
export function decodeOver(live: LiveRead, read: ReadResult, reading: Reading, io: LoadIo, decode: DecodeOptions = {}): Cluster | null {
  const decoded = loadOver(live.objects.map((o) => liveDocument(o)), read.sources, { ...decode, strict: reading.strict });
  return reportDecoded(decoded, read.diagnostics, reading, io, `${live.source} with ${plural(read.sources.length - decoded.notManifests.length, "file")} applied`);
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** The objects of a live read, decoded: the cluster, or null with the errors printed. */
export function reportLive(decoded: DecodeResult, reading: Reading, io: LoadIo, source: string): Cluster | null {
  return reportDecoded(decoded, [], reading, io, source);
}

/** Prints the diagnostics (and with -v what was read, `source` naming it); the cluster, or null when any is an error. */
function reportDecoded(decoded: DecodeResult, readDiagnostics: readonly Diagnostic[], reading: Reading, io: LoadIo, source: string): Cluster | null {
  const diagnostics: Diagnostic[] = [...readDiagnostics, ...decoded.diagnostics];
  for (const d of diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
  if (reading.verbose) {
    io.stderr(`${formatLoadedFrom(source, decoded.value)}\n`);
    io.stderr(`${formatSkipped(decoded.skipped) ?? "skipped no objects"}\n`);
    const gone = formatGonePods(decoded.pods.gone);
    if (gone !== null) io.stderr(`${gone}\n`);
    for (const split of decoded.pods.splits) io.stderr(`${formatPodSplit(split)}\n`);
  }
  return hasErrors(diagnostics) ? null : decoded.value;
}

/** The options with the pod network this cluster implies (choosePodNetwork); `-v` says where it came from. */
export function withPodNetwork<T extends ReadingOptions>(common: T, cluster: Cluster, io: LoadIo): T {
  const chosen = choosePodNetwork({ podNetwork: common.podNetwork, from: common.podNetworkFrom }, cluster);
  if (common.verbose) io.stderr(`${formatPodNetwork(chosen)}\n`);
  return { ...common, podNetwork: chosen.podNetwork, podNetworkFrom: chosen.from };
}

export interface LiveLoadIo extends LoadIo {
  /** Reads a live cluster; absent: the real client, loaded lazily (tests give a reader). */
  readonly readCluster?: ClusterReader;
}

/** A read command's input, loaded: the cluster and the options (with what a live read did not see); or how the command ends. */
export type Loaded<T extends ReadingOptions> = { readonly kind: "loaded"; readonly cluster: Cluster; readonly common: T } | { readonly kind: "ended"; readonly result: CommandResult };

/** Loads files (-f) or the live cluster, and prints what was not seen. */
export async function loadInput<T extends ReadOptions>(common: T, io: LiveLoadIo, decode: DecodeOptions = {}): Promise<Loaded<T>> {
  const input = common.input;
  if (input.kind === "files") {
    const cluster = await loadCluster({ ...common, files: input.files }, io, decode);
    return cluster === null ? { kind: "ended", result: done("invalid-input", "") } : { kind: "loaded", cluster, common };
  }
  const live = await readLive({ flags: input.flags, scope: input.scope }, common, io);
  if (live.kind === "ended") return live;
  const cluster = reportLive(decodeLive(live.read, decode), common, io, live.read.source);
  if (cluster === null) return { kind: "ended", result: done("invalid-input", "") };
  return { kind: "loaded", cluster, common: { ...common, live: live.notes } };
}

/** A live read: its objects and the notes answers carry; or how the command ends (no cluster, unreachable, credentials, kubeconfig). */
export type LiveLoad = { readonly kind: "read"; readonly read: LiveRead; readonly notes: LiveNotes } | { readonly kind: "ended"; readonly result: CommandResult };

/** Reads the cluster; each refused read is a warning on stderr, `-v` says what was read. */
export async function readLive(request: LiveRequest, reading: Pick<ReadingOptions, "verbose">, io: LiveLoadIo): Promise<LiveLoad> {
  const outcome = await (io.readCluster ?? readClusterLazily)(request);
  if (outcome.kind === "not-configured") return { kind: "ended", result: usage(NO_INPUT) };
  if (outcome.kind === "failed") return { kind: "ended", result: done(outcome.failure, "", `portcullis: ${outcome.message}\n`) };
  const unseen = unseenOf(outcome.read.missing);
  for (const u of unseen) io.stderr(`portcullis: warning: ${u.message}\n`);
  if (reading.verbose) {
    io.stderr(`reading ${outcome.read.source}, ${outcome.namespace === null ? "every namespace" : `namespace ${outcome.namespace}`}\n`);
    for (const m of outcome.read.missing) if (m.reason === "not-served") io.stderr(`${m.resource.resource} (${m.resource.group}/${m.resource.version}) is not served by the cluster: there are none\n`);
  }
  return { kind: "read", read: outcome.read, notes: { unseen, namespace: outcome.namespace } };
}

/**
 * What `ui` reads before it listens: the version it shows (the -f files, the live cluster, or with
 * --against the new version's files) with its objects kept for the page's edits, and with
 * --against/--base the old version it is compared with (as `diff` reads them). Diagnostics are
 * printed as every command prints them; errors end the command before the server starts.
 */
import { NO_INPUT } from "../cli/flags.js";
import { decodeSources, type LiveLoadIo, type LoadIo, readLive, reportLive } from "../cli/load.js";
import type { ReadOptions } from "../cli/options.js";
import { type CommandResult, done, usage } from "../cli/commands/result.js";
import { readGitSources } from "../io/git-sources.js";
import { type ReadResult, readSources } from "../io/read-sources.js";
import type { DecodeOptions } from "../k8s/decode.js";
import { decodeLive, liveDocument } from "../k8s/live.js";
import { notManifest } from "../k8s/not-manifest.js";
import { parseDocuments } from "../k8s/parse.js";
import type { Cluster } from "../model/cluster.js";
import type { StartInput } from "./edits.js";

export type Read<T> = { readonly kind: "read"; readonly value: T } | { readonly kind: "ended"; readonly result: CommandResult };

export interface Shown {
  readonly cluster: Cluster;
  readonly input: StartInput;
  readonly common: ReadOptions;
}

/** The version the page shows: files (the -f paths, or `paths` for --against) or the live cluster. */
export async function readShown(common: ReadOptions, paths: readonly string[] | null, io: LiveLoadIo, decode: DecodeOptions): Promise<Read<Shown>> {
  const files = paths ?? (common.input.kind === "files" ? common.input.files : null);
  if (files !== null) {
    const read = await readSources(files, io.stdin);
    const cluster = decodeSources(read, common, io, decode);
    if (cluster === null) return { kind: "ended", result: done("invalid-input", "") };
    return { kind: "read", value: { cluster, common, input: fileInput(read, common.strict, decode) } };
  }
  if (common.input.kind !== "cluster") return { kind: "ended", result: usage(NO_INPUT) };
  const live = await readLive({ flags: common.input.flags, scope: common.input.scope }, common, io);
  if (live.kind === "ended") return live;
  const cluster = reportLive(decodeLive(live.read, decode), common, io, live.read.source);
  if (cluster === null) return { kind: "ended", result: done("invalid-input", "") };
  const input: StartInput = { documents: live.read.objects.map((o) => liveDocument(o)), files: new Map(), decode, strict: common.strict };
  return { kind: "read", value: { cluster, common: { ...common, live: live.notes }, input } };
}

/** The files' objects as the loader took them (a directory's file that is no manifest skipped, unless reading strictly), and their texts. */
function fileInput(read: ReadResult, strict: boolean, decode: DecodeOptions): StartInput {
  const documents = read.sources.flatMap((source) => {
    const parsed = parseDocuments(source);
    return source.inDirectory === true && !strict && notManifest(source, parsed) !== undefined ? [] : parsed.documents;
  });
  return { documents, files: new Map(read.sources.map((s) => [s.file, s.text])), decode, strict };
}

/** The old version of --against (the -f files) or --base REF (the -f paths at that git revision). */
export async function readOld(compare: { readonly kind: "against" } | { readonly kind: "base"; readonly ref: string }, files: readonly string[], common: ReadOptions, io: LoadIo, decode: DecodeOptions): Promise<Read<Cluster>> {
  let read: ReadResult;
  if (compare.kind === "against") read = await readSources(files, io.stdin);
  else {
    const git = await readGitSources(files, compare.ref);
    if (!git.ok) return { kind: "ended", result: git.kind === "usage" ? usage(git.message) : done("internal", "", `portcullis: ${git.message}\n`) };
    read = git.read;
  }
  const cluster = decodeSources(read, common, io, decode);
  if (cluster === null) return { kind: "ended", result: done("invalid-input", "", `portcullis: the old version (${compare.kind === "against" ? "-f" : `--base ${compare.ref}`}) has errors: nothing compared\n`) };
  return { kind: "read", value: cluster };
}

import { scaffold, scaffoldCluster, type ScaffoldError } from "../../scaffold/index.js";
import { adminPolicyHandling, type LoadIo, loadCluster } from "../load.js";
import type { CommandOptions } from "../options.js";
import { type CommandResult, done, usage } from "./result.js";

type ScaffoldCommand = Extract<CommandOptions, { name: "scaffold" }>;
type NamespaceScaffold = Exclude<ScaffoldCommand, { cluster: unknown }>;

/** `scaffold`: YAML from options alone (with --cluster, and -f: the manifests); every problem with the options is a usage error, all listed. */
export async function runScaffold(options: ScaffoldCommand, io: LoadIo): Promise<CommandResult> {
  if ("cluster" in options) {
    const { files, api } = options.cluster;
    // Without -f the Baseline policy is described, not written: nothing is read.
    const cluster = files.length === 0 ? null : await loadCluster({ files, verbose: false, strict: false }, io, adminPolicyHandling("scaffold"));
    if (files.length > 0 && cluster === null) return done("invalid-input", "");
    return done("ok", scaffoldCluster({ api, metadata: options.metadata, dns: options.dns, cluster }));
  }
  const { namespace, allowDns, blockMetadata, allowTo, metadata, dns } = options;
  const r = scaffold({ namespace, allowDns, blockMetadata, allowTo, metadata, dns });
  if (r.ok) return done("ok", r.value);
  const [first, ...rest] = r.errors.map((e) => `${flagOf(e, options)}: ${e.message}`);
  return usage(first ?? "invalid options", ...rest);
}

/** The flag an error is about, as written: `-n`, or `--allow-to "SPEC"` (field `allow-to[i]`). */
function flagOf(e: ScaffoldError, options: NamespaceScaffold): string {
  const index = /^allow-to\[(\d+)\]$/.exec(e.field)?.[1];
  if (index === undefined) return e.field === "namespace" ? "-n" : `--${e.field}`;
  return `--allow-to ${JSON.stringify(options.allowTo[Number(index)] ?? "")}`;
}
